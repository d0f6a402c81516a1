"""Linking FEBRL-like files at growing sizes: backbone against plain Splink, same run.

For each size N (people per side) two files are generated deterministically (seeded): A holds
every person once, B the same people once each with typos, missing values and swapped fields, in
another order (FEBRL4's shape, with larger name and address vocabularies). Three runs, each a
child process so its peak resident memory is its own:

* **backbone** — ``link_files`` (read, standardise, train, predict, cluster one-to-one, report);
* **Splink, our settings** — plain Splink 5 on backbone's standardised tables (written to
  Parquet beforehand, untimed) with ``linkage_settings`` and the same training calls, its
  DuckDB under the same memory limit as backbone's (``default_memory_limit``);
* **Splink, tutorial** — plain Splink 5 on the raw files configured as its FEBRL4 example does
  (its blocking rules, detailed comparisons, training, ``predict(0.2)`` and clustering at 0.99).

Times are measured inside the child (imports excluded); F1 is over the clustered A–B pairs
against the planted truth, counted after the clock stops. Candidate pairs per blocking
rule (the new pairs each adds) come from Splink's blocking analysis in a separate, untimed
child. A child whose resident memory passes ``BACKBONE_BENCH_MAX_GIB`` (default 14) or that
runs past 3× the baseline's time (at least 300 s; the baseline itself past
``BACKBONE_BENCH_TIMEOUT`` seconds, default 1800) is stopped and reported so.

``BACKBONE_BENCH_SIZES`` picks the sizes (``25000,100000``; default all four);
``BACKBONE_BENCH_SPARK=1`` adds backbone on Spark (local[2]) at every size;
``BACKBONE_BENCH_NO_TUTORIAL=1`` leaves the tutorial's run out.
"""

from __future__ import annotations

import csv
import json
import os
import random
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.child import run_child

SIZES = (25_000, 100_000, 500_000, 1_000_000)
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "febrl4"
CACHE = Path(tempfile.gettempdir()) / "backbone-bench-linkscale"
SEED = 15
GOAL_TIME, GOAL_MEMORY = 1.3, 1.2
STOP_AFTER = 3
# Per field of B (after rec_id): the chance of a typo and of a blank.
RATES = [(0.15, 0.03), (0.15, 0.03), (0.05, 0.05), (0.1, 0.05), (0.05, 0.05),
         (0.05, 0.02), (0.0, 0.03), (0.12, 0.02), (0.1, 0.03)]  # fmt: skip
HEADER = ["rec_id", "given_name", "surname", "street_number", "address_1", "suburb",
          "postcode", "state", "date_of_birth", "soc_sec_id"]  # fmt: skip

OURS = """
import json, sys, time
from pathlib import Path
from backbone.identity.linkage import link_files
from backbone.warehouse.engines import DuckDBEngine
root, engine = Path(sys.argv[1]), sys.argv[3]
start = time.perf_counter()  # a Spark session's start counts, as it does for a user
if engine == "spark":
    from backbone.warehouse.engines.spark_engine import SparkEngine, spark_session
    with spark_session() as spark:
        report = link_files([root / "a.csv", root / "b.csv"], "rec_id", engine=SparkEngine(spark))
else:
    report = link_files([root / "a.csv", root / "b.csv"], "rec_id")
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "pairs": [[a, b] for a, b, _ in report.pairs],
                  "timings": report.timings}))
"""

