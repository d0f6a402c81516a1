"""Forms of the targets page and of stories (docs/targets.md)."""

from __future__ import annotations

from typing import Any

from django import forms

from backbone.indicators.models import Milestone, Target
from backbone.indicators.target_services import TargetChoice
from backbone.indicators.targets import OVERALL
from backbone.indicators.targets_file import STORY_TEXTS
from backbone.partnership.models import GovernanceBody, Partner


def parse_values(text: str) -> dict[str, float]:
    """``group: value`` per line, e.g. ``overall: 40`` and ``B: 20`` (a comma for decimals
    too); ``ValueError`` names the first line that is not."""
    values: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        group, colon, value = line.rpartition(":")
        try:
            if not colon or not group.strip():
                raise ValueError
            values[group.strip()] = float(value.strip().replace(",", "."))
        except ValueError:
            raise ValueError(f"line {number} is not 'group: value': {line.strip()!r}") from None
    if not values:
        raise ValueError("give at least one 'group: value' line")
    return values


class BaselineForm(forms.Form):
    period = forms.CharField(max_length=4, help_text="The year the baselines are from, e.g. 2025.")
    dimension = forms.CharField(max_length=60, initial=OVERALL, help_text="e.g. race_ethnicity")
    values = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One line per group, 'group: value'; 'overall: …' for everyone.",
    )

    def clean_period(self) -> str:
        period: str = self.cleaned_data["period"]
        if not period.isdigit():
            raise forms.ValidationError("A year, like 2025.")
        return period

    def clean_values(self) -> dict[str, float]:
        try:
            return parse_values(self.cleaned_data["values"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class TargetForm(forms.Form):
    method = forms.ChoiceField(choices=Target.Method.choices)
    dimension = forms.CharField(max_length=60, initial=OVERALL)
    goal = forms.FloatField(required=False, help_text="Not used by halve the gap.")
    goal_year = forms.IntegerField(min_value=2000, max_value=2100)
    reference_group = forms.CharField(
        max_length=120, required=False, help_text="Halve the gap: the group others close on."
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def choice(self) -> TargetChoice:
        data = self.cleaned_data
        return TargetChoice(
            method=data["method"], goal_year=data["goal_year"], dimension=data["dimension"],
            goal=data["goal"], reference_group=data["reference_group"], note=data["note"],
        )  # fmt: skip


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["date", "title", "status", "evidence"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class StoryForm(forms.Form):
    network = forms.ModelChoiceField(queryset=GovernanceBody.objects.none())
    story = forms.CharField(
        label="Story behind the curve", widget=forms.Textarea(attrs={"rows": 4})
    )
    contributing_factors = forms.CharField(
        label="What helps", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    restricting_factors = forms.CharField(
        label="What holds it back", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.all(), required=False, label="Partners with a role to play"
    )
    what_works = forms.CharField(
        label="What works", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    no_cost_idea = forms.CharField(
        label="A no-cost or low-cost idea", widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )  # fmt: skip
    action_plan = forms.CharField(
        label="Action plan", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, networks: list[GovernanceBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["network"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = GovernanceBody.objects.filter(pk__in=[n.pk for n in networks])

    def story_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in STORY_TEXTS}
