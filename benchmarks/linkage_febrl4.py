"""Linking FEBRL4 (5,000 × 5,000 records, 5,000 true pairs): backbone against plain Splink.

backbone's ``link_files`` (read, standardise, train without labels, predict with the
strong-identifier pass, cluster one-to-one, collect the report, score it against the labels) is
timed against plain Splink 5 given identical settings (``linkage_settings``) and the same
training calls, on backbone's standardised tables (written to Parquet beforehand, untimed), in
the same run. The Spark engine (``link_files(engine="spark")``, session start included) runs
once for comparison.

Each run is a child process, so its peak resident memory is its own; times are measured inside
the child (imports excluded), the best of ``REPEAT`` runs. Goal: backbone within 1.3× of plain
Splink, F1 ≥ 0.995 at the default threshold.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.child import fastest, run_child

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "febrl4"
REPEAT = 3
GOAL = 1.3

OURS = """
import json, sys, time
from contextlib import nullcontext
from pathlib import Path
from backbone.identity.linkage import link_files
from backbone.warehouse.engines import DuckDBEngine
data, engine = Path(sys.argv[1]), sys.argv[2]
start = time.perf_counter()  # a Spark session's start counts, as it does for a user
if engine == "spark":
    from backbone.warehouse.engines.spark_engine import SparkEngine, spark_session
    session = spark_session()
else:
    session = nullcontext()
with session as spark:
    report = link_files([data / "febrl4a.csv", data / "febrl4b.csv"], "rec_id",
                        labels=data / "febrl4_links.csv",
                        engine=SparkEngine(spark) if engine == "spark" else DuckDBEngine())
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "f1": report.clustered.f1, "pairs": len(report.pairs)}))
"""

# Plain Splink 5 on DuckDB over backbone's standardised tables (written to Parquet beforehand):
# the same settings object and training calls, Splink's own predict (no strong-identifier pass),
# the same one-to-one clustering, and F1 over the clustered pairs.
PLAIN_SPLINK = """
import json, sys, time
import duckdb
from splink import DuckDBAPI, Linker
from backbone.identity.linkage import em_rules, lambda_rules, linkage_settings
data, prepared = sys.argv[1], sys.argv[2]
roles = json.loads(open(f"{prepared}/roles.json").read())
start = time.perf_counter()
con = duckdb.connect()
for name in ["febrl4a", "febrl4b"]:
    con.execute(f"create table {name} as select * from read_parquet('{prepared}/{name}.parquet')")
db_api = DuckDBAPI(connection=con)
linker = Linker([db_api.register(t) for t in ["febrl4a", "febrl4b"]], linkage_settings(roles))
linker.training.estimate_probability_two_random_records_match(lambda_rules(roles), recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42, min_count_per_level=30)
for rule in em_rules(roles):
    linker.training.estimate_parameters_using_expectation_maximisation(
        rule, estimate_without_term_frequencies=True)
pred = linker.inference.predict(threshold_match_probability=0.01)
best = linker.clustering.cluster_using_single_best_links(
    pred, duplicate_free_datasets=["febrl4a", "febrl4b"], threshold_match_probability=0.5)
pairs = con.execute(f'''select a.unique_id, b.unique_id from {best.physical_name} a
    join {best.physical_name} b on a.cluster_id = b.cluster_id
    where a.source_dataset = 'febrl4a' and b.source_dataset = 'febrl4b' ''').fetchall()
truth = set(con.execute(f"select * from read_csv('{data}/febrl4_links.csv')").fetchall())
seconds = time.perf_counter() - start
hits = len(set(pairs) & truth)
precision, recall = hits / len(pairs), hits / len(truth)
f1 = 2 * precision * recall / (precision + recall)
print(json.dumps({"seconds": seconds, "f1": f1, "pairs": len(pairs)}))
"""


def write_standardised(prepared: Path) -> None:
    """backbone's standardised FEBRL4 tables as Parquet, and the roles both files have."""
    from backbone.identity.linkage.files import _load_files
    from backbone.identity.standardise import ROLES
    from backbone.warehouse.engines import DuckDBEngine

    names = ["febrl4a", "febrl4b"]
    engine = DuckDBEngine()
    paths = [DATA / f"{name}.csv" for name in names]
    with engine.scratch() as scratch:
        tables, used = _load_files(engine, scratch, paths, names, "rec_id", None)
        for table, name in zip(tables, names, strict=True):
            engine.run(f"COPY {table} TO '{prepared / name}.parquet' (FORMAT parquet)")
    engine.close()
    roles = [role for role in ROLES if all(role in u for u in used)]
    (prepared / "roles.json").write_text(json.dumps(roles), encoding="utf-8")


def measure() -> dict[str, tuple[dict[str, float], float]]:
    """Every run's result and peak memory, plain Splink and backbone interleaved."""
    splink, ours = [], []
    with tempfile.TemporaryDirectory(prefix="backbone-bench-febrl4-") as prepared:
        write_standardised(Path(prepared))
        for _ in range(REPEAT):  # interleaved, so a slow spell of the machine hits both
            splink.append(run_child(PLAIN_SPLINK, DATA, prepared))
            ours.append(run_child(OURS, DATA, "duckdb"))
    return {
        "plain Splink 5 (DuckDB)": fastest(splink),
        "backbone link_files (DuckDB)": fastest(ours),
        "backbone link_files --engine spark": fastest([run_child(OURS, DATA, "spark")]),
    }


def main() -> None:
    if not (DATA / "febrl4a.csv").is_file():
        raise SystemExit(f"FEBRL4 reference data missing under {DATA}")
    started = time.perf_counter()
    results = measure()
    baseline = results["plain Splink 5 (DuckDB)"][0]["seconds"]
    columns = ["run", "seconds", "× plain Splink", "peak MiB", "linked pairs", "F1"]
    table = Table(*columns, title=f"FEBRL4 linkage (5,000 × 5,000), best of {REPEAT}")
    for name, (result, peak) in results.items():
        table.add_row(
            name, f"{result['seconds']:.1f}", f"{result['seconds'] / baseline:.2f}",
            f"{peak:,.0f}", f"{result['pairs']:,.0f}", f"{result['f1']:.4f}",
        )  # fmt: skip
    console = Console(width=132)  # wide enough not to wrap when not on a terminal
    console.print(table)
    ratio = results["backbone link_files (DuckDB)"][0]["seconds"] / baseline
    verdict = "met" if ratio <= GOAL else "MISSED"
    console.print(f"backbone / plain Splink: {ratio:.2f}× (goal ≤ {GOAL}×: {verdict}); "
                  f"the Spark run is once, not best of {REPEAT}; "
                  f"{time.perf_counter() - started:.0f} s in all")  # fmt: skip


if __name__ == "__main__":
    main()
