"""Loading UI wage records at scale: rows per second and peak memory.

backbone's load (stream, stage, validate every rule, pseudonymise, commit atomically) is timed
against a baseline in the same run: DuckDB copying the same CSV straight to Parquet with no
validation — the floor any loader of this file pays. Each runs in a child process so its peak
resident memory is its own (``benchmarks.child``). Goal: 2,000,000 rows under 2 GiB.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.child import run_child

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


def main() -> None:
    from tests.fixtures import write_wage_file

    columns = ["rows", "file MiB", "baseline s", "backbone s", "ratio", "rows/s", "peak MiB"]
    table = Table(*columns, title="UI wage load")
    for people, quarters in SCALES:
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            path = write_wage_file(root / "wages.csv", people, quarters)
            baseline = run_child(BASELINE, root, path).seconds
            run = run_child(OURS, root, path)
            ours, peak = run.seconds, run.peak_mib
            rows = people * quarters
            table.add_row(
                f"{rows:,}", f"{path.stat().st_size / 2**20:.0f}", f"{baseline:.1f}", f"{ours:.1f}",
                f"{ours / baseline:.1f}x", f"{rows / ours:,.0f}", f"{peak:,.0f}",
            )  # fmt: skip
    Console().print(table)
