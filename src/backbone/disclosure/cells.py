"""What goes into and comes out of :func:`backbone.disclosure.protect`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One statistic for one group before protection.

    ``numerator`` is None for a median. For a count, ``value`` is the count shown (the numerator,
    or the denominator when there is no numerator). ``prefix`` is put before a displayed median or
    count, e.g. ``"$"`` for median earnings.

    Example: ``Cell("race=Black", numerator=12, denominator=40, value=30.0, unit="percent")``.
    """

    key: str
    numerator: int | None
    denominator: int
    value: float | None
    unit: str
    prefix: str = ""


@dataclass(frozen=True)
class Partition:
    """A total and the cells whose numerators and denominators add up to it exactly.

    Only additive groupings belong here: schools in a district, quarters in a year, the categories
    of a single-valued dimension. Overlapping groups (a person in two programs) must not be passed.
    """

    total: str
    parts: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        """The total followed by its parts."""
        return (self.total, *self.parts)


@dataclass(frozen=True)
class PublishedCell:
    """One statistic as published, with its audit record (rule, threshold, policy version).

    ``numerator``, ``denominator`` and ``value`` are None when withheld; ``display`` is what a
    reader sees and ``marker`` is one of ``""``, ``"*"``, ``"‡"``, ``"coded"``.
    """

    key: str
    numerator: int | None
    denominator: int | None
    value: float | None
    display: str
    marker: str
    rule: str
    threshold: int
    policy_version: str


def connected_groups(
    keys: Sequence[str], partitions: Sequence[Partition]
) -> list[tuple[list[str], list[Partition]]]:
    """The cell keys split into groups linked by partitions, each with its partitions."""
    parent = {key: key for key in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for partition in partitions:
        for member in partition.parts:
            parent[root(member)] = root(partition.total)
    groups: dict[str, tuple[list[str], list[Partition]]] = {}
    for key in keys:
        groups.setdefault(root(key), ([], []))[0].append(key)
    for partition in partitions:
        groups[root(partition.total)][1].append(partition)
    return list(groups.values())
