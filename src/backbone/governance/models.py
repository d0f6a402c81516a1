"""The audit log: one append-only, hash-chained row per touch of person-level data or change to
agreements, roles and access; the API tokens people call the API with; and the agreements
themselves — MOUs and data-sharing agreements with their parties, data elements, consents and
destruction certificates — with the partner each user account works for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backbone.governance import chain, coverage, dsa
from backbone.partnership import vocabulary as vocab
from backbone.partnership.models import Dated, Partner, Person, choices


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


class SignInFailures(models.Model):
    """Failed sign-ins from one address in one time window, counted here while the window is
    open; when it closes, one audit event records the count (``governance.auditing``). So a
    visitor guessing passwords adds one event per window, not one per guess."""

    address = models.CharField(max_length=45)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)
    usernames = models.JSONField(default=list, help_text="The first usernames tried, distinct.")
    locked_out = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "window_start"], name="one_tally_per_address_and_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} failed sign-ins from {self.address} from {self.window_start}"


class AuditCheckpoint(models.Model):
    """How far the audit chain last verified, signed with the chain's key: the page verifies
    only the events after it. ``full``: the whole chain from #1 (``backbone audit verify``)."""

    full = models.BooleanField(unique=True)
    through = models.PositiveBigIntegerField()
    head = models.CharField(max_length=64)
    checked_at = models.DateTimeField()
    signature = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"verified through #{self.through} at {self.checked_at:%Y-%m-%d %H:%M}"


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


class Agreement(Dated):
    """A partnership agreement: an MOU (aims, parties, term, signed copy) or a data-sharing
    agreement, which adds the terms that govern the data (docs/agreements.md)."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=choices(vocab.AGREEMENT_KINDS), default="mou")
    status = models.CharField(
        max_length=20, choices=choices(vocab.AGREEMENT_STATUSES), default="draft"
    )
    aims = models.TextField(blank=True)
    signed_on = models.DateField(null=True, blank=True)
    document = models.FileField(upload_to="agreements/", blank=True)
    # --- the terms of a data-sharing agreement (standards.md §5.4) ---
    legal_basis = models.CharField(max_length=30, choices=choices(vocab.LEGAL_BASES), blank=True)
    discloser = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosing_agreements",
        help_text="The partner whose data the agreement lets it send; the other parties receive.",
    )
    purpose_code = models.SlugField(
        max_length=80,
        blank=True,
        help_text="A short code for the purpose, e.g. program-evaluation.",
    )
    purpose = models.TextField(blank=True, help_text="The purpose, scope and activity, in words.")
    population = models.TextField(blank=True, help_text="Whose records: programs, populations.")
    needs_consent = models.BooleanField(
        default=False, help_text="Records may be shared only while the person's consent stands."
    )
    destruction_deadline = models.DateField(null=True, blank=True)
    destruction_method = models.TextField(blank=True)
    destruction_certified_at = models.DateField(null=True, blank=True)
    security_requirements = models.TextField(blank=True)
    redisclosure_allowed = models.BooleanField(default=False)
    redisclosure_conditions = models.TextField(blank=True)
    publication_min_n = models.PositiveSmallIntegerField(
        "publication minimum n",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(vocab.PUBLICATION_MIN_N_RANGE[0]),
            MaxValueValidator(vocab.PUBLICATION_MIN_N_RANGE[1]),
        ],
    )
    top_code_percent = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.1), MaxValueValidator(50)]
    )
    bottom_code_percent = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.1), MaxValueValidator(50)]
    )

    class Meta:
        ordering = ["title", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:agreement_detail", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        problems = dsa.term_problems(
            self.kind,
            self.status,
            self.discloser.slug if self.discloser else None,
            self.legal_basis,
            self.end,
            self.destruction_deadline,
        )
        if problems:
            raise ValidationError(problems)

    @property
    def is_dsa(self) -> bool:
        return self.kind == dsa.DSA

    def recipients(self) -> list[Partner]:
        """The parties other than the discloser: who receives the data."""
        parties = self.parties.select_related("partner")
        return [p.partner for p in parties if p.partner_id != self.discloser_id]

    def effective_status(self, today: dt.date | None = None) -> str:
        """``expired`` once the term has ended, whatever was recorded (``destroyed`` stays, being
        further along); otherwise the status."""
        today = today or timezone.localdate()
        if self.status == "destroyed":
            return self.status
        if self.end and self.end < today:
            return "expired"
        return self.status

    def effective_status_label(self) -> str:
        return vocab.label(vocab.AGREEMENT_STATUSES, self.effective_status())

    def days_to_expiry(self, today: dt.date | None = None) -> int | None:
        today = today or timezone.localdate()
        return (self.end - today).days if self.end else None

    def expires_soon(self, today: dt.date | None = None) -> bool:
        """A signed agreement whose term ends within ``EXPIRY_WARNING_DAYS``."""
        days = self.days_to_expiry(today)
        return (
            self.effective_status(today) == "signed"
            and days is not None
            and 0 <= days <= vocab.EXPIRY_WARNING_DAYS
        )


class AgreementDataElement(models.Model):
    """One contract a data-sharing agreement lets its discloser send, and which of its fields."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="data_elements")
    # Not ``choices``: a new contract must need no migration; ``clean`` checks the name.
    contract = models.CharField(max_length=40)
    fields = models.JSONField(
        default=list,
        blank=True,
        help_text='Canonical field names, e.g. ["local_id", "wages"]; empty means every '
        "field of the contract (docs/contracts.md).",
    )

    class Meta:
        ordering = ["agreement", "contract"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "contract"], name="one_element_per_agreement_contract"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} in {self.agreement}"

    def clean(self) -> None:
        problems = coverage.element_problems(self.contract, self.fields or [])
        if problems:
            raise ValidationError({"fields": problems})


