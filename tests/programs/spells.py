"""Planted participation spells for the programs tests, with their figures worked by hand.

Partner ``bft`` runs Reading Buddies (two aliases, dosage ≥ 20 hours or ≥ 10 sessions):

- r1: 2024-01-15 … 2024-02-14 (31 days: 17 in January, 14 in February), 31 sessions, 62 hours
- r2: 2024-02-01 … 2024-02-29, 8 sessions, 10 hours
- r1 again, as "RB Tutoring": 2024-09-01 … 2024-09-30, 5 sessions, 5 hours (school year 2024-25)
- r4: 2024-06-20, still open; through 2024-07-10 it spans 21 days (11 in June, 10 in July),
  21 sessions, 42 hours

Not matched: ``bft``'s "Chess Club" (r3, open from 2024-03-01) and ``eyc``'s spell under the
same name "Reading Buddies Tutoring" (another partner's value is not bft's program).
"""

from __future__ import annotations

import datetime as dt

from backbone.programs.participation import TABLE, Matcher
from backbone.warehouse.engines.base import Engine
from backbone.warehouse.sql import identifier
from backbone.warehouse.store import empty_relation_sql
from backbone.warehouse.tables import TABLES

THROUGH = dt.date(2024, 7, 10)
READING = Matcher("reading-buddies", "bft", ("Reading Buddies Tutoring", "RB Tutoring"), 20, 10)
D = dt.date
SPELLS = [
    ("bft", "r1", "Reading Buddies Tutoring", D(2024, 1, 15), D(2024, 2, 14), 62.0, 31),
    ("bft", "r2", "Reading Buddies Tutoring", D(2024, 2, 1), D(2024, 2, 29), 10.0, 8),
    ("bft", "r1", "RB Tutoring", D(2024, 9, 1), D(2024, 9, 30), 5.0, 5),
    ("bft", "r4", "Reading Buddies Tutoring", D(2024, 6, 20), None, 42.0, 21),
    ("bft", "r3", "Chess Club", D(2024, 3, 1), None, None, None),
    ("eyc", "e1", "Reading Buddies Tutoring", D(2024, 1, 10), D(2024, 1, 20), 3.0, 2),
]


def plant(engine: Engine, spells: list[tuple] = SPELLS) -> None:
    """A ``program_participation`` table with the stored columns, holding ``spells``."""
    name = identifier(TABLE)
    engine.run(f"CREATE TABLE {name} AS {empty_relation_sql(TABLES[TABLE])}")
    for partner, record, program, start, end, hours, sessions in spells:
        engine.run(
            f"INSERT INTO {name} (record_id, source_partner, program, start_date, end_date, "
            "hours, sessions) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [record, partner, program, start, end, hours, sessions],
        )


# The crosswalk and the district's demographics: P1 (r1, and eyc's e1) Black and economically
# disadvantaged, P2 (r2) White and not, P3 Asian and disadvantaged (in no program), P4 (r4)
# Black and disadvantaged.
CROSSWALK = [("r1", "P1"), ("r2", "P2"), ("r4", "P4"), ("e1", "P1"),
             ("d1", "P1"), ("d2", "P2"), ("d3", "P3"), ("d4", "P4")]  # fmt: skip
DEMOGRAPHICS = [("d1", "Black or African American", True), ("d2", "White", False),
                ("d3", "Asian", True), ("d4", "Black or African American", True)]  # fmt: skip


def plant_people(engine: Engine) -> None:
    """The ``crosswalk`` and ``person_demographics`` of the people above."""
    engine.run(
        "CREATE TABLE crosswalk (record_id VARCHAR, source_partner VARCHAR, person_key VARCHAR)"
    )
    engine.run(
        "INSERT INTO crosswalk SELECT * FROM (VALUES "
        + ", ".join(f"('{r}', 'x', '{p}')" for r, p in CROSSWALK)
        + ")"
    )
    demographics = TABLES["person_demographics"]
    engine.run(f"CREATE TABLE person_demographics AS {empty_relation_sql(demographics)}")
    for record, race, econ in DEMOGRAPHICS:
        engine.run(
            "INSERT INTO person_demographics (record_id, as_of, race_ethnicity, "
            "economically_disadvantaged) VALUES (?, DATE '2024-01-01', ?, ?)",
            [record, race, econ],
        )
