from django import forms

from backbone.governance.forms import contract_choices
from backbone.partnership.models import Partner


class UploadForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label=None)
    contract = forms.ChoiceField(
        choices=contract_choices,
        help_text="What the file holds. Each contract's columns and formats are in the "
        "data contracts guide.",
    )
    period = forms.CharField(
        required=False,
        max_length=20,
        help_text="The period it covers, e.g. 2024-25, 2025-Q2 or 2025-03. "
        "A new file for a period replaces the one sent before.",
    )
    file = forms.FileField(help_text="CSV, XLSX, XML, JSON, or a zip of an export.")

    def __init__(self, *args: object, partners: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
