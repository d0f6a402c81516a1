"""Protecting and auditing a whole release, against protecting each indicator on its own.

A synthetic partnership is generated in plain Python (``random.Random(seed)``, so every run
builds the same release): people in six school years with a race (skewed, so small groups
exist), an income flag and a school (additive dimensions), a homeless subset in one or two
housing project types and a workforce subset in one or two training programs (overlapping
dimensions). Nine percent indicators read them, several over the same people: graduates are
the graduation numerator and the postsecondary denominator; the two housing indicators and the
three workforce indicators share their denominators.

Timed, each best of three:

- **baseline**: ``protect`` on each indicator alone, the way releases were protected before;
- **release**: ``protect_release``, which starts from the baseline and adds what protecting the
  release as a whole needs;
- **audit**: what ``backbone check-disclosure`` computes on the published rows (goal: under
  60 s at 20,000 students).

Information loss is the share of cells withheld, alone and release-wide. Run
``python -m benchmarks disclosure_release`` (3,000 and 20,000 people per year; set
``BACKBONE_BENCH_PEOPLE`` to one size for a quick run).
"""

from __future__ import annotations

import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from backbone.disclosure import Cell, Partition, Policy, protect
from backbone.disclosure.reader import leaks
from backbone.disclosure.release import IndicatorCells, as_row, protect_release, relations_of

SCALES = (3_000, 20_000)
PEOPLE_VARIABLE = "BACKBONE_BENCH_PEOPLE"
YEARS = tuple(str(year) for year in range(2020, 2026))
RACES = {"White": 50, "Hispanic": 25, "Black": 15, "Asian": 6, "Two or more": 3, "Pacific": 1}
SCHOOLS = 8
REPEAT = 3


@dataclass(frozen=True)
class Person:
    race: str
    poor: bool
    school: str
    housing: tuple[str, ...]
    programs: tuple[str, ...]
    outcomes: tuple[float, ...]


def people(count: int, year: str, seed: int) -> list[Person]:
    """``count`` people of one year; outcomes are uniform draws each indicator thresholds."""
    draw = random.Random(f"{seed}-{year}")
    races, weights = list(RACES), list(RACES.values())
    found = []
    for _ in range(count):
        homeless = draw.random() < 0.03
        trainee = draw.random() < 0.02
        found.append(
            Person(
                race=draw.choices(races, weights)[0],
                poor=draw.random() < 0.45,
                school=f"school {draw.randrange(SCHOOLS)}",
                housing=tuple(sorted(draw.sample(["shelter", "transitional", "rapid"],
                                                 draw.randint(1, 2)))) if homeless else (),
                programs=tuple(sorted(draw.sample(["health", "IT", "trades", "driving"],
                                                  draw.randint(1, 2)))) if trainee else (),
                outcomes=tuple(draw.random() for _ in range(8)),
            )
        )  # fmt: skip
    return found


Rule = Callable[[Person], bool]


@dataclass(frozen=True)
class Definition:
    slug: str
    denominator: Rule
    numerator: Rule
    dimensions: tuple[tuple[str, Callable[[Person], Iterable[str]], bool], ...]


EDUCATION = (
    ("race", lambda p: [p.race], True),
    ("income", lambda p: ["low income" if p.poor else "not low income"], True),
    ("school", lambda p: [p.school], True),
)
HOUSING = (("project", lambda p: p.housing, False), ("school", lambda p: [p.school], True))
WORKFORCE = (("program", lambda p: p.programs, False), ("race", lambda p: [p.race], True))
DEFINITIONS = (
    Definition("attendance", lambda p: True, lambda p: p.outcomes[0] < 0.2, EDUCATION),
    Definition("reading", lambda p: p.outcomes[1] < 0.08, lambda p: p.outcomes[2] < 0.45,
               EDUCATION),
    Definition("graduation", lambda p: p.outcomes[3] < 0.08, lambda p: p.outcomes[4] < 0.85,
               EDUCATION),
    Definition("postsecondary", lambda p: p.outcomes[3] < 0.08 and p.outcomes[4] < 0.85,
               lambda p: p.outcomes[5] < 0.6, EDUCATION),
    Definition("housing_absence", lambda p: bool(p.housing), lambda p: p.outcomes[0] < 0.45,
               HOUSING),
    Definition("housing_moves", lambda p: bool(p.housing), lambda p: p.outcomes[6] < 0.3,
               HOUSING),
    Definition("employment_q2", lambda p: bool(p.programs), lambda p: p.outcomes[5] < 0.7,
               WORKFORCE),
    Definition("employment_q4", lambda p: bool(p.programs), lambda p: p.outcomes[6] < 0.75,
               WORKFORCE),
    Definition("credential", lambda p: bool(p.programs), lambda p: p.outcomes[7] < 0.8,
               WORKFORCE),
)  # fmt: skip


