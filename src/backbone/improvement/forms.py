"""The forms of a network's page: its charter, actions, PDSA cycles and barriers."""

from __future__ import annotations

from typing import Any

from django import forms

from backbone.improvement.models import ActionItem, Charter, Measure, PdsaCycle, PolicyBarrier
from backbone.indicators.library import standard_library
from backbone.indicators.models import Indicator
from backbone.partnership.models import GovernanceBody, Person

DATE = forms.DateInput(attrs={"type": "date"})
MEASURE_FIELDS = {kind: f"{kind}_measures" for kind in Measure.Kind.values}


def indicator_choices() -> list[tuple[str, str]]:
    """Installed indicators and the standard library's, by slug (a charter may come first)."""
    named = {i.slug: i.definition.name for i in standard_library()}
    named.update(Indicator.objects.values_list("slug", "name"))
    return sorted(named.items(), key=lambda item: item[1])


def members_of(body: GovernanceBody) -> forms.ModelChoiceField:
    people = Person.objects.filter(memberships__body=body).distinct()
    return forms.ModelChoiceField(people, label="Owner")


class CharterForm(forms.ModelForm):
    outcome_measures = forms.MultipleChoiceField(required=False)
    process_measures = forms.MultipleChoiceField(required=False)
    balancing_measures = forms.MultipleChoiceField(required=False)

    class Meta:
        model = Charter
        fields = [
            "aim", "indicator", "dimension", "group", "baseline_value", "baseline_period",
            "target_value", "target_date",
        ]  # fmt: skip
        widgets = {"aim": forms.Textarea(attrs={"rows": 3}), "target_date": DATE}

    def __init__(self, *args: Any, body: GovernanceBody, **kwargs: Any) -> None:
        existing = Charter.objects.filter(body=body).first()
        kwargs.setdefault("instance", existing or Charter(body=body))
        super().__init__(*args, **kwargs)
        choices = indicator_choices()
        self.fields["indicator"] = forms.ChoiceField(choices=choices, label="Aim's indicator")
        for kind, name in MEASURE_FIELDS.items():
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = choices
            if self.instance.pk:
                self.initial[name] = [m.indicator for m in self.instance.measures.filter(kind=kind)]

    def save(self, commit: bool = True) -> Charter:
        charter: Charter = super().save()
        for kind, name in MEASURE_FIELDS.items():
            wanted = set(self.cleaned_data[name])
            charter.measures.filter(kind=kind).exclude(indicator__in=wanted).delete()
            for slug in sorted(wanted):
                Measure.objects.get_or_create(charter=charter, kind=kind, indicator=slug)
        return charter


class ActionForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due", "status"]
        widgets = {"due": DATE}

    def __init__(self, *args: Any, body: GovernanceBody, **kwargs: Any) -> None:
        kwargs.setdefault("instance", ActionItem(body=body))
        super().__init__(*args, **kwargs)
        self.fields["owner"] = members_of(body)


class ActionStatusForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["status"]


class PdsaForm(forms.ModelForm):
    """The plan of a new cycle; its number follows the last of the same change idea."""

    class Meta:
        model = PdsaCycle
        fields = [
            "change_idea", "owner", "purpose", "objective", "question", "prediction", "measure",
            "plan", "planned_start", "planned_end",
        ]  # fmt: skip
        widgets: dict[str, forms.Widget] = {"planned_start": DATE, "planned_end": DATE}
        for name in ("objective", "question", "prediction", "plan"):
            widgets[name] = forms.Textarea(attrs={"rows": 2})

    def __init__(self, *args: Any, body: GovernanceBody, **kwargs: Any) -> None:
        kwargs.setdefault("instance", PdsaCycle(body=body, number=0))
        super().__init__(*args, **kwargs)
        self.fields["owner"] = members_of(body)
        self.fields["owner"].required = False
        measures = self.fields["measure"]
        assert isinstance(measures, forms.ModelChoiceField)
        measures.queryset = Measure.objects.filter(charter__body=body)


class PdsaCloseForm(forms.ModelForm):
    """Do, study and act: what happened, what was learnt, and the decision that closes it."""

    class Meta:
        model = PdsaCycle
        fields = [
            "actual_start", "actual_end", "as_planned", "observations", "analysis",
            "prediction_confirmed", "learning", "decision", "next_cycle",
        ]  # fmt: skip
        widgets: dict[str, forms.Widget] = {"actual_start": DATE, "actual_end": DATE}
        for name in ("observations", "analysis", "learning", "next_cycle"):
            widgets[name] = forms.Textarea(attrs={"rows": 2})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("actual_start", "actual_end", "learning", "decision"):
            self.fields[name].required = True


class BarrierForm(forms.ModelForm):
    class Meta:
        model = PolicyBarrier
        fields = ["title", "description", "level", "raised_by_partner", "advocacy"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "advocacy": forms.Textarea(attrs={"rows": 3})}  # fmt: skip
        labels = {"raised_by_partner": "Raised with a partner (optional)"}

    def __init__(self, *args: Any, body: GovernanceBody, **kwargs: Any) -> None:
        kwargs.setdefault("instance", PolicyBarrier(raised_by_body=body))
        super().__init__(*args, **kwargs)
