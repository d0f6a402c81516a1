from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "backbone.scorecard"
    verbose_name = "Public scorecard"

    def ready(self) -> None:
        from backbone.indicators.services import provide_policy
        from backbone.scorecard.services import policy_for

        # Indicators sit below the scorecard: the staff pages learn from here which policy the
        # public figures are protected under, so that both apply the same one.
        provide_policy(policy_for)
