"""One load at a time per partner, contract and period, and one per file: real ``backbone
ingest`` processes started together, on SQLite (file locks) and on PostgreSQL (advisory locks)
when the suite runs there."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.fixtures import BACKBONE, SMALL_REGISTRY, Workspace, workspace, write_wage_file

PARTNER = "riverton-housing"
# Wage files big enough that three loads overlap in time: 12,000 rows each.
PEOPLE, QUARTERS = 3_000, 4


def prepared(ws: Workspace, tmp_path: Path) -> Workspace:
    """A workspace with the small registry; agreements are not what these tests are about."""
    registry = tmp_path / "registry.yaml"
    registry.write_text(SMALL_REGISTRY)
    ws.env["BACKBONE_REQUIRE_AGREEMENTS"] = "0"
    ws.run("partnership", "import", str(registry))
    return ws


def ingest_together(ws: Workspace, files: list[Path], periods: str | list[str]) -> list[int]:
    """Start one ``backbone ingest`` per file at once (each for its period, or all for one);
    their exit codes."""
    args = ["ingest", "--partner", PARTNER, "--contract", "ui_wages"]
    if isinstance(periods, str):
        periods = [periods] * len(files)
    processes = [
        subprocess.Popen(
            [*BACKBONE, *args, "--period", period, str(path)],
            env=ws.env,
            cwd=ws.path.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for path, period in zip(files, periods, strict=True)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    return [p.returncode for p in processes]


def submissions(ws: Workspace) -> list[tuple[str, int]]:
    """(status, wage rows) of every submission, oldest first, read through Django's shell."""
    code = (
        "import json; from backbone.intake.models import Submission; "
        "print(json.dumps([(s.status, s.rows.get('wages', 0)) "
        "for s in Submission.objects.order_by('pk')]))"
    )
    return [
        tuple(s) for s in json.loads(ws.run("manage", "shell", "-c", code).stdout.splitlines()[-1])
    ]


def warehouse_wage_rows(ws: Workspace) -> int:
    return json.loads(ws.run("status", "--json").stdout)["warehouse"]["wages"]["rows"]


def test_three_simultaneous_ingests_of_one_file_load_it_once(tmp_path):
    wages = write_wage_file(tmp_path / "wages.csv", PEOPLE, QUARTERS)
    with workspace(tmp_path) as ws:
        ingest_together(prepared(ws, tmp_path), [wages] * 3, "2024-Q1")
        assert submissions(ws) == [("loaded", PEOPLE * QUARTERS)]
        assert warehouse_wage_rows(ws) == PEOPLE * QUARTERS


def test_three_files_for_one_period_leave_exactly_one_loaded(tmp_path):
    # Different sizes, so the warehouse's row count says which file it holds.
    files = [write_wage_file(tmp_path / f"wages-{k}.csv", PEOPLE + k, QUARTERS) for k in range(3)]
    with workspace(tmp_path) as ws:
        ingest_together(prepared(ws, tmp_path), files, "2024-Q1")
        found = submissions(ws)
        loaded = [rows for status, rows in found if status == "loaded"]
        assert sorted(status for status, _ in found) == ["loaded", "superseded", "superseded"]
        assert loaded[0] in {(PEOPLE + k) * QUARTERS for k in range(3)}
        assert warehouse_wage_rows(ws) == loaded[0]


def test_three_files_for_three_periods_all_load(tmp_path):
    files = [write_wage_file(tmp_path / f"wages-{k}.csv", PEOPLE + k, QUARTERS) for k in range(3)]
    with workspace(tmp_path) as ws:
        ingest_together(prepared(ws, tmp_path), files, ["2024-Q1", "2024-Q2", "2024-Q3"])
        rows = sorted(rows for status, rows in submissions(ws) if status == "loaded")
        assert rows == [(PEOPLE + k) * QUARTERS for k in range(3)]
        assert warehouse_wage_rows(ws) == (3 * PEOPLE + 3) * QUARTERS


def test_one_file_sent_for_three_periods_at_once_loads_once(tmp_path):
    # The duplicate check looks for the same bytes in every period, so the file's own lock
    # holds it whatever the period.
    wages = write_wage_file(tmp_path / "wages.csv", PEOPLE, QUARTERS)
    with workspace(tmp_path) as ws:
        ingest_together(prepared(ws, tmp_path), [wages] * 3, ["2024-Q1", "2024-Q2", "2024-Q3"])
        assert submissions(ws) == [("loaded", PEOPLE * QUARTERS)]
        assert warehouse_wage_rows(ws) == PEOPLE * QUARTERS
