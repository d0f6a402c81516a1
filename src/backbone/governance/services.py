"""Writing, verifying, filtering and exporting the audit log; syncing the role groups; API
tokens; the terms, consents and publication rules of the agreements; and the person-level
outcomes a partner's agreements let it see.

``record`` is the one way an event enters the log. Writers queue for the end of the chain: on
PostgreSQL behind a transaction-scoped advisory lock (held until the writer's transaction ends,
so the next writer reads the new last event); SQLite allows one writer at a time anyway, and a
writer it turns away ("database is locked") tries again. Should two writers still pick the same
next sequence, the unique sequence refuses the second, which tries again.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from backbone.disclosure import safe_csv
from backbone.governance import chain, participants, roles, tokens
from backbone.governance import models as m
from backbone.governance.actor import SYSTEM, current_actor
from backbone.governance.consent import ConsentOnFile
from backbone.governance.dsa import ACTIVE, DSA, Terms
from backbone.governance.models import Agreement, ApiToken, AuditEvent
from backbone.governance.publication import PublicationRule, strictest_publication_rule
from backbone.partnership import vocabulary as vocab
from backbone.warehouse.contracts import CONTRACTS

logger = logging.getLogger(__name__)

ATTEMPTS = 8
EXPORT_COLUMNS = ("sequence", "at", "actor", "action", "object_type", "object_id", "purpose")
EXPORT_HEADER = (*EXPORT_COLUMNS, "detail", "prev_hash", "hash")
CHAIN_VALUES = (*chain.FIELDS, "prev_hash", "hash")
CHAIN_LOCK = 0x6261636B626F6E65  # "backbone": PostgreSQL advisory lock key for appending


def audit_key() -> bytes:
    """The chain's HMAC key: from ``BACKBONE_AUDIT_KEY``, else from ``SECRET_KEY``."""
    return chain.derive_key(getattr(settings, "BACKBONE_AUDIT_KEY", "") or settings.SECRET_KEY)


