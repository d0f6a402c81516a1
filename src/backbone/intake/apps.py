from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "backbone.intake"
    label = "intake"
    verbose_name = "Partner data intake"

    def ready(self) -> None:
        from backbone.governance.services import provide_outcome_sources
        from backbone.intake.services import outcome_sources

        # Governance sits below intake: it learns whose loaded data holds each outcome from here.
        provide_outcome_sources(outcome_sources)
