"""What a reader sees of an employer's pipeline: each stage a count of people, protected like
every other number (pure: no Django).

The stages nest (the hired are among the offered, the offered among the interviewed, …), so
each stage and the people who stopped before it split the stage above: a partition. Under the
policy's minimum a count is withheld (``*``), and complementary suppression keeps a withheld
count from being worked out as a difference (``‡``).

>>> row = {"enrolled": 40, "completed": 30, "interviewed": 28, "offered": 20, "hired": 18,
...        "retained": 15}
>>> [(s.stage, s.shown) for s in protected_pipeline(row, Policy())][1:3]
[('completed', '30'), ('interviewed', '‡')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from backbone.disclosure import Cell, Partition, Policy, protect
from backbone.workforce.actuals import STAGES


@dataclass(frozen=True)
class Stage:
    stage: str
    shown: str
    value: int | None  # None when withheld


def protected_pipeline(row: Mapping[str, Any], policy: Policy | None) -> list[Stage]:
    """The six stages of ``row`` as shown under ``policy`` (None: exact)."""
    if policy is None:
        return [Stage(s, str(row[s]), int(row[s])) for s in STAGES]
    cells = [_count(s, int(row[s])) for s in STAGES]
    partitions = []
    for above, stage in pairwise(STAGES):
        cells.append(_count(f"{above}-{stage}", int(row[above]) - int(row[stage])))
        partitions.append(Partition(above, (stage, f"{above}-{stage}")))
    shown = protect(cells, partitions, policy)
    return [_stage(s, shown[s].display, int(row[s])) for s in STAGES]


def protected_count(key: str, count: int | None, policy: Policy | None) -> str:
    """One count as shown: exact, withheld under the minimum, or ``—`` when there is none.

    >>> protected_count("x", 4, Policy()), protected_count("x", 4, None)
    ('*', '4')
    """
    if count is None:
        return "—"
    return protect([_count(key, count)], [], policy)[key].display if policy else str(count)


def shown_status(status: str, conversion: str, actual: str, stages: list[Stage]) -> list[str]:
    """A commitment's status and conversion as shown: the status is withheld with its actual,
    and the conversion rate (hires per interview) whenever either count is withheld — a rate of
    small counts gives them away.

    >>> shown_status("not met", "33.3% of interviewed hired", "*", [Stage("hired", "*", None)])
    ['withheld', '']
    """
    hidden = {s.stage for s in stages if s.value is None}
    withheld = actual in ("*", "‡")
    return [
        "withheld" if withheld else status,
        "" if hidden & {"interviewed", "hired"} else conversion,
    ]


def _stage(stage: str, shown: str, value: int) -> Stage:
    return Stage(stage, shown, value if shown == str(value) else None)


def _count(key: str, n: int) -> Cell:
    return Cell(key, None, n, float(n), "count")
