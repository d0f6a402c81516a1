"""The consent gate: the one rule, as SQL, that keeps records without consent in force out of
linkage, the review queue and indicator computation (docs/agreements.md, "Consent").

A ``ConsentGate`` is plain data built from the registry (``identity.services.consent_gate``):
the submissions loaded under an agreement that needs consent, and for each the record ids the
consents single out (``governance.consent.listed_people``). ``close_gate`` puts it on an engine:
each warehouse table's view is replaced by one that keeps only the rows the gate lets through,
so every query after it — Splink's, a definition's — reads consented rows without knowing why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from backbone.warehouse.engines import Engine
from backbone.warehouse.sql import identifier

LOADS = "scratch_consent_loads"  # submission_id, presumed
LISTED = "scratch_consent_listed"  # submission_id, record_id
UNGATED = "scratch_ungated_"  # prefix of a table's view before the gate


@dataclass(frozen=True)
class ConsentGate:
    """Submissions under an agreement that needs consent (``loads``: id → consent presumed) and
    the ``(submission_id, record_id)`` rows the consents single out (``listed``): the records
    used where consent is not presumed, the records left out where it is."""

    loads: dict[int, bool]
    listed: frozenset[tuple[int, str]]

    def __bool__(self) -> bool:  # an empty gate lets everything through: nothing to put up
        return bool(self.loads)


NO_GATE = ConsentGate({}, frozenset())


def consented_sql(source: str) -> str:
    """The rows of ``source`` the gate lets through: those of a submission that needs no
    consent, and otherwise those whose being listed differs from consent being presumed.

    >>> "LEFT JOIN scratch_consent_listed" in consented_sql("scratch_ungated_wages")
    True
    """
    return (
        f"SELECT t.* FROM {identifier(source)} AS t "
        f"LEFT JOIN {LOADS} AS g ON g.submission_id = t.submission_id "
        f"LEFT JOIN {LISTED} AS l ON l.submission_id = t.submission_id "
        "AND l.record_id = t.record_id "
        "WHERE g.submission_id IS NULL OR g.presumed = (l.record_id IS NULL)"
    )


def withheld_sql(table: str) -> str:
    """Record ids of ``table`` with no row left after the gate (run after ``close_gate``)."""
    ungated = identifier(UNGATED + table)
    return f"SELECT record_id FROM {ungated} EXCEPT SELECT record_id FROM {identifier(table)}"


def close_gate(engine: Engine, gate: ConsentGate, tables: Iterable[str]) -> list[str]:
    """Replace each of ``tables`` (views on a DuckDB warehouse engine) by its consented rows;
    the original stays readable as ``scratch_ungated_<table>``. Returns the tables gated: none
    when the gate is empty, so partnerships without such agreements run exactly as before."""
    if not gate:
        return []
    engine.register(LOADS, _loads_table(gate))
    engine.register(LISTED, _listed_table(gate))
    gated = sorted(set(tables))
    for table in gated:
        ungated = identifier(UNGATED + table)
        engine.run(f"ALTER VIEW {identifier(table)} RENAME TO {ungated}", label=f"ungated {table}")
        engine.run(
            f"CREATE VIEW {identifier(table)} AS {consented_sql(UNGATED + table)}",
            label=f"consented {table}",
        )
    return gated


def _loads_table(gate: ConsentGate) -> pa.Table:
    submissions = sorted(gate.loads)
    return pa.table({
        "submission_id": pa.array(submissions, pa.int64()),
        "presumed": pa.array([gate.loads[s] for s in submissions], pa.bool_()),
    })  # fmt: skip


def _listed_table(gate: ConsentGate) -> pa.Table:
    rows = sorted(gate.listed)
    return pa.table({
        "submission_id": pa.array([s for s, _ in rows], pa.int64()),
        "record_id": pa.array([r for _, r in rows], pa.string()),
    })  # fmt: skip
