from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backbone.governance import models as gm
from backbone.governance.forms import DataElementForm
from backbone.governance.models import ApiToken, AuditEvent
from backbone.governance.services import TOKEN_PURPOSE, record


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by ``services.record`` and never edited."""

    list_display = ["sequence", "at", "actor", "action", "object_type", "object_id", "purpose"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor", "object_id", "purpose"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made on the API tokens page (shown once there); here they are listed and an
    administrator can revoke one by setting *revoked*."""

    list_display = ["name", "user", "hint", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "user__username"]
    fields = ["user", "name", "hint", "created", "last_used", "revoked"]
    readonly_fields = ["user", "name", "hint", "created", "last_used"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "revoked" in form.changed_data:  # an access change: audited like the page's revoke
            detail = {"revoked": obj.revoked is not None, "in": "admin"}
            record(request.user, "change", "governance.apitoken", obj.pk, TOKEN_PURPOSE, detail)


class AgreementPartyInline(admin.StackedInline):
    model = gm.AgreementParty
    extra = 1
    autocomplete_fields = ["partner"]


class AgreementDataElementInline(admin.TabularInline):
    model = gm.AgreementDataElement
    form = DataElementForm
    extra = 0


@admin.register(gm.Agreement)
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


@admin.register(gm.Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["pk", "partner", "agreement", "signed_on", "revoked_on"]
    list_filter = ["partner", "agreement"]
    search_fields = ["local_id"]
    autocomplete_fields = ["partner", "agreement"]
    filter_horizontal = ["recipients"]


@admin.register(gm.DestructionCertificate)
class DestructionCertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates are written by ``backbone agreements enforce``."""

    list_display = ["agreement", "destroyed_at", "files_removed", "certified_by"]
    readonly_fields = [f.name for f in gm.DestructionCertificate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(gm.PartnerUser)
class PartnerUserAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "person"]
    list_filter = ["partner"]
    autocomplete_fields = ["partner", "person"]
