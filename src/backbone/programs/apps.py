from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "backbone.programs"
    label = "programs"
    verbose_name = "Programs"