def indicator_cells(definition: Definition, years: dict[str, list[Person]]) -> IndicatorCells:
    """One indicator's cells by (period, dimension, group) and its additive partitions."""
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for year, persons in years.items():
        for person in persons:
            if not definition.denominator(person):
                continue
            success = int(definition.numerator(person))
            groups = [("overall", "all")] + [
                (name, group) for name, groups_of, _ in definition.dimensions
                for group in groups_of(person)
            ]  # fmt: skip
            for dimension, group in groups:
                tally = counts[(year, dimension, group)]
                tally[0] += success
                tally[1] += 1
    cells = {
        key: Cell("|".join(key), n, d, 100 * n / d, "percent") for key, (n, d) in counts.items()
    }
    partitions = []
    for name, _, additive in definition.dimensions:
        for year in years:
            parts = tuple(cell.key for key, cell in cells.items() if key[:2] == (year, name))
            total = cells.get((year, "overall", "all"))
            if additive and parts and total is not None:
                partitions.append(Partition(total.key, parts))
    additive = {name: flag for name, _, flag in definition.dimensions}
    return IndicatorCells(definition.slug, cells, partitions, additive, Policy(min_n=10))


def release(count: int, seed: int = 7) -> list[IndicatorCells]:
    years = {year: people(count, year, seed) for year in YEARS}
    return [indicator_cells(definition, years) for definition in DEFINITIONS]


def baseline(tables: list[IndicatorCells]) -> int:
    """Each indicator protected alone; returns how many cells it withholds."""
    withheld = 0
    for table in tables:
        out = protect(list(table.cells.values()), table.partitions, table.policy)
        withheld += sum(1 for cell in out.values() if cell.marker)
    return withheld


def audit(tables: list[IndicatorCells]) -> int:
    protection = protect_release(tables)
    by_indicator = {table.indicator: table for table in tables}
    rows = [
        as_row(place, by_indicator[place[0]].cells[place[1:]], out)
        for place, out in protection.published.items()
    ]
    started = time.perf_counter()
    found = leaks(rows, relations_of(tables))
    seconds = time.perf_counter() - started
    return len(found), seconds  # type: ignore[return-value]


def best(function: Callable[[], object]) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main() -> None:
    chosen = os.environ.get(PEOPLE_VARIABLE)
    scales = (int(chosen),) if chosen else SCALES
    table = Table(
        "people per year", "cells", "withheld alone", "withheld release-wide",
        "baseline s", "release s", "ratio", "audit s", "leaks after",
        title="Release-wide disclosure control (best of 3)",
    )  # fmt: skip
    for count in scales:
        tables = release(count)
        cells = sum(len(t.cells) for t in tables)
        baseline_seconds, _ = best(lambda: baseline(tables))  # noqa: B023
        release_seconds, protection = best(lambda: protect_release(tables))  # noqa: B023
        found, audit_seconds = audit(tables)
        alone, after = protection.withheld_alone, protection.withheld  # type: ignore[attr-defined]
        table.add_row(
            f"{count:,}", f"{cells:,}", f"{alone} ({alone / cells:.1%})",
            f"{after} ({after / cells:.1%})", f"{baseline_seconds:.1f}",
            f"{release_seconds:.1f}", f"{release_seconds / baseline_seconds:.1f}×",
            f"{audit_seconds:.1f}", str(found),
        )  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
