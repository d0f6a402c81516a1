"""Record linkage: which records, across partners' files, are the same person.

Splink 5 (Fellegi-Sunter) does the probabilistic work; this module holds what backbone decides
around it, each step small and separately usable:

* ``linkage_settings`` — blocking rules and comparisons as data, for whatever roles a source
  has (``standardise.ROLES``), built only from Splink's library comparisons and plain column
  equalities, so the same settings run on DuckDB and on Spark.
* ``train`` — no labels needed: λ from deterministic rules, u by seeded random sampling, m by
  EM over two blocking rules.
* ``predict`` — Splink's scores, with **strong identifiers** (the same SSN or student id)
  overriding them to probability 1, so a record with a changed name still links.
* ``cluster`` — one-to-one between duplicate-free sources, connected components otherwise.
* ``LinkageModel`` — the trained model as versioned JSON (Splink's ``save_model_to_json``),
  reusable to score new records without retraining.

Two doors use them: ``link_files`` (link two CSV/Parquet files, or deduplicate one, optionally
scored against known true pairs) and ``link_identity_records`` (the warehouse's identity tier,
all partners at once). Both run on an in-memory DuckDB by default; pass ``db_api`` (e.g. a
Splink ``SparkAPI``) to ``link_standardised`` to run the same model elsewhere.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression, DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.splink_dataframe import SplinkDataFrame

from backbone.identity import evaluation
from backbone.identity.evaluation import Pair, Score
from backbone.identity.standardise import (
    FIRST_NAME_GROUPS,
    FULL_NAME,
    ROLES,
    SOURCE_DATASET,
    STRONG_IDS,
    UNIQUE_ID,
    map_roles,
    standardised_sql,
)
from backbone.warehouse.sql import identifier, literal

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5
MODEL_FORMAT = "backbone.linkage-model/1"
# Pairs scored below this are dropped after prediction: far from any sensible threshold.
PREDICT_FLOOR = 0.01
SPLINK_LOG_LEVEL = logging.ERROR
# The least m a trained level keeps (``floor_m``): no single disagreement vetoes a link.
M_FLOOR = 1e-3
# The least probability of a pair that makes a person without a birth date a candidate.
SOLE_CANDIDATE_FLOOR = 0.05
# How many times likelier than any rival a person must be to count as the sole candidate.
SOLE_CANDIDATE_DOMINANCE = 3.0
# The match weight given to a strong-identifier match: probability 1 to double precision.
STRONG_MATCH_WEIGHT = 60.0
# FEBRL-style ids are seven digits; the warehouse's contract says an SSN is nine.
FILE_SSN_MIN_DIGITS = 7
LinkType = Literal["link_only", "dedupe_only", "link_and_dedupe"]
LINK_TYPES: tuple[LinkType, ...] = ("link_only", "dedupe_only", "link_and_dedupe")


# --- settings as data ---------------------------------------------------------------------------


def comparisons(roles: Sequence[str]) -> list[ComparisonCreator | dict[str, Any]]:
    """The comparisons for the roles present, in a fixed order (roles without one are skipped:
    addresses, city and state serve only for blocking)."""
    library = {
        "first_name": lambda: cl.NameComparison("first_name").configure(
            term_frequency_adjustments=True
        ),
        "middle_name": lambda: cl.JaroWinklerAtThresholds("middle_name", [0.88]),
        "last_name": lambda: cl.NameComparison("last_name").configure(
            term_frequency_adjustments=True
        ),
        "birth_date": birth_date_comparison,
        "sex": lambda: cl.ExactMatch("sex"),
        "ssn": lambda: cl.DamerauLevenshteinAtThresholds("ssn", [1, 2]),
        "student_id": lambda: cl.ExactMatch("student_id"),
        "street_number": lambda: cl.ExactMatch("street_number").configure(
            term_frequency_adjustments=True
        ),
        "zip": lambda: cl.DamerauLevenshteinAtThresholds("zip", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
    }
    if {"first_name", "last_name"} <= set(roles):  # compared together: swaps, nicknames
        library["first_name"] = name_comparison
        roles = [role for role in roles if role != "last_name"]
    return [library[role]() for role in ROLES if role in roles and role in library]


def name_comparison() -> ComparisonCreator:
    """First and last name together, so a swapped pair or a nickname still counts.

    Levels, strongest first: the same full name (weighed by how common it is), first and last
    swapped, both nearly equal, nickname of the same name with a nearly equal surname, both
    roughly equal, same surname, same first name.
    """
    first, last = "first_name", "last_name"
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.And(cll.NullLevel(first), cll.NullLevel(last)),
            cll.ExactMatchLevel(FULL_NAME).configure(tf_adjustment_column=FULL_NAME),
            cll.ColumnsReversedLevel(first, last),
            # near matches weighed by how common the surname is, like exact ones by the name
            cll.And(cll.JaroWinklerLevel(first, 0.92), cll.JaroWinklerLevel(last, 0.92)).configure(
                tf_adjustment_column=last
            ),
            cll.And(
                cll.ArrayIntersectLevel(FIRST_NAME_GROUPS, 1), cll.JaroWinklerLevel(last, 0.92)
            ).configure(
                label_for_charts="Nickname of the same first name, surname nearly equal",
                tf_adjustment_column=last,
            ),
            cll.And(cll.JaroWinklerLevel(first, 0.88), cll.JaroWinklerLevel(last, 0.88)).configure(
                tf_adjustment_column=last
            ),
            cll.ExactMatchLevel(last).configure(tf_adjustment_column=last),
            cll.ExactMatchLevel(first).configure(tf_adjustment_column=first),
            cll.ElseLevel(),
        ],
    )


def birth_date_comparison() -> ComparisonCreator:
    """Birth dates on a typed DATE (strptime patterns differ between engines), with the two
    keying slips partners make: day and month exchanged, one digit wrong or two swapped, and a
    wrong year."""
    date = "birth_date"
    swapped = (
        "year(birth_date_l) = year(birth_date_r) AND month(birth_date_l) = day(birth_date_r) "
        "AND day(birth_date_l) = month(birth_date_r)"
    )
    other_year = (
        "month(birth_date_l) = month(birth_date_r) AND day(birth_date_l) = day(birth_date_r)"
    )
    return cl.CustomComparison(
        output_column_name=date,
        comparison_levels=[
            cll.NullLevel(date),
            cll.ExactMatchLevel(date),
            cll.CustomLevel(swapped, "Day and month exchanged"),
            cll.DamerauLevenshteinLevel(ColumnExpression(date).cast_to_string(), 1),
            cll.CustomLevel(other_year, "Same day and month, another year"),
            cll.AbsoluteDateDifferenceLevel(
                date, input_is_string=False, threshold=1, metric="month"
            ),
            cll.AbsoluteDateDifferenceLevel(
                date, input_is_string=False, threshold=1, metric="year"
            ),
            cll.ElseLevel(),
        ],
    )


def blocking_rules(roles: Sequence[str]) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Rules that generate candidate pairs: any one agreeing makes a pair a candidate."""
    present = set(roles)
    candidates: list[tuple[tuple[str, ...], BlockingRuleCreator]] = [
        (("first_name", "last_name"), block_on("first_name", "last_name")),
        # plain equality, valid SQL on every engine: catches first and last name swapped
        (
            ("first_name", "last_name"),
            CustomRule("l.first_name = r.last_name and l.last_name = r.first_name"),
        ),
        (("birth_date",), block_on("birth_date")),
        # a nickname (Bobby, Robert) or a slip in one of the names, when there is no birth date
        (
            ("first_name", "last_name"),
            block_on(FIRST_NAME_GROUPS, "last_name", arrays_to_explode=[FIRST_NAME_GROUPS]),
        ),
        (("first_name", "last_name"), block_on(initial("first_name"), "last_name")),
        (("first_name", "last_name"), block_on("first_name", initial("last_name"))),
        (("ssn",), block_on("ssn")),
        (("student_id",), block_on("student_id")),
        (("state", "street_address"), block_on("state", "street_address")),
        (("street_number", "street_address"), block_on("street_number", "street_address")),
        (("zip",), block_on("zip")),
    ]
    return [rule for needs, rule in candidates if present.issuperset(needs)]


