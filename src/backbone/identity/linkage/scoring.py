"""Scoring and clustering: Splink's predictions with strong identifiers overriding them, the
clusters, and ``link_standardised``, which runs train → predict → cluster on one ``Engine``.

* ``predict`` — Splink's scores, with **strong identifiers** (the same SSN or student id)
  overriding them to probability 1, so a record with a changed name still links — unless the
  names and the birth dates clearly disagree (``clearly_different_sql``): then the shared
  number is more likely a typo, and Splink's score stands.
* ``cluster`` — one-to-one between duplicate-free sources, connected components otherwise.

Whatever the engine, Splink reads the standardised tables by name through the engine's
``splink_api()``, and the results come back as Python objects (``Linkage``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from splink import Linker
from splink.internals.splink_dataframe import SplinkDataFrame

from backbone.identity.linkage.settings import (
    DEFAULT_THRESHOLD,
    LinkageModel,
    LinkType,
    linkage_settings,
)
from backbone.identity.linkage.training import DEFAULT_TRAINING, Training, train
from backbone.identity.standardise import SOURCE_DATASET, STRONG_IDS, UNIQUE_ID
from backbone.warehouse.engines import Engine

logger = logging.getLogger(__name__)

# Pairs scored below this are dropped after prediction: far from any sensible threshold.
PREDICT_FLOOR = 0.01
SPLINK_LOG_LEVEL = logging.ERROR
# The match weight given to a strong-identifier match: probability 1 to double precision.
STRONG_MATCH_WEIGHT = 60.0


def strong_match_sql(roles: Sequence[str], different: str | None = None) -> str | None:
    """SQL true when a pair shares a strong identifier (NULLs never match), or None; with
    ``different`` (``clearly_different_sql``), not when that is true of the pair too."""
    terms = [f"({r}_l = {r}_r)" for r in STRONG_IDS if r in roles]
    if not terms:
        return None
    shared = " OR ".join(terms)
    return f"({shared}) AND NOT ({different})" if different else shared


def clearly_different_sql(settings: dict[str, Any]) -> str | None:
    """SQL true when a pair's names and birth dates clearly disagree, from a model's settings.

    Clearly: the name comparison (first and last together, or each apart) and the birth-date
    comparison both fall to their lowest, else level — no name agrees even roughly, by nickname,
    swapped or alone, and the birth dates are more than a year apart with no keying slip
    between them. A strong identifier shared by such a pair is more likely a typo landing on
    another person's number than one person, so it must not override Splink's score. A NULL
    name or birth date is no disagreement. None when the model compares no names or no dates,
    or compares one only exactly: its else level then holds every typo too, not a clear "no".
    """
    levels = {c["output_column_name"]: c["comparison_levels"] for c in settings["comparisons"]}
    names = ["name"] if "name" in levels else ["first_name", "last_name"]
    wanted = [levels.get(w, []) for w in (*names, "birth_date")]
    if not all(len(_agreeing(w)) >= 2 for w in wanted):
        return None
    return " AND ".join(_at_else_level_sql(w) for w in wanted)


def _agreeing(levels: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [x for x in levels if not x.get("is_null_level") and x["sql_condition"] != "ELSE"]


def _at_else_level_sql(levels: Sequence[dict[str, Any]]) -> str:
    # Splink's own CASE order: a pair is at the else level only when no level above takes it.
    whens = [f"WHEN {x['sql_condition']} THEN 0" for x in levels if x["sql_condition"] != "ELSE"]
    return f"(CASE {' '.join(whens)} ELSE 1 END = 1)"


def predict(
    linker: Linker,
    roles: Sequence[str],
    floor: float = PREDICT_FLOOR,
    strong: Linker | None = None,
) -> SplinkDataFrame:
    """Score candidate pairs; pairs sharing a strong identifier get probability 1 whatever
    Splink says (a changed name must not split a person whose SSN matches).

    With ``strong`` (the same model blocking only on strong identifiers, see
    ``strong_identifier_linker``), Splink drops pairs under ``floor`` as it scores them and
    the few strong-identifier pairs under it are scored apart and added back: no table of
    every candidate pair is written. Without it, every candidate pair is scored first.
    """
    if strong_match_sql(roles) is None:
        return linker.inference.predict(threshold_match_probability=floor)
    if strong is None:
        frames = [linker.inference.predict()]
        names, source = _names(frames[0]), frames[0].physical_name
    else:
        frames = [
            linker.inference.predict(threshold_match_probability=floor),
            strong.inference.predict(),  # strong pairs only: as many as shared ids
        ]
        names, source = union_below_floor_sql(frames[0], frames[1], floor)
    different = clearly_different_sql(linker.misc.save_model_to_json())
    sql = override_strong_sql(names, source, roles, floor, different)
    overridden = linker.misc.query_sql(sql)
    for frame in frames:
        frame.drop_table_from_database_and_remove_from_cache()
    return linker.table_management.register_table_predict(overridden)


def _names(frame: SplinkDataFrame) -> list[str]:
    return [c.unquote().name for c in frame.columns]


def union_below_floor_sql(
    above: SplinkDataFrame, below: SplinkDataFrame, floor: float
) -> tuple[list[str], str]:
    """The columns both have (blocking rules carry their own into the predictions) and a
    subquery of the pairs scored at or over ``floor`` with the strong pairs under it: disjoint
    sets, so no pair appears twice."""
    present = set(_names(below))
    names = [n for n in _names(above) if n in present]
    listed = ", ".join(names)
    return names, (
        f"(SELECT {listed} FROM {above.physical_name} UNION ALL "
        f"SELECT {listed} FROM {below.physical_name} WHERE match_probability < {floor}) AS scored"
    )


def strong_identifier_linker(
    inputs: Sequence[SplinkDataFrame], model: LinkageModel, roles: Sequence[str]
) -> Linker | None:
    """``model`` blocking only on the strong identifiers among ``roles`` (None if none):
    scores just the pairs ``predict`` must keep whatever their probability."""
    strong = [r for r in STRONG_IDS if r in roles]
    if not strong:
        return None
    settings = dict(model.settings)
    dialect = settings.get("sql_dialect")
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": f"l.{r} = r.{r}", "sql_dialect": dialect} for r in strong
    ]
    return Linker(list(inputs), settings, log_level=SPLINK_LOG_LEVEL)


def override_strong_sql(
    names: Sequence[str],
    source: str,
    roles: Sequence[str],
    floor: float,
    different: str | None = None,
) -> str:
    """``SELECT`` the scored pairs in ``source`` (a table or aliased subquery with the columns
    ``names``) with strong-identifier matches set to probability 1, except pairs ``different``
    (SQL, see ``clearly_different_sql``) is true of: they keep Splink's score."""
    strong = strong_match_sql(roles, different)
    kept = [n for n in names if n not in ("match_probability", "match_weight")]
    return (
        f"SELECT {', '.join(kept)}, "
        f"CASE WHEN {strong} THEN {STRONG_MATCH_WEIGHT} ELSE match_weight END AS match_weight, "
        f"CASE WHEN {strong} THEN 1.0 ELSE match_probability END AS match_probability "
        f"FROM {source} WHERE ({strong}) OR match_probability >= {floor}"
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


@dataclass(frozen=True, slots=True)
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
        members: dict[str, list[Record]] = defaultdict(list)
        for record, cluster_id in self.clusters.items():
            members[cluster_id].append(record)
        return {
            ordered(a, b)
            for group in members.values()
            if len(group) > 1
            for a, b in combinations(group, 2)
        }

    def best_probability(self) -> dict[Record, float]:
        """Per record, the highest probability of a pair inside its own cluster."""
        best: dict[Record, float] = {}
        for p in self.pairs:
            if self.clusters.get(p.left) == self.clusters.get(p.right) is not None:
                for record in (p.left, p.right):
                    best[record] = max(best.get(record, 0.0), p.match_probability)
        return best


def ordered(a: Record, b: Record) -> tuple[Record, Record]:
    """Two records, the lesser first (the order of their ``record_key``)."""
    return (a, b) if a <= b else (b, a)


def record_key(record: Record) -> str:
    """A record as one string (``evaluation`` pairs strings): dataset and id, unit-separated.

    >>> key_record(record_key(("schools", "a1")))
    ('schools', 'a1')
    """
    return f"{record[0]}\x1f{record[1]}"


def key_record(key: str) -> Record:
    """The record a ``record_key`` names."""
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
    engine: Engine,
    tables: Sequence[str],
    roles: Sequence[str],
    link_type: LinkType,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_free: Sequence[str] = (),
    model: LinkageModel | None = None,
    training: Training = DEFAULT_TRAINING,
    name: str = "backbone",
    compared: Sequence[str] | None = None,
) -> Linkage:
    """Train (unless ``model`` is given), predict and cluster standardised tables on ``engine``.

    Args:
        engine: the engine Splink runs on (through its ``splink_api()``).
        tables: names of tables or views on ``engine`` with ``unique_id``, ``source_dataset``
            and role columns.
        roles: the role columns to compare (see ``standardise.ROLES``).
        link_type: ``link_only``, ``dedupe_only`` or ``link_and_dedupe``.
        duplicate_free: source datasets with no duplicates: cluster one-to-one across them.
        model: a trained model whose SQL is in ``engine``'s dialect (see ``model_for_dialect``).
        compared: the roles to compare, when fewer than ``roles`` (see ``linkage_settings``).

    >>> engine.register("people", standardised_rows)  # doctest: +SKIP
    >>> roles = ["first_name", "last_name"]
    >>> link_standardised(engine, ["people"], roles, "dedupe_only")  # doctest: +SKIP
    """
    watch = Stopwatch()
    db_api = engine.splink_api()
    sdfs = [db_api.register(table) for table in tables]
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
        # on Spark the second, strong-identifier prediction ran out of heap (FEBRL4, local[2])
        strong = (
            strong_identifier_linker(sdfs, trained, trained.roles)
            if engine.dialect == "duckdb"
            else None
        )
        predictions = predict(linker, trained.roles, strong=strong)
    with watch.step("cluster"):
        clusters = cluster(linker, predictions, threshold, duplicate_free)
    with watch.step("collect"):
        records = collect_clusters(engine, clusters)
        result = Linkage(trained, collect_pairs(engine, predictions, records), records)
    result.timings = watch.timings
    return result


