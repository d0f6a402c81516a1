"""The partnership registry: who the partners are, how they organize, what they have agreed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backbone.partnership import coverage, dsa
from backbone.partnership import vocabulary as vocab
from backbone.warehouse.contracts import CONTRACTS

CONTRACT_CHOICES = [(c.name, c.title) for c in CONTRACTS.values()]


def choices(vocabulary: vocab.Vocabulary) -> list[tuple[str, str]]:
    return list(vocabulary)


class Partnership(models.Model):
    """The partnership this workspace serves (one row)."""

    name = models.CharField(max_length=200)
    place = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        permissions = [
            ("view_registry", "Can view the partnership registry pages"),
            ("import_registry", "Can import the registry from partnership.yaml"),
        ]

    def __str__(self) -> str:
        return self.name


class SectorGoal(models.Model):
    """A goal owned by one sector, e.g. HousED's housing goal."""

    slug = models.SlugField(max_length=80, unique=True)
    sector = models.CharField(max_length=40, choices=choices(vocab.SECTORS))
    statement = models.TextField()

    class Meta:
        ordering = ["sector", "slug"]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} goal"


class SharedOutcome(models.Model):
    """An outcome the partners agree to pursue together, joining sector goals."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    statement = models.TextField(blank=True)
    sector_goals = models.ManyToManyField(SectorGoal, blank=True, related_name="shared_outcomes")

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self) -> str:
        return self.name


class Partner(models.Model):
    """An organization in the partnership."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    partner_type = models.CharField("type", max_length=40, choices=choices(vocab.PARTNER_TYPES))
    sectors = models.JSONField(default=list, help_text="Sector codes; see docs/partnership.md.")
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnership:partner_detail", args=[self.slug])

    def clean(self) -> None:
        unknown = [code for code in self.sectors if code not in vocab.codes(vocab.SECTORS)]
        if unknown or not self.sectors:
            raise ValidationError({"sectors": f"Choose at least one known sector (not {unknown})."})

    def sector_labels(self) -> list[str]:
        return [vocab.label(vocab.SECTORS, code) for code in self.sectors]


class Person(models.Model):
    """Someone who takes part: a partner's staff member, a parent, a resident."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name", "slug"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class GovernanceBody(models.Model):
    """A table, council, network or group through which the partnership decides and acts."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=choices(vocab.BODY_KINDS))
    purpose = models.TextField(blank=True)
    outcomes = models.ManyToManyField(SharedOutcome, blank=True, related_name="bodies")
    meeting_cadence = models.CharField(max_length=200, blank=True)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="sub_bodies"
    )

    class Meta:
        ordering = ["name", "slug"]
        verbose_name_plural = "governance bodies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnership:body_detail", args=[self.slug])

    @property
    def kind_rank(self) -> int:
        return vocab.codes(vocab.BODY_KINDS).index(self.kind)


class Dated(models.Model):
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date is before the start date."})

    def is_current(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (self.start is None or self.start <= today) and (
            self.end is None or today <= self.end
        )


class Membership(Dated):
    """A person's seat on a governance body, representing a partner."""

    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    representing = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="seats"
    )
    role = models.CharField(
        max_length=20, choices=choices(vocab.MEMBERSHIP_ROLES), default="member"
    )

    class Meta:
        ordering = ["body", "role", "person__name"]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}, {self.body}"

    @property
    def role_rank(self) -> int:
        return vocab.codes(vocab.MEMBERSHIP_ROLES).index(self.role)


class RoleAssignment(Dated):
    """A partnership role (lead, data director, …) held by a person, a partner, or both."""

    role = models.CharField(max_length=40, choices=choices(vocab.PARTNERSHIP_ROLES))
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(partner__isnull=False),
                name="role_assigned_to_someone",
            )
        ]

    def __str__(self) -> str:
        holder = " / ".join(str(h) for h in (self.person, self.partner) if h)
        return f"{self.get_role_display()}: {holder}"

    @property
    def role_rank(self) -> int:
        return vocab.codes(vocab.PARTNERSHIP_ROLES).index(self.role)


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
        return reverse("partnership:agreement_detail", args=[self.slug])

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
    contract = models.CharField(max_length=40, choices=CONTRACT_CHOICES)
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
    document = models.FileField(upload_to="consents/", blank=True)

    class Meta:
        ordering = ["partner", "local_id", "-signed_on"]

    def __str__(self) -> str:
        return f"Consent {self.pk} for {self.partner}"

    def clean(self) -> None:
        if self.revoked_on and self.signed_on and self.revoked_on < self.signed_on:
            raise ValidationError({"revoked_on": "Revoked before it was signed."})

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
