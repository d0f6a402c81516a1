"""Ending data-sharing agreements and destroying their data (docs/agreements.md).

``enforce_agreements`` (``backbone agreements enforce``, daily) flags the submissions of agreements
that have ended and, at an agreement's destruction deadline, removes their person-level rows,
crosswalk rows and archived files, then certifies and audits the destruction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from backbone.governance import dsa
from backbone.governance.actor import current_actor
from backbone.governance.models import Agreement, DestructionCertificate
from backbone.governance.services import actor_identity, record, terms_of
from backbone.intake.models import Submission
from backbone.warehouse.services import warehouse, workspace
from backbone.warehouse.store import Warehouse

logger = logging.getLogger(__name__)

SURVIVING_CROSSWALK_SQL = (
    "SELECT * FROM crosswalk WHERE record_id IN (SELECT record_id FROM identity_record)"
)
DESTROY_PURPOSE = "destruction at the data-sharing agreement's deadline"


@dataclass
class Enforcement:
    """What one run of ``enforce_agreements`` did."""

    flagged: dict[str, int] = field(default_factory=dict)  # agreement slug → newly flagged
    certificates: list[DestructionCertificate] = field(default_factory=list)


def enforce_agreements(today: dt.date | None = None) -> Enforcement:
    """Flag the submissions of data-sharing agreements that have ended, and destroy those of
    agreements whose destruction deadline has come. Safe to run daily: a second run on the same
    day changes nothing.

    >>> enforce_agreements(dt.date(2029, 7, 1)).certificates  # doctest: +SKIP
    [<DestructionCertificate: Destruction of District DSA data, 2029-07-01>]
    """
    today = today or timezone.localdate()
    done = Enforcement()
    agreements = Agreement.objects.filter(kind=dsa.DSA).select_related("discloser")
    for agreement in agreements.prefetch_related("data_elements"):
        terms = terms_of(agreement)
        flagged = flag_ended(agreement, terms, today)
        if flagged:
            done.flagged[agreement.slug] = flagged
        certificate = destroy_data(agreement, today) if dsa.destruction_due(terms, today) else None
        if certificate:
            done.certificates.append(certificate)
    return done


def flag_ended(agreement: Agreement, terms: dsa.Terms, today: dt.date) -> int:
    """Once ``agreement`` has ended, mark the submissions it admitted as due for destruction
    (and the agreement as ended); clear the mark if its term was extended. Returns how many
    submissions were newly marked."""
    held = Submission.objects.filter(agreement=agreement).exclude(
        status=Submission.Status.DESTROYED
    )
    if not dsa.has_ended(terms, today):
        held.exclude(agreement_ended_on=None).update(agreement_ended_on=None)
        return 0
    if agreement.status == dsa.ACTIVE:
        agreement.status = "ended"
        agreement.save(update_fields=["status"])  # audited by the governance signals
    return held.filter(agreement_ended_on=None).update(
        agreement_ended_on=dsa.ended_on(terms, today)
    )


def destroy_data(agreement: Agreement, today: dt.date) -> DestructionCertificate | None:
    """Remove the person-level rows (both tiers, and their crosswalk rows) and the archived files
    of every submission ``agreement`` admitted; mark them destroyed, certify it and record it in
    the audit log. ``None`` when there was nothing left to destroy and it was certified before.

    Only the submissions this agreement admitted are touched: data another agreement admitted
    stays, even from the same partner and contract.
    """
    held = list(
        Submission.objects.filter(agreement=agreement).exclude(status=Submission.Status.DESTROYED)
    )
    if not held and agreement.destruction_certificates.exists():
        return None
    ids = {s.pk for s in held}
    store = warehouse()
    rows = rows_held(store, ids)
    store.remove(ids)
    crosswalk_rows = prune_crosswalk(store)
    files = delete_archived_files(held)
    return _certify(agreement, today, held, rows, crosswalk_rows, files)


def rows_held(store: Warehouse, submission_ids: set[int]) -> dict[str, int]:
    """Rows per table the warehouse holds for these submissions."""
    rows: dict[str, int] = {}
    for entry in store.files():
        if entry.submission_id in submission_ids:
            rows[entry.table] = rows.get(entry.table, 0) + entry.rows
    return rows


def prune_crosswalk(store: Warehouse) -> int:
    """Drop crosswalk rows whose record is no longer in the identity tier; return how many."""
    relative = store.derived().get("crosswalk")
    if relative is None:
        return 0
    with store.engine("all") as engine:
        [(before,)] = engine.run("SELECT count(*) FROM crosswalk", label="crosswalk rows")
        kept = engine.arrow(SURVIVING_CROSSWALK_SQL, label="surviving crosswalk")
    if kept.num_rows < before:
        store.write_derived("crosswalk", relative.split("/")[0], kept)
    return int(before - kept.num_rows)


def delete_archived_files(submissions: list[Submission]) -> int:
    """Delete the archived uploads and problem reports of ``submissions``; an archived file that
    a submission still held also points at (the same bytes sent again) is kept. Returns how many
    files were deleted."""
    ids = [s.pk for s in submissions]
    shared = set(
        Submission.objects.exclude(pk__in=ids)
        .exclude(status=Submission.Status.DESTROYED)
        .values_list("archive_path", flat=True)
    )
    paths = {s.archive_path for s in submissions} - shared
    paths |= {s.report_path for s in submissions if s.report_path}
    deleted = 0
    for relative in sorted(paths):
        path = workspace().path(relative)
        if path.is_file():
            path.unlink()
            deleted += 1
        _remove_if_empty(path.parent)  # archive/<partner>/<sha256>/
        _remove_if_empty(path.parent.parent)  # archive/<partner>/
    return deleted


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (a file arrived meanwhile) or already gone
        folder.rmdir()


@transaction.atomic
def _certify(
    agreement: Agreement,
    today: dt.date,
    destroyed: list[Submission],
    rows: dict[str, int],
    crosswalk_rows: int,
    files: int,
) -> DestructionCertificate:
    now = timezone.now()
    Submission.objects.filter(pk__in=[s.pk for s in destroyed]).update(
        status=Submission.Status.DESTROYED, destroyed_at=now, report_path=""
    )
    certificate = DestructionCertificate.objects.create(
        agreement=agreement, destroyed_at=now, as_of=today,
        submission_ids=sorted(s.pk for s in destroyed), rows_removed=rows,
        crosswalk_rows_removed=crosswalk_rows, files_removed=files,
        method=agreement.destruction_method, certified_by=actor_identity(current_actor())[0],
    )  # fmt: skip
    agreement.status, agreement.destruction_certified_at = "destroyed", today
    agreement.save(update_fields=["status", "destruction_certified_at"])
    detail = {
        "agreement": agreement.slug, "certificate": certificate.pk, "rows": rows,
        "submissions": certificate.submission_ids, "crosswalk_rows": crosswalk_rows,
        "files": files, "deadline": agreement.destruction_deadline,
    }  # fmt: skip
    record(None, "destroy", "governance.agreement", agreement.pk, DESTROY_PURPOSE, detail)
    logger.info("destroyed the data of %s: %s", agreement.slug, detail)
    return certificate
