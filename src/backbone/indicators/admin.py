from django.contrib import admin

from backbone.indicators import models


class TargetInline(admin.TabularInline):
    model = models.Target
    extra = 0


class BaselineInline(admin.TabularInline):
    model = models.Baseline
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "outcome", "level", "category", "unit", "version", "active"]
    list_filter = ["level", "category", "active"]
    search_fields = ["name", "slug", "plain_definition"]
    inlines = [BaselineInline, TargetInline]


@admin.register(models.Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "status", "outcome", "indicator"]
    list_filter = ["status"]


@admin.register(models.TurnTheCurve)
class TurnTheCurveAdmin(admin.ModelAdmin):
    list_display = ["indicator", "written_on"]
    filter_horizontal = ["partners"]


@admin.register(models.ComputeRun)
class ComputeRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "started_at", "finished_at", "engine", "indicators", "results"]
    readonly_fields = [f.name for f in models.ComputeRun._meta.fields]
