"""Crossed dimensions: one group per combination of two or more dimensions (pure: no Django).

A definition may list ``[race_ethnicity, economically_disadvantaged]`` as one dimension. Its
results are named by the columns joined with :data:`CROSS` (``race_ethnicity ×
economically_disadvantaged``) and each group by its codes joined the same way (``Black or African
American × true``; ``missing`` stands for a person with no value in one of them).

A crossed table is a partition of each of its margins: the cells whose race is Black add up to
the ``race_ethnicity`` row for Black when the definition also breaks down by race alone. Hiding
one small crossed cell is then not enough; its margin row would give it away by subtraction, so
:func:`margin_partitions` declares those sums for disclosure control (see
``docs/indicators.md#crossed-dimensions``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

CROSS = " × "

Place = tuple[str, str, str]  # (period, dimension, group)


def cross_name(columns: Iterable[str]) -> str:
    """The name results give a crossed dimension.

    >>> cross_name(["race_ethnicity", "economically_disadvantaged"])
    'race_ethnicity × economically_disadvantaged'
    """
    return CROSS.join(columns)


def is_crossed(dimension: str) -> bool:
    """Whether a result's dimension is a crossed one.

    >>> is_crossed("race_ethnicity × sex"), is_crossed("race_ethnicity")
    (True, False)
    """
    return CROSS in dimension


def split(dimension: str, group: str) -> list[tuple[str, str]]:
    """The (dimension, group) of each margin of a crossed result; a plain one as it is.

    >>> split("race_ethnicity × sex", "Asian × female")
    [('race_ethnicity', 'Asian'), ('sex', 'female')]
    >>> split("sex", "male")
    [('sex', 'male')]
    """
    columns, codes = dimension.split(CROSS), group.split(CROSS)
    if len(columns) != len(codes):  # a code holding the separator: read it as one group
        return [(dimension, group)]
    return list(zip(columns, codes, strict=True))


def margin_partitions(places: Iterable[Place]) -> list[tuple[Place, tuple[Place, ...]]]:
    """Each margin row present among ``places`` with the crossed cells that add up to it.

    >>> places = [("2024", "sex", "female"), ("2024", "sex", "male"),
    ...           ("2024", "race × sex", "A × female"), ("2024", "race × sex", "B × female"),
    ...           ("2024", "race × sex", "A × male")]
    >>> for total, parts in margin_partitions(places): print(total, "=", parts)
    ('2024', 'sex', 'female') = (('2024', 'race × sex', 'A × female'), ('2024', 'race × sex', 'B × female'))
    ('2024', 'sex', 'male') = (('2024', 'race × sex', 'A × male'),)
    """  # noqa: E501
    present = set(places)
    members: dict[Place, list[Place]] = defaultdict(list)
    for place in sorted(present):
        period, dimension, group = place
        if not is_crossed(dimension):
            continue
        for margin in split(dimension, group):
            if (period, *margin) in present:
                members[(period, *margin)].append(place)
    return [(total, tuple(parts)) for total, parts in sorted(members.items())]
