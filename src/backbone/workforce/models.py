"""Sector partnerships, their job roles, competencies and curricula, and employers'
commitments as numbers. ``workforce.yaml`` fills them (``workforce.registry``); ``entry()``
turns a partnership back into the plain record the teeth check reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from backbone.governance.models import Agreement
from backbone.partnership.models import Partner
from backbone.workforce import catalog


def _choices(kind: object) -> list[tuple[str, str]]:
    values = kind.__args__  # type: ignore[attr-defined]
    return [(v, v.replace("_", " ")) for v in values]


class SectorPartnership(models.Model):
    """Employers and training providers of one sector and region, and their backbone."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=120)
    region = models.CharField(max_length=200, blank=True)
    target_occupations = models.JSONField(default=list, blank=True)  # SOC codes
    employers = models.ManyToManyField(Partner, related_name="sector_partnerships")
    training_providers = models.ManyToManyField(Partner, related_name="+", blank=True)
    programs = models.JSONField(default=list, blank=True)  # values of training.program
    ui_accounts = models.JSONField(default=dict, blank=True)  # employer slug → UI account
    backbone = models.ForeignKey(Partner, models.PROTECT, null=True, blank=True, related_name="+")
    backbone_funding = models.CharField(max_length=20, choices=_choices(catalog.Funding))
    backbone_budget = models.FloatField(null=True, blank=True)
    outcome_source = models.CharField(max_length=20, choices=_choices(catalog.OutcomeSource))
    follow_up_years = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("view_workforce", "Can view every sector partnership and employer pipeline"),
            ("view_own_pipeline", "Can view its own organization's hiring pipeline"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workforce:index") + f"#{self.slug}"

    def entry(self) -> catalog.SectorPartnership:
        """This partnership as the plain record the teeth check and the status read."""
        backbone = self.backbone and {
            "partner": self.backbone.slug, "funding": self.backbone_funding,
            "annual_budget": self.backbone_budget}  # fmt: skip
        return catalog.SectorPartnership.model_validate({
            "slug": self.slug, "name": self.name, "sector": self.sector, "region": self.region,
            "target_occupations": self.target_occupations, "programs": self.programs,
            "employers": [p.slug for p in self.employers.all()],
            "ui_accounts": self.ui_accounts, "backbone": backbone or None,
            "outcomes": {"source": self.outcome_source, "years_after_exit": self.follow_up_years},
            "job_roles": [r.entry() for r in self.job_roles.all()],
            "competencies": [c.entry() for c in self.competencies.all()],
            "curricula": [c.entry() for c in self.curricula.all()],
            "commitments": [c.entry() for c in self.commitments.all()],
        })  # fmt: skip


class JobRole(models.Model):
    """A job at a named employer: title, SOC code, wage and the months it hires."""

    partnership = models.ForeignKey(SectorPartnership, models.CASCADE, related_name="job_roles")
    slug = models.SlugField(max_length=80)
    employer = models.ForeignKey(Partner, models.PROTECT, related_name="job_roles")
    title = models.CharField(max_length=200)
    soc = models.CharField("SOC code", max_length=7)
    hourly_wage = models.FloatField(null=True, blank=True)
    hiring_months = models.JSONField(default=list, blank=True)
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="one_role_slug")
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.employer}"

    def entry(self) -> catalog.JobRole:
        return catalog.JobRole(
            slug=self.slug, employer=self.employer.slug, title=self.title, soc=self.soc,
            hourly_wage=self.hourly_wage, hiring_months=self.hiring_months,
            aliases=self.aliases)  # fmt: skip


class Competency(models.Model):
    """A skill a job needs, validated by a named person at the employer on a date."""

    partnership = models.ForeignKey(SectorPartnership, models.CASCADE, related_name="competencies")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    employer = models.ForeignKey(Partner, models.PROTECT, null=True, blank=True, related_name="+")
    validated_by = models.CharField(max_length=200, blank=True)
    validated_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="one_skill_slug")
        ]

    def __str__(self) -> str:
        return self.name

    def entry(self) -> catalog.Competency:
        return catalog.Competency(
            slug=self.slug, name=self.name, employer=self.employer.slug if self.employer else None,
            validated_by=self.validated_by, validated_on=self.validated_on)  # fmt: skip


