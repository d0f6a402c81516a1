"""The steward page's filters, the second-factor token form, and an agreement's data elements."""

from __future__ import annotations

from typing import Any

from django import forms

from backbone.governance.models import AgreementDataElement, AuditEvent
from backbone.warehouse.contracts import CONTRACTS


def contract_choices() -> list[tuple[str, str]]:
    """The registered contracts, read when a form is built: a new importer needs no migration."""
    return [(c.name, c.title) for c in CONTRACTS.values()]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Who", help_text="A username, or part of one.")
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AuditEvent.Action.choices]
    )
    object_type = forms.CharField(
        required=False, label="Object type", help_text="e.g. identity.reviewpair"
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def filters(self) -> dict[str, Any]:
        """The valid filters, ready for ``services.filtered_events``; none when invalid."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is it for?",
        max_length=100,
        help_text="e.g. the nightly report script; shown in your list of tokens.",
    )


class OutcomesForm(forms.Form):
    purpose = forms.SlugField(
        required=False,
        max_length=80,
        label="Purpose",
        help_text="Only agreements for this purpose code, e.g. program-evaluation.",
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)


class DataElementForm(forms.ModelForm):
    """A data element with its contract chosen from the registered contracts."""

    contract = forms.ChoiceField(choices=contract_choices)

    class Meta:
        model = AgreementDataElement
        fields = ["agreement", "contract", "fields"]
