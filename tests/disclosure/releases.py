"""Synthetic releases for the release-wide disclosure tests: people, their outcomes, and up to
four indicators over the SAME people, computed by hand (no backbone code in the arithmetic).

Each period has its own ``people``. A person has one race (an additive dimension: the race
groups add up to the overall row) and is in 0 to 2 programs (an overlapping dimension: a person
can count in two program groups or in none). Race and program sizes are skewed, so small groups
and programs covering nearly everyone both turn up. The indicators share populations the way
real ones do (graduates are both the graduation numerator and the college-enrollment
denominator):

========== ============================== ============================================
indicator  denominator (who is counted)    numerator (who of them has the outcome)
========== ============================== ============================================
graduated  everyone                        outcome 1
enrolled   the graduated numerator         outcome 2      (D = graduated's N)
absent     everyone                        outcome 3      (D = graduated's D)
reengaged  everyone not graduated          outcome 4      (D = graduated's D − N)
========== ============================== ============================================

Each indicator has per period an overall row (``overall``/``all``, always present, possibly of
zero people), one row per non-empty race group and one per non-empty program group.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from backbone.disclosure import Cell, Partition, Policy, PublishedCell, protect
from backbone.disclosure.export import COLUMNS, ResultRow
from backbone.disclosure.reader import Place, Relations
from backbone.disclosure.release import IndicatorCells, as_row, relations_of

RACE, PROGRAM = "race", "program"
OVERALL = ("overall", "all")
PERIODS = ("2023-24", "2024-25")
RACES = ("Asian", "Black", "Hispanic", "Multiracial", "Native", "White")
PROGRAMS = ("ELL", "IEP", "Gifted", "Lunch")
GRADUATED, ENROLLED, ABSENT, REENGAGED = "graduated", "enrolled", "absent", "reengaged"
INDICATORS = (GRADUATED, ENROLLED, ABSENT, REENGAGED)
RATES = (0.02, 0.3, 0.5, 0.9, 0.98)  # of each outcome: the extremes get coded
THRESHOLDS = (3, 5, 10)


@dataclass(frozen=True)
class ReleaseSpec:
    seed: int
    people: int  # per period, 0..400
    periods: int  # 1..2
    races: int  # 2..6 categories
    programs: int  # 2..4 programs
    rates: tuple[float, float, float, float]  # of outcomes 1..4
    indicators: int  # 2..4: the first ones of INDICATORS
    min_n: tuple[int, int, int, int]  # each indicator's policy threshold


@dataclass(frozen=True)
class Person:
    race: int
    programs: frozenset[int]
    outcomes: tuple[bool, bool, bool, bool]


def specs(thresholds: Sequence[int] = THRESHOLDS) -> st.SearchStrategy[ReleaseSpec]:
    """Release specs as the brief draws them; ``thresholds`` are the policies' ``min_n``."""
    rate = st.sampled_from(RATES)
    threshold = st.sampled_from(tuple(thresholds))
    return st.builds(
        ReleaseSpec,
        seed=st.integers(0, 2**32 - 1),
        people=st.integers(0, 400),
        periods=st.integers(1, 2),
        races=st.integers(2, 6),
        programs=st.integers(2, 4),
        rates=st.tuples(rate, rate, rate, rate),
        indicators=st.integers(2, 4),
        min_n=st.tuples(threshold, threshold, threshold, threshold),
    )


def population(spec: ReleaseSpec, period: int) -> list[Person]:
    """One period's people; cubed weights make some races and programs rare."""
    rng = random.Random(f"{spec.seed}-{period}")
    race_weights = [rng.random() ** 3 + 0.01 for _ in range(spec.races)]
    program_weights = [rng.random() ** 2 + 0.02 for _ in range(spec.programs)]
    how_many = [rng.random() ** 3, rng.random(), rng.random()]  # in 0, 1 or 2 programs
    people = []
    for _ in range(spec.people):
        race = rng.choices(range(spec.races), race_weights)[0]
        programs: set[int] = set()
        for _ in range(rng.choices((0, 1, 2), how_many)[0]):
            left = [p for p in range(spec.programs) if p not in programs]
            programs.add(rng.choices(left, [program_weights[p] for p in left])[0])
        outcomes = tuple(rng.random() < rate for rate in spec.rates)
        people.append(Person(race, frozenset(programs), outcomes))  # type: ignore[arg-type]
    return people


# Who each indicator counts (its denominator) and who of them has its outcome (numerator).
Who = Callable[[Person], bool]
DEFINITIONS: dict[str, tuple[Who, Who]] = {
    GRADUATED: (lambda p: True, lambda p: p.outcomes[0]),
    ENROLLED: (lambda p: p.outcomes[0], lambda p: p.outcomes[1]),
    ABSENT: (lambda p: True, lambda p: p.outcomes[2]),
    REENGAGED: (lambda p: not p.outcomes[0], lambda p: p.outcomes[3]),
}


