"""Primary suppression, percent coding and the published form of each cell.

The rules are standards.md §4.3 items 1-3 and 6: withhold every statistic of a group smaller than
``min_n``; withhold a numerator or complement of 1 to ``min_n - 1`` so 0% or 100% of a small
group is never exact; code percents at or beyond the top/bottom bounds and withhold their counts;
optionally show only the percent for mid-sized groups; show whole-number percents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from backbone.disclosure.cells import Cell, Partition, PublishedCell
from backbone.disclosure.derivation import (
    COMPLEMENT,
    DENOMINATOR,
    NUMERATOR,
    Bounds,
    enumerate_ratio,
    percent_ratio,
)
from backbone.disclosure.display import display_value, exact_percent, published_value
from backbone.disclosure.markers import CODED, PRIMARY, coded_display
from backbone.disclosure.policy import Policy
from backbone.disclosure.units import UNITS


@dataclass
class Exposure:
    """Which of a cell's figures are shown, and why the others are not."""

    denominator: bool = True
    numerator: bool = True
    value: bool = True
    coded: str = ""
    marker: str = ""
    rules: list[str] = field(default_factory=list)

    def withhold(self, marker: str, rule: str, *, keep_denominator: bool, keep_value: bool) -> None:
        self.denominator &= keep_denominator
        self.numerator = False
        self.value &= keep_value
        self.marker = self.marker or marker
        if rule not in self.rules:
            self.rules.append(rule)


SMALL_COUNT = "small count"  # says a count is small without saying which


def specific_reasons(min_n: int) -> set[str]:
    """The reasons that tell a reader which count is small, and so bound it."""
    return {f"primary: n < {min_n}", "small numerator", "small complement"}


PRIMARY_RULE = re.compile(r"^primary: n < (\d+)$")
BAND_RULE = re.compile(r"^percent only: n < (\d+)$")


def public_ranges(rule: str, threshold: int) -> dict[str, Bounds]:
    """What a published rule tells a reader about a cell's withheld counts.

    The audit record is public, so "primary: n < 10" says the group has 0 to 9 members and
    "small numerator" says 1 to 9 had the outcome: two primary cells adding to 18 are 9 and 9.
    """
    small = Bounds(1, threshold - 1)
    ranges: dict[str, Bounds] = {}
    for part in rule.split("; "):
        primary, band = PRIMARY_RULE.match(part), BAND_RULE.match(part)
        if primary:
            ranges[DENOMINATOR] = Bounds(0, int(primary.group(1)) - 1)
        elif band:
            ranges[DENOMINATOR] = Bounds(threshold, int(band.group(1)) - 1)
        elif part == "small numerator":
            ranges[NUMERATOR] = small
        elif part == "small complement":
            ranges[COMPLEMENT] = small
        elif part in ("top coded", "bottom coded"):
            ranges[DENOMINATOR] = Bounds(threshold)  # coding comes after the size rule
    return ranges


def has_complement(cell: Cell) -> bool:
    """Whether ``denominator - numerator`` counts people (not so for a rate of events)."""
    return cell.numerator is not None and cell.unit != "rate"


def primary_exposure(cell: Cell, policy: Policy) -> Exposure:
    """Apply the rules that look at one cell alone, in order of precedence."""
    exposure = Exposure()
    small = range(1, policy.min_n)
    if cell.denominator < policy.min_n:
        exposure.withhold(
            PRIMARY, f"primary: n < {policy.min_n}", keep_denominator=False, keep_value=False
        )
    elif code_percent(cell, policy, exposure):
        pass
    elif in_percent_band(cell, policy):
        rule = f"percent only: n < {policy.percent_only_below}"
        revealing = percent_reveals_small_count(cell, policy)
        marker = PRIMARY if revealing else ""
        exposure.withhold(marker, rule, keep_denominator=False, keep_value=not revealing)
        if revealing:
            exposure.rules.append("percent gives a small count away")
    elif cell.numerator is not None and cell.numerator in small:
        exposure.withhold(PRIMARY, "small numerator", keep_denominator=True, keep_value=False)
    elif has_complement(cell) and cell.denominator - (cell.numerator or 0) in small:
        exposure.withhold(PRIMARY, "small complement", keep_denominator=True, keep_value=False)
    return exposure


