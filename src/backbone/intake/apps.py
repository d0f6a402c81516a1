from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "backbone.intake"
    label = "intake"
    verbose_name = "Partner data intake"