class AgreementParty(models.Model):
    """A partner's place in an agreement: its roles and its commitments."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreement_parties")
    roles = models.TextField(blank=True)
    commitments = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "partner"], name="one_party_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.partner} in {self.agreement}"


class PartnerUser(models.Model):
    """The partner a user account works for: scopes what they submit and see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_user"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="users")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"{self.user} at {self.partner}"


class Consent(models.Model):
    """A person's signed and dated written consent to disclose their records: which records, for
    what purpose, to whom (34 CFR 99.30), and its revocation.

    The person is named as their partner names them in its files (``local_id``), so revocation
    can find their records; the signed form itself is the ``document``.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="consents")
    local_id = models.CharField(
        "person id",
        max_length=100,
        help_text="The partner's own id for the person, as in its files.",
    )
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    records = models.TextField(help_text="Which records may be disclosed.")
    purpose = models.TextField()
    recipients = models.ManyToManyField(Partner, related_name="consents_received")
    signed_on = models.DateField()
    revoked_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="The day the consent lapses, if the form names one."
    )
    document = models.FileField(upload_to="consents/", blank=True)

    class Meta:
        ordering = ["partner", "local_id", "-signed_on"]

    def __str__(self) -> str:
        return f"Consent {self.pk} for {self.partner}"

    def clean(self) -> None:
        if self.revoked_on and self.signed_on and self.revoked_on < self.signed_on:
            raise ValidationError({"revoked_on": "Revoked before it was signed."})
        if self.expires_on and self.signed_on and self.expires_on <= self.signed_on:
            raise ValidationError({"expires_on": "Expires before it takes effect."})

    def is_revoked(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_on is not None and self.revoked_on <= today


class DestructionCertificate(models.Model):
    """The record that an agreement's person-level data was destroyed: what, when, how, by whom."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="destruction_certificates"
    )
    destroyed_at = models.DateTimeField()
    as_of = models.DateField(help_text="The day the destruction job ran for.")
    submission_ids = models.JSONField(default=list, blank=True)
    rows_removed = models.JSONField(default=dict, blank=True, help_text="Rows per table.")
    crosswalk_rows_removed = models.PositiveIntegerField(default=0)
    files_removed = models.PositiveIntegerField(default=0)
    method = models.TextField(blank=True)
    certified_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self) -> str:
        return f"Destruction of {self.agreement} data, {self.destroyed_at:%Y-%m-%d}"

    @property
    def total_rows(self) -> int:
        return sum(self.rows_removed.values())
