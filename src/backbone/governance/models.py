"""The audit log: one append-only, hash-chained row per touch of person-level data or change to
agreements, roles and access; and the API tokens people call the API with."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from backbone.governance import chain


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        # Deleting a user nulls ``user`` (the username stays in ``actor``); nothing else changes.
        if set(kwargs) - {"user"}:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    """Who did what to which object, when and for which purpose, chained to the event before."""

    class Action(models.TextChoices):
        READ = "read", "read"
        EXPORT = "export", "export"
        CREATE = "create", "create"
        CHANGE = "change", "change"
        DELETE = "delete", "delete"
        LOGIN_FAILED = "login_failed", "failed sign-in"
        DESTROY = "destroy", "destroy"

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=150, db_index=True, help_text="The username, or cli:…")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=200, blank=True)
    purpose = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        get_latest_by = "sequence"
        # The governance app's own permission rides on its one long-lived model.
        permissions = [
            (
                "view_person_outcomes",
                "Can see person-level outcomes of their own partner's participants where an "
                "agreement permits",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly(f"audit event #{self.sequence} cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly(f"audit event #{self.sequence} cannot be deleted")

    def chain_fields(self) -> dict[str, Any]:
        """The fields the hash covers, plus ``prev_hash`` and ``hash``."""
        names = (*chain.FIELDS, "prev_hash", "hash")
        return {name: getattr(self, name) for name in names}


class ApiToken(models.Model):
    """A token a user calls the API with (``Authorization: Bearer …``): it carries exactly the
    user's permissions. Only the token's SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. a script.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text="The token's first letters.")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.user}, {self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None
