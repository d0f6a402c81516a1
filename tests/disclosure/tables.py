"""Synthetic tables for the disclosure tests: a population, aggregated into additive cells.

People get a school, a group in each of several dimensions and an outcome; every cell is a real
aggregate of them, so the partitions add up by construction and small groups turn up naturally.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from backbone.disclosure import Cell, Partition

Person = tuple[int, tuple[int, ...], bool]  # school, group per dimension, outcome


@dataclass(frozen=True)
class TableSpec:
    seed: int
    dimension_sizes: tuple[int, ...]  # 2-4 dimensions of 2-8 groups
    schools: int  # 0 for a single level, else schools within the district
    people: int
    outcome_rate: float
    unit: str


def population(spec: TableSpec) -> list[Person]:
    rng = random.Random(spec.seed)
    # Cubed weights make some groups rare, which is where suppression happens.
    weights = [[rng.random() ** 3 + 0.01 for _ in range(size)] for size in spec.dimension_sizes]
    school_weights = [rng.random() ** 2 + 0.05 for _ in range(max(spec.schools, 1))]
    return [
        (
            rng.choices(range(len(school_weights)), school_weights)[0],
            tuple(rng.choices(range(len(w)), w)[0] for w in weights),
            rng.random() < spec.outcome_rate,
        )
        for _ in range(spec.people)
    ]


def build(spec: TableSpec) -> tuple[list[Cell], list[Partition]]:
    """The cells (overall, groups, schools, groups within schools) and every partition."""
    people = population(spec)
    cells: list[Cell] = []

    def add(key: str, member: Callable[[Person], bool]) -> str:
        chosen = [p for p in people if member(p)]
        numerator = sum(p[2] for p in chosen)
        value = 100 * numerator / len(chosen) if chosen else None
        if spec.unit == "count":
            value = float(numerator)
        cells.append(Cell(key, numerator, len(chosen), value, spec.unit))
        return key

    total = add("all", lambda p: True)
    partitions = []
    for d, size in enumerate(spec.dimension_sizes):
        groups = [add(f"d{d}={g}", lambda p, d=d, g=g: p[1][d] == g) for g in range(size)]
        partitions.append(Partition(total, tuple(groups)))
    if spec.schools:
        schools = [add(f"s{s}", lambda p, s=s: p[0] == s) for s in range(spec.schools)]
        partitions.append(Partition(total, tuple(schools)))
        for d, size in enumerate(spec.dimension_sizes):
            for s in range(spec.schools):
                parts = tuple(
                    add(f"s{s}|d{d}={g}", lambda p, s=s, d=d, g=g: p[0] == s and p[1][d] == g)
                    for g in range(size)
                )
                partitions.append(Partition(f"s{s}", parts))
            for g in range(size):
                across = tuple(f"s{s}|d{d}={g}" for s in range(spec.schools))
                partitions.append(Partition(f"d{d}={g}", across))
    return cells, partitions