def in_percent_band(cell: Cell, policy: Policy) -> bool:
    """MCPS's band: mid-sized groups show a percent but neither count."""
    band = policy.percent_only_below
    return band is not None and cell.unit == "percent" and cell.denominator < band


def percent_reveals_small_count(cell: Cell, policy: Policy) -> bool:
    """Whether the rounded percent alone pins a small numerator or complement.

    The band is public, so a reader tries every group size in it: 91% of 10 to 19 people can
    only be 10 of 11, which gives away the one person without the outcome.
    """
    if cell.numerator is None:
        return False
    band = policy.percent_only_below or 0
    key = cell.key
    bounds = {(key, kind): Bounds() for kind in (NUMERATOR, COMPLEMENT)}
    bounds[(key, DENOMINATOR)] = Bounds(policy.min_n, band - 1)
    enumerate_ratio(bounds, percent_ratio(key, published_value(cell) or 0.0))
    return any(
        bounds[(key, kind)].pinned and 0 < bounds[(key, kind)].low < policy.min_n
        for kind in (NUMERATOR, COMPLEMENT)
    )


def code_percent(cell: Cell, policy: Policy, exposure: Exposure) -> bool:
    """Top/bottom-code a percent (on its exact value), withholding numerator and denominator."""
    percent = exact_percent(cell) if cell.unit == "percent" else None
    if percent is None or policy.bottom_code < percent < policy.top_code:
        return False
    top = percent >= policy.top_code
    exposure.withhold(
        CODED, "top coded" if top else "bottom coded", keep_denominator=False, keep_value=False
    )
    exposure.coded = coded_display(policy.top_code if top else policy.bottom_code, top)
    return True


def published_cell(cell: Cell, exposure: Exposure, policy: Policy) -> PublishedCell:
    """The cell as a reader sees it, with its audit record."""
    value = published_value(cell) if exposure.value else None
    display = exposure.coded or display_value(cell, value) or exposure.marker
    return PublishedCell(
        key=cell.key,
        numerator=cell.numerator if exposure.numerator else None,
        denominator=cell.denominator if exposure.denominator else None,
        value=value,
        display=display,
        marker=exposure.marker,
        rule="; ".join(exposure.rules) or "published",
        threshold=policy.min_n,
        policy_version=policy.version,
    )


def input_problems(cells: Sequence[Cell], partitions: Sequence[Partition]) -> list[str]:
    """Every reason the cells and partitions cannot be protected as given."""
    problems: list[str] = []
    by_key: dict[str, Cell] = {}
    for cell in cells:
        if cell.key in by_key:
            problems.append(f"cell {cell.key!r} appears twice")
        by_key[cell.key] = cell
        problems += cell_problems(cell)
    for partition in partitions:
        problems += partition_problems(partition, by_key)
    return problems


def cell_problems(cell: Cell) -> list[str]:
    problems = []
    if cell.unit not in UNITS:
        problems.append(f"cell {cell.key!r}: unit must be one of {', '.join(UNITS)}")
    if cell.denominator < 0 or (cell.numerator is not None and cell.numerator < 0):
        problems.append(f"cell {cell.key!r}: counts must not be negative")
    if has_complement(cell) and (cell.numerator or 0) > cell.denominator:
        problems.append(f"cell {cell.key!r}: numerator exceeds denominator")
    return problems


def partition_problems(partition: Partition, by_key: dict[str, Cell]) -> list[str]:
    missing = [key for key in partition.members if key not in by_key]
    if missing:
        return [f"partition {partition.total!r}: unknown cells {', '.join(map(repr, missing))}"]
    total, parts = by_key[partition.total], [by_key[key] for key in partition.parts]
    problems = []
    if sum(part.denominator for part in parts) != total.denominator:
        problems.append(f"partition {partition.total!r}: the parts' denominators do not add up")
    numerators = [cell.numerator for cell in parts if cell.numerator is not None]
    complete = total.numerator is not None and len(numerators) == len(parts)
    if complete and sum(numerators) != total.numerator:
        problems.append(f"partition {partition.total!r}: the parts' numerators do not add up")
    return problems
