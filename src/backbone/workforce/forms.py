"""The backbone's staff record an employer's pain points and engagement stage."""

from __future__ import annotations

from django import forms

from backbone.workforce.models import EngagementStage, PainPoint


class PainPointForm(forms.ModelForm):
    class Meta:
        model = PainPoint
        fields = ["category", "text", "recorded_on"]
        widgets = {"recorded_on": forms.DateInput(attrs={"type": "date"}),
                   "text": forms.Textarea(attrs={"rows": 2})}  # fmt: skip


class EngagementStageForm(forms.ModelForm):
    class Meta:
        model = EngagementStage
        fields = ["stage", "since", "note"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"}),
                   "note": forms.Textarea(attrs={"rows": 2})}  # fmt: skip