def record(
    actor: Any,
    action: str,
    object_type: str,
    object_id: object = "",
    purpose: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``actor`` is a user, a name, or ``None`` for whoever is acting now (the signed-in user in a
    request, ``cli:<name>`` in a command, ``system`` otherwise). Example::

        record(request.user, "read", "identity.reviewpair", pair.pk, "clerical review")
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}: one of {AuditEvent.Action.values}")
    name, user_id = actor_identity(current_actor() if actor is None else actor)
    fields = {
        "actor": name[:150],
        "action": action,
        "object_type": object_type[:100],
        "object_id": str(object_id)[:200],
        "purpose": purpose,
        "detail": json.loads(chain.canonical_json(jsonable(detail or {}))),
    }
    outermost = not connection.in_atomic_block
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _append(fields, user_id)
        except (IntegrityError, OperationalError) as error:
            if attempt == ATTEMPTS or not _worth_retrying(error, outermost):
                raise
            logger.info("audit append %s, attempt %d: %s", action, attempt, error)
            time.sleep(0.01 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _append(fields: Mapping[str, Any], user_id: int | None) -> AuditEvent:
    _queue_for_the_chain()
    last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
    sequence, prev_hash = (last["sequence"] + 1, last["hash"]) if last else (1, chain.GENESIS)
    entry = {**fields, "sequence": sequence, "at": timezone.now()}
    digest = chain.entry_hash(entry, prev_hash, audit_key())
    event = AuditEvent(**entry, user_id=user_id, prev_hash=prev_hash, hash=digest)
    event.save()
    return event


def _queue_for_the_chain() -> None:
    # Locking the last row instead would not do: a writer that waited on it reads that same row
    # again, not the one appended meanwhile.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _worth_retrying(error: Exception, outermost: bool) -> bool:
    if isinstance(error, IntegrityError):
        return True  # another writer took the sequence: read the new last row
    # SQLite says "database is locked" to a writer that would deadlock; a retry only helps
    # when no outer transaction still holds the read lock.
    return outermost and "locked" in str(error)


def actor_identity(actor: Any) -> tuple[str, int | None]:
    """(name, user id) for a user object, a name, or an anonymous user."""
    if isinstance(actor, str):
        return actor, None
    if getattr(actor, "is_authenticated", False):
        return actor.get_username(), actor.pk
    return ("anonymous" if actor is not None and actor != SYSTEM else SYSTEM), None


def jsonable(value: Any) -> Any:
    """``value`` with floats as text: PostgreSQL's jsonb may give a float back as another
    number's text (1e300 as an integer), which would change the hash."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


def verify_chain() -> chain.Verification:
    """Verify every event in sequence order."""
    return chain.check(_chain_entries(), audit_key())


def verify_file(path: Path) -> chain.Verification:
    """Verify a CSV export, from its first event on (a complete export starts at #1)."""
    with path.open(newline="", encoding="utf-8") as handle:
        entries = chain.entries_from_csv(handle)
        first = next(entries, None)
        if first is None:
            return chain.check([], audit_key())
        start = (first["sequence"], first["prev_hash"])
        return chain.check(itertools.chain([first], entries), audit_key(), start=start)


def file_hashes(path: Path) -> dict[int, str]:
    """Each event's hash in a CSV export, by sequence (to check anchors against an export)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {int(row["sequence"]): row["hash"] for row in safe_csv.dict_rows(handle)}


def export_file(path: Path) -> int:
    """Write the whole log to ``path``, oldest first, after recording the export itself."""
    record(None, "export", "governance.auditevent", "", "audit log export", {"file": path.name})
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    with path.open("w", newline="", encoding="utf-8") as handle:
        return write_csv(events, handle)


def _chain_entries() -> Iterator[dict[str, Any]]:
    rows = AuditEvent.objects.order_by("sequence").values(*CHAIN_VALUES)
    yield from rows.iterator(chunk_size=2000)


def filtered_events(
    actor: str = "",
    action: str = "",
    object_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, narrowed by any of the filters the steward page offers."""
    events = AuditEvent.objects.order_by("-sequence")
    if actor:
        events = events.filter(actor__icontains=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type__icontains=object_type)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_csv(events: Iterable[AuditEvent], handle: Writable) -> int:
    """Write ``events`` as CSV with their hashes (so the export can be verified on its own);
    return how many rows were written."""
    writer = safe_csv.writer(handle)
    writer.writerow(EXPORT_HEADER)
    count = 0
    for event in events:
        at = chain.canonical_time(event.at)
        cells = [getattr(event, name) for name in EXPORT_COLUMNS[2:]]
        writer.writerow([event.sequence, at, *cells, chain.canonical_json(event.detail),
                         event.prev_hash, event.hash])  # fmt: skip
        count += 1
    return count


# The second factor -----------------------------------------------------------------------------

# A steward may read identity records or the audit log; with BACKBONE_REQUIRE_OTP_FOR_STEWARDS on,
# they verify a TOTP device once per session before person-level pages.
STEWARD_PERMISSIONS = ("identity.review_matches", "governance.view_auditevent")


def is_steward(user: Any) -> bool:
    return any(user.has_perm(permission) for permission in STEWARD_PERMISSIONS)


def needs_second_factor(user: Any) -> bool:
    """Whether ``user`` must verify a TOTP device before a person-level page."""
    if not getattr(settings, "BACKBONE_REQUIRE_OTP_FOR_STEWARDS", False):
        return False
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    return is_steward(user) and not (verified and verified())


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: Any) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first use: its key is shown once, on the
    enrolment page, until a code from it confirms it."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    return device


def secret_text(device: TOTPDevice) -> str:
    """The device key as the base32 text authenticator apps accept, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def check_token(request: Any, device: TOTPDevice, token: str) -> bool:
    """Verify ``token`` against ``device``; on success confirm the device and mark the session
    verified. django-otp slows down repeated wrong codes."""
    if not device.verify_token(token.replace(" ", "")):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(request.user, "create", "otp_totp.totpdevice", device.pk, "second factor enrolled")
    otp_login(request, device)
    return True


# Roles ------------------------------------------------------------------------------------------


class RoleProblem(Exception):
    """The roles cannot be synced; the message lists every problem."""


@dataclass
class RoleSync:
    """What syncing one role's group changed."""

    role: roles.Role
    created: bool
    added: list[str]
    removed: list[str]


def sync_roles(defined: Iterable[roles.Role] = roles.ROLES) -> list[RoleSync]:
    """Create or update one group per role, named by its label, holding exactly its
    permissions; groups of no role are left alone. Permission changes are audited (the
    group-permission signal). Raises ``RoleProblem`` listing every unknown permission."""
    defined = list(defined)
    known = _permissions_by_name()
    found = roles.problems(defined, known)
    if found:
        raise RoleProblem("; ".join(found))
    return [_sync_role(role, known) for role in defined]


def _permissions_by_name() -> dict[str, Permission]:
    every = Permission.objects.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}": p for p in every}


def _sync_role(role: roles.Role, known: Mapping[str, Permission]) -> RoleSync:
    group, created = Group.objects.get_or_create(name=role.label)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    wanted = set(role.permissions)
    if held != wanted:
        group.permissions.set([known[name] for name in sorted(wanted)])
    return RoleSync(role, created, sorted(wanted - held), sorted(held - wanted))


