"""What a partner may send, and what a new file would replace: the upload page's service.

``sendable`` lists, for the partners a user uploads for, each contract a signed data-sharing
agreement in force lets them send today, with the agreement, the contract's columns and the
reporting schedule's periods (so the period is chosen, not typed). ``replaced`` is the loaded
submission a file for the same partner, contract and period would replace: the page asks before
it does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from backbone.governance.coverage import FieldCheck, NotCovered
from backbone.governance.dsa import Terms
from backbone.governance.services import disclosing_terms
from backbone.intake import schedule
from backbone.intake.models import ReportingSchedule, Submission
from backbone.intake.services import submittable_partners
from backbone.partnership.models import Partner
from backbone.warehouse.contracts import CONTRACTS, Contract
from backbone.warehouse.tables import TABLES


@dataclass(frozen=True)
class Sendable:
    """One contract a partner may send today: under which agreement, on which schedule."""

    partner: Partner
    contract: Contract
    agreement: str  # the governing agreement's slug ("" when agreements are not required)
    plan: ReportingSchedule | None
    periods: list[schedule.PeriodStatus] = field(default_factory=list)  # newest first

    @property
    def key(self) -> str:
        return f"{self.partner.slug}:{self.contract.name}"

    @property
    def columns(self) -> list[str]:
        """The columns of a CSV/XLSX file of this contract, required ones marked ``*`` (empty
        for a standard format such as Ed-Fi, whose layout its own specification gives)."""
        target = self.contract.target_table
        if not (self.contract.mappable and target):
            return []
        return [c.name + ("*" if c.required else "") for c in TABLES[target].columns]

    @property
    def next_due(self) -> schedule.PeriodStatus | None:
        """The oldest period not in yet (late or due), else None."""
        waiting = [p for p in self.periods if p.state in ("late", "due")]
        return waiting[-1] if waiting else None


def sendable(user: User | AnonymousUser, today: dt.date | None = None) -> list[Sendable]:
    """Every partner-contract pair ``user`` may upload today, by partner then contract title."""
    today = today or timezone.localdate()
    found = []
    for partner in submittable_partners(user).order_by("name"):
        plans = {p.contract: p for p in ReportingSchedule.objects.filter(partner=partner)}
        terms = disclosing_terms(partner)
        for contract in sorted(CONTRACTS.values(), key=lambda c: c.title):
            agreement = _agreement(terms, partner, contract.name, today)
            if agreement is None:
                continue
            plan = plans.get(contract.name)
            periods = _periods(partner, contract.name, plan, today) if plan else []
            found.append(Sendable(partner, contract, agreement, plan, periods))
    return found


def _agreement(terms: list[Terms], partner: Partner, contract: str, today: dt.date) -> str | None:
    """The slug of the agreement that would govern, "" without the requirement, or None."""
    if not getattr(settings, "BACKBONE_REQUIRE_AGREEMENTS", True):
        return ""
    try:
        return FieldCheck.start(terms, partner.slug, contract, today).candidates[0].slug
    except NotCovered:
        return None


def refusal(partner: Partner, contract: str, today: dt.date | None = None) -> str:
    """Why no agreement lets ``partner`` send ``contract`` today, in the words ingest uses."""
    day = today or timezone.localdate()
    try:
        FieldCheck.start(disclosing_terms(partner), partner.slug, contract, day)
    except NotCovered as refused:
        return str(refused)
    return f"{partner} may not send {contract} from this account"


def _periods(
    partner: Partner, contract: str, plan: ReportingSchedule, today: dt.date
) -> list[schedule.PeriodStatus]:
    loaded = Submission.objects.filter(
        partner=partner, contract=contract, status=Submission.Status.LOADED
    ).exclude(period="")
    days = {s.period: timezone.localdate(s.finished_at or s.received_at) for s in loaded}
    return schedule.calendar(plan.frequency, plan.due_days, plan.starts, days, today)


def replaced(partner: Partner, contract: str, period: str) -> Submission | None:
    """The loaded submission a new file for this period would replace (None for no period)."""
    if not period:
        return None
    return (
        Submission.objects.filter(
            partner=partner, contract=contract, period=period, status=Submission.Status.LOADED
        )
        .order_by("-pk")
        .first()
    )
