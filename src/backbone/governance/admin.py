from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission, User
from django.db.models import Q, QuerySet
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
    list_display = ["pk", "partner", "agreement", "signed_on", "revoked_on", "expires_on"]
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


# Accounts and roles ----------------------------------------------------------------------------
# Who may give what: a superuser anything; anyone else (the administrator) only roles and
# accounts whose permissions are all among their own, never the superuser or staff flag nor a
# permission outside a role. Every change is audited by ``signals`` (groups, flags).


def held_permissions(user: AbstractBaseUser) -> set[str]:
    """Every permission ``user`` holds through roles or directly, active or not (Django answers
    nothing for an inactive account, which would make a deactivated steward look harmless)."""
    found = Permission.objects.filter(Q(group__user=user) | Q(user=user))
    pairs = found.values_list("content_type__app_label", "codename").distinct()
    return {f"{app_label}.{codename}" for app_label, codename in pairs}


def within_reach(editor: Any, user: AbstractBaseUser) -> bool:
    """Whether ``editor`` may change ``user``: no one may take over or strip an account that
    can do more than they can."""
    if editor.is_superuser:
        return True
    return not getattr(user, "is_superuser", False) and held_permissions(user) <= set(
        editor.get_all_permissions()
    )


def groups_within_reach(editor: Any) -> QuerySet[Group]:
    """The groups (roles) ``editor`` may give: those whose every permission they hold."""
    groups = Group.objects.all()
    if editor.is_superuser:
        return groups
    own = set(editor.get_all_permissions())
    held = groups.prefetch_related("permissions__content_type")
    allowed = [g.pk for g in held if {_name(p) for p in g.permissions.all()} <= own]
    return groups.filter(pk__in=allowed)


def permissions_within_reach(editor: Any) -> QuerySet[Permission]:
    permissions = Permission.objects.select_related("content_type")
    if editor.is_superuser:
        return permissions
    own = set(editor.get_all_permissions())
    return permissions.filter(pk__in=[p.pk for p in permissions if _name(p) in own])


def _editor(request: HttpRequest | None) -> Any:
    return request.user if request is not None else AnonymousUser()  # no request: no rights


def _name(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's user admin, with roles as the only way to grant access for everyone but a
    superuser: no superuser or staff flag, no single permissions, only roles within the
    editor's own permissions, and no account above the editor (docs/permissions.md)."""

    restricted_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Roles", {"fields": ("is_active", "groups", "is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.restricted_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("is_staff", "is_superuser", "last_login", "date_joined")

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest | None = None, **kwargs: Any
    ) -> Any:
        if db_field.name == "groups":
            kwargs["queryset"] = groups_within_reach(_editor(request))
            kwargs.setdefault("label", "Roles")
        elif db_field.name == "user_permissions":
            kwargs["queryset"] = permissions_within_reach(_editor(request))
        # django-stubs' UserAdmin and ModelAdmin disagree on whether request may be None
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or within_reach(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or within_reach(request.user, obj))


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """Groups can hold only permissions their editor holds (roles themselves are kept in step
    with the code by ``backbone roles sync``)."""

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest | None = None, **kwargs: Any
    ) -> Any:
        if db_field.name == "permissions":
            kwargs["queryset"] = permissions_within_reach(_editor(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed or request.user.is_superuser:
            return allowed
        held = {_name(p) for p in obj.permissions.all()}
        return held <= set(request.user.get_all_permissions())
