"""The audit registry: which models are audited with which fields, and the receivers that write
their changes, and failed sign-ins, to the log wherever they happen — the admin, a registry
import, the shell. Connected in ``GovernanceConfig.ready``; the only place models are watched.

A change records the fields that changed, old and new; a save that changes nothing records
nothing. The actor is whoever is acting now (see ``backbone.governance.actor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth.models import Group
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from backbone.governance.auditing import count_failed_sign_in
from backbone.governance.services import record


@dataclass(frozen=True)
class Watch:
    """How one model is audited: ``fields`` (attribute names) or, when ``None``, every column;
    ``named`` adds the deleted object's name to a delete event."""

    fields: tuple[str, ...] | None = None
    named: bool = True


# A consent's person id (``local_id``) is left out on purpose: the log is append-only and outlives
# the data, so it must not hold an identifier that destruction is meant to remove.
CONSENT = Watch(
    ("partner_id", "agreement_id", "records", "purpose", "signed_on", "revoked_on", "expires_on"),
    named=False,
)

# Agreements, consents, roles and access. A model missing here stops the app at start-up rather
# than going unaudited. Destruction is recorded by the destruction job.
WATCHED = {
    "governance.Agreement": Watch(),
    "governance.AgreementParty": Watch(),
    "governance.AgreementDataElement": Watch(("agreement_id", "contract", "fields"), named=False),
    "governance.Consent": CONSENT,
    "governance.PartnerUser": Watch(),
    "partnership.RoleAssignment": Watch(),
}
WATCHED_MANY = ("governance.Consent.recipients",)  # to whom a consent lets records go
USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser")  # never the password hash
PURPOSE = "governance record"
M2M_ACTIONS = {"post_add": "added", "post_remove": "removed", "pre_clear": "cleared"}


def watch_of(model: type[models.Model]) -> Watch:
    if issubclass(model, get_user_model()):
        return Watch(USER_FIELDS)
    return WATCHED[model._meta.label]


def audited_values(instance: models.Model) -> dict[str, Any]:
    """The values an audit event shows of ``instance``: its watched fields or its own columns."""
    names = watch_of(type(instance)).fields
    if names is not None:
        return {name: _plain(getattr(instance, name)) for name in names}
    fields = instance._meta.concrete_fields
    return {field.attname: _plain(field.value_from_object(instance)) for field in fields}


def _plain(value: Any) -> Any:
    return value.name if isinstance(value, models.fields.files.FieldFile) else value


def remember_old_values(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_old = audited_values(old) if old else None  # type: ignore[attr-defined]


def record_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    new = audited_values(instance)
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        record(None, "create", sender._meta.label_lower, instance.pk, PURPOSE, {"values": new})
        return
    changed = {name: [old[name], value] for name, value in new.items() if old.get(name) != value}
    if changed:
        record(None, "change", sender._meta.label_lower, instance.pk, PURPOSE, {"changed": changed})


def record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    detail: dict[str, Any] = {"values": audited_values(instance)}
    if watch_of(sender).named:
        detail["was"] = str(instance)
    record(None, "delete", sender._meta.label_lower, instance.pk, PURPOSE, detail)


def record_membership(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    pk_set: set[Any] | None,
    model: type[models.Model],
    **kwargs: Any,
) -> None:
    """A user's groups or permissions, or a group's permissions, changed (from either side)."""
    verb = M2M_ACTIONS.get(action)
    if verb is None:
        return
    related = model._default_manager.filter(pk__in=pk_set) if pk_set else None
    if verb == "cleared":  # pk_set is None: name what is about to go
        related = getattr(instance, _relation_name(sender, instance))
    names = sorted(str(item) for item in related.all()) if related is not None else []
    relation = sender._meta.model_name or ""
    detail = {"relation": relation, verb: names}
    record(None, "change", type(instance)._meta.label_lower, instance.pk, PURPOSE, detail)


def _relation_name(through: type[models.Model], instance: models.Model) -> str:
    for field in type(instance)._meta.get_fields():
        if isinstance(field, models.ManyToManyRel) and field.through is through:
            return str(field.get_accessor_name())  # the reverse side, e.g. group.user_set
        if isinstance(field, models.ManyToManyField) and field.remote_field.through is through:
            return field.name
    raise LookupError(f"{type(instance).__name__} has no relation through {through.__name__}")


def record_failed_login(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Count the failure in its address's window: one audit event per address and window
    (``governance.auditing``), however many a visitor makes."""
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    locked_out = bool(getattr(request, "axes_locked_out", False))
    count_failed_sign_in(address, str(credentials.get("username", "")), locked_out)


def watch(label: str, how: Watch | None = None) -> None:
    """Audit the model ``label`` (``app_label.Model``) from now on: how apps above governance
    hand their models to the audit log in their ``ready()`` (this app may not import them)."""
    WATCHED.setdefault(label, how or Watch())
    _connect_model(apps.get_model(label))


def _connect_model(model: type[models.Model]) -> None:
    uid = f"audit-{model._meta.label_lower}"
    pre_save.connect(remember_old_values, sender=model, dispatch_uid=f"{uid}-pre")
    post_save.connect(record_save, sender=model, dispatch_uid=f"{uid}-save")
    post_delete.connect(record_delete, sender=model, dispatch_uid=f"{uid}-delete")


def connect() -> None:
    """Connect every handler; ``dispatch_uid`` keeps a second call from doubling them."""
    user_model = get_user_model()
    for model in (*[apps.get_model(label) for label in WATCHED], user_model):
        _connect_model(model)
    many = [
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ]
    for label in WATCHED_MANY:
        model_label, name = label.rsplit(".", 1)
        many.append(getattr(apps.get_model(model_label), name).through)
    for through in many:
        m2m_changed.connect(record_membership, sender=through, dispatch_uid=f"audit-{through}")
    user_login_failed.connect(record_failed_login, dispatch_uid="audit-login-failed")
