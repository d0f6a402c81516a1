"""How an indicator moved between its last two complete periods, for the home page's grid.

A change is *better* or *worse* by the indicator's direction, not by its sign: a fall in chronic
absence is better. Withheld values (``None``) give no change rather than a guess.

>>> movement(35.0, 100 / 3, higher_is_better=True)
Movement(change=1.67, direction='better')
>>> movement(35.0, 100 / 3, higher_is_better=False).direction
'worse'
>>> movement(None, 40.0, higher_is_better=True)
Movement(change=None, direction='')
"""

from __future__ import annotations

from dataclasses import dataclass

SAME = 0.005  # below this the rounded change is 0.00: no change


@dataclass(frozen=True)
class Movement:
    change: float | None  # latest minus previous, rounded to 2 places
    direction: str  # "better", "worse", "no change", or "" when unknown


def movement(latest: float | None, previous: float | None, *, higher_is_better: bool) -> Movement:
    """The change from ``previous`` to ``latest`` and whether it is an improvement."""
    if latest is None or previous is None:
        return Movement(None, "")
    change = latest - previous
    if abs(change) < SAME:
        return Movement(0.0, "no change")
    improved = (change > 0) == higher_is_better
    return Movement(round(change, 2), "better" if improved else "worse")