def sync_roles_after_migrate(**kwargs: Any) -> None:
    """``post_migrate`` receiver: permissions of every app first (Django makes them per app, and
    the roles name several), then the role groups."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_roles()


# API tokens -------------------------------------------------------------------------------------

TOKEN_PURPOSE = "API access"
TOUCH_EVERY = dt.timedelta(minutes=1)  # how stale ``last_used`` may get, to spare writes


def create_token(user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token itself, which is not stored and
    must be shown now. Audited."""
    plain = tokens.new_token()
    token = ApiToken.objects.create(
        user=user, name=name, digest=tokens.digest(plain), hint=tokens.hint(plain)
    )
    record(user, "create", "governance.apitoken", token.pk, TOKEN_PURPOSE, {"name": name})
    return token, plain


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first, revoked ones too."""
    return ApiToken.objects.filter(user=user)


def revoke_token(user: Any, token_id: int) -> ApiToken | None:
    """Revoke one of ``user``'s own tokens (audited); ``None`` when they have no such token."""
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked__isnull=True).first()
    if token is None:
        return None
    token.revoked = timezone.now()
    token.save(update_fields=["revoked"])
    record(user, "change", "governance.apitoken", token.pk, TOKEN_PURPOSE, {"revoked": True})
    return token


def user_for_token(plain: str) -> Any | None:
    """The active user ``plain`` belongs to, if it is an unrevoked token; notes its use."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=tokens.digest(plain), revoked__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


# Agreements: terms, consent, publication rules (docs/agreements.md) -----------------------------


def terms_of(agreement: m.Agreement) -> Terms:
    """What enforcement needs of ``agreement``, as plain data."""
    return Terms(
        slug=agreement.slug,
        kind=agreement.kind,
        status=agreement.status,
        discloser=agreement.discloser.slug if agreement.discloser else None,
        start=agreement.start,
        end=agreement.end,
        destruction_deadline=agreement.destruction_deadline,
        needs_consent=agreement.needs_consent,
        elements={e.contract: frozenset(e.fields) for e in agreement.data_elements.all()},
        id=agreement.pk,
    )


def disclosing_terms(partner: m.Partner) -> list[Terms]:
    """The terms of every data-sharing agreement ``partner`` discloses under, in any status."""
    agreements = m.Agreement.objects.filter(kind=DSA, discloser=partner)
    agreements = agreements.select_related("discloser").prefetch_related("data_elements")
    return [terms_of(a) for a in agreements]


def data_elements(agreement: m.Agreement) -> list[dict[str, Any]]:
    """Each data element of ``agreement`` with its contract's title and fields, for its page."""
    return [
        {"contract": e.contract, "title": _contract_title(e.contract), "fields": sorted(e.fields)}
        for e in agreement.data_elements.all()
    ]


def agreement_count() -> int:
    return m.Agreement.objects.count()


def _contract_title(name: str) -> str:
    known = CONTRACTS.get(name)
    return known.title if known else name


def consents_on_file(partners: Iterable[str]) -> list[ConsentOnFile]:
    """Every consent on file for the records of ``partners`` (slugs), as plain data for the
    rule in ``governance.consent``."""
    rows = m.Consent.objects.filter(partner__slug__in=list(partners)).values_list(
        "partner__slug", "local_id", "agreement_id", "signed_on", "revoked_on", "expires_on"
    )
    return [ConsentOnFile(*row) for row in rows]


def revoke_consent(consent: m.Consent, on: dt.date) -> m.Consent:
    """Record that the person revoked ``consent`` on ``on`` (audited through the signal)."""
    consent.revoked_on = on
    consent.full_clean()
    consent.save(update_fields=["revoked_on"])
    return consent


def publication_rule_for_partners(
    partner_slugs: Iterable[str], today: dt.date | None = None
) -> PublicationRule:
    """The strictest publication rule of the data-sharing agreements these partners disclose
    under — those active today and those governing loaded data — which every figure built from
    their data must meet.

    >>> publication_rule_for_partners(["riverton-public-schools"])  # doctest: +SKIP
    PublicationRule(min_n=10, top_code=None, bottom_code=None)
    """
    today = today or timezone.localdate()
    agreements = m.Agreement.objects.filter(kind=DSA, discloser__slug__in=list(partner_slugs))
    governing = set(agreements.filter(submissions__status="loaded").distinct())
    active = {a for a in agreements.filter(status=ACTIVE) if a.is_current(today)}
    return strictest_publication_rule(governing | active)


def expiring_agreements() -> list[m.Agreement]:
    """Signed agreements whose term ends within the warning window, soonest first."""
    candidates = m.Agreement.objects.filter(status="signed", end__isnull=False).order_by("end")
    return [agreement for agreement in candidates if agreement.expires_soon()]


def expiring_count(today: dt.date) -> int:
    """Signed agreements ending within the warning window of ``today``."""
    candidates = m.Agreement.objects.filter(status="signed", end__isnull=False)
    return sum(agreement.expires_soon(today) for agreement in candidates)


