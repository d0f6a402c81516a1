"""Studies as records and their runs. ``studies.yaml`` fills ``Study`` (``evidence.registry``);
``backbone evidence run`` adds a ``StudyRun`` with the estimate, the balance table and the
lineage of the data it read."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse

from backbone.evidence import studies
from backbone.programs.models import Program


class Study(models.Model):
    """A declared study: which program, which outcome, who is compared, and how."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    program = models.ForeignKey(
        Program, models.PROTECT, null=True, blank=True, related_name="studies"
    )  # the registry's program, when the participation string names one
    participation = models.CharField(max_length=200)  # program_participation / training value
    outcome = models.CharField(max_length=80)
    outcome_label = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40)
    design = models.CharField(max_length=40)
    covariates = models.JSONField(default=list)
    pool_rule = models.JSONField(default=list, blank=True)  # groups that must have a participant
    follow_up = models.CharField(max_length=200, blank=True)
    caveats = models.JSONField(default=list, blank=True)
    published = models.BooleanField(default=False)
    declaration = models.JSONField()  # the whole computational declaration (studies.Study)

    objects: models.Manager[Study]

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "studies"
        permissions = [
            ("view_studies", "Can view every study, its balance table and estimate"),
            ("run_studies", "Can import studies and run them on the warehouse"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evidence:study", args=[self.slug])

    def declared(self) -> studies.Study:
        """The study as the pure core runs it."""
        return studies.study_from_dict(self.declaration)

    def latest_run(self) -> StudyRun | None:
        return StudyRun.objects.filter(study=self).order_by("-ran_at", "-pk").first()


class StudyRun(models.Model):
    """One run of a study on the warehouse: the estimate and the lineage of what it read."""

    study = models.ForeignKey(Study, models.CASCADE, related_name="runs")
    ran_at = models.DateTimeField(auto_now_add=True)
    ran_by = models.CharField(max_length=150)
    code_version = models.CharField(max_length=40)
    submissions = models.JSONField(default=list)  # the warehouse load ids read
    linkage_run = models.PositiveIntegerField(null=True, blank=True)
    linkage_model = models.CharField(max_length=80, blank=True)
    label = models.CharField(max_length=120)  # "quasi-experimental estimate", a gain's label
    design = models.CharField(max_length=200)  # the estimate's design in words
    # The headline (the first contrast); empty when it could not be estimated (then withheld).
    effect = models.FloatField(null=True)
    std_error = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    hedges_g = models.FloatField(null=True)
    improvement_index = models.FloatField(null=True)
    # Empty for pre/post growth, which has no comparison group.
    naive_difference = models.FloatField(null=True)
    naive_treated = models.PositiveIntegerField(null=True)
    naive_comparison = models.PositiveIntegerField(null=True)
    n_treated = models.PositiveIntegerField()
    n_comparison = models.PositiveIntegerField(null=True)
    treated_dropped = models.PositiveIntegerField(default=0)
    balance = models.JSONField(default=list)  # one row per covariate
    verdict = models.CharField(max_length=60, blank=True)  # WWC baseline equivalence (worst)
    notes = models.JSONField(default=list, blank=True)
    withheld = models.TextField(blank=True)  # why nothing may be shown (studies.releasable)
    contrasts = models.JSONField(default=list, blank=True)  # every result (results.Result)

    objects: models.Manager[StudyRun]

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.study.slug} on {self.ran_at:%Y-%m-%d %H:%M}"

    def summary(self) -> dict[str, Any]:
        """The figures a command or an API prints; a withheld run or contrast gives its reason
        and no figure (the pages' rule)."""
        fields = ("effect", "ci_low", "ci_high", "naive_difference", "hedges_g",
                  "improvement_index", "n_treated", "n_comparison", "treated_dropped",
                  "verdict", "label", "withheld")  # fmt: skip
        brief = ("label", "effect", "ci_low", "ci_high", "naive_difference", "n_treated",
                 "n_comparison", "withheld")  # fmt: skip
        headline = _shown({f: getattr(self, f) for f in fields})
        contrasts = [_shown({f: c.get(f) for f in brief}) for c in self.contrasts]
        return {"study": self.study.slug, **headline, "contrasts": contrasts}


FIGURES = ("effect", "ci_low", "ci_high", "naive_difference", "hedges_g", "improvement_index")


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its figures blanked when it is withheld."""
    if not row.get("withheld"):
        return row
    return {name: None if name in FIGURES else value for name, value in row.items()}