def key_of(period: str, dimension: str, group: str) -> str:
    return f"{period}|{dimension}|{group}"


def percent_cell(key: str, numerator: int, denominator: int) -> Cell:
    value = 100 * numerator / denominator if denominator else None
    return Cell(key, numerator, denominator, value, "percent")


def indicator_cells(
    indicator: str,
    counts: Mapping[tuple[str, str, str], tuple[int, int]],
    min_n: int,
) -> IndicatorCells:
    """An indicator's cells from (numerator, denominator) by (period, dimension, group), with
    each period's race groups declared as a partition of its overall row (race additive,
    program not)."""
    cells = {place: percent_cell(key_of(*place), n, d) for place, (n, d) in counts.items()}
    partitions = []
    for period in sorted({place[0] for place in counts}):
        races = tuple(key_of(*p) for p in sorted(counts) if p[:2] == (period, RACE))
        if races:
            partitions.append(Partition(key_of(period, *OVERALL), races))
    additive = {RACE: True, PROGRAM: False}
    return IndicatorCells(indicator, cells, partitions, additive, Policy(min_n=min_n))


def of_race(race: int) -> Who:
    return lambda person: person.race == race


def in_program(program: int) -> Who:
    return lambda person: program in person.programs


def build(spec: ReleaseSpec) -> list[IndicatorCells]:
    """The release: ``spec.indicators`` indicators over the same people, every period."""
    counts: dict[str, dict[tuple[str, str, str], tuple[int, int]]] = {
        name: {} for name in INDICATORS[: spec.indicators]
    }
    for p, period in enumerate(PERIODS[: spec.periods]):
        people = population(spec, p)
        groups: list[tuple[str, str, Who]] = [(*OVERALL, lambda person: True)]
        groups += [(RACE, RACES[r], of_race(r)) for r in range(spec.races)]
        groups += [(PROGRAM, PROGRAMS[g], in_program(g)) for g in range(spec.programs)]
        for dimension, group, member in groups:
            chosen = [person for person in people if member(person)]
            if not chosen and (dimension, group) != OVERALL:
                continue  # an empty group is not published at all
            for name in counts:
                counted, has = DEFINITIONS[name]
                denominator = [person for person in chosen if counted(person)]
                numerator = sum(1 for person in denominator if has(person))
                counts[name][(period, dimension, group)] = (numerator, len(denominator))
    return [
        indicator_cells(name, counts[name], spec.min_n[i])
        for i, name in enumerate(INDICATORS[: spec.indicators])
    ]


# --- from protected cells to what a reader gets ---------------------------------------------


def relations(tables: Iterable[IndicatorCells]) -> Relations:
    """The release's partitions by (period, dimension, group), and its additive dimensions."""
    return relations_of(list(tables))


def protect_alone(tables: Iterable[IndicatorCells]) -> dict[Place, PublishedCell]:
    """Each indicator protected on its own with ``protect`` (no release-wide reading)."""
    published = {}
    for table in tables:
        out = protect(list(table.cells.values()), table.partitions, table.policy)
        for place, cell in table.cells.items():
            published[(table.indicator, *place)] = out[cell.key]
    return published


def result_rows(
    tables: Iterable[IndicatorCells], published: Mapping[Place, PublishedCell]
) -> list[ResultRow]:
    """The export rows (``release.as_row``) of every published cell."""
    return [
        as_row((table.indicator, *place), cell, published[(table.indicator, *place)])
        for table in tables
        for place, cell in table.cells.items()
    ]


def write_release(
    directory: Path, rows: Sequence[ResultRow], tables: Sequence[IndicatorCells]
) -> Path:
    """``data/results.csv``, ``data/partitions.json`` and ``data/dimensions.json`` in the
    published format (src/backbone/disclosure/export.py), as ``backbone publish`` writes them."""
    data = directory / "data"
    data.mkdir(parents=True, exist_ok=True)
    with (data / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(["" if (v := getattr(row, c)) is None else v for c in COLUMNS])
    declared = [
        {
            "indicator": indicator,
            "period": total[0],
            "total": list(total[1:]),
            "parts": [[part[1], part[2], part[0]] for part in parts],
        }
        for indicator, total, parts in relations(tables).partitions
    ]
    (data / "partitions.json").write_text(json.dumps(declared, indent=1), encoding="utf-8")
    dimensions = {
        table.indicator: {name: {"additive": flag} for name, flag in table.additive.items()}
        for table in tables
    }
    (data / "dimensions.json").write_text(json.dumps(dimensions, indent=1), encoding="utf-8")
    return directory
