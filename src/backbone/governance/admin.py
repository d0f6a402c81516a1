from typing import Any

from django.contrib import admin
from django.http import HttpRequest

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
