"""``backbone status``: what the workspace holds, for people and for scripts (``--json``).

Each domain contributes its section; later stages add the warehouse tables and submissions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def database_status() -> dict[str, Any]:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {
        "vendor": connection.vendor,
        "name": str(settings.DATABASES["default"]["NAME"]),
        "migrated": not pending,
    }


def workspace_status() -> dict[str, Any]:
    """A JSON-ready summary of the workspace: database, registry counts, expiring agreements."""
    from backbone.governance import services as governance
    from backbone.partnership import services as partnership

    report: dict[str, Any] = {
        "workspace": str(settings.WORKSPACE),
        "wide_modes": wide_mode_status(),
        "database": database_status(),
        "registry": {},
        "expiring_agreements": [],
        "warehouse": {},
        "submissions": {},
    }
    if not report["database"]["migrated"]:
        return report
    agreements = {"agreements": governance.agreement_count()}
    report["registry"] = {**partnership.registry_counts(), **agreements}
    report["warehouse"] = warehouse_status()
    report["submissions"] = submission_counts()
    report["expiring_agreements"] = [
        {
            "slug": agreement.slug,
            "title": agreement.title,
            "end": agreement.end.isoformat() if agreement.end else None,
            "days_left": agreement.days_to_expiry(),
        }
        for agreement in governance.expiring_agreements()
    ]
    return report


def wide_mode_status() -> dict[str, Any]:
    """Files and folders in the workspace that others than its owner may read (should be
    none): how many, and the first of them."""
    from backbone.warehouse.workspace import wide_modes

    count, examples = wide_modes(settings.WORKSPACE)
    return {"count": count, "examples": examples}


def warehouse_status() -> dict[str, Any]:
    """Per canonical table: rows and the submissions holding them."""
    from backbone.warehouse.services import warehouse

    return warehouse().table_counts()


def submission_counts() -> dict[str, int]:
    """How many submissions are in each status."""
    from django.db.models import Count

    from backbone.intake.models import Submission

    rows = Submission.objects.values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}
