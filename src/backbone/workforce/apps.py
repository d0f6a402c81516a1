from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "backbone.workforce"
    label = "workforce"
    verbose_name = "Workforce partnerships"