def destruction_deadlines_due(today: dt.date) -> QuerySet[m.Agreement]:
    """Agreements whose destruction deadline has passed or falls within the warning window and
    whose destruction is not yet certified."""
    soon = today + dt.timedelta(days=vocab.EXPIRY_WARNING_DAYS)
    return m.Agreement.objects.filter(
        destruction_deadline__lte=soon, destruction_certified_at__isnull=True
    )


# Person-level outcomes of a partner's participants ---------------------------------------------

OUTCOMES_OBJECT = "governance.participantoutcomes"
VIEW_OUTCOMES = "governance.view_person_outcomes"
PAGE_LIMIT = 500


class OutcomesRefused(Exception):
    """The user may not see these outcomes; the message names what is missing."""


@dataclass
class ParticipantOutcomes:
    """One page of a partner's participants with the outcomes its agreements permit."""

    partner: Any
    decision: participants.Decision
    outcomes: list[participants.Outcome]
    rows: list[dict[str, Any]]
    total: int

    def table(self) -> list[tuple[str, list[bool | None]]]:
        """Each row as (the partner's person id, its outcomes in ``outcomes`` order: true for
        yes, false for no, ``None`` for not yet)."""
        return [(r["local_id"], [r[o.code] for o in self.outcomes]) for r in self.rows]


def participant_outcomes(
    user: Any, purpose: str | None = None, offset: int = 0, limit: int = PAGE_LIMIT
) -> ParticipantOutcomes:
    """The user's partner's participants and the outcomes active data-sharing agreements let
    the partner see, for ``purpose`` if named; the read is audited under the agreements'
    purposes. Raises ``OutcomesRefused`` naming what is missing."""
    if not user.has_perm(VIEW_OUTCOMES):
        raise OutcomesRefused(f"you need the {VIEW_OUTCOMES} permission")
    partner = _partner_of(user)
    decision = outcome_decision(partner.slug, purpose)
    if decision.refused:
        raise OutcomesRefused(decision.explanation())
    shown = [o for o in participants.OUTCOMES if o.code in decision.allowed]
    rows, total = _participant_rows(partner.slug, decision, offset, limit)
    detail = {
        "partner": partner.slug, "outcomes": [o.code for o in shown], "rows": len(rows),
        "offset": offset, "agreements": decision.agreements,
    }  # fmt: skip
    reason = ", ".join(decision.purposes) or "the partner's own data"
    record(user, "read", OUTCOMES_OBJECT, partner.slug, reason, detail)
    return ParticipantOutcomes(partner, decision, shown, rows, total)


def _partner_of(user: Any) -> Any:
    link = getattr(user, "partner_user", None)
    if link is None:
        raise OutcomesRefused("your account is not linked to a partner (Partner users)")
    return link.partner


def outcome_decision(partner: str, purpose: str | None = None) -> participants.Decision:
    """What ``partner`` may see today, from the data loaded and every data-sharing agreement."""
    return participants.decide(partner, outcome_sources(), grants(), timezone.localdate(), purpose)


def outcome_sources() -> dict[str, list[participants.Source]]:
    """For each outcome, the partners (and contracts) whose loaded data holds its table, as the
    app holding the submissions says (``provide_outcome_sources``); none before it does."""
    return _SOURCES[-1]() if _SOURCES else {o.code: [] for o in participants.OUTCOMES}


SourceFinder = Callable[[], dict[str, list[participants.Source]]]
_SOURCES: list[SourceFinder] = []


def provide_outcome_sources(finder: SourceFinder) -> None:
    """Name the function that says whose loaded data holds each outcome. The intake app, which
    records who sent what, provides it at start-up: governance sits below intake and may not
    ask it."""
    _SOURCES[:] = [finder]


def grants() -> list[participants.Grant]:
    """Every data-sharing agreement with its recipients and purpose code."""
    agreements = Agreement.objects.filter(kind=DSA).select_related("discloser")
    return [
        participants.Grant(
            terms_of(a), frozenset(p.slug for p in a.recipients()), a.purpose_code or ""
        )
        for a in agreements.prefetch_related("data_elements")
    ]


def _participant_rows(
    partner: str, decision: participants.Decision, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    from backbone.warehouse.services import warehouse

    store = warehouse()
    if "crosswalk" not in store.derived():
        return [], 0  # nobody is linked yet
    sql, parameters = participants.outcomes_sql(partner, decision.allowed, timezone.localdate())
    with store.engine("all") as engine:
        rows = engine.arrow(sql, [*parameters, limit, offset], "participant outcomes").to_pylist()
        count_sql = participants.participant_count_sql()
        [(total,)] = engine.run(count_sql, [partner], "participant count")
    return rows, int(total)
