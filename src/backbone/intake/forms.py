from django import forms
from django.db.models import QuerySet

from backbone.intake.models import ReportingSchedule, Submission
from backbone.intake.schedule import PeriodStatus
from backbone.intake.uploads import Sendable, refusal, replaced
from backbone.partnership.models import Partner
from backbone.warehouse.contracts import CONTRACTS


class UploadForm(forms.Form):
    """One file for one of the contracts the user may send (``sendables``): the pair must be
    one of them, the period one of its schedule's, and replacing a loaded period is confirmed."""

    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label=None)
    contract = forms.ChoiceField(
        choices=(),
        help_text="What the file holds. Only the contracts a data-sharing agreement in force "
        "lets the partner send are listed.",
    )
    period = forms.CharField(
        required=False,
        max_length=20,
        help_text="The period it covers, e.g. 2024-25, 2025-Q2 or 2025-03.",
    )
    replace = forms.BooleanField(
        required=False,
        label="Yes, replace the data already loaded",
        help_text="Its rows leave the warehouse once the new file loads.",
    )
    file = forms.FileField(help_text="CSV, XLSX, XML, JSON, or a zip of an export.")

    def __init__(
        self, *args: object, partners: QuerySet[Partner], sendables: list[Sendable],
        chosen: Sendable | None = None, **kwargs: object,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sendables = {s.key: s for s in sendables}
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        # Every contract is a valid choice, so one no agreement covers gets the reason (clean).
        titles = {c.name: c.title for c in CONTRACTS.values()}
        self.fields["contract"].choices = sorted(titles.items(), key=lambda c: c[1])  # type: ignore[attr-defined]
        self.replacing: Submission | None = None
        if chosen is not None:
            self.initial.update(partner=chosen.partner.pk, contract=chosen.contract.name)
            if chosen.plan is not None and chosen.periods:
                self.fields["period"] = _schedule_periods(chosen, chosen.plan)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        partner, contract, period = data.get("partner"), data.get("contract"), data.get("period")
        if partner is None or contract is None:
            return data
        sendable = self.sendables.get(f"{partner.slug}:{contract}")  # type: ignore[attr-defined]
        if sendable is None:
            reason = refusal(partner, str(contract))  # type: ignore[arg-type]
            raise forms.ValidationError(f"Not received: {reason}.")
        labels = [p.period.label for p in sendable.periods]
        if labels and period not in labels:
            self.add_error(
                "period", f"Choose one of the schedule's periods: {', '.join(labels[:6])}."
            )
        self.replacing = replaced(partner, str(contract), str(period or ""))  # type: ignore[arg-type]
        return data

    @property
    def unconfirmed(self) -> Submission | None:
        """The loaded submission this upload would replace without the box ticked. Whether the
        upload is that submission's own bytes again (then nothing is replaced) is known only
        once it is archived: ``tasks.queue_upload`` hashes it as it copies, reading it once."""
        return None if self.cleaned_data.get("replace") else self.replacing

    def ask_to_replace(self) -> None:
        """Ask, under the box, before the period's loaded data is replaced."""
        old, period = self.replacing, self.cleaned_data.get("period")
        assert old is not None
        self.add_error(
            "replace",
            f"Period {period} already holds submission {old.pk} ({old.original_name}, loaded "
            f"{old.finished_at or old.received_at:%Y-%m-%d}: {old.total_rows:,} rows, "
            f"{old.identity_records:,} identity records). Tick this box to replace it.",
        )


def _schedule_periods(chosen: Sendable, plan: ReportingSchedule) -> forms.ChoiceField:
    """The period as a choice among the schedule's, the oldest one not in yet first chosen."""
    return forms.ChoiceField(
        choices=[(p.period.label, _period_label(p)) for p in chosen.periods],
        initial=chosen.next_due.period.label if chosen.next_due else None,
        help_text=f"From the reporting schedule: {_lower_first(plan.get_frequency_display())}.",
    )


STATES = {
    "in": "loaded",
    "in_late": "loaded late",
    "late": "late, was due {due}",
    "due": "due {due}",
}


def _period_label(status: PeriodStatus) -> str:
    state = STATES[status.state].format(due=f"{status.due:%Y-%m-%d}")
    return f"{status.period.label} — {state}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
