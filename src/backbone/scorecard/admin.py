from django.contrib import admin

from backbone.scorecard import models


@admin.register(models.IndicatorPublication)
class IndicatorPublicationAdmin(admin.ModelAdmin):
    list_display = ["indicator", "public", "min_n"]
    list_filter = ["public"]


@admin.register(models.Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Releases are the audit record of what the public saw: read only."""

    list_display = ["pk", "created_at", "compute_run", "policy_version", "notes"]
    readonly_fields = [f.name for f in models.Release._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
