"""A crossed table (race × income) is a partition of each of its margins: one small crossed cell
must not come back by subtraction from the race or income rows, on the public release or on a
staff page. The attacker (tests/release_attacker.py) is told the margin sums by hand, as any
reader of the definition knows them, so it does not rely on what the publisher declares."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from backbone.disclosure import Policy
from backbone.disclosure.export import COLUMNS
from backbone.disclosure.release import IndicatorCells, as_row, protect_release
from backbone.indicators.protection import protected
from backbone.scorecard.cells import Computed, Declared, plan
from tests.release_attacker import run

SLUG, PERIOD = "reading", "2025"
RACE, INCOME = "race_ethnicity", "economically_disadvantaged"
CROSSED = f"{RACE} × {INCOME}"
# (dimension, group) → (numerator, denominator), made up so that every sum below holds:
#            income yes    income no    race total
#   A        20 of 42      12 of 25     32 of 67
#   B         2 of 3       18 of 37     20 of 40    ← B × yes is 3 people: must stay hidden
#   total    22 of 45      30 of 62     52 of 107
FIGURES = {
    ("overall", "all"): (52, 107),
    (RACE, "A"): (32, 67),
    (RACE, "B"): (20, 40),
    (INCOME, "true"): (22, 45),
    (INCOME, "false"): (30, 62),
    (CROSSED, "A × true"): (20, 42),
    (CROSSED, "A × false"): (12, 25),
    (CROSSED, "B × true"): (2, 3),
    (CROSSED, "B × false"): (18, 37),
}
SMALL = (CROSSED, "B × true")


def rows() -> list[Computed]:
    return [
        Computed(PERIOD, d, g, n, size, 100 * n / size) for (d, g), (n, size) in FIGURES.items()
    ]


def margins_by_hand() -> list[dict[str, object]]:
    """The sums a reader of the definition knows: each race row and each income row is the sum
    of its crossed cells; the crossed cells add up to the total."""
    entries = [
        ((RACE, "A"), ["A × true", "A × false"]),
        ((RACE, "B"), ["B × true", "B × false"]),
        ((INCOME, "true"), ["A × true", "B × true"]),
        ((INCOME, "false"), ["A × false", "B × false"]),
        (("overall", "all"), ["A × true", "A × false", "B × true", "B × false"]),
    ]
    return [
        {"indicator": SLUG, "period": PERIOD, "total": list(total),
         "parts": [[CROSSED, g] for g in groups]}
        for total, groups in entries
    ]  # fmt: skip


def write_export(folder: Path, published: list[dict[str, object]]) -> Path:
    data = folder / "data"
    data.mkdir(parents=True)
    with (data / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in published)
    (data / "partitions.json").write_text(json.dumps(margins_by_hand()))
    additive = {d: {"additive": True} for d in (RACE, INCOME, CROSSED)}
    (data / "dimensions.json").write_text(json.dumps({SLUG: additive}))
    return folder


def truth() -> dict[tuple[str, str, str, str], tuple[int | None, int]]:
    return {(SLUG, PERIOD, d, g): counts for (d, g), counts in FIGURES.items()}


def release_rows() -> list[dict[str, object]]:
    made = plan(rows(), "percent")
    table = IndicatorCells(
        SLUG, {(r.period, r.dimension, r.group): made.cells[f"{PERIOD}|{r.dimension}|{r.group}"]
               for r in rows()},
        made.partitions, made.additive, Policy(),
    )  # fmt: skip
    protection = protect_release([table])
    return [
        {c: getattr(as_row(place, table.cells[place[1:]], out), c) for c in COLUMNS}
        for place, out in protection.published.items()
    ]


def staff_rows() -> list[dict[str, object]]:
    return [
        {"indicator": SLUG, "period": s.period, "dimension": s.dimension, "group": s.group,
         "unit": "percent", "numerator": s.numerator, "denominator": s.denominator,
         "value": s.value, "display": s.display, "marker": s.marker, "rule": s.rule,
         "threshold": Policy().min_n, "policy_version": "test"}
        for s in protected(rows(), "percent", Policy())
    ]  # fmt: skip


def test_the_crossed_cells_are_declared_as_partitions_of_each_margin():
    declared = plan(rows(), "percent").declared
    assert (
        Declared(PERIOD, (RACE, "B"), ((CROSSED, "B × false"), (CROSSED, "B × true"))) in declared
    )
    assert Declared(PERIOD, (INCOME, "true"), ((CROSSED, "A × true"), (CROSSED, "B × true"))) in (
        declared
    )


@pytest.mark.parametrize("published", [release_rows, staff_rows], ids=["release", "staff"])
def test_a_small_crossed_cell_cannot_be_recovered_from_its_margins(tmp_path, published):
    shown = published()
    small = next(r for r in shown if (r["dimension"], r["group"]) == SMALL)
    assert small["numerator"] is None and small["denominator"] is None
    report = run(write_export(tmp_path, shown), truth())
    assert report.findings == []
    assert report.notes == []
    assert report.examined >= 3  # B × yes: its size, numerator and complement were looked at