PLAIN_OURS = """
import json, sys, time
import duckdb
from splink import DuckDBAPI, Linker
from backbone.identity.linkage import em_rules, lambda_rules, linkage_settings
root, memory_limit = sys.argv[1], sys.argv[3]
roles = json.loads(open(f"{root}/roles.json").read())
start = time.perf_counter()
con = duckdb.connect(config={"memory_limit": memory_limit})
for name in ["a", "b"]:
    con.execute(f"create table {name} as select * from read_parquet('{root}/{name}.parquet')")
db_api = DuckDBAPI(connection=con)
linker = Linker([db_api.register(t) for t in ["a", "b"]], linkage_settings(roles))
linker.training.estimate_probability_two_random_records_match(lambda_rules(roles), recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42, min_count_per_level=30)
for rule in em_rules(roles):
    linker.training.estimate_parameters_using_expectation_maximisation(
        rule, estimate_without_term_frequencies=True)
pred = linker.inference.predict(threshold_match_probability=0.01)
best = linker.clustering.cluster_using_single_best_links(
    pred, duplicate_free_datasets=["a", "b"], threshold_match_probability=0.5)
pairs = con.execute(f'''select a.unique_id, b.unique_id from {best.physical_name} a
    join {best.physical_name} b on a.cluster_id = b.cluster_id
    where a.source_dataset = 'a' and b.source_dataset = 'b' ''').fetchall()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "pairs": pairs}))
"""

TUTORIAL_SETTINGS = """
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
blocking_rules = [
    block_on("given_name", "surname"),
    "l.given_name = r.surname and l.surname = r.given_name",
    block_on("date_of_birth"),
    block_on("soc_sec_id"),
    block_on("state", "address_1"),
    block_on("street_number", "address_1"),
    block_on("postcode"),
]
settings = SettingsCreator(
    unique_id_column_name="rec_id",
    link_type="link_only",
    blocking_rules_to_generate_predictions=blocking_rules,
    comparisons=[
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                 datetime_format="%Y%m%d", invalid_dates_as_null=True),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True),
    ],
)
"""

# Splink's FEBRL4 example, as a user copies it: raw files, its rules, training and thresholds.
TUTORIAL = (
    TUTORIAL_SETTINGS
    + """
import json, sys, time
import duckdb
from splink import DuckDBAPI, Linker
root = sys.argv[1]
start = time.perf_counter()
con = duckdb.connect()
for name in ["a", "b"]:
    con.execute(f"create table {name} as select * from read_csv('{root}/{name}.csv', "
                "all_varchar=true, header=true)")
db_api = DuckDBAPI(connection=con)
linker = Linker([db_api.register(t) for t in ["a", "b"]], settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
for rule in [block_on("date_of_birth"), block_on("postcode")]:
    linker.training.estimate_parameters_using_expectation_maximisation(
        rule, estimate_without_term_frequencies=True)
pred = linker.inference.predict(threshold_match_probability=0.2)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
    pred, threshold_match_probability=0.99)
pairs = con.execute(f'''select a.rec_id, b.rec_id from {clusters.physical_name} a
    join {clusters.physical_name} b on a.cluster_id = b.cluster_id
    where a.rec_id like 'a%' and b.rec_id like 'b%' ''').fetchall()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "pairs": pairs}))
"""
)

# Candidate pairs per blocking rule (Splink's blocking analysis), ours and the tutorial's.
COUNTS = (
    TUTORIAL_SETTINGS
    + """
import json, sys
import duckdb
from splink import DuckDBAPI
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from backbone.identity.linkage import blocking_rules
root = sys.argv[1]
roles = json.loads(open(f"{root}/roles.json").read())
con = duckdb.connect()
for name in ["a", "b"]:
    con.execute(f"create table {name} as select * from read_parquet('{root}/{name}.parquet')")
    con.execute(f"create table raw_{name} as select * from read_csv('{root}/{name}.csv', "
                "all_varchar=true, header=true)")

def counts(tables, rules, uid):
    db_api = DuckDBAPI(connection=con)
    records = count_comparisons_from_blocking_rules(
        [db_api.register(t) for t in tables], blocking_rules=rules, link_type="link_only",
        unique_id_column_name=uid)  # estimated from Splink's 5% sample of each side
    return [[r["blocking_rule"], int(r["marginal_comparison_count"])] for r in records]

print(json.dumps({"ours": counts(["a", "b"], blocking_rules(roles), "unique_id"),
                  "tutorial": counts(["raw_a", "raw_b"], blocking_rules_list, "rec_id")}))
""".replace("blocking_rules_list", "settings.blocking_rules_to_generate_predictions")
)


# --- the synthetic people ---------------------------------------------------------------------