class Curriculum(models.Model):
    """A provider's course, mapped to job roles and competencies."""

    partnership = models.ForeignKey(SectorPartnership, models.CASCADE, related_name="curricula")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    provider = models.ForeignKey(Partner, models.PROTECT, related_name="+")
    job_roles = models.ManyToManyField(JobRole, blank=True, related_name="curricula")
    competencies = models.ManyToManyField(Competency, blank=True, related_name="curricula")

    class Meta:
        verbose_name_plural = "curricula"

    def __str__(self) -> str:
        return self.name

    def entry(self) -> catalog.Curriculum:
        return catalog.Curriculum(
            slug=self.slug, name=self.name, provider=self.provider.slug,
            job_roles=[r.slug for r in self.job_roles.all()],
            competencies=[c.slug for c in self.competencies.all()])  # fmt: skip


class EmployerCommitment(models.Model):
    """An employer's commitment: a number per period (or only words), at a level."""

    partnership = models.ForeignKey(SectorPartnership, models.CASCADE, related_name="commitments")
    employer = models.ForeignKey(Partner, models.PROTECT, related_name="commitments")
    kind = models.CharField(max_length=30, choices=_choices(catalog.Kind))
    level = models.CharField(max_length=30, choices=_choices(catalog.Level))
    quantity = models.PositiveIntegerField(null=True, blank=True)
    per_completer = models.FloatField(null=True, blank=True)
    amount = models.FloatField(null=True, blank=True)
    period = models.CharField(max_length=10, default="year")
    job_role = models.ForeignKey(JobRole, models.SET_NULL, null=True, blank=True)
    conversion_target = models.FloatField(null=True, blank=True)
    agreement = models.ForeignKey(Agreement, models.SET_NULL, null=True, blank=True)
    reporting = models.CharField(max_length=12, default="none")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["employer__name", "kind"]

    def __str__(self) -> str:
        return f"{self.employer}: {self.kind}"

    def entry(self) -> catalog.Commitment:
        return catalog.Commitment.model_validate({
            "employer": self.employer.slug, "kind": self.kind, "level": self.level,
            "quantity": self.quantity, "per_completer": self.per_completer,
            "amount": self.amount, "period": self.period,
            "job_role": self.job_role.slug if self.job_role else None,
            "conversion_target": self.conversion_target,
            "agreement": self.agreement.slug if self.agreement else None,
            "reporting": self.reporting, "text": self.text,
        })  # fmt: skip


PAIN_CATEGORIES = [("hiring", "hiring"), ("retention", "retention"), ("skills", "skills"),
                   ("other", "other")]  # fmt: skip


class PainPoint(models.Model):
    """A problem an employer wants solved (seed 004: engage employers around their pain
    points), in its own words, as the backbone recorded it."""

    employer = models.ForeignKey(Partner, models.CASCADE, related_name="pain_points")
    category = models.CharField(max_length=20, choices=PAIN_CATEGORIES)
    text = models.TextField()
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.employer}: {self.text[:60]}"


class EngagementStage(models.Model):
    """An employer's level of engagement from a date on (letter of support → tactical →
    sustained → deep); every change is a new row, so the history is kept."""

    employer = models.ForeignKey(Partner, models.CASCADE, related_name="engagement_stages")
    stage = models.CharField(max_length=30, choices=_choices(catalog.Level))
    since = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-since", "-pk"]
        permissions = [
            ("manage_employer_engagement", "Can record employers' pain points and engagement"),
        ]

    def __str__(self) -> str:
        return f"{self.employer}: {self.stage} since {self.since}"
