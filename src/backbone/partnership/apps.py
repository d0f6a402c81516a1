from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "backbone.partnership"
    label = "partnership"
    verbose_name = "Partnership registry"
