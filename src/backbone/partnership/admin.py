from django import forms
from django.contrib import admin

from backbone.partnership import models as m
from backbone.partnership import vocabulary as vocab


class PartnerForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        choices=vocab.SECTORS, widget=forms.CheckboxSelectMultiple, required=True
    )
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = m.Partner
        fields = [
            "slug", "name", "partner_type", "sectors", "description", "website",
            "contact_name", "contact_email", "contact_phone",
        ]  # fmt: skip


@admin.register(m.Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "place"]


@admin.register(m.SectorGoal)
class SectorGoalAdmin(admin.ModelAdmin):
    list_display = ["slug", "sector", "statement"]
    list_filter = ["sector"]


@admin.register(m.SharedOutcome)
class SharedOutcomeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["sector_goals"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ["name", "partner_type", "contact_name", "contact_email"]
    list_filter = ["partner_type"]
    search_fields = ["name", "slug", "contact_name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "partner", "email"]
    list_filter = ["partner"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = m.Membership
    extra = 1
    autocomplete_fields = ["person", "representing"]


@admin.register(m.GovernanceBody)
class GovernanceBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "meeting_cadence", "reports_to"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["outcomes"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(m.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["role", "person", "partner", "start", "end"]
    list_filter = ["role"]
    autocomplete_fields = ["person", "partner"]
