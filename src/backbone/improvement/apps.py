from django.apps import AppConfig

AUDITED = ("Charter", "Measure", "ActionItem", "PdsaCycle", "PolicyBarrier")


class ImprovementConfig(AppConfig):
    name = "backbone.improvement"
    label = "improvement"
    verbose_name = "Continuous improvement"

    def ready(self) -> None:
        from backbone.governance import signals
        from backbone.improvement import views
        from backbone.partnership import pages

        for model in AUDITED:  # every write to a network's records goes to the audit log
            signals.watch(f"improvement.{model}")
        for item in views.HOME_ATTENTION:
            pages.add_attention(item)
