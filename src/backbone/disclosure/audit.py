"""The disclosure audit: what a reader can recover from what is published, and nothing else.

Works only from published figures (it never sees the true counts), so a release can be checked
independently of the code that protected it. A finding is a withheld denominator, numerator or
complement whose value is pinned down exactly by the published figures and lies strictly
between 0 and the cell's threshold, or such a figure published outright. The figures can pin a
value in several ways: subtraction within a partition, combinations of partitions,
non-negativity, a shown percent times a known denominator, the ranges the published rules
state, and linear programming over all of these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from backbone.disclosure.cells import Partition, connected_groups
from backbone.disclosure.derivation import (
    COMPLEMENT,
    DENOMINATOR,
    KIND_NAMES,
    NUMERATOR,
    Facts,
    InconsistentData,
    Quantity,
    Ratio,
    derive,
    percent_ratio,
)
from backbone.disclosure.markers import CODED_PATTERN
from backbone.disclosure.primary import public_ranges


@dataclass(frozen=True)
class Figure:
    """One cell as published: withheld figures are None; ``display`` carries coded percents."""

    key: str
    unit: str
    numerator: int | None
    denominator: int | None
    value: float | None
    display: str
    threshold: int
    rule: str = ""


@dataclass(frozen=True)
class Finding:
    """A small figure a reader can learn: ``how`` is ``"derived"`` or ``"published"``."""

    key: str
    quantity: str
    value: int
    threshold: int
    how: str


def recoverable(figures: Sequence[Figure], partitions: Sequence[Partition]) -> list[Finding]:
    """Every figure with 0 < value < threshold a reader can learn from ``figures``.

    Raises :class:`InconsistentData` when the published numbers contradict the partitions.

    Example: a published total of 40, one group of 35 and the other withheld gives a finding for
    the withheld group's denominator, 5.
    """
    by_key = {figure.key: figure for figure in figures}
    findings: list[Finding] = []
    for keys, linked in connected_groups(list(by_key), partitions):
        findings += recoverable_in({key: by_key[key] for key in keys}, linked)
    return findings


def recoverable_in(by_key: dict[str, Figure], partitions: Sequence[Partition]) -> list[Finding]:
    """:func:`recoverable` for cells linked by ``partitions``."""
    facts = published_facts(by_key, partitions)
    bounds = derive(facts, lambda q, b: b.low < by_key[q[0]].threshold)
    findings = [
        finding(by_key[key], kind, bound.low, "derived")
        for (key, kind), bound in sorted(bounds.items())
        if bound.pinned and 0 < bound.low < by_key[key].threshold
    ]
    findings += [
        finding(by_key[key], kind, value, "published")
        for (key, kind), value in sorted(facts.known.items())
        if 0 < value < by_key[key].threshold
    ]
    return findings


def finding(figure: Figure, kind: str, value: int, how: str) -> Finding:
    return Finding(figure.key, KIND_NAMES[kind], value, figure.threshold, how)


def figure_kinds(figure: Figure) -> tuple[str, ...]:
    """A median has no numerator; a rate's numerator counts events, so it has no complement."""
    if figure.unit == "median":
        return (DENOMINATOR,)
    return (
        (DENOMINATOR, NUMERATOR) if figure.unit == "rate" else (DENOMINATOR, NUMERATOR, COMPLEMENT)
    )


def published_facts(by_key: dict[str, Figure], partitions: Iterable[Partition]) -> Facts:
    facts = Facts()
    for key, figure in by_key.items():
        shown = {DENOMINATOR: figure.denominator, NUMERATOR: figure.numerator}
        if figure.denominator is not None and figure.numerator is not None:
            shown[COMPLEMENT] = figure.denominator - figure.numerator
        for kind in figure_kinds(figure):
            value = shown.get(kind)
            if value is None:
                facts.unknown.add((key, kind))
            else:
                facts.known[(key, kind)] = value
        if COMPLEMENT in figure_kinds(figure):
            facts.equations.append(
                {(key, DENOMINATOR): 1, (key, NUMERATOR): -1, (key, COMPLEMENT): -1}
            )
        ratio = shown_ratio(figure)
        if ratio is not None:
            facts.ratios.append(ratio)
        for kind, bounds in public_ranges(figure.rule, figure.threshold).items():
            if kind in figure_kinds(figure):
                facts.ranges[(key, kind)] = bounds
    for partition in partitions:
        facts.equations += equations_for(partition, by_key)
    return facts


def equations_for(partition: Partition, by_key: dict[str, Figure]) -> list[dict[Quantity, int]]:
    members = [by_key[key] for key in partition.members]
    shared = set.intersection(*(set(figure_kinds(figure)) for figure in members))
    equations = []
    for kind in sorted(shared):
        equation = {(key, kind): -1 for key in partition.parts}
        equation[(partition.total, kind)] = 1
        equations.append(equation)
    return equations


def shown_ratio(figure: Figure) -> Ratio | None:
    """What a shown or coded percent says about a withheld numerator."""
    if figure.unit != "percent" or figure.numerator is not None:
        return None
    coded = CODED_PATTERN.match(figure.display)
    if coded:
        bound = Fraction(coded.group(2))
        top = coded.group(1) == ">="
        return (
            Ratio(figure.key, bound, Fraction(100))
            if top
            else Ratio(figure.key, Fraction(0), bound)
        )
    if figure.value is None:
        return None
    return percent_ratio(figure.key, figure.value)


__all__ = ["Figure", "Finding", "InconsistentData", "recoverable"]
