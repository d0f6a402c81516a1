import os

from django.core.wsgi import get_wsgi_application

from backbone.warehouse.workspace import keep_private

keep_private()  # the database, Parquet and archives it writes are person-level: 0600

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backbone.config.settings")
application = get_wsgi_application()
