"""The role-aware home page against the indicator list it shares its work with.

A workspace in a temporary folder gets the demo's scale of waiting work — 12 partners, each with
a monthly schedule two years old and nothing sent (288 late files), 300 uploads (100 rejected),
2,628 review pairs waiting — and the standard indicator library with results for six school
years, overall and by 11 groups. A data steward then opens ``/`` (the attention list, the grid
and the registry) and ``/indicators/`` (the baseline: the same per-indicator release gate),
best of ``REPEAT`` each, alternating, in this process. Reported: each in ms and the ratio
home / list. Goal: the home page within 1.5x of the indicator list.

``python -m benchmarks home_page``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from rich.console import Console

from benchmarks.timing import best_of

PARTNERS = 12
UPLOADS = 300
PAIRS = 2_628
GROUPS = 11
YEARS = range(2019, 2025)
REPEAT = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        from backbone.cli.common import migrate_database, setup_django

        setup_django(Path(scratch))
        migrate_database()
        client = _steward_client()
        _plant()
        home, listing = _timed(client, "/"), _timed(client, "/indicators/")
    console = Console()
    console.print(f"home page {home * 1000:.0f} ms, indicator list {listing * 1000:.0f} ms")
    console.print(f"ratio home / list: {home / listing:.2f} (goal ≤ 1.5)")


def _timed(client: object, url: str) -> float:
    def get() -> None:
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, (url, response.status_code)

    get()  # warm: templates and the permission cache
    return best_of(get, REPEAT)


def _steward_client() -> object:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from backbone.governance.roles import role

    user = User.objects.create_user("steward", password="a long bench password")
    user.groups.add(Group.objects.get(name=role("data_steward").label))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _plant() -> None:
    from django.utils import timezone

    from backbone.identity.models import LinkageRun, ReviewPair
    from backbone.intake.models import ReportingSchedule, Submission
    from backbone.partnership.models import Partner

    today = timezone.localdate()
    for i in range(PARTNERS):
        partner = Partner.objects.create(slug=f"p{i}", name=f"Partner {i}", partner_type="college")
        ReportingSchedule.objects.create(
            partner=partner,
            contract="program_participation",
            frequency="monthly",
            due_days=0,
            starts=dt.date(today.year - 2, today.month, 1),
        )
        Submission.objects.bulk_create(
            Submission(
                partner=partner,
                contract="program_participation",
                original_name=f"{n}.csv",
                sha256="0" * 64,
                size=1,
                archive_path="x",
                status="rejected" if n % 3 == 0 else "loaded",
            )
            for n in range(UPLOADS // PARTNERS)
        )
    run = LinkageRun.objects.create(model_version="bench")
    ReviewPair.objects.bulk_create(
        ReviewPair(
            run=run,
            record_a=f"a{n:06d}",
            record_b=f"b{n:06d}",
            source_a="x",
            source_b="y",
            match_probability=0.5,
        )
        for n in range(PAIRS)
    )
    _results()


def _results() -> None:
    from backbone.indicators import services
    from backbone.indicators.models import ComputeRun, Result

    run = ComputeRun.objects.create()
    rows = [
        Result(
            run=run,
            indicator=indicator,
            definition_version=indicator.version,
            period=str(year),
            dimension=dimension,
            group_value=group,
            numerator=400 + year % 7 * 10,
            denominator=1000,
            value=40.0 + year % 7,
        )
        for indicator in services.install_standard_library()
        for year in YEARS
        for dimension, group in [("overall", "all")]
        + [("race_ethnicity", f"group {g}") for g in range(GROUPS)]
    ]
    Result.objects.bulk_create(rows)


if __name__ == "__main__":
    main()
