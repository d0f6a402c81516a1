"""The staff indicator page, warm, against a cheap page served by the same process.

On a demo workspace (a copy of ``BACKBONE_BENCH_WORKSPACE``, else a demo of
``BACKBONE_BENCH_STUDENTS`` students, 20,000 by default, built in a temporary folder) the
director (exact values) and an action-network member (protected values) open every library
indicator's page: once cold (the first reader after the compute run: charts drawn and kept in
the run's folder), once as after a restart (this process's caches emptied: charts read from the
run's folder, values protected again), then best of ``REPEAT`` warm. The baseline is the API
tokens page (the base template, the session and the permission checks, no indicator work),
timed the same way in the same process. Reported: the slowest indicator's warm time in ms and
its ratio to the baseline. Goal: every page under 200 ms warm.

``python -m benchmarks indicator_page``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.load_scorecard import prepared_workspace
from benchmarks.timing import best_of

REPEAT = 5
BASELINE = "/governance/tokens/"
GOAL_MS = 200
READERS = ("director", "network")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="backbone-page-") as scratch:
        workspace = prepared_workspace(Path(scratch))
        os.environ["BACKBONE_SECURE_COOKIES"] = "0"
        from backbone.cli.common import setup_django

        setup_django(workspace)
        rows = [_timings(reader) for reader in READERS]
    _report(rows)


Timings = dict[str, tuple[float, float, float]]


def _timings(username: str) -> tuple[str, float, Timings]:
    from django.contrib.auth.models import User
    from django.test import Client

    from backbone.indicators.models import Indicator

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=username))
    baseline = _warm(client, BASELINE)
    pages = {}
    for slug in Indicator.objects.filter(results__isnull=False).distinct().values_list("slug"):
        url = f"/indicators/{slug[0]}/"
        cold = _cold(client, url)
        _restart()
        pages[slug[0]] = (cold, _cold(client, url), _warm(client, url))
    return username, baseline, pages


def _restart() -> None:
    """Empty what a new server process would not have: drawings and protected values in memory
    (the run's folder of drawings stays, as it does on disk)."""
    from backbone.indicators import charts, services

    charts._drawings.clear()
    charts._svg.cache_clear()
    services._protected.cache_clear()


def _get(client: object, url: str) -> None:
    response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200, (url, response.status_code)


def _cold(client: object, url: str) -> float:
    start = time.perf_counter()
    _get(client, url)
    return time.perf_counter() - start


def _warm(client: object, url: str) -> float:
    _get(client, url)
    return best_of(lambda: _get(client, url), REPEAT)


def _report(rows: list[tuple[str, float, Timings]]) -> None:
    console = Console()
    table = Table(title="Staff indicator pages (ms)")
    columns = ("reader", "baseline", "slowest page", "cold", "restart", "warm", "warm / baseline")
    for column in columns:
        table.add_column(column)
    for reader, baseline, pages in rows:
        slug, (cold, restart, warm) = max(pages.items(), key=lambda item: item[1][2])
        ratio = warm / baseline
        table.add_row(
            reader, f"{baseline * 1000:.0f}", slug, f"{cold * 1000:.0f}",
            f"{restart * 1000:.0f}", f"{warm * 1000:.0f}", f"{ratio:.1f}",
        )  # fmt: skip
    console.print(table)
    slowest = max(warm for _, _, pages in rows for *_, warm in pages.values())
    console.print(f"slowest warm page {slowest * 1000:.0f} ms (goal < {GOAL_MS} ms)")


if __name__ == "__main__":
    main()
