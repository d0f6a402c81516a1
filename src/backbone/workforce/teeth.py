"""The teeth check: does a sector partnership have the four features that separate it from
grant theatre (seed 003)? Each passes or fails with a reason taken from the data.

1. **Commitments** — named employers' commitments with numbers, and actuals to hold them to.
2. **Curricula** — every curriculum tied to a job role at a named employer, with competencies
   that employer validated.
3. **Backbone** — the backbone's staff paid as a line item, not volunteered.
4. **Outcomes** — measured in UI wage records 2 and 4 years after exit, not by survey.

>>> from backbone.workforce.catalog import SectorPartnership
>>> bare = SectorPartnership(slug="x", name="X", sector="Logistics")
>>> [(f.feature, f.passed) for f in check(bare, reporting=set())]
[('commitments', False), ('curricula', False), ('backbone', False), ('outcomes', False)]
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from backbone.workforce.catalog import SectorPartnership

FOLLOW_UP_YEARS = {2, 4}
MEASURED_KINDS = {"interviews", "hires", "internship_slots", "apprenticeship_slots"}


@dataclass(frozen=True)
class Feature:
    feature: str
    passed: bool
    reason: str


def check(partnership: SectorPartnership, reporting: Set[str]) -> list[Feature]:
    """The four features of ``partnership``; ``reporting`` is the employers whose hiring
    events reach the warehouse (the only way a commitment gets actuals)."""
    return [
        commitments(partnership, reporting),
        curricula(partnership),
        backbone(partnership),
        outcomes(partnership),
    ]


def commitments(partnership: SectorPartnership, reporting: Set[str]) -> Feature:
    """Passes when some commitment is above a letter, has a number, and every numbered
    commitment of a measurable kind comes from an employer that reports its events."""
    real = [c for c in partnership.commitments if c.has_number and c.level != "letter_of_support"]
    letters = sum(c.level == "letter_of_support" for c in partnership.commitments)
    if not real:
        total = len(partnership.commitments)
        reason = f"no commitment with a number ({letters} letters of support, {total} in all)"
        return Feature("commitments", False, reason)
    silent = sorted({c.employer for c in real if c.kind in MEASURED_KINDS} - set(reporting))
    if silent:
        reason = (f"no actuals: {', '.join(silent)} send no interview, offer or hire "
                  "records, so their numbers cannot be checked")  # fmt: skip
        return Feature("commitments", False, reason)
    reason = f"{len(real)} commitments with numbers, each with actuals from the employer"
    return Feature("commitments", True, reason)


def curricula(partnership: SectorPartnership) -> Feature:
    """Passes when there is a curriculum and each maps to a job role and to competencies a
    named person at the employer validated on a date."""
    if not partnership.curricula:
        return Feature("curricula", False, "no curriculum is recorded")
    validated = {c.slug for c in partnership.competencies if c.validated}
    loose = [c.name for c in partnership.curricula if not c.job_roles]
    unvalidated = [c.name for c in partnership.curricula if not set(c.competencies) & validated]
    if loose:
        return Feature("curricula", False, f"not tied to a job role: {'; '.join(loose)}")
    if unvalidated:
        return Feature("curricula", False,
                       f"no employer-validated competency: {'; '.join(unvalidated)}")  # fmt: skip
    roles = sorted({r for c in partnership.curricula for r in c.job_roles})
    return Feature("curricula", True, f"every curriculum trains for a named job ({len(roles)} "
                   "job roles) with competencies the employer validated")  # fmt: skip


def backbone(partnership: SectorPartnership) -> Feature:
    """Passes when the backbone is funded as a line item."""
    b = partnership.backbone
    if b is None:
        return Feature("backbone", False, "no backbone organization is named")
    if b.funding != "line_item":
        return Feature("backbone", False, f"{b.partner}'s backbone work is {_FUNDING[b.funding]}")
    budget = f" (${b.annual_budget:,.0f} a year)" if b.annual_budget else ""
    return Feature("backbone", True, f"{b.partner} is funded as a line item{budget}")


_FUNDING = {"in_kind": "in kind, not a budget line", "volunteer": "volunteered, not paid",
            "none": "unfunded", "line_item": "a line item"}  # fmt: skip


def outcomes(partnership: SectorPartnership) -> Feature:
    """Passes when outcomes come from UI wage records at 2 and 4 years after exit."""
    o = partnership.outcomes
    if o.source != "ui_wages":
        how = "a participant survey" if o.source == "survey" else "nothing"
        return Feature("outcomes", False, f"outcomes are measured by {how}, not UI wage records")
    missing = sorted(FOLLOW_UP_YEARS - set(o.years_after_exit))
    if missing:
        years = " and ".join(str(y) for y in missing)
        return Feature("outcomes", False, f"UI wages are not followed {years} years after exit")
    return Feature("outcomes", True, "UI wage records 2 and 4 years after exit")