def initial(column: str) -> ColumnExpression:
    """The first letter of a name: keying slips rarely touch it."""
    return ColumnExpression(column).substr(1, 1)


def linkage_settings(
    roles: Sequence[str],
    link_type: LinkType = "link_only",
    unique_id_column: str = UNIQUE_ID,
    compared: Sequence[str] | None = None,
) -> SettingsCreator:
    """Splink settings (blocking rules and comparisons) for a source with these roles.

    ``compared`` limits the comparisons to fewer roles than block (a role only one source
    holds cannot be trained); strong identifiers are always carried into the predictions so
    the deterministic pass (``predict``) can see them.

    >>> settings = linkage_settings(["first_name", "last_name", "birth_date"])
    >>> len(settings.comparisons)  # the name (first and last together) and the birth date
    2
    """
    if link_type not in LINK_TYPES:
        raise ValueError(f"link_type must be one of {LINK_TYPES}, not {link_type!r}")
    chosen = comparisons(roles if compared is None else compared)
    if not chosen:
        raise ValueError(f"no comparable columns among {sorted(roles)}")
    return SettingsCreator(
        unique_id_column_name=unique_id_column,
        source_dataset_column_name=SOURCE_DATASET,
        link_type=link_type,
        blocking_rules_to_generate_predictions=blocking_rules(roles),
        comparisons=chosen,
        additional_columns_to_retain=[r for r in STRONG_IDS if r in roles],
        retain_intermediate_calculation_columns=False,
    )


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink's settings JSON and a version that changes when it does."""

    version: str
    settings: dict[str, Any]

    @classmethod
    def from_linker(cls, linker: Linker, name: str = "backbone") -> LinkageModel:
        settings = floor_m(linker.misc.save_model_to_json())
        # linker_uid is random per Linker: dropped, so the same training gives the same version
        settings.pop("linker_uid", None)
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
        return cls(f"{name}-{digest[:12]}", settings)

    @property
    def roles(self) -> list[str]:
        """The roles the model compares or carries (comparisons' and retained columns)."""
        compared = [c["output_column_name"] for c in self.settings["comparisons"]]
        retained = self.settings.get("additional_columns_to_retain", [])
        return compared + [r for r in retained if r not in compared]

    def to_dict(self) -> dict[str, Any]:
        return {"format": MODEL_FORMAT, "version": self.version, "settings": self.settings}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a backbone linkage model (format {data.get('format')!r})")
        return cls(data["version"], data["settings"])

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> LinkageModel:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


