"""Keeping the audit log bounded and its verification cheap: failed sign-ins counted per address
and window, checkpoints the page verifies from, and anchors kept outside the workspace.

- **Failed sign-ins.** A visitor can fail to sign in as often as they like, so each failure only
  counts in a ``SignInFailures`` row of its address and window; the first failure after a window
  ends (or a visit to the audit page, or ``backbone audit verify``) closes it into one
  ``login_failed`` event with the count and the usernames tried.
- **Checkpoints.** Verifying re-hashes events; the page verifies only the events after the last
  checkpoint (signed with the chain's key, and checked to still name an event with that hash),
  ``backbone audit verify`` the whole chain.
- **Anchors.** ``backbone audit anchor`` signs the head; kept where the workspace's users cannot
  write, it shows later whether the log still reaches that event with that hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backbone.governance import chain
from backbone.governance.models import AuditCheckpoint, AuditEvent, SignInFailures
from backbone.governance.services import CHAIN_VALUES, audit_key, record, verify_chain

USERNAMES_KEPT = 20  # per window: enough to see a pattern, not a list an attacker can grow


# Failed sign-ins ---------------------------------------------------------------------------------


def count_failed_sign_in(
    address: str, username: str, locked_out: bool = False, now: dt.datetime | None = None
) -> SignInFailures:
    """Count one failed sign-in from ``address`` in its window (closing windows that ended)."""
    now = now or timezone.now()
    close_sign_in_windows(now)
    start, end = chain.window(now, settings.BACKBONE_AUDIT_SIGN_IN_WINDOW_MINUTES)
    with transaction.atomic():
        SignInFailures.objects.get_or_create(
            address=address[:45], window_start=start, defaults={"window_end": end}
        )
        tally = SignInFailures.objects.select_for_update().get(
            address=address[:45], window_start=start
        )
        tally.count += 1
        tried = username[:150]
        if tried not in tally.usernames and len(tally.usernames) < USERNAMES_KEPT:
            tally.usernames = [*tally.usernames, tried]
        tally.locked_out = tally.locked_out or locked_out
        tally.save()
    return tally


def close_sign_in_windows(now: dt.datetime | None = None) -> int:
    """Record every window that ended by ``now`` as one ``login_failed`` event; how many."""
    now = now or timezone.now()
    closed = 0
    for tally in SignInFailures.objects.filter(window_end__lte=now).order_by("window_start", "pk"):
        with transaction.atomic():
            # Whoever deletes the tally records it: two closers never record one window twice.
            if SignInFailures.objects.filter(pk=tally.pk).delete()[0]:
                record("anonymous", "login_failed", "auth.user", _object_id(tally), "sign-in",
                       failures_detail(tally))  # fmt: skip
                closed += 1
    return closed


def failures_detail(tally: SignInFailures) -> dict[str, Any]:
    """What the audit event of a closed window says (never a password)."""
    return {
        "ip": tally.address,
        "count": tally.count,
        "usernames": tally.usernames,
        "window_start": chain.canonical_time(tally.window_start),
        "window_end": chain.canonical_time(tally.window_end),
        "locked_out": tally.locked_out,
    }


def _object_id(tally: SignInFailures) -> str:
    return tally.usernames[0] if len(tally.usernames) == 1 else ""


def open_sign_in_windows() -> list[SignInFailures]:
    """Windows still counting, newest first: the audit page shows them before they close."""
    return list(SignInFailures.objects.order_by("-window_start", "address"))


# Checkpoints -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """A verification and where it started: ``since`` is the checkpoint it trusted (``None``:
    from #1), ``last_full`` the last verification of the whole chain."""

    result: chain.Verification
    since: AuditCheckpoint | None
    last_full: AuditCheckpoint | None
    checked: int  # events re-hashed this time


def verify_incrementally(now: dt.datetime | None = None) -> Checked:
    """Verify the events after the last valid checkpoint (all of them when there is none), and
    move the checkpoint on when they verify. A checkpoint that names an event that is gone, or
    whose hash changed, is itself the break: the log lost or rewrote verified events."""
    close_sign_in_windows(now)
    key = audit_key()
    points = sorted(_checkpoints(), key=lambda p: p.through, reverse=True)
    problem = _checkpoint_problems(points, key)
    if problem:
        return Checked(problem, None, _full(points), 0)
    since = points[0] if points else None
    start = (since.through + 1, since.head) if since else (1, chain.GENESIS)
    entries = AuditEvent.objects.filter(sequence__gte=start[0]).order_by("sequence")
    found = chain.check(entries.values(*CHAIN_VALUES).iterator(chunk_size=2000), key, start)
    result = found._replace(entries=found.entries + (since.through if since else 0))
    if found.ok and found.entries:
        _save_checkpoint(False, result, now)
    return Checked(result, since, _full(points), found.entries)


def verify_everything(now: dt.datetime | None = None) -> chain.Verification:
    """Verify the whole chain from #1 and every checkpoint against it; record the result as the
    last full verification when it holds."""
    close_sign_in_windows(now)
    result = verify_chain()
    problem = _checkpoint_problems(_checkpoints(), audit_key())
    if problem:
        return problem
    if result.ok:
        _save_checkpoint(True, result, now)
        _save_checkpoint(False, result, now)
    return result


def _checkpoints() -> list[AuditCheckpoint]:
    return list(AuditCheckpoint.objects.all())


def _full(points: Iterable[AuditCheckpoint]) -> AuditCheckpoint | None:
    return next((p for p in points if p.full), None)


def _checkpoint_problems(
    points: Iterable[AuditCheckpoint], key: bytes
) -> chain.Verification | None:
    for point in points:
        when = f"{point.checked_at:%Y-%m-%d %H:%M} UTC"
        sign = chain.signature("checkpoint", point.through, point.head, point.checked_at, key)
        found = hash_at(point.through)
        if point.signature != sign:
            reason = f"the checkpoint at #{point.through} is not signed with this key"
        elif found is None:
            reason = f"event #{point.through}, verified on {when}, is gone: the log was cut short"
        elif found != point.head:
            reason = f"event #{point.through} changed since it was verified on {when}"
        else:
            continue
        return chain.Verification(0, 0, "", chain.Break(point.through, reason))
    return None


def _save_checkpoint(
    full: bool, result: chain.Verification, now: dt.datetime | None
) -> AuditCheckpoint:
    at = now or timezone.now()
    sign = chain.signature("checkpoint", result.through, result.head, at, audit_key())
    values = {"through": result.through, "head": result.head, "checked_at": at, "signature": sign}
    point, _ = AuditCheckpoint.objects.update_or_create(full=full, defaults=values)
    return point


# Anchors -----------------------------------------------------------------------------------------


class NothingToAnchor(Exception):
    """The log is empty or does not verify: there is no head worth anchoring."""


def make_anchor(now: dt.datetime | None = None) -> dict[str, Any]:
    """The verified head, signed: one JSON-able record for ``backbone audit anchor``."""
    checked = verify_incrementally(now).result
    if checked.broken:
        raise NothingToAnchor(f"the log does not verify: {checked.broken.reason}")
    if not checked.through:
        raise NothingToAnchor("the audit log is empty")
    return chain.anchor(checked.through, checked.head, now or timezone.now(), audit_key())


def hash_at(sequence: int) -> str | None:
    """The hash of event ``sequence`` in the database, ``None`` when there is none."""
    return AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()


def anchor_problems(
    anchors: Iterable[dict[str, Any]], lookup: Callable[[int], str | None] = hash_at
) -> list[str]:
    """What every anchor that no longer agrees with the log (or ``lookup``) says is wrong."""
    key = audit_key()
    return [found for a in anchors if (found := chain.anchor_problem(a, key, lookup))]
