"""Audit consent records and agreements' data elements in the governance log, wherever they
change (admin, registry import, shell). Connected in ``PartnershipConfig.ready``.

The governance app audits agreements and their parties itself. A consent's person id is left out
of the log on purpose: the log is append-only and outlives the data, so it must not hold an
identifier that destruction is meant to remove.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from backbone.governance.services import record
from backbone.partnership.models import AgreementDataElement, Consent

PURPOSE = "governance record"
CONSENT_FIELDS = ("partner_id", "agreement_id", "records", "purpose", "signed_on", "revoked_on")
ELEMENT_FIELDS = ("agreement_id", "contract", "fields")
AUDITED = {Consent: CONSENT_FIELDS, AgreementDataElement: ELEMENT_FIELDS}


def audited_values(instance: models.Model) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in AUDITED[type(instance)]}


def remember_old_values(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    old = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_old = audited_values(old) if old else None  # type: ignore[attr-defined]


def record_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    new, old = audited_values(instance), getattr(instance, "_audit_old", None)
    label = sender._meta.label_lower
    if created or old is None:
        record(None, "create", label, instance.pk, PURPOSE, {"values": new})
        return
    changed = {name: [old[name], value] for name, value in new.items() if old[name] != value}
    if changed:
        record(None, "change", label, instance.pk, PURPOSE, {"changed": changed})


def record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    detail = {"values": audited_values(instance)}
    record(None, "delete", sender._meta.label_lower, instance.pk, PURPOSE, detail)


def connect() -> None:
    """Connect the handlers; ``dispatch_uid`` keeps a second call from doubling them."""
    for model in AUDITED:
        uid = f"audit-{model._meta.label_lower}"
        pre_save.connect(remember_old_values, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(record_save, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(record_delete, sender=model, dispatch_uid=f"{uid}-delete")
