"""The partnership registry: who the partners are, how they organize and what they pursue."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backbone.partnership import vocabulary as vocab


def choices(vocabulary: vocab.Vocabulary) -> list[tuple[str, str]]:
    return list(vocabulary)


class Partnership(models.Model):
    """The partnership this workspace serves (one row)."""

    name = models.CharField(max_length=200)
    place = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    living_wage_hourly = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True,
        help_text="The local living wage per hour, as the partnership has agreed it; indicators "
        "read it as their living_wage_hourly setting.",
    )  # fmt: skip

    class Meta:
        permissions = [
            ("view_registry", "Can view the partnership registry pages"),
            ("import_registry", "Can import the registry from partnership.yaml"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def settings(cls) -> dict[str, float]:
        """The partnership's figures indicator definitions may use (``${name}`` in the library)."""
        partnership = cls.objects.first()
        if partnership is None or partnership.living_wage_hourly is None:
            return {}
        return {"living_wage_hourly": float(partnership.living_wage_hourly)}


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
