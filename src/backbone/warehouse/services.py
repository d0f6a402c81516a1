"""The configured workspace and its warehouse, for the Django layer of every app.

The one place that turns ``settings.WORKSPACE`` into a ``Workspace``: services call
``workspace()`` or ``warehouse()`` instead of joining paths to the setting themselves.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from backbone.warehouse.store import Warehouse
from backbone.warehouse.workspace import Workspace


def workspace() -> Workspace:
    return Workspace(Path(settings.WORKSPACE))


def warehouse() -> Warehouse:
    return workspace().warehouse()