def vocabularies() -> dict[str, list[str]]:
    """Name and address vocabularies grown from FEBRL4's own values (suffixes make the long
    tail a large population has, so blocks on names stay FEBRL-sized per person)."""
    with (DATA / "febrl4a.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    values = {k: sorted({r[k].strip() for r in rows if r[k].strip()}) for k in HEADER[1:]}
    grow = ["", "s", "son", "ley", "ton", "er", "man", "ford", "well", "by", "ham", "field"]
    return {
        "given_name": [f"{n}{s}" for s in grow[:5] for n in values["given_name"]],
        "surname": [f"{n}{s}" for s in grow for n in values["surname"]],
        "address_1": [f"{a}{s}" for s in grow[:4] for a in values["address_1"]],
        "suburb": values["suburb"],
        "state": values["state"],
        "postcode": [f"{p:04d}" for p in range(800, 8000, 2)],  # 3,600 postcodes
    }


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights for a Zipf-like draw: a few common values and a long tail."""
    total, cumulative = 0.0, []
    for rank in range(1, count + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


def person(rng: random.Random, words: dict[str, list[str]], weights: dict[str, list[float]],
           ssn: int) -> list[str]:  # fmt: skip
    def draw(field: str) -> str:
        return rng.choices(words[field], cum_weights=weights[field])[0]

    year, month, day = rng.randint(1925, 2015), rng.randint(1, 12), rng.randint(1, 28)
    return [draw("given_name"), draw("surname"), str(rng.randint(1, 300)), draw("address_1"),
            draw("suburb"), draw("postcode"), draw("state"), f"{year}{month:02d}{day:02d}",
            f"{ssn:07d}"]  # fmt: skip


def typo(rng: random.Random, text: str) -> str:
    """One keying slip: a letter replaced, dropped, doubled or two swapped."""
    if len(text) < 2:
        return text
    i = rng.randrange(len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        alphabet = "0123456789" if text.isdigit() else "abcdefghijklmnopqrstuvwxyz"
        return text[:i] + rng.choice(alphabet) + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def corrupt(rng: random.Random, fields: list[str]) -> list[str]:
    """B's copy of a person: FEBRL4-like rates of typos, blanks and a swapped name."""
    out = list(fields)
    for i, (typo_rate, blank_rate) in enumerate(RATES):
        roll = rng.random()
        if roll < blank_rate:
            out[i] = ""
        elif roll < blank_rate + typo_rate:
            out[i] = typo(rng, out[i])
    if rng.random() < 0.02:
        out[0], out[1] = out[1], out[0]
    return out


def generate(size: int, root: Path) -> Path:
    """``a.csv``, ``b.csv`` and ``links.csv`` (the truth) for ``size`` people, cached."""
    folder = root / f"n{size}"
    if (folder / "links.csv").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED * 1_000_003 + size)
    words = vocabularies()
    weights = {k: zipf_weights(len(v), 0.7 if "name" in k else 0.3) for k, v in words.items()}
    ssns = rng.sample(range(10**6, 10**7), size)
    order = list(range(size))
    rng.shuffle(order)
    people = [person(rng, words, weights, ssns[i]) for i in range(size)]
    with (folder / "a.csv").open("w", newline="") as a, (folder / "b.csv").open("w") as b:
        writers = csv.writer(a), csv.writer(b)
        for writer in writers:
            writer.writerow(HEADER)
        for i in range(size):
            writers[0].writerow([f"a{i}", *people[i]])
        for j in order:
            writers[1].writerow([f"b{j}", *corrupt(rng, people[j])])
    with (folder / "links.csv").open("w", newline="") as links:
        csv.writer(links).writerows(
            [["rec_id_l", "rec_id_r"]] + [[f"a{i}", f"b{i}"] for i in range(size)]
        )
    return folder


