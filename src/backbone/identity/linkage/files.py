"""Linking files: two CSV/Parquet files linked, or one deduplicated, optionally scored against
known true pairs (``backbone link files``).

Files are read and standardised by DuckDB (the engine given, when it is one, else an in-memory
one for the call); Splink then runs on the engine given, so a ``SparkEngine`` trains, predicts
and clusters on Spark with the same settings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backbone.identity import evaluation
from backbone.identity.evaluation import Pair, Score
from backbone.identity.linkage.scoring import (
    Linkage,
    Record,
    Stopwatch,
    link_standardised,
    ordered,
    record_key,
)
from backbone.identity.linkage.settings import DEFAULT_THRESHOLD, LinkageModel, LinkType
from backbone.identity.linkage.spark import link_on_spark
from backbone.identity.linkage.training import DEFAULT_TRAINING, Training
from backbone.identity.standardise import ROLES, map_roles, standardised_sql
from backbone.warehouse.engines import DuckDBEngine, Engine, Scratch
from backbone.warehouse.sql import identifier, literal

# FEBRL-style ids are seven digits; the warehouse's contract says an SSN is nine.
FILE_SSN_MIN_DIGITS = 7


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
    training: Training = DEFAULT_TRAINING,
    engine: Engine | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
) -> LinkReport:
    """Link two files (one-to-one unless ``one_to_one=False``), or deduplicate one.

    Columns map to roles by name (FEBRL4's ``given_name``, ``surname``, ``date_of_birth``,
    ``soc_sec_id``… map automatically); ``column_map`` (file column → role) overrides. With
    ``labels`` (a CSV of true pairs: an id of the first file, then one of the second), the
    report carries precision, recall and F1 per threshold.

    ``engine`` is where Splink trains, predicts and clusters: an in-memory DuckDB made for the
    call when None. Files are read and standardised in DuckDB either way; on another engine (a
    ``SparkEngine``) the same settings run there, and ``model`` may come from either engine.
    The DuckDB made for the call keeps under ``memory_limit`` (e.g. ``"8GB"``), spilling to
    ``temp_directory``: by default ``BACKBONE_DUCKDB_MEMORY_LIMIT`` and
    ``BACKBONE_DUCKDB_TEMP_DIRECTORY``, else 40% of the machine's memory and a folder under
    the system's temporary directory.

    >>> report = link_files([Path("a.csv"), Path("b.csv")], "rec_id")  # doctest: +SKIP
    >>> report.clustered  # doctest: +SKIP
    """
    if not 1 <= len(paths) <= 2:
        raise ValueError(f"link_files takes one file (dedupe) or two (link), not {len(paths)}")
    names = _dataset_names(paths)
    with duckdb_for(engine, memory_limit, temp_directory) as reader, reader.scratch() as scratch:
        watch = Stopwatch()
        with watch.step("standardise"):
            inputs, roles_used = _load_files(reader, scratch, paths, names, id_column, column_map)
        roles = [r for r in ROLES if all(r in used for used in roles_used)]
        link_type = _file_link_type(len(paths), one_to_one)
        options: dict[str, Any] = dict(
            threshold=threshold, duplicate_free=names if len(paths) == 2 and one_to_one else [],
            model=model, training=training, name="files",
        )  # fmt: skip
        if engine is None or engine is reader:
            linkage = link_standardised(reader, inputs, roles, link_type, **options)
        else:
            linkage = link_on_spark(reader, inputs, roles, link_type, spark=engine, **options)
    report = _file_report(paths, names, id_column, roles_used, roles, threshold, linkage)
    report.timings = {**watch.timings, **linkage.timings}
    if labels is not None:
        score_report(report, linkage, read_labels(labels, names))
    return report


@contextmanager
def duckdb_for(
    engine: Engine | None, memory_limit: str | None = None, temp_directory: str | None = None
) -> Iterator[Engine]:
    """An engine that reads DuckDB's SQL (file readers, standardising): ``engine`` itself when
    it is one, else an in-memory DuckDB under a memory limit, closed when the block ends."""
    if engine is not None and engine.dialect == "duckdb":
        yield engine
        return
    reader = DuckDBEngine.bounded(memory_limit, temp_directory)
    try:
        yield reader
    finally:
        reader.close()


def _file_link_type(files: int, one_to_one: bool) -> LinkType:
    if files == 1:
        return "dedupe_only"
    return "link_only" if one_to_one else "link_and_dedupe"


def _dataset_names(paths: Sequence[Path]) -> list[str]:
    """A distinct source-dataset name per file: its stem, numbered if two stems are equal."""
    stems = [p.stem for p in paths]
    return [s if stems.count(s) == 1 else f"{s}_{i + 1}" for i, s in enumerate(stems)]


def _load_files(
    engine: Engine,
    scratch: Scratch,
    paths: Sequence[Path],
    names: Sequence[str],
    id_column: str,
    column_map: dict[str, str] | None,
) -> tuple[list[str], list[dict[str, str]]]:
    """Read and standardise each file into its own scratch table; the tables and each file's
    roles."""
    tables, roles_used = [], []
    for path, name in zip(paths, names, strict=True):
        raw = scratch.name("linkage_file")
        # a view: the file is read once, by the standardising query, and never held raw
        engine.run(f"CREATE VIEW {raw} AS SELECT * FROM {_reader_sql(path)}", label=path.name)
        described = engine.run(f"DESCRIBE {raw}", label=f"columns of {path.name}")
        columns = {row[0]: row[1] for row in described}
        if id_column not in columns:
            raise ValueError(f"{path.name} has no id column {id_column!r}")
        usable = {c: r for c, r in (column_map or {}).items() if c in columns}
        roles = map_roles([c for c in columns if c != id_column], usable)
        roles_used.append(roles)
        tables.append(scratch.name("linkage_input"))
        sql = standardised_sql(
            raw, identifier(id_column), literal(name), roles, columns, list(roles),
            ssn_min_digits=FILE_SSN_MIN_DIGITS,
        )  # fmt: skip
        engine.run(f"CREATE TABLE {tables[-1]} AS {sql}", label=f"standardise {path.name}")
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
    scored = {ordered(p.left, p.right): p.match_probability for p in linkage.pairs}
    # a pair joined only through others (connected components) has no score of its own: 0
    pairs = sorted(
        (*_ordered(a, b, order), scored.get((a, b), 0.0)) for a, b in linkage.clustered_pairs()
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
        evaluation.pair(
            record_key((names[0], row[0].strip())), record_key((right_name, row[1].strip()))
        )
        for row in rows[1:]
        if len(row) >= 2 and row[0].strip()
    }


def score_report(report: LinkReport, linkage: Linkage, truth: set[Pair]) -> None:
    """Fill in the report's per-threshold table and its clustered score."""
    scored = [(record_key(p.left), record_key(p.right), p.match_probability) for p in linkage.pairs]
    report.metrics = evaluation.threshold_table(scored, truth)
    clustered = {
        evaluation.pair(record_key(a), record_key(b)) for a, b in linkage.clustered_pairs()
    }
    report.clustered = evaluation.score(clustered, truth, report.threshold)
