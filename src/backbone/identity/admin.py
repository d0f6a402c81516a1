from django.contrib import admin

from backbone.identity import models as m


@admin.register(m.LinkageRun)
class LinkageRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "started_at", "model_version", "records", "persons", "queued_for_review"]
    readonly_fields = [f.name for f in m.LinkageRun._meta.fields]

    def has_add_permission(self, request):  # runs come from `backbone link`
        return False


@admin.register(m.ReviewPair)
class ReviewPairAdmin(admin.ModelAdmin):
    list_display = ["pk", "source_a", "source_b", "match_probability", "decision", "decided_by"]
    list_filter = ["decision", "source_a", "source_b"]
