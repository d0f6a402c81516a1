"""Releases of the public scorecard and the audit record of every number they published.

A release freezes what the public sees: each ``PublishedCell`` is one indicator result after
disclosure control, with the rule that decided it. Public pages, the static site and the annual
report read only published cells, so a number that did not pass ``backbone.disclosure.protect``
has no way onto them.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from backbone.indicators.models import ComputeRun, Indicator


class IndicatorPublication(models.Model):
    """How one indicator is published: whether at all, and a stricter minimum cell size."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="publication"
    )
    min_n = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(30)],
        help_text="Minimum cell size for this indicator; the stricter of this and the default "
        "(BACKBONE_DISCLOSURE_MIN_N) applies.",
    )
    public = models.BooleanField(default=True, help_text="Shown on the public scorecard.")

    def __str__(self) -> str:
        return f"Publication of {self.indicator}"


class Release(models.Model):
    """One publication of the scorecard: which results it read and under which policy."""

    created_at = models.DateTimeField(auto_now_add=True)
    compute_run = models.ForeignKey(
        ComputeRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="releases"
    )
    runs = models.JSONField(default=list, help_text="Compute runs whose results were published.")
    policy_version = models.CharField(max_length=60)
    thresholds = models.JSONField(default=dict, help_text="Minimum cell size per indicator slug.")
    partitions = models.JSONField(
        default=list, help_text="The additive partitions disclosure control protected."
    )
    dimensions = models.JSONField(
        default=dict, help_text="Per indicator slug and dimension, whether its groups add up."
    )
    protection = models.JSONField(
        default=dict,
        help_text="What protecting the release as a whole cost: cells, cells withheld when each "
        "indicator is protected alone (withheld_alone), cells withheld (withheld), rounds.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Release {self.pk} ({self.created_at:%Y-%m-%d})"


class PublishedCell(models.Model):
    """One number as the public sees it, with the disclosure rule that decided it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="cells")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="published")
    period = models.CharField(max_length=20)
    dimension = models.CharField(max_length=60)
    group_value = models.CharField(max_length=120)
    unit = models.CharField(max_length=20)
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.BigIntegerField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True)
    display = models.CharField(max_length=60)
    marker = models.CharField(max_length=10, blank=True)
    rule = models.CharField(max_length=200)
    threshold = models.PositiveIntegerField()
    policy_version = models.CharField(max_length=60)
    complete = models.BooleanField(
        default=True, help_text="False: the period's follow-up window had not closed; no value."
    )
    data_through = models.DateField(
        null=True, blank=True, help_text="How far the data the indicator waits for reached."
    )

    class Meta:
        ordering = ["indicator", "period", "dimension", "group_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "indicator", "period", "dimension", "group_value"],
                name="one_published_cell_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.dimension}={self.group_value}: {self.display}"

    @property
    def withheld(self) -> bool:
        return self.value is None


class PublishedStudy(models.Model):
    """A study as one release shows it: words and rounded figures copied from its latest run
    when the release was made, so re-running the study changes only the next release. A study
    whose run failed the disclosure gate is kept with ``withheld`` and no figure."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="studies")
    slug = models.SlugField(max_length=80)
    run = models.PositiveIntegerField(help_text="The StudyRun it was copied from (its id).")
    title = models.CharField(max_length=200)
    question = models.TextField()
    design = models.TextField(help_text="The design and who was compared, in words.")
    label = models.CharField(max_length=120)  # "quasi-experimental estimate"
    unit = models.CharField(max_length=200, blank=True)  # the outcome's label
    estimate = models.CharField(max_length=40, blank=True)  # "+7.6"; empty when withheld
    interval = models.CharField(max_length=60, blank=True)  # "1.0 to 14.2"
    naive = models.CharField(max_length=40, blank=True)  # "−6.2"
    caveats = models.JSONField(default=list, blank=True)
    ran_at = models.DateTimeField()
    lineage = models.TextField(help_text="Where the run's data came from, in words.")
    withheld = models.BooleanField(default=False)

    objects: models.Manager[PublishedStudy]

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["release", "slug"], name="one_study_per_release")
        ]

    def __str__(self) -> str:
        return f"{self.title} in {self.release}"