def write_standardised(folder: Path) -> None:
    """backbone's standardised tables as Parquet, and the roles both files have."""
    from backbone.identity.linkage.files import _load_files
    from backbone.identity.standardise import ROLES
    from backbone.warehouse.engines import DuckDBEngine

    if (folder / "roles.json").is_file():
        return
    engine = DuckDBEngine()
    paths = [folder / "a.csv", folder / "b.csv"]
    with engine.scratch() as scratch:
        tables, used = _load_files(engine, scratch, paths, ["a", "b"], "rec_id", None)
        for table, name in zip(tables, ["a", "b"], strict=True):
            engine.run(f"COPY {table} TO '{folder / name}.parquet' (FORMAT parquet)")
    engine.close()
    roles = [role for role in ROLES if all(role in u for u in used)]
    (folder / "roles.json").write_text(json.dumps(roles), encoding="utf-8")


# --- running and measuring --------------------------------------------------------------------


def f1(pairs: list[list[str]], size: int) -> float:
    """F1 of A–B pairs against the planted truth (a<i> is b<i>)."""
    hits = sum(1 for a, b in pairs if a[1:] == b[1:])
    if not hits:
        return 0.0
    precision, recall = hits / len(pairs), hits / size
    return 2 * precision * recall / (precision + recall)


def sizes() -> list[int]:
    chosen = os.environ.get("BACKBONE_BENCH_SIZES")
    return [int(s) for s in chosen.split(",")] if chosen else list(SIZES)


def measure(size: int) -> list[list[str]]:
    """One table row per run at ``size``, and the candidate pairs per rule printed."""
    folder = generate(size, CACHE)
    write_standardised(folder)
    counts = run_child(COUNTS, folder).result()
    from backbone.warehouse.engines.duckdb_engine import default_memory_limit

    runs = {
        "Splink, our settings": (PLAIN_OURS, (default_memory_limit(),)),
        "backbone": (OURS, ("duckdb",)),
        "Splink, tutorial": (TUTORIAL, ()),
    }
    if os.environ.get("BACKBONE_BENCH_SPARK") == "1":
        runs["backbone on Spark"] = (OURS, ("spark",))
    if os.environ.get("BACKBONE_BENCH_NO_TUTORIAL") == "1":
        del runs["Splink, tutorial"]
    results = {}
    for name, (code, args) in runs.items():
        base_run = results.get("Splink, our settings")
        # a run past STOP_AFTER × the baseline's time has answered the question: stopped
        done = base_run and not base_run.stopped
        timeout = max(300.0, STOP_AFTER * base_run.result()["seconds"]) if done else None
        results[name] = run_child(code, folder, "x", *args, timeout=timeout)
    base_run = results["Splink, our settings"]
    base = None if base_run.stopped else base_run.result()
    base_peak = base_run.peak_mib
    rows = []
    for name, run in results.items():
        result, peak, stopped = (None if run.stopped else run.result()), run.peak_mib, run.stopped
        seconds = result["seconds"] if result else float("nan")
        ratio = seconds / base["seconds"] if result and base else float("nan")
        rows.append([f"{size:,}", name, f"{seconds:.1f}" if result else stopped,
                     f"{ratio:.2f}", f"{peak:,.0f}", f"{peak / base_peak:.2f}",
                     f"{f1(result['pairs'], size):.4f}" if result else "-"])  # fmt: skip
        if result and "timings" in result:
            print(f"{size:,} {name} steps: {result['timings']}", flush=True)
    assert counts is not None
    for who, per_rule in counts.items():
        print(f"{size:,} candidate pairs, {who}: {sum(c for _, c in per_rule):,} = "
              + "; ".join(f"{rule}: {c:,}" for rule, c in per_rule))  # fmt: skip
    return rows


def main() -> None:
    if not (DATA / "febrl4a.csv").is_file():
        raise SystemExit(f"FEBRL4 reference data missing under {DATA}")
    columns = ["N per side", "run", "seconds", "× Splink (ours)", "peak MiB", "× memory", "F1"]
    table = Table(*columns, title="Linkage at scale (FEBRL-like A and B files)")
    for size in sizes():
        for row in measure(size):
            table.add_row(*row)
            print(" | ".join(row), flush=True)  # a long run stopped later keeps its rows
    Console(width=132).print(table)
    print(f"goals: backbone ≤ {GOAL_TIME}× plain Splink's time, ≤ {GOAL_MEMORY}× its memory")


if __name__ == "__main__":
    main()