# --- training, prediction, clustering --------------------------------------------------------


@dataclass(frozen=True)
class Training:
    """How to estimate the model without labels (the seed makes u-sampling repeatable)."""

    max_pairs: float = 1e7
    seed: int = 42
    recall: float = 0.8  # share of true matches the deterministic λ rules are assumed to find
    # Sampling stops once every level was seen this often: rare levels (a nickname, a day and
    # month exchanged) need not hold up the common ones until max_pairs.
    u_min_count: int = 30


def train(linker: Linker, roles: Sequence[str], training: Training = Training()) -> None:
    """Estimate λ, u and m: deterministic rules, seeded random sampling, then EM."""
    linker.training.estimate_probability_two_random_records_match(
        lambda_rules(roles), recall=training.recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=training.max_pairs, seed=training.seed, min_count_per_level=training.u_min_count
    )
    for rule in em_rules(roles):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except ValueError as error:  # Splink refuses an m that underflowed to 0 on few pairs
            logger.warning("linkage: EM session skipped: %s", error)


def floor_m(settings: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """The settings with every trained m raised to at least ``floor``.

    EM gives m = 0 to a level no true match fell into during training (a different sex, a
    middle name that disagrees), which would make that one disagreement veto any link, however
    strong the rest; keying errors make such disagreements merely unlikely.
    """
    floored = copy.deepcopy(settings)
    for comparison in floored["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if isinstance(m, float | int) and not level.get("is_null_level") and m < floor:
                level["m_probability"] = floor
    return floored


def lambda_rules(roles: Sequence[str]) -> list[str | BlockingRuleCreator]:
    """Rules that almost only true matches meet, to estimate λ: same SSN, or same full name
    and birth date (or, lacking those, agreement on the first two roles)."""
    sure = [("ssn",), ("first_name", "last_name", "birth_date")]
    chosen = [cols for cols in sure if set(roles).issuperset(cols)] or [tuple(roles[:2])]
    return [block_on(*cols) for cols in chosen]


def em_rules(roles: Sequence[str]) -> list[BlockingRuleCreator]:
    """Two EM blocking rules that between them leave every comparison free to be trained once:
    birth date (trains names, ids, places), then postcode or else full name (trains the date)."""
    present = set(roles)
    rules = [block_on("birth_date")] if "birth_date" in present else []
    if "zip" in present:
        rules.append(block_on("zip"))
    elif {"first_name", "last_name"} <= present:
        rules.append(block_on("first_name", "last_name"))
    if len(rules) < 2 and "ssn" in present:
        rules.append(block_on("ssn"))
    return rules


def strong_match_sql(roles: Sequence[str]) -> str | None:
    """SQL true when a pair shares a strong identifier (NULLs never match), or None."""
    terms = [f"({r}_l = {r}_r)" for r in STRONG_IDS if r in roles]
    return " OR ".join(terms) or None


def predict(linker: Linker, roles: Sequence[str], floor: float = PREDICT_FLOOR) -> SplinkDataFrame:
    """Score candidate pairs; pairs sharing a strong identifier get probability 1 whatever
    Splink says (a changed name must not split a person whose SSN matches)."""
    if strong_match_sql(roles) is None:
        return linker.inference.predict(threshold_match_probability=floor)
    scored = linker.inference.predict()
    sql = override_strong_sql(scored, roles, floor)
    overridden = linker.misc.query_sql(sql)
    scored.drop_table_from_database_and_remove_from_cache()
    return linker.table_management.register_table_predict(overridden)


def override_strong_sql(scored: SplinkDataFrame, roles: Sequence[str], floor: float) -> str:
    """``SELECT`` the scored pairs with strong-identifier matches set to probability 1."""
    strong = strong_match_sql(roles)
    names = [c.unquote().name for c in scored.columns]
    kept = [n for n in names if n not in ("match_probability", "match_weight")]
    return (
        f"SELECT {', '.join(kept)}, "
        f"CASE WHEN {strong} THEN {STRONG_MATCH_WEIGHT} ELSE match_weight END AS match_weight, "
        f"CASE WHEN {strong} THEN 1.0 ELSE match_probability END AS match_probability "
        f"FROM {scored.physical_name} WHERE ({strong}) OR match_probability >= {floor}"
    )


def cluster(
    linker: Linker,
    predictions: SplinkDataFrame,
    threshold: float,
    duplicate_free: Sequence[str] = (),
) -> SplinkDataFrame:
    """Clusters at ``threshold``: one-to-one across ``duplicate_free`` sources (at most one
    record of each per cluster), connected components when no source is duplicate-free."""
    if duplicate_free:
        return linker.clustering.cluster_using_single_best_links(
            predictions, duplicate_free_datasets=list(duplicate_free),
            threshold_match_probability=threshold,
        )  # fmt: skip
    return linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )


# --- the engine-neutral pipeline --------------------------------------------------------------

Record = tuple[str, str]  # (source dataset, unique id)


@dataclass(frozen=True)
class ScoredPair:
    """Two records and the probability that they are the same person."""

    left: Record
    right: Record
    match_probability: float


@dataclass
class Linkage:
    """What a linkage run produced: scored pairs, clusters and the model that made them."""

    model: LinkageModel
    pairs: list[ScoredPair]
    clusters: dict[Record, str]
    timings: dict[str, float] = field(default_factory=dict)

    def clustered_pairs(self) -> set[tuple[Record, Record]]:
        """Every pair of records put in the same cluster."""
        keyed = {_key(r): c for r, c in self.clusters.items()}
        return {(_unkey(a), _unkey(b)) for a, b in evaluation.pairs_from_clusters(keyed)}

    def best_probability(self) -> dict[Record, float]:
        """Per record, the highest probability of a pair inside its own cluster."""
        best: dict[Record, float] = {}
        for p in self.pairs:
            if self.clusters.get(p.left) == self.clusters.get(p.right) is not None:
                for record in (p.left, p.right):
                    best[record] = max(best.get(record, 0.0), p.match_probability)
        return best


def _key(record: Record) -> str:
    return f"{record[0]}\x1f{record[1]}"


def _unkey(key: str) -> Record:
    dataset, _, unique_id = key.partition("\x1f")
    return (dataset, unique_id)


class Stopwatch:
    """Named wall-clock timings of the steps of one run."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - start, 3)
        logger.info("linkage %s: %.2fs", name, self.timings[name])


def link_standardised(
    db_api: Any,
    inputs: Sequence[Any],
    roles: Sequence[str],
    link_type: LinkType,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_free: Sequence[str] = (),
    model: LinkageModel | None = None,
    training: Training = Training(),
    name: str = "backbone",
    compared: Sequence[str] | None = None,
) -> Linkage:
    """Train (unless ``model`` is given), predict and cluster standardised inputs.

    Args:
        db_api: a Splink database API (``DuckDBAPI``, ``SparkAPI``…).
        inputs: tables with ``unique_id``, ``source_dataset`` and role columns, in any form
            ``db_api.register`` accepts (a table name, a Spark DataFrame, a pyarrow table).
        roles: the role columns to compare (see ``standardise.ROLES``).
        link_type: ``link_only``, ``dedupe_only`` or ``link_and_dedupe``.
        duplicate_free: source datasets with no duplicates: cluster one-to-one across them.
        compared: the roles to compare, when fewer than ``roles`` (see ``linkage_settings``).
    """
    watch = Stopwatch()
    sdfs = [db_api.register(table) for table in inputs]
    settings: Any = (
        model.settings if model else linkage_settings(roles, link_type, compared=compared)
    )
    # Splink's notes on untrained levels are for modellers: they would drown a command's output.
    linker = Linker(sdfs, settings, log_level=SPLINK_LOG_LEVEL)
    if model is None:
        with watch.step("train"):
            train(linker, roles, training)
        model = LinkageModel.from_linker(linker, name)
        linker = Linker(sdfs, model.settings, log_level=SPLINK_LOG_LEVEL)  # the floored m
    trained = model
    with watch.step("predict"):
        predictions = predict(linker, trained.roles)
    with watch.step("cluster"):
        clusters = cluster(linker, predictions, threshold, duplicate_free)
    with watch.step("collect"):
        records = collect_clusters(clusters)
        result = Linkage(trained, collect_pairs(predictions, records), records)
    result.timings = watch.timings
    return result


def collect_pairs(predictions: SplinkDataFrame, clusters: dict[Record, str]) -> list[ScoredPair]:
    """The scored pairs as Python objects.

    ``dedupe_only`` predictions carry no source dataset (ids are unique across the inputs
    then), so it is looked up from the clustered records.
    """
    names = {c.unquote().name for c in predictions.columns}
    if "source_dataset_l" in names:
        columns = "source_dataset_l, unique_id_l, source_dataset_r, unique_id_r"
    else:
        columns = "NULL AS source_dataset_l, unique_id_l, NULL AS source_dataset_r, unique_id_r"
    rows = _fetch(predictions, f"SELECT {columns}, match_probability FROM {{this}}")
    dataset_of = {unique_id: dataset for dataset, unique_id in clusters}

    def record(row: dict[str, Any], side: str) -> Record:
        unique_id = str(row[f"unique_id_{side}"])
        return (row[f"source_dataset_{side}"] or dataset_of[unique_id], unique_id)

    return [ScoredPair(record(r, "l"), record(r, "r"), float(r["match_probability"])) for r in rows]


def _fetch(frame: SplinkDataFrame, sql: str) -> list[dict[str, Any]]:
    """Rows of a query over ``frame`` (``{this}``), with the scratch table dropped after."""
    result = frame.query_sql(sql)
    try:
        return result.as_record_list()
    finally:
        result.drop_table_from_database_and_remove_from_cache()


def collect_clusters(clusters: SplinkDataFrame) -> dict[Record, str]:
    """``(source dataset, unique id) → cluster id`` for every record."""
    rows = _fetch(clusters, f"SELECT {SOURCE_DATASET}, {UNIQUE_ID}, cluster_id FROM {{this}}")
    return {(r[SOURCE_DATASET], str(r[UNIQUE_ID])): str(r["cluster_id"]) for r in rows}


# --- files ----------------------------------------------------------------------------------

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")


@dataclass
class LinkReport:
    """The result of ``link_files``: what was linked, how, the links and (with labels) scores.

    ``pairs`` are the linked record pairs after clustering, as (id in the first file, id in
    the second) — or two ids of the one file when deduplicating; ``clusters`` maps each
    file's record ids to cluster ids.
    """

    files: list[str]
    mode: str
    id_column: str
    roles: dict[str, list[str]]  # role → the column used in each file
    threshold: float
    records: dict[str, int]
    candidate_pairs: int
    pairs: list[tuple[str, str, float]]
    clusters: dict[str, dict[str, str]]
    model: LinkageModel
    timings: dict[str, float]
    metrics: list[Score] = field(default_factory=list)
    clustered: Score | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (what ``backbone link files --json`` prints)."""
        return {
            "files": self.files,
            "mode": self.mode,
            "id_column": self.id_column,
            "roles": self.roles,
            "threshold": self.threshold,
            "records": self.records,
            "candidate_pairs": self.candidate_pairs,
            "linked_pairs": len(self.pairs),
            "pairs": [{"left": a, "right": b, "match_probability": p} for a, b, p in self.pairs],
            "clusters": self.clusters,
            "model": self.model.to_dict(),
            "timings": self.timings,
            "metrics": [m.to_dict() for m in self.metrics],
            "clustered": self.clustered.to_dict() if self.clustered else None,
        }


def link_files(
    paths: list[Path],
    id_column: str,
    labels: Path | None = None,
    column_map: dict[str, str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    one_to_one: bool = True,
    model: LinkageModel | None = None,
    training: Training = Training(),
    engine: Engine = "duckdb",
    spark: Any = None,
) -> LinkReport:
    """Link two files (one-to-one unless ``one_to_one=False``), or deduplicate one.

    Columns map to roles by name (FEBRL4's ``given_name``, ``surname``, ``date_of_birth``,
    ``soc_sec_id``… map automatically); ``column_map`` (file column → role) overrides. With
    ``labels`` (a CSV of true pairs: an id of the first file, then one of the second), the
    report carries precision, recall and F1 per threshold.

    Files are read and standardised in DuckDB either way; ``engine="spark"`` then trains,
    predicts and clusters on Spark (on the ``spark`` session if given, else on a local one
    started for the call), with the same settings, and ``model`` from either engine.

    >>> report = link_files([Path("a.csv"), Path("b.csv")], "rec_id")  # doctest: +SKIP
    >>> report.clustered  # doctest: +SKIP
    """
    if not 1 <= len(paths) <= 2:
        raise ValueError(f"link_files takes one file (dedupe) or two (link), not {len(paths)}")
    names = _dataset_names(paths)
    connection = duckdb.connect()
    try:
        watch = Stopwatch()
        with watch.step("standardise"):
            inputs, roles_used = _load_files(connection, paths, names, id_column, column_map)
        roles = [r for r in ROLES if all(r in used for used in roles_used)]
        duplicate_free = names if len(paths) == 2 and one_to_one else []
        linkage = _link_loaded(
            connection, engine, spark, inputs, roles, _file_link_type(len(paths), one_to_one),
            threshold=threshold, duplicate_free=duplicate_free, model=model, training=training,
            name="files",
        )  # fmt: skip
    finally:
        connection.close()
    report = _file_report(paths, names, id_column, roles_used, roles, threshold, linkage)
    report.timings = {**watch.timings, **linkage.timings}
    if labels is not None:
        score_report(report, linkage, read_labels(labels, names))
    return report


def _link_loaded(
    connection: duckdb.DuckDBPyConnection,
    engine: Engine,
    spark: Any,
    inputs: list[str],
    roles: list[str],
    link_type: LinkType,
    **options: Any,
) -> Linkage:
    """``link_standardised`` over the loaded tables on ``engine``."""
    if engine == "duckdb":
        db_api = DuckDBAPI(connection=connection)
        return link_standardised(db_api, inputs, roles, link_type, **options)
    if engine != "spark":
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    # PySpark is optional: imported only when Spark is asked for.
    from backbone.identity.spark import link_on_spark

    return link_on_spark(connection, inputs, roles, link_type, session=spark, **options)


def _file_link_type(files: int, one_to_one: bool) -> LinkType:
    if files == 1:
        return "dedupe_only"
    return "link_only" if one_to_one else "link_and_dedupe"


def _dataset_names(paths: Sequence[Path]) -> list[str]:
    """A distinct source-dataset name per file: its stem, numbered if two stems are equal."""
    stems = [p.stem for p in paths]
    return [s if stems.count(s) == 1 else f"{s}_{i + 1}" for i, s in enumerate(stems)]


def _load_files(
    connection: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    names: Sequence[str],
    id_column: str,
    column_map: dict[str, str] | None,
) -> tuple[list[str], list[dict[str, str]]]:
    """Read and standardise each file into its own table; the tables and each file's roles."""
    tables, roles_used = [], []
    for index, (path, name) in enumerate(zip(paths, names, strict=True)):
        raw = f"backbone_raw_{index}"
        connection.execute(f"CREATE TABLE {raw} AS SELECT * FROM {_reader_sql(path)}")
        columns = {row[0]: row[1] for row in connection.execute(f"DESCRIBE {raw}").fetchall()}
        if id_column not in columns:
            raise ValueError(f"{path.name} has no id column {id_column!r}")
        usable = {c: r for c, r in (column_map or {}).items() if c in columns}
        roles = map_roles([c for c in columns if c != id_column], usable)
        roles_used.append(roles)
        tables.append(f"backbone_linkage_input_{index}")
        sql = standardised_sql(
            raw, identifier(id_column), literal(name), roles, columns, list(roles),
            ssn_min_digits=FILE_SSN_MIN_DIGITS,
        )  # fmt: skip
        connection.execute(f"CREATE TABLE {tables[-1]} AS {sql}")
    return tables, roles_used


def _reader_sql(path: Path) -> str:
    """DuckDB's reader for a CSV or Parquet file; CSV as text, so ids keep leading zeros."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    location = literal(str(path))
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({location})"
    return f"read_csv({location}, all_varchar=true, header=true)"


def _file_report(
    paths: Sequence[Path],
    names: Sequence[str],
    id_column: str,
    roles_used: Sequence[dict[str, str]],
    roles: Sequence[str],
    threshold: float,
    linkage: Linkage,
) -> LinkReport:
    order = {name: i for i, name in enumerate(names)}
    scored = {frozenset((p.left, p.right)): p.match_probability for p in linkage.pairs}
    # a pair joined only through others (connected components) has no score of its own: 0
    pairs = sorted(
        (*_ordered(a, b, order), scored.get(frozenset((a, b)), 0.0))
        for a, b in linkage.clustered_pairs()
    )
    records: dict[str, int] = {name: 0 for name in names}
    clusters: dict[str, dict[str, str]] = {name: {} for name in names}
    for (dataset, unique_id), cluster_id in linkage.clusters.items():
        records[dataset] += 1
        clusters[dataset][unique_id] = cluster_id
    return LinkReport(
        files=[str(p) for p in paths],
        mode="dedupe" if len(paths) == 1 else "link",
        id_column=id_column,
        roles={r: [used.get(r, "") for used in roles_used] for r in roles},
        threshold=threshold,
        records=records,
        candidate_pairs=len(linkage.pairs),
        pairs=pairs,
        clusters=clusters,
        model=linkage.model,
        timings=linkage.timings,
    )


def _ordered(a: Record, b: Record, order: dict[str, int]) -> tuple[str, str]:
    """Two records' ids, the first file's first (or the smaller id within one file)."""
    first, second = sorted((a, b), key=lambda r: (order[r[0]], r[1]))
    return (first[1], second[1])


def read_labels(path: Path, names: Sequence[str]) -> set[Pair]:
    """True pairs from a CSV of two id columns (first file's id, then the second's)."""
    right_name = names[-1]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return {
        evaluation.pair(_key((names[0], row[0].strip())), _key((right_name, row[1].strip())))
        for row in rows[1:]
        if len(row) >= 2 and row[0].strip()
    }


def score_report(report: LinkReport, linkage: Linkage, truth: set[Pair]) -> None:
    """Fill in the report's per-threshold table and its clustered score."""
    scored = [(_key(p.left), _key(p.right), p.match_probability) for p in linkage.pairs]
    report.metrics = evaluation.threshold_table(scored, truth)
    clustered = {evaluation.pair(_key(a), _key(b)) for a, b in linkage.clustered_pairs()}
    report.clustered = evaluation.score(clustered, truth, report.threshold)


# --- the warehouse's identity tier ------------------------------------------------------------

IDENTITY_ROLES = (
    "first_name", "middle_name", "last_name", "birth_date", "sex", "ssn", "student_id",
    "street_address", "city", "zip",
)  # fmt: skip


@dataclass
class IdentityLinkage:
    """Who is who across partners: each identity record's cluster (a person) and evidence."""

    clusters: dict[str, str]  # record_id → cluster_id
    match_probability: dict[str, float | None]  # record_id → best link inside its cluster
    model: LinkageModel
    sources: dict[str, int]  # partner → records linked
    timings: dict[str, float] = field(default_factory=dict)
    # Every scored pair above the prediction floor: (record_id, record_id, probability).
    pairs: list[tuple[str, str, float]] = field(default_factory=list)
    # Records without a birth date joined to the one person they could be (``join_sole``).
    sole_candidate_links: list[tuple[str, str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "sources": self.sources,
            "clusters": len(set(self.clusters.values())),
            "records": [
                {"record_id": r, "cluster_id": c, "match_probability": self.match_probability[r]}
                for r, c in sorted(self.clusters.items())
            ],
            "timings": self.timings,
        }


def link_identity_records(
    connection: duckdb.DuckDBPyConnection,
    relation_or_table: str | duckdb.DuckDBPyRelation = "identity_record",
    *,
    duplicate_free_sources: Sequence[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    model: LinkageModel | None = None,
    training: Training = Training(),
    engine: Engine = "duckdb",
    spark: Any = None,
) -> IdentityLinkage:
    """Link identity records of every partner into persons (``link_and_dedupe``).

    Args:
        connection: a DuckDB connection that can read ``relation_or_table``, e.g.
            ``Warehouse.connect(tier="identity")``.
        relation_or_table: rows shaped like ``identity_record`` (``record_id``,
            ``source_partner`` and any of ``IDENTITY_ROLES``): a table or view name, or a
            relation. A record_id loaded several times counts once, from its latest load.
        duplicate_free_sources: partners whose records are known distinct people (the
            district): clusters then hold at most one record of each, linked one-to-one.
        model: a saved model to score with instead of training a new one.
        engine: ``"duckdb"`` (the connection itself) or ``"spark"`` (the standardised records
            move to ``spark``, a session, or to a local one started for the call).

    >>> with warehouse.connect(tier="identity") as connection:  # doctest: +SKIP
    ...     linkage = link_identity_records(connection, duplicate_free_sources=["district"])
    """
    watch = Stopwatch()
    with watch.step("standardise"):
        table, roles, compared, sources = _standardise_identity(connection, relation_or_table)
    duplicate_free = [dataset_name(p) for p in duplicate_free_sources if p in sources]
    try:
        options: dict[str, Any] = dict(
            threshold=threshold, duplicate_free=duplicate_free, model=model, training=training,
            name="identity", compared=compared,
        )  # fmt: skip
        if engine == "spark":
            from backbone.identity.spark import link_on_spark

            linkage = link_on_spark(
                connection, [table], roles, "link_and_dedupe", session=spark, **options
            )
        else:
            linkage = link_standardised(
                DuckDBAPI(connection=connection), [table], roles, "link_and_dedupe", **options
            )
        facts = _record_facts(connection, table)
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    best = linkage.best_probability()
    pairs = [(p.left[1], p.right[1], p.match_probability) for p in linkage.pairs]
    with watch.step("sole candidates"):
        clusters, joined = join_sole_candidates(
            {record[1]: c for record, c in linkage.clusters.items()}, pairs, facts,
            set(duplicate_free),
        )  # fmt: skip
    probability = {record[1]: best.get(record) for record in linkage.clusters}
    for left, right, p in joined:
        probability[left] = max(probability[left] or 0.0, p)
        probability[right] = max(probability[right] or 0.0, p)
    return IdentityLinkage(
        clusters=clusters,
        match_probability=probability,
        model=linkage.model,
        sources=sources,
        timings={**watch.timings, **linkage.timings},
        pairs=pairs,
        sole_candidate_links=joined,
    )


@dataclass(frozen=True)
class RecordFacts:
    """What ``join_sole_candidates`` needs to know of a record besides its scores."""

    source: str
    birth_year: int | None
    ssn: str | None
    sex: str | None

    @property
    def has_birth_date(self) -> bool:
        return self.birth_year is not None


def _record_facts(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, RecordFacts]:
    sql = f"SELECT {UNIQUE_ID}, {SOURCE_DATASET}, year(birth_date), ssn, sex FROM {table}"
    return {row[0]: RecordFacts(*row[1:]) for row in connection.execute(sql).fetchall()}


class AgeProfile:
    """How plausible a birth year is for a source, from the birth years its own records give:
    a college's students are adults, a summer programme's are children. Used only to choose
    between namesakes for a record that has no birth date."""

    MIN_DATED = 30  # fewer dated records than this: every year is as plausible

    def __init__(self, facts: dict[str, RecordFacts]) -> None:
        self.years: dict[str, Counter[int]] = {}
        for fact in facts.values():
            if fact.birth_year is not None:
                self.years.setdefault(fact.source, Counter())[fact.birth_year] += 1

    def plausibility(self, source: str, year: int | None) -> float:
        """Share of the source's dated records born within a year of ``year`` (smoothed)."""
        years = self.years.get(source, Counter())
        total = sum(years.values())
        if year is None or total < self.MIN_DATED:
            return 1.0
        return (sum(years[y] for y in (year - 1, year, year + 1)) + 1) / (total + 1)


def join_sole_candidates(
    clusters: dict[str, str],
    pairs: Sequence[tuple[str, str, float]],
    facts: dict[str, RecordFacts],
    duplicate_free: set[str],
) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """Join a person known only without a birth date to the one person they could be.

    A record with no birth date can only be scored on its name, which alone never reaches the
    threshold. When its person (every record of its cluster lacks a birth date) has scored
    pairs with exactly one person known with a birth date, and nothing contradicts it (a
    duplicate-free source on both sides, different SSNs, different sexes), the two are joined.
    Returns the clusters and the joins made (for clerical review).

    >>> facts = {r: RecordFacts(s, y, None, None) for r, s, y in
    ...          [("t1", "tutoring", None), ("d1", "district", 2012), ("d2", "district", 2013)]}
    >>> join_sole_candidates({"t1": "a", "d1": "b", "d2": "c"}, [("t1", "d1", 0.2)], facts,
    ...                      {"district"})[0]["t1"]
    'b'
    """
    result = dict(clusters)
    members: dict[str, set[str]] = {}
    for record, cluster in result.items():
        members.setdefault(cluster, set()).add(record)
    ages = AgeProfile(facts)
    scored: dict[str, list[tuple[str, float]]] = {}
    for left, right, probability in pairs:
        if probability < SOLE_CANDIDATE_FLOOR:
            continue
        scored.setdefault(left, []).append((right, probability))
        scored.setdefault(right, []).append((left, probability))
    for candidates in scored.values():
        candidates.sort()  # the same joins whatever order the engine returned pairs in
    joined = []
    for record in sorted(scored):
        own = result[record]
        if _dated(members[own], facts):
            continue
        other = _sole_candidate(record, scored[record], result, members, facts, ages)
        if other is None or other == own:
            continue
        if _contradict(members[own], members[other], facts, duplicate_free):
            continue
        mate, probability = max(
            ((o, p) for o, p in scored[record] if result[o] == other), key=lambda x: (x[1], x[0])
        )
        for member in members[own]:
            result[member] = other
        members[other] |= members.pop(own)
        joined.append((record, mate, probability))
    return result, joined


def _sole_candidate(
    record: str,
    scored: list[tuple[str, float]],
    clusters: dict[str, str],
    members: dict[str, set[str]],
    facts: dict[str, RecordFacts],
    ages: AgeProfile,
) -> str | None:
    """The one person known with a birth date that ``record`` could be, if there is one: the
    only such person it scored with, or one ``SOLE_CANDIDATE_DOMINANCE`` times likelier than
    any rival, by match probability times how plausible their age is at ``record``'s source.
    Persons known only without a birth date are no rivals (they may join the same one)."""
    own = clusters[record]
    best: dict[str, float] = {}
    for other, probability in scored:
        cluster = clusters[other]
        if cluster != own and _dated(members[cluster], facts):
            year = facts[other].birth_year or next(
                facts[m].birth_year for m in members[cluster] if facts[m].birth_year
            )
            weight = probability * ages.plausibility(facts[record].source, year)
            best[cluster] = max(best.get(cluster, 0.0), weight)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return None
    if len(ranked) > 1 and ranked[0][1] < SOLE_CANDIDATE_DOMINANCE * ranked[1][1]:
        return None
    return ranked[0][0]


def _dated(records: set[str], facts: dict[str, RecordFacts]) -> bool:
    return any(facts[r].has_birth_date for r in records)


def _contradict(
    a: set[str], b: set[str], facts: dict[str, RecordFacts], duplicate_free: set[str]
) -> bool:
    """True when two persons cannot be one: a duplicate-free source on both sides, or SSNs
    or sexes that both sides have and that differ."""
    if {facts[r].source for r in a} & {facts[r].source for r in b} & duplicate_free:
        return True
    for attribute in ("ssn", "sex"):
        values_a = {getattr(facts[r], attribute) for r in a} - {None}
        values_b = {getattr(facts[r], attribute) for r in b} - {None}
        if values_a and values_b and not values_a & values_b:
            return True
    return False


def _standardise_identity(
    connection: duckdb.DuckDBPyConnection, source: str | duckdb.DuckDBPyRelation
) -> tuple[str, list[str], list[str], dict[str, int]]:
    """Clean identity rows into a scratch table, one row per record_id.

    Returns the table, the roles holding any value, the roles to compare (those at least two
    partners hold: a role only one partner has gives EM no matches to learn from) and the
    records per partner.
    """
    name = _relation_name(connection, source)
    columns = {r[0]: r[1] for r in connection.execute(f"DESCRIBE {name}").fetchall()}
    missing = {"record_id", "source_partner"} - set(columns)
    if missing:
        raise ValueError(f"{name} lacks the identity columns {sorted(missing)}")
    roles = {r: r for r in IDENTITY_ROLES if r in columns}
    table = "backbone_identity_linkage_input"
    sql = standardised_sql(
        latest_rows_sql(name, columns), "record_id", dataset_sql("source_partner"), roles,
        columns, IDENTITY_ROLES,  # every role, NULL when absent: a saved model may compare it
    )  # fmt: skip
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
    holders = _partners_holding(connection, table, IDENTITY_ROLES)
    present = [r for r in IDENTITY_ROLES if holders[r] >= 1]
    compared = [r for r in IDENTITY_ROLES if holders[r] >= 2]
    counted = f"SELECT source_partner, count(DISTINCT record_id) FROM {name} GROUP BY 1"
    sources = dict(connection.execute(counted).fetchall())
    return table, present, compared, sources


def dataset_name(partner: str) -> str:
    """The partner's source-dataset name: an SQL-identifier-safe form of its slug (Splink
    writes dataset names into column aliases)."""
    return "".join(c if c.isalnum() else "_" for c in partner)


def dataset_sql(column: str) -> str:
    """``dataset_name`` in SQL."""
    return f"regexp_replace({column}, '[^A-Za-z0-9]', '_', 'g')"


def _relation_name(
    connection: duckdb.DuckDBPyConnection, source: str | duckdb.DuckDBPyRelation
) -> str:
    """A name ``connection`` can select from: the table or view name, or a view made of a
    relation."""
    if isinstance(source, str):
        return identifier(source)
    source.create_view("backbone_identity_linkage_source", replace=True)
    return "backbone_identity_linkage_source"


def latest_rows_sql(name: str, columns: dict[str, str]) -> str:
    """One row per record_id: the latest load's (a partner's latest word on a person)."""
    order = [f"{c} DESC" for c in ("submission_id", "source_row") if c in columns] or ["1"]
    return (
        f"(SELECT * EXCLUDE (backbone_rank) FROM (SELECT *, row_number() OVER (PARTITION BY "
        f"record_id ORDER BY {', '.join(order)}) AS backbone_rank FROM {name}) "
        f"WHERE backbone_rank = 1)"
    )


def _partners_holding(
    connection: duckdb.DuckDBPyConnection, table: str, roles: Sequence[str]
) -> dict[str, int]:
    """Per role, how many partners have at least one value of it."""
    counts = ", ".join(f"count(DISTINCT CASE WHEN {r} IS NOT NULL THEN {SOURCE_DATASET} END)"
                       for r in roles)  # fmt: skip
    row = connection.execute(f"SELECT {counts} FROM {table}").fetchone()
    return dict(zip(roles, row or (), strict=True))
