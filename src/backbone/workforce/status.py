"""Commitment against actual: what each commitment promised, what the data show, and whether
it was kept (pure: no Django).

- *interviews* per completer: the completers the employer interviewed against
  ``per_completer`` × completers (``interview every completer`` is 1.0);
- *interviews* or *hires* per year: distinct people in the latest program year with events,
  against ``quantity``;
- a ``conversion_target``: hires per interview among the partnership's completers;
- slots, wage floors and contributions are recorded but the warehouse holds no actuals for
  them yet: their status is ``not measured``.

>>> from backbone.workforce.catalog import Commitment
>>> every = Commitment(employer="e", kind="interviews", per_completer=1.0, level="sustained")
>>> row = {"completed": 790, "interviewed": 519, "hired": 259}
>>> s = against(every, row, {})
>>> (s.target, s.actual, s.status)
(790, 519, 'not met')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backbone.workforce.catalog import Commitment

MET, NOT_MET, NOT_MEASURED = "met", "not met", "not measured"


@dataclass(frozen=True)
class Status:
    target: int | None
    actual: int | None
    status: str
    basis: str
    conversion: str = ""


def against(
    commitment: Commitment, pipeline: Mapping[str, Any] | None, years: Mapping[str, Any]
) -> Status:
    """``commitment`` against its employer's ``pipeline`` row (for this partnership) and its
    ``years`` (program year → interviews, offers, hires)."""
    conversion = _conversion(commitment, pipeline)
    if commitment.kind == "interviews" and commitment.per_completer and pipeline:
        target = math.ceil(commitment.per_completer * pipeline["completed"])
        actual = int(pipeline["interviewed"])
        return Status(target, actual, _kept(actual, target), "completers interviewed", conversion)
    if commitment.kind in ("interviews", "hires") and commitment.quantity and years:
        year = max(years)
        actual = int(years[year][commitment.kind])
        basis = f"{commitment.kind} in {year}"
        return Status(commitment.quantity, actual, _kept(actual, commitment.quantity), basis,
                      conversion)  # fmt: skip
    return Status(None, None, NOT_MEASURED, "no records of this kind reach the warehouse")


def _kept(actual: int, target: int) -> str:
    return MET if actual >= target else NOT_MET


def _conversion(commitment: Commitment, pipeline: Mapping[str, Any] | None) -> str:
    """'49% hired of interviewed (target 50%)', or '' without a target or interviews."""
    if commitment.conversion_target is None or not pipeline or not pipeline["interviewed"]:
        return ""
    rate = pipeline["hired"] / pipeline["interviewed"]
    kept = MET if rate >= commitment.conversion_target else NOT_MET
    return f"{rate:.1%} of interviewed hired (target {commitment.conversion_target:.0%}): {kept}"


def trend(
    commitment: Commitment, completers: Mapping[str, Any], years: Mapping[str, Any]
) -> list[tuple[str, Status]]:
    """``commitment`` against its actual in each program year: a per-completer commitment
    against ``completers`` (year of completion → completed, interviewed, hired), a yearly
    quantity against ``years`` (program year → interviews, offers, hires). Kinds without
    actuals have no trend.

    >>> every = Commitment(employer="e", kind="interviews", per_completer=1.0, level="deep")
    >>> got = trend(every, {"2023-24": {"completed": 10, "interviewed": 10, "hired": 4},
    ...                     "2024-25": {"completed": 12, "interviewed": 9, "hired": 5}}, {})
    >>> [(year, s.target, s.actual, s.status) for year, s in got]
    [('2023-24', 10, 10, 'met'), ('2024-25', 12, 9, 'not met')]
    """
    if commitment.kind == "interviews" and commitment.per_completer:
        return [(y, against(commitment, completers[y], {})) for y in sorted(completers)]
    if commitment.kind in ("interviews", "hires") and commitment.quantity:
        return [(y, against(commitment, completers.get(y), {y: years[y]})) for y in sorted(years)]
    return []
