"""Action networks at work: their charters and measures, action plans, PDSA cycles and the policy
barriers they raise to the leadership table (docs/improvement.md, "Action networks").

A network is a ``partnership.GovernanceBody`` of kind ``action_network``; its members are that
body's memberships. Indicators are named by slug, as ``partnership.yaml`` names outcomes, so a
charter can be written before the indicators are installed.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from backbone.improvement.aims import aim_problems
from backbone.partnership.models import GovernanceBody, Partner, Person

NETWORK_KIND = "action_network"
LEADERSHIP_KIND = "leadership_table"


class Charter(models.Model):
    """A network's charter: its aim (an indicator, a group, from a baseline to a target by a
    date) and the measures that tell whether a change is an improvement."""

    body = models.OneToOneField(
        GovernanceBody,
        on_delete=models.CASCADE,
        related_name="charter",
        limit_choices_to={"kind": NETWORK_KIND},
    )
    aim = models.TextField(help_text="What, for whom, how much, by when.")
    indicator = models.SlugField(max_length=80, help_text="The slug of the aim's indicator.")
    dimension = models.CharField(
        max_length=80, blank=True, help_text="The breakdown of the aim's group; empty for all."
    )
    group = models.CharField(max_length=200, blank=True, help_text="The group, e.g. 'Black'.")
    baseline_value = models.FloatField()
    baseline_period = models.CharField(max_length=20)
    target_value = models.FloatField()
    target_date = models.DateField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["body__name"]
        permissions = [
            ("view_networks", "Can read the action networks' pages"),
            ("work_in_networks", "Can write in the networks where they hold a seat"),
            ("manage_networks", "Can write in every network"),
        ]

    def __str__(self) -> str:
        return f"Charter of {self.body}"

    def clean(self) -> None:
        if self.body_id and self.body.kind != NETWORK_KIND:
            raise ValidationError({"body": "Only an action network has a charter."})
        problems = aim_problems(self.aim, self.target_value, self.target_date)
        if problems:
            raise ValidationError({"aim": problems})


class Measure(models.Model):
    """An outcome, process or balancing measure of a charter, read from an indicator."""

    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        PROCESS = "process", "Process"
        BALANCING = "balancing", "Balancing"

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    indicator = models.SlugField(max_length=80)
    definition = models.TextField(blank=True, help_text="The operational definition.")

    class Meta:
        ordering = ["charter", "kind", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["charter", "kind", "indicator"], name="one_measure_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} measure {self.indicator}"


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def overdue(self, today: dt.date) -> ActionItemQuerySet:
        """Actions past their due date that are neither done nor dropped."""
        return self.filter(due__lt=today, status__in=ActionItem.OPEN)


class ActionItem(models.Model):
    """One line of a network's action plan: who does what by when."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        UNDERWAY = "underway", "Underway"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN = (Status.PLANNED, Status.UNDERWAY)

    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="actions")
    due = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due", "title"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status in self.OPEN and self.due < (today or timezone.localdate())


class PdsaCycle(models.Model):
    """One Plan-Do-Study-Act cycle (methods §3.2), numbered in the series of its change idea."""

    class Purpose(models.TextChoices):
        COLLECT = "collect", "Collect information"
        DEVELOP = "develop", "Develop a change"
        TEST = "test", "Test a change"
        IMPLEMENT = "implement", "Implement a change"

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="pdsa_cycles")
    change_idea = models.CharField(max_length=300, help_text="The series: what change is tried.")
    number = models.PositiveIntegerField(help_text="The cycle's place in its series, from 1.")
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.TEST)
    objective = models.TextField()
    # Plan
    question = models.TextField(help_text="What this cycle should answer.")
    prediction = models.TextField(help_text="What we predict the result will be.")
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.SET_NULL)
    plan = models.TextField(blank=True, help_text="Tasks: who, when, where, how.")
    planned_start = models.DateField()
    planned_end = models.DateField()
    # Do
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    as_planned = models.BooleanField(null=True, help_text="Carried out as planned?")
    observations = models.TextField(blank=True)
    # Study
    analysis = models.TextField(blank=True)
    prediction_confirmed = models.BooleanField(null=True)
    learning = models.TextField(blank=True)
    # Act
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    next_cycle = models.TextField(blank=True, help_text="The plan for the next cycle.")

    class Meta:
        ordering = ["body", "change_idea", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "change_idea", "number"], name="one_cycle_per_place_in_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_idea}, cycle {self.number}"

    @property
    def is_open(self) -> bool:
        return not self.decision

    @property
    def started(self) -> dt.date:
        return self.actual_start or self.planned_start

    def clean(self) -> None:
        if self.planned_end and self.planned_start and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": "The planned end is before the planned start."})
        if self.actual_end and self.actual_start and self.actual_end < self.actual_start:
            raise ValidationError({"actual_end": "The end is before the start."})


class PolicyBarrier(models.Model):
    """A policy that stands in the way, raised by a network or a partner to the leadership table,
    with the advocacy that follows."""

    class Level(models.TextChoices):
        ORGANIZATION = "organization", "A partner's own policy"
        LOCAL = "local", "Local (city, district, county)"
        STATE = "state", "State"
        FEDERAL = "federal", "Federal"

    class Status(models.TextChoices):
        RAISED = "raised", "Raised"
        REVIEWING = "reviewing", "Under review by the leadership table"
        ADVOCATING = "advocating", "Advocacy under way"
        RESOLVED = "resolved", "Resolved"
        SET_ASIDE = "set_aside", "Set aside"

    title = models.CharField(max_length=300)
    description = models.TextField()
    level = models.CharField(max_length=20, choices=Level.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RAISED)
    raised_by_body = models.ForeignKey(
        GovernanceBody, null=True, blank=True, on_delete=models.CASCADE, related_name="barriers"
    )
    raised_by_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="barriers"
    )
    raised_on = models.DateField(default=timezone.localdate)
    advocacy = models.TextField(blank=True, help_text="Advocacy steps, one a line.")

    class Meta:
        ordering = ["-raised_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(raised_by_body__isnull=False)
                | models.Q(raised_by_partner__isnull=False),
                name="barrier_raised_by_someone",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def advocacy_steps(self) -> list[str]:
        return [line.strip() for line in self.advocacy.splitlines() if line.strip()]
