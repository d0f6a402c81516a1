from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "backbone.improvement"
    label = "improvement"
    verbose_name = "Continuous improvement"
