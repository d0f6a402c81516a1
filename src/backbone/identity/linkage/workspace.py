"""Linking the warehouse's identity tier: every partner's identity records at once, into persons
(``link_and_dedupe``), then records without a birth date joined to their sole candidate.

The records are standardised on the engine that holds them (the warehouse's DuckDB); Splink runs
there too, or on another engine given as ``on`` (a ``SparkEngine``) with the same settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backbone.identity.linkage.scoring import Stopwatch, link_standardised
from backbone.identity.linkage.settings import DEFAULT_THRESHOLD, LinkageModel
from backbone.identity.linkage.sole_candidates import RecordFacts, join_sole_candidates
from backbone.identity.linkage.spark import link_on_spark
from backbone.identity.linkage.training import DEFAULT_TRAINING, Training
from backbone.identity.standardise import SOURCE_DATASET, UNIQUE_ID, standardised_sql
from backbone.warehouse.engines import Engine, Scratch
from backbone.warehouse.sql import identifier

IDENTITY_ROLES = (
    "first_name", "middle_name", "last_name", "birth_date", "sex", "race_ethnicity", "ssn",
    "student_id",
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

    def with_ids(self, ids: dict[str, str]) -> IdentityLinkage:
        """The same linkage with every record id renamed through ``ids``, and each cluster
        named after its first member (by old id)."""
        first: dict[str, str] = {}
        for record, cluster in sorted(self.clusters.items()):
            first.setdefault(cluster, ids[record])

        def renamed(links: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
            return [(ids[a], ids[b], p) for a, b, p in links]

        return IdentityLinkage(
            clusters={ids[r]: first[c] for r, c in self.clusters.items()},
            match_probability={ids[r]: p for r, p in self.match_probability.items()},
            model=self.model, sources=self.sources, timings=self.timings,
            pairs=renamed(self.pairs), sole_candidate_links=renamed(self.sole_candidate_links),
        )  # fmt: skip

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
    engine: Engine,
    table: str = "identity_record",
    *,
    duplicate_free_sources: Sequence[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    model: LinkageModel | None = None,
    training: Training = DEFAULT_TRAINING,
    on: Engine | None = None,
) -> IdentityLinkage:
    """Link identity records of every partner into persons (``link_and_dedupe``).

    Args:
        engine: a DuckDB engine that can read ``table``, e.g. ``Warehouse.engine("identity")``.
        table: a table or view of rows shaped like ``identity_record`` (``record_id``,
            ``source_partner`` and any of ``IDENTITY_ROLES``). A record_id loaded several
            times counts once, from its latest load.
        duplicate_free_sources: partners whose records are known distinct people (the
            district): clusters then hold at most one record of each, linked one-to-one.
        model: a saved model to score with instead of training a new one.
        on: the engine Splink runs on, when not ``engine`` itself (a ``SparkEngine``: the
            standardised records move there for the run).

    >>> with warehouse.engine("identity") as engine:  # doctest: +SKIP
    ...     linkage = link_identity_records(engine, duplicate_free_sources=["district"])
    """
    watch = Stopwatch()
    with engine.scratch() as scratch:
        with watch.step("standardise"):
            standardised, roles, compared, sources = _standardise_identity(engine, scratch, table)
            record_ids = _record_ids(engine, standardised)
        duplicate_free = [dataset_name(p) for p in duplicate_free_sources if p in sources]
        options: dict[str, Any] = dict(
            threshold=threshold, duplicate_free=duplicate_free, model=model, training=training,
            name="identity", compared=compared,
        )  # fmt: skip
        inputs = [standardised]
        if on is None or on is engine:
            linkage = link_standardised(engine, inputs, roles, "link_and_dedupe", **options)
        else:
            linkage = link_on_spark(engine, inputs, roles, "link_and_dedupe", spark=on, **options)
        facts = _record_facts(engine, standardised)
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
    result = IdentityLinkage(
        clusters=clusters,
        match_probability=probability,
        model=linkage.model,
        sources=sources,
        timings={**watch.timings, **linkage.timings},
        pairs=pairs,
        sole_candidate_links=joined,
    )
    return result.with_ids(record_ids)


def _record_facts(engine: Engine, table: str) -> dict[str, RecordFacts]:
    sql = f"SELECT {UNIQUE_ID}, {SOURCE_DATASET}, year(birth_date), ssn, sex FROM {table}"
    rows = engine.run(sql, label="facts for sole candidates")
    return {row[0]: RecordFacts(*row[1:]) for row in rows}


def _record_ids(engine: Engine, table: str) -> dict[str, str]:
    """Content id → record_id, for the records of a table made by ``_standardise_identity``."""
    rows = engine.run(f"SELECT {UNIQUE_ID}, record_id FROM {table}", label="record ids")
    return {content_id: record_id for content_id, record_id in rows}


def content_id_sql(standardised: str, roles: Sequence[str]) -> str:
    """The standardised rows with ``unique_id`` replaced by a hash of the record's own fields
    (and the record_id kept aside).

    Splink samples pairs for u by hashing ``unique_id`` and breaks ties between equal scores by
    it; a record_id is keyed by the workspace's secret, so on record_ids the same files gave a
    different crosswalk in each workspace. Identical records of one source are told apart by
    their order among themselves, which cannot change what links: they are interchangeable.

    >>> "md5(" in content_id_sql("t", ["first_name"])
    True
    """
    fields = ", ".join(f"coalesce(CAST({r} AS VARCHAR), '')" for r in roles)
    digest = f"md5(concat_ws(chr(31), {SOURCE_DATASET}, {fields}))"
    return (
        f"SELECT * EXCLUDE (backbone_digest) REPLACE (backbone_digest || '-' || row_number() "
        f"OVER (PARTITION BY backbone_digest ORDER BY {UNIQUE_ID}) AS {UNIQUE_ID}), "
        f"{UNIQUE_ID} AS record_id FROM (SELECT *, {digest} AS backbone_digest FROM {standardised})"
    )


def _standardise_identity(
    engine: Engine, scratch: Scratch, source: str
) -> tuple[str, list[str], list[str], dict[str, int]]:
    """Clean identity rows into a scratch table, one row per record_id.

    Returns the table, the roles holding any value, the roles to compare (those at least two
    partners hold: a role only one partner has gives EM no matches to learn from) and the
    records per partner.
    """
    name = identifier(source)
    columns = {r[0]: r[1] for r in engine.run(f"DESCRIBE {name}", label=f"columns of {source}")}
    missing = {"record_id", "source_partner"} - set(columns)
    if missing:
        raise ValueError(f"{name} lacks the identity columns {sorted(missing)}")
    roles = {r: r for r in IDENTITY_ROLES if r in columns}
    table = scratch.name("identity_linkage_input")
    sql = standardised_sql(
        latest_rows_sql(name, columns), "record_id", dataset_sql("source_partner"), roles,
        columns, IDENTITY_ROLES,  # every role, NULL when absent: a saved model may compare it
    )  # fmt: skip
    sql = content_id_sql(f"({sql})", IDENTITY_ROLES)
    engine.run(f"CREATE TEMP TABLE {table} AS {sql}", label="standardise identity records")
    holders = _partners_holding(engine, table, IDENTITY_ROLES)
    present = [r for r in IDENTITY_ROLES if holders[r] >= 1]
    compared = [r for r in IDENTITY_ROLES if holders[r] >= 2]
    counted = f"SELECT source_partner, count(DISTINCT record_id) FROM {name} GROUP BY 1"
    sources: dict[str, int] = dict(engine.run(counted, label="identity records per partner"))
    return table, present, compared, sources


def dataset_name(partner: str) -> str:
    """The partner's source-dataset name: an SQL-identifier-safe form of its slug (Splink
    writes dataset names into column aliases)."""
    return "".join(c if c.isalnum() else "_" for c in partner)


def dataset_sql(column: str) -> str:
    """``dataset_name`` in SQL."""
    return f"regexp_replace({column}, '[^A-Za-z0-9]', '_', 'g')"


def latest_rows_sql(name: str, columns: dict[str, str]) -> str:
    """One row per record_id: the latest load's (a partner's latest word on a person)."""
    order = [f"{c} DESC" for c in ("submission_id", "source_row") if c in columns] or ["1"]
    return (
        f"(SELECT * EXCLUDE (backbone_rank) FROM (SELECT *, row_number() OVER (PARTITION BY "
        f"record_id ORDER BY {', '.join(order)}) AS backbone_rank FROM {name}) "
        f"WHERE backbone_rank = 1)"
    )


def _partners_holding(engine: Engine, table: str, roles: Sequence[str]) -> dict[str, int]:
    """Per role, how many partners have at least one value of it."""
    counts = ", ".join(f"count(DISTINCT CASE WHEN {r} IS NOT NULL THEN {SOURCE_DATASET} END)"
                       for r in roles)  # fmt: skip
    rows = engine.run(f"SELECT {counts} FROM {table}", label="partners holding each role")
    return dict(zip(roles, rows[0] if rows else (), strict=True))
