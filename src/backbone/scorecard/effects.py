"""A study as the public scorecard prints it: its question and lineage in words, and its
estimate with no more digits than its interval supports.

The 95% CI's half-width is kept to two significant figures and the estimate, its bounds and the
naive difference are rounded to the same place: a half-width of 6.6 points gives tenths, one of
$222 gives tens of dollars, one of 0.057 gives thousandths.

>>> shown(7.634, 1.02, 14.25, -6.21)
Shown(estimate='+7.6', interval='1.0 to 14.2', naive='−6.2')
>>> shown(1353.4, 1131.2, 1575.6, 1436.0)
Shown(estimate='+1,350', interval='1,130 to 1,580', naive='+1,440')
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash beside "to"


@dataclass(frozen=True)
class Shown:
    estimate: str
    interval: str
    naive: str


def decimals(low: float, high: float) -> int:
    """Decimal places that keep the CI's half-width to two significant figures (negative:
    round to tens, hundreds…).

    >>> decimals(1.0, 14.2), decimals(1131, 1575), decimals(0.019, 0.133)
    (1, -1, 3)
    """
    half = (high - low) / 2
    if not math.isfinite(half) or half <= 0:
        return 2
    return 1 - math.floor(math.log10(half))


def number(value: float, places: int, *, sign: bool = False) -> str:
    """``value`` rounded to ``places`` with thousands separators and a true minus sign.

    >>> number(-3.104, 2), number(1452.0, -1, sign=True), number(0.0, 1, sign=True)
    ('−3.10', '+1,450', '0.0')
    """
    rounded = round(value, places) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = f"{abs(rounded):,.{max(places, 0)}f}"
    if rounded < 0:
        return MINUS + text
    return ("+" + text) if sign and rounded > 0 else text


def shown(effect: float, ci_low: float, ci_high: float, naive: float | None) -> Shown:
    """The estimate and the naive difference (signed; "" when there is none, as for pre/post
    growth) and the interval, all to the precision the interval supports."""
    places = decimals(ci_low, ci_high)
    interval = f"{number(ci_low, places)} to {number(ci_high, places)}"
    beside = "" if naive is None else number(naive, places, sign=True)
    return Shown(number(effect, places, sign=True), interval, beside)


def question(participation: str, outcome: str, follow_up: str = "") -> str:
    """The study's question in words (``*`` is any training program).

    >>> question("Tutoring", "days absent", "that year")
    'Did taking part in Tutoring change days absent? Measured: that year.'
    """
    program = "any training program" if participation == "*" else participation
    measured = f" Measured: {follow_up}." if follow_up else ""
    return f"Did taking part in {program} change {outcome}?{measured}"


def lineage(
    ran_on: dt.date, version: str, loads: int, partners: Sequence[str], linkage: str = ""
) -> str:
    """Where a run's data came from, in words.

    >>> said = lineage(dt.date(2026, 5, 4), "0.9", 3, ["Schools", "Tutors", "Clinic"], "run 2")
    >>> print(*said.split("; "), sep="\\n")
    Run on 4 May 2026 with backbone 0.9, on 3 data files from Clinic, Schools and Tutors
    people matched across partners by linkage run 2.
    """
    names = sorted(partners)
    who = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    files = f", on {loads} data file{'s' if loads != 1 else ''}" if loads else ""
    files += f" from {who}" if who and loads else ""
    linked = f"; people matched across partners by linkage {linkage}" if linkage else ""
    return f"Run on {ran_on.day} {ran_on:%B %Y} with backbone {version}{files}{linked}."
