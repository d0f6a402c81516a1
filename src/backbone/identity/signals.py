"""A consent that changes (revoked, lapsed, deleted) takes its records out of the review queue
at once, not at the next linkage run (docs/identity.md, "Consent")."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from backbone.governance.models import Consent


def _consent_changed(sender: type[Consent], **kwargs: Any) -> None:
    from backbone.identity.services import withdraw_unconsented_pairs  # services import models

    withdraw_unconsented_pairs()  # same transaction: the gate reads the change just saved


def connect() -> None:
    post_save.connect(_consent_changed, sender=Consent, dispatch_uid="identity-consent-saved")
    post_delete.connect(_consent_changed, sender=Consent, dispatch_uid="identity-consent-deleted")
