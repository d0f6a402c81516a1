"""Partners' programs and practices, and the strategies the partnership pursues per outcome.

A program's ``slug`` is its stable name: action networks and ``programs.yaml`` refer to it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from pydantic import ValidationError as SchemaError

from backbone.partnership.models import Partner, SharedOutcome
from backbone.programs.catalog import Dosage, Population
from backbone.programs.participation import Matcher


class Program(models.Model):
    """One partner's program: the ``program_participation.program`` values (``aliases``) that
    mean it, whom it is for and how much of it counts as enough (the dosage rule)."""

    slug = models.SlugField(max_length=80, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    service_type = models.CharField(max_length=80, blank=True)
    sites = models.JSONField(default=list, blank=True)
    population_tables = models.JSONField(default=list, blank=True)
    population_condition = models.TextField(blank=True)
    min_hours = models.FloatField(null=True, blank=True)
    min_sessions = models.PositiveIntegerField(null=True, blank=True)
    outcomes = models.ManyToManyField(SharedOutcome, blank=True, related_name="programs")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["partner__name", "name"]
        permissions = [
            ("view_programs", "Can view every program's page (protected figures)"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.clean()  # checked whenever saved, from a form, the admin or a file
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("programs:program_detail", args=[self.slug])

    def clean(self) -> None:
        """The target population must be a valid condition over canonical tables."""
        if not (self.population_condition or self.population_tables):
            return
        try:
            Population(tables=self.population_tables, condition=self.population_condition)
        except SchemaError as error:
            messages = [str(e["msg"]).removeprefix("Value error, ") for e in error.errors()]
            raise ValidationError({"population_condition": messages}) from None

    @property
    def dosage(self) -> Dosage:
        return Dosage(hours=self.min_hours, sessions=self.min_sessions)

    @property
    def matcher(self) -> Matcher:
        aliases = tuple(self.aliases)
        return Matcher(self.slug, self.partner.slug, aliases, self.min_hours, self.min_sessions)


class Strategy(models.Model):
    """How the partnership works on an outcome: for everyone, or for a target group."""

    class Reach(models.TextChoices):
        UNIVERSAL = "universal"
        TARGETED = "targeted"

    outcome = models.ForeignKey(SharedOutcome, on_delete=models.CASCADE, related_name="strategies")
    name = models.CharField(max_length=200)
    reach = models.CharField(max_length=20, choices=Reach.choices, default=Reach.UNIVERSAL)
    target_group = models.CharField(max_length=200, blank=True)
    programs = models.ManyToManyField(Program, blank=True, related_name="strategies")

    class Meta:
        ordering = ["outcome__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "name"], name="one_strategy_name_per_outcome"
            )
        ]

    def __str__(self) -> str:
        return self.name
