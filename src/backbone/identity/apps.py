from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "backbone.identity"
    label = "identity"
    verbose_name = "Identity resolution"

    def ready(self) -> None:
        from backbone.identity import signals, views
        from backbone.partnership import pages

        signals.connect()
        for item in views.HOME_ATTENTION:
            pages.add_attention(item)
