from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "backbone.intake"
    label = "intake"
    verbose_name = "Partner data intake"

    def ready(self) -> None:
        from backbone.governance.services import provide_outcome_sources
        from backbone.intake.services import outcome_sources
        from backbone.intake.views import HOME_ATTENTION, HOME_PARTS
        from backbone.partnership import pages

        # Governance sits below intake: it learns whose loaded data holds each outcome from here.
        provide_outcome_sources(outcome_sources)
        for part in HOME_PARTS:  # the clerk's desk on the home page
            pages.add_part(part)
        for item in HOME_ATTENTION:
            pages.add_attention(item)
