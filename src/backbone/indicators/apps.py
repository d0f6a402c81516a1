from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "backbone.indicators"
    label = "indicators"
    verbose_name = "Shared outcomes and indicators"
