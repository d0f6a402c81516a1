from django import forms
from django.contrib import admin

from backbone.governance.forms import contract_choices
from backbone.intake import models as m


class ContractField(forms.ModelForm):
    """Choose the contract from the registered ones (the model field has no fixed choices)."""

    contract = forms.ChoiceField(choices=contract_choices)


@admin.register(m.Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "partner",
        "contract",
        "period",
        "original_name",
        "status",
        "error_count",
        "received_at",
    ]
    list_filter = ["status", "contract", "partner"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = [f.name for f in m.Submission._meta.fields]

    def has_add_permission(self, request):  # submissions arrive through upload or `backbone ingest`
        return False


@admin.register(m.ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    form = ContractField
    list_display = ["partner", "contract", "date_format"]
    list_filter = ["contract"]
    autocomplete_fields = ["partner"]


@admin.register(m.ReportingSchedule)
class ReportingScheduleAdmin(admin.ModelAdmin):
    form = ContractField
    list_display = ["partner", "contract", "frequency", "due_days", "starts"]
    list_filter = ["frequency", "contract"]
    autocomplete_fields = ["partner"]