def collect_pairs(
    engine: Engine, predictions: SplinkDataFrame, clusters: dict[Record, str]
) -> list[ScoredPair]:
    """The scored pairs as Python objects, read column-wise through Arrow (not a dict a row).

    ``dedupe_only`` predictions carry no source dataset (ids are unique across the inputs
    then), so it is looked up from the clustered records.
    """
    names = {c.unquote().name for c in predictions.columns}
    if "source_dataset_l" in names:
        columns = "source_dataset_l, unique_id_l, source_dataset_r, unique_id_r"
    else:
        columns = "NULL AS source_dataset_l, unique_id_l, NULL AS source_dataset_r, unique_id_r"
    sql = f"SELECT {columns}, match_probability FROM {predictions.physical_name}"
    left_set, left_id, right_set, right_id, probability = _columns(engine, sql, "scored pairs")
    dataset_of = {unique_id: dataset for dataset, unique_id in clusters}

    def record(dataset: str | None, unique_id: Any) -> Record:
        key = str(unique_id)
        return (dataset_of[key] if dataset is None else sys.intern(dataset), key)

    return [
        ScoredPair(record(*left), record(*right), float(p))
        for left, right, p in zip(
            zip(left_set, left_id, strict=True), zip(right_set, right_id, strict=True),
            probability, strict=True,
        )
    ]  # fmt: skip


def _columns(engine: Engine, sql: str, label: str) -> list[list[Any]]:
    """A query's result as one Python list per column."""
    table = engine.arrow(sql, label=label)
    return [column.to_pylist() for column in table.columns]


def collect_clusters(engine: Engine, clusters: SplinkDataFrame) -> dict[Record, str]:
    """``(source dataset, unique id) → cluster id`` for every record."""
    sql = f"SELECT {SOURCE_DATASET}, {UNIQUE_ID}, cluster_id FROM {clusters.physical_name}"
    datasets, ids, cluster_ids = _columns(engine, sql, "clusters")
    return {
        (sys.intern(d), str(u)): str(c) for d, u, c in zip(datasets, ids, cluster_ids, strict=True)
    }
