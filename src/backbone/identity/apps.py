from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "backbone.identity"
    label = "identity"
    verbose_name = "Identity resolution"

    def ready(self) -> None:
        from backbone.identity import signals

        signals.connect()
