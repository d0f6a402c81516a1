"""Loading UI wage records at scale: rows per second and peak memory.

backbone's load (stream, stage, validate every rule, pseudonymise, commit atomically) is timed
against a baseline in the same run: DuckDB copying the same CSV straight to Parquet with no
validation — the floor any loader of this file pays. Each runs in a child process so its peak
resident memory (``ru_maxrss``) is its own. Goal: 2,000,000 rows under 2 GiB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

SCALES = [(125_000, 4), (500_000, 4)]  # people x quarters: 500k and 2M rows

OURS = """
import sys
from pathlib import Path
from backbone.intake.importers import ui_wages
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.records import ImportOptions
from backbone.warehouse.store import Warehouse
root, path = Path(sys.argv[1]), Path(sys.argv[2])
request = LoadRequest(1, "state-ui", "benchmark-key", root / "staging")
stream = ui_wages.read(path, ImportOptions(partner="state-ui"))
result = load(stream, request, Warehouse(root / "warehouse"))
assert result.loaded, result.problems[:5]
"""

BASELINE = """
import sys, duckdb
source, target = sys.argv[2], sys.argv[1] + "/baseline.parquet"
duckdb.sql(f"COPY (SELECT * FROM read_csv('{source}', header=true)) TO '{target}' (FORMAT parquet)")
"""


def run_child(code: str, root: Path, path: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of ``code`` run in a fresh Python process."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(root), str(path)])
    _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not all children's
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"benchmark child failed with exit status {child.returncode}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    from tests.fixtures import write_wage_file

    columns = ["rows", "file MiB", "baseline s", "backbone s", "ratio", "rows/s", "peak MiB"]
    table = Table(*columns, title="UI wage load")
    for people, quarters in SCALES:
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            path = write_wage_file(root / "wages.csv", people, quarters)
            baseline, _ = run_child(BASELINE, root, path)
            ours, peak = run_child(OURS, root, path)
            rows = people * quarters
            table.add_row(
                f"{rows:,}", f"{path.stat().st_size / 2**20:.0f}", f"{baseline:.1f}", f"{ours:.1f}",
                f"{ours / baseline:.1f}x", f"{rows / ours:,.0f}", f"{peak:,.0f}",
            )  # fmt: skip
    Console().print(table)
