from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GovernanceConfig(AppConfig):
    name = "backbone.governance"
    label = "governance"
    verbose_name = "Data governance"

    def ready(self) -> None:
        from backbone.governance import services, signals, views
        from backbone.partnership import pages

        signals.connect()
        for part in views.REGISTRY_PARTS:  # the agreements on the registry's pages
            pages.add_part(part)
        for item in views.HOME_ATTENTION:  # what needs attention on the home page
            pages.add_attention(item)
        # Every migrate brings the role groups in line with roles.py (docs/permissions.md).
        post_migrate.connect(
            services.sync_roles_after_migrate, sender=self, dispatch_uid="governance-roles"
        )
