from django.contrib import admin

from backbone.workforce import models


class JobRoleInline(admin.TabularInline):
    model = models.JobRole
    extra = 0


class CommitmentInline(admin.TabularInline):
    model = models.EmployerCommitment
    extra = 0


@admin.register(models.SectorPartnership)
class SectorPartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "region", "backbone_funding", "outcome_source"]
    filter_horizontal = ["employers", "training_providers"]
    inlines = [JobRoleInline, CommitmentInline]


@admin.register(models.Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "employer", "validated_by", "validated_on"]


@admin.register(models.Curriculum)
class CurriculumAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "provider"]
    filter_horizontal = ["job_roles", "competencies"]


@admin.register(models.PainPoint)
class PainPointAdmin(admin.ModelAdmin):
    list_display = ["employer", "category", "recorded_on", "text"]
    list_filter = ["category"]


@admin.register(models.EngagementStage)
class EngagementStageAdmin(admin.ModelAdmin):
    list_display = ["employer", "stage", "since", "note"]
    list_filter = ["stage"]
