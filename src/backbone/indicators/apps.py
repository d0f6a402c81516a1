from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "backbone.indicators"
    label = "indicators"
    verbose_name = "Shared outcomes and indicators"

    def ready(self) -> None:
        from backbone.indicators import views
        from backbone.partnership import pages

        for part in views.HOME_PARTS:  # the indicator grid on the home page
            pages.add_part(part)
