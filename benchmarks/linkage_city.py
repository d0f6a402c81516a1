"""Linking the synthetic city's identity tier at growing sizes: backbone against plain Splink.

For each size a city is generated and every partner file loaded through the real importers into
a warehouse (untimed setup). backbone's ``link_identity_records`` (latest rows, standardise,
train without labels, predict with the strong-identifier pass, cluster one-to-one on the
district, collect) is then timed against plain Splink 5 on the same standardised table, written
to Parquet beforehand, with identical settings (``linkage_settings``) and the same training
calls, in the same run. The difference is backbone's own work around Splink.

Each run is a child process, so its peak resident memory is its own; times are measured inside
the child (imports excluded), the better of two interleaved runs.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.child import fastest, run_child

SIZES = (1_500, 5_000, 20_000)  # students in the city's first year
REPEAT = 2
DISTRICT = "riverton-public-schools"
TODAY = dt.date(2026, 11, 23)

OURS = """
import json, sys, time
from pathlib import Path
from backbone.identity.linkage import link_identity_records
from backbone.warehouse.store import Warehouse
root, district = Path(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
with Warehouse(root / "warehouse").engine("identity") as engine:
    linkage = link_identity_records(engine, duplicate_free_sources=[district])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "records": len(linkage.clusters),
                  "clusters": len(set(linkage.clusters.values()))}))
"""

# Plain Splink 5 on DuckDB over backbone's standardised table: the same settings and training
# calls, Splink's own predict (no strong-identifier pass) and one-to-one clustering.
PLAIN_SPLINK = """
import json, sys, time
import duckdb
from splink import DuckDBAPI, Linker
from backbone.identity.linkage import (
    dataset_name, em_rules, lambda_rules, linkage_settings)
root, district = sys.argv[1], sys.argv[2]
meta = json.loads(open(f"{root}/standardised.json").read())
roles, compared = meta["roles"], meta["compared"]
start = time.perf_counter()
con = duckdb.connect()
con.execute(f"create table people as select * from read_parquet('{root}/standardised.parquet')")
settings = linkage_settings(roles, "link_and_dedupe", compared=compared)
linker = Linker([DuckDBAPI(connection=con).register("people")], settings)
linker.training.estimate_probability_two_random_records_match(lambda_rules(roles), recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42, min_count_per_level=30)
for rule in em_rules(roles):
    linker.training.estimate_parameters_using_expectation_maximisation(
        rule, estimate_without_term_frequencies=True)
pred = linker.inference.predict(threshold_match_probability=0.01)
clusters = linker.clustering.cluster_using_single_best_links(
    pred, duplicate_free_datasets=[dataset_name(district)], threshold_match_probability=0.5)
records, distinct = con.execute(
    f"select count(*), count(distinct cluster_id) from {clusters.physical_name}").fetchone()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "records": records, "clusters": distinct}))
"""


def build_city(root: Path, students: int) -> float:
    """Generate a city and load every file into ``root / "warehouse"``; the seconds it took."""
    from backbone.demo.city import generate_city
    from backbone.intake.loading import LoadRequest, load
    from backbone.warehouse import contracts
    from backbone.warehouse.records import ImportOptions
    from backbone.warehouse.store import Warehouse

    started = time.perf_counter()
    city = generate_city(root / "city", students=students)
    warehouse = Warehouse(root / "warehouse")
    for number, entry in enumerate(city.files, 1):
        contract = contracts.contract(entry.contract)
        mapping = city.column_mappings.get((entry.partner, entry.contract), {})
        options = ImportOptions(
            partner=entry.partner,
            target_table=contract.target_table,
            column_mapping=mapping.get("columns", {}),
            value_crosswalks=mapping.get("value_crosswalks", {}),
            date_format=mapping.get("date_format", "%Y-%m-%d"),
        )
        request = LoadRequest(number, entry.partner, "key", root / "staging", today=TODAY)
        result = load(contract.importer()(city.path(entry), options), request, warehouse)
        if not result.loaded:
            raise RuntimeError(f"{entry.path} did not load: {result.problems[:3]}")
    return time.perf_counter() - started


def write_standardised(root: Path) -> None:
    """backbone's standardised identity table as Parquet, for plain Splink to start from."""
    from backbone.identity.linkage.workspace import _standardise_identity
    from backbone.warehouse.store import Warehouse

    with Warehouse(root / "warehouse").engine("identity") as engine, engine.scratch() as scratch:
        table, roles, compared, _ = _standardise_identity(engine, scratch, "identity_record")
        engine.run(f"COPY {table} TO '{root / 'standardised.parquet'}' (FORMAT parquet)")
    meta = {"roles": roles, "compared": compared}
    (root / "standardised.json").write_text(json.dumps(meta), encoding="utf-8")


def measure(root: Path) -> tuple[tuple[dict[str, float], float], tuple[dict[str, float], float]]:
    """Plain Splink's and backbone's best runs, interleaved so a slow spell hits both."""
    splink, ours = [], []
    for _ in range(REPEAT):
        splink.append(run_child(PLAIN_SPLINK, root, DISTRICT))
        ours.append(run_child(OURS, root, DISTRICT))
    return fastest(splink), fastest(ours)


def main(sizes: tuple[int, ...] = SIZES) -> None:
    columns = ["students", "records", "setup s", "Splink s", "backbone s", "ratio",
               "Splink clusters", "backbone clusters", "Splink MiB", "backbone MiB"]  # fmt: skip
    table = Table(*columns, title=f"Synthetic city identity linkage, best of {REPEAT}")
    for students in sizes:
        with tempfile.TemporaryDirectory(prefix="backbone-bench-city-") as directory:
            root = Path(directory)
            setup = build_city(root, students)
            write_standardised(root)
            (splink, splink_peak), (ours, ours_peak) = measure(root)
        table.add_row(
            f"{students:,}", f"{ours['records']:,}", f"{setup:.0f}", f"{splink['seconds']:.1f}",
            f"{ours['seconds']:.1f}", f"{ours['seconds'] / splink['seconds']:.2f}×",
            f"{splink['clusters']:,}", f"{ours['clusters']:,}",
            f"{splink_peak:,.0f}", f"{ours_peak:,.0f}",
        )  # fmt: skip
    Console(width=132).print(table)  # wide enough not to wrap when not on a terminal


if __name__ == "__main__":
    main()
