from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "backbone.evidence"
    label = "evidence"
    verbose_name = "Evidence of what works"
