from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "backbone.scorecard"
    verbose_name = "Public scorecard"
