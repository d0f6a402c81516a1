"""Indicators the partnership agreed on, their targets and stories, and computed results.

An indicator's definition (``backbone.indicators.definitions``) is stored as JSON with a version
that changes whenever the definition does, so every stored result says which definition made it.
Results hold counts of persons only, never who they are.
"""

from __future__ import annotations

from django.db import models

from backbone.disclosure import units
from backbone.partnership.models import GovernanceBody, Partner, SharedOutcome


class Indicator(models.Model):
    """A measure of an outcome: a population indicator or a program performance measure."""

    class Level(models.TextChoices):
        POPULATION = "population", "Population indicator"
        PERFORMANCE = "performance", "Program performance measure"

    class Category(models.TextChoices):  # Results-Based Accountability
        HOW_MUCH = "how_much", "How much did we do?"
        HOW_WELL = "how_well", "How well did we do it?"
        BETTER_OFF = "better_off", "Is anyone better off?"

    class PeriodType(models.TextChoices):
        SCHOOL_YEAR = "school_year", "School year"
        PROGRAM_YEAR = "program_year", "Program year"
        CALENDAR_YEAR = "calendar_year", "Calendar year"
        QUARTER = "quarter", "Quarter"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    plain_definition = models.TextField(help_text="What it measures, in plain language.")
    outcome = models.ForeignKey(
        SharedOutcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.POPULATION)
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.BETTER_OFF
    )
    unit = models.CharField(max_length=20, choices=list(units.NAMES.items()), default="percent")
    higher_is_better = models.BooleanField(default=True)
    data_sources = models.TextField(blank=True, help_text="The partners' data it is computed from.")
    source = models.TextField(blank=True, help_text="Where the formula comes from.")
    owner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    period_type = models.CharField(
        max_length=20, choices=PeriodType.choices, default=PeriodType.SCHOOL_YEAR
    )
    definition = models.JSONField(help_text="The declarative definition (docs/indicators.md).")
    version = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("compute_indicators", "Can compute indicators from the warehouse"),
            ("edit_indicators", "Can create and change indicator definitions"),
            ("view_exact_results", "Can see exact indicator values, small counts included"),
        ]

    def __str__(self) -> str:
        return self.name


class Baseline(models.Model):
    """The value an indicator started from in a period, overall or for one group of a dimension.

    Each dimension's baselines are saved with the overall value of their period; keyed by the
    period too, so one dimension's later baselines leave the overall value another's target
    steps from alone.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="baselines")
    period = models.CharField(max_length=20)
    dimension = models.CharField(max_length=60, default="overall")
    group_value = models.CharField(max_length=120, default="all")
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "dimension", "group_value", "period"],
                name="one_baseline_per_group_and_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.group_value} {self.period}: {self.value:g}"


class Target(models.Model):
    """How an indicator should move: the method and goal, overall or for one group."""

    class Method(models.TextChoices):
        FIXED = "fixed", "Fixed value"
        STEADY = "steady", "Steady steps to a goal"
        EQUITABLE = "equitable", "Equitable: groups further behind improve faster"
        HALVE_GAP = "halve_gap", "Halve the gap"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    method = models.CharField(max_length=20, choices=Method.choices)
    goal = models.FloatField(null=True, blank=True)
    goal_year = models.PositiveIntegerField()
    dimension = models.CharField(max_length=60, default="overall")
    reference_group = models.CharField(
        max_length=120, blank=True, help_text="For halve-the-gap: the group others are compared to."
    )
    note = models.TextField(blank=True)
    baseline_year = models.PositiveIntegerField(null=True, blank=True)
    path = models.JSONField(
        default=dict, blank=True, help_text="The yearly targets when saved: {group: {year: value}}."
    )

    class Meta:
        permissions = [("set_targets", "Can set indicators' baselines and targets")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.get_method_display()} by {self.goal_year}"

    def path_table(self) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
        """The stored path as a table: the years, then each group in words (everyone first) and
        its target per year."""
        from backbone.indicators.labels import group_label

        years = sorted({year for series in self.path.values() for year in series}, key=int)
        groups = sorted(self.path, key=lambda g: (g != "overall", g))
        return years, [
            ("Everyone" if g == "overall" else group_label(self.dimension, g),
             [self.path[g].get(y) for y in years])
            for g in groups
        ]  # fmt: skip


class Milestone(models.Model):
    """A qualitative step: an organizational change, new dedicated funding, a wider partnership."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"

    outcome = models.ForeignKey(
        SharedOutcome, on_delete=models.CASCADE, related_name="milestones", null=True, blank=True
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="milestones", null=True, blank=True
    )
    date = models.DateField()
    title = models.CharField(max_length=200)
    evidence = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["date"]
        permissions = [("record_milestones", "Can record milestones")]

    def __str__(self) -> str:
        return self.title


class TurnTheCurve(models.Model):
    """The story behind an indicator's curve and what partners will do about it (RBA)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="stories")
    written_on = models.DateField()
    story = models.TextField("story behind the curve")
    contributing_factors = models.TextField(blank=True)
    restricting_factors = models.TextField(blank=True)
    partners = models.ManyToManyField(Partner, blank=True, related_name="curve_roles")
    what_works = models.TextField(blank=True)
    no_cost_idea = models.TextField("no-cost or low-cost idea", blank=True)
    action_plan = models.TextField(blank=True)
    network = models.ForeignKey(
        GovernanceBody, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    written_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-written_on", "-pk"]
        verbose_name = "turn-the-curve record"
        permissions = [
            ("write_stories", "Can write turn-the-curve stories for their networks' indicators")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.written_on})"


class ComputeRun(models.Model):
    """One run of ``backbone compute``."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    engine = models.CharField(max_length=20, default="duckdb")
    indicators = models.PositiveIntegerField(default=0)
    results = models.PositiveIntegerField(default=0)
    submissions = models.JSONField(default=list, help_text="Warehouse submissions read.")
    linkage_model = models.CharField(max_length=80, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Compute run {self.pk} ({self.engine})"


class Result(models.Model):
    """An indicator's value for one period and group, with what it was computed from."""

    run = models.ForeignKey(ComputeRun, on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="results")
    definition_version = models.PositiveIntegerField()
    period = models.CharField(max_length=20)
    dimension = models.CharField(max_length=60)
    group_value = models.CharField(max_length=120)
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField()
    value = models.FloatField(null=True)
    complete = models.BooleanField(
        default=True, help_text="The period's follow-up window had closed when it was computed."
    )
    data_through = models.DateField(
        null=True, blank=True, help_text="How far the data the definition waits for reached."
    )

    class Meta:
        ordering = ["indicator", "period", "dimension", "group_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator", "period", "dimension", "group_value"],
                name="one_result_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.dimension}={self.group_value}: {self.value}"
