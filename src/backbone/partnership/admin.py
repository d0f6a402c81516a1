from django import forms
from django.contrib import admin
from django.http import HttpRequest

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


class AgreementPartyInline(admin.StackedInline):
    model = m.AgreementParty
    extra = 1
    autocomplete_fields = ["partner"]


class AgreementDataElementInline(admin.TabularInline):
    model = m.AgreementDataElement
    extra = 0


@admin.register(m.Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "discloser", "start", "end", "destruction_deadline"]
    list_filter = ["kind", "status", "legal_basis"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["discloser"]
    inlines = [AgreementPartyInline, AgreementDataElementInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "aims", "signed_on", "start", "end",
                           "document"]}),
        ("Data-sharing terms", {"fields": ["legal_basis", "discloser", "purpose_code", "purpose",
                                           "population", "needs_consent", "security_requirements",
                                           "redisclosure_allowed", "redisclosure_conditions"]}),
        ("Destruction", {"fields": ["destruction_deadline", "destruction_method",
                                    "destruction_certified_at"]}),
        ("Publication rules", {"fields": ["publication_min_n", "top_code_percent",
                                          "bottom_code_percent"]}),
    ]  # fmt: skip


@admin.register(m.Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["pk", "partner", "agreement", "signed_on", "revoked_on"]
    list_filter = ["partner", "agreement"]
    search_fields = ["local_id"]
    autocomplete_fields = ["partner", "agreement"]
    filter_horizontal = ["recipients"]


@admin.register(m.DestructionCertificate)
class DestructionCertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates are written by ``backbone agreements enforce``."""

    list_display = ["agreement", "destroyed_at", "files_removed", "certified_by"]
    readonly_fields = [f.name for f in m.DestructionCertificate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(m.PartnerUser)
class PartnerUserAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "person"]
    list_filter = ["partner"]
    autocomplete_fields = ["partner", "person"]
