"""Receiving and loading submissions: the service the upload page and ``backbone ingest`` share.

``receive`` archives the file unchanged (content-addressed by SHA-256) before anything else and
records the submission; ``process`` loads it through its contract's importer, once a data-sharing
agreement is found to cover it (else the submission is refused, naming what is missing). Sending
the bytes of a loaded submission again is a no-op that says so. Ending agreements and destroying
their data is ``backbone.intake.destruction``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from backbone.disclosure import safe_csv
from backbone.governance import participants
from backbone.governance.coverage import FieldCheck, NotCovered, batch_fields
from backbone.governance.services import disclosing_terms
from backbone.intake import jobs, loading, schedule
from backbone.intake.models import CodeName, ColumnMapping, ReportingSchedule, Submission
from backbone.partnership.models import Partner
from backbone.warehouse.contracts import contract as get_contract
from backbone.warehouse.records import (
    ImportOptions,
    ImportStream,
    IntakeLimits,
    Problem,
    RowBatch,
    StagedRows,
)  # fmt: skip
from backbone.warehouse.services import warehouse, workspace

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
INTERRUPTED = (
    "The load was interrupted before it finished; nothing was stored. Send the file again."
)


@dataclass
class Outcome:
    """What happened to one file handed to ``ingest``."""

    submission: Submission
    duplicate: bool = False
    result: loading.LoadResult | None = None


def ingest(
    path: Path,
    partner: Partner,
    contract: str,
    period: str = "",
    user: User | AnonymousUser | None = None,
    progress: loading.Progress | None = None,
    original_name: str | None = None,
) -> Outcome:
    """Archive ``path``, then load it unless the same bytes are already loaded."""
    get_contract(contract)  # fails early, naming the known contracts
    recover_interrupted()
    digest, size, archived = archive(path, partner.slug, original_name or path.name)
    with load_lock(partner.slug, contract, period, digest):
        existing = loaded_duplicate(partner, contract, digest)
        if existing:
            return Outcome(existing, duplicate=True)
        submission = received(partner, contract, period, digest, size, archived, user)
        return Outcome(submission, result=process(submission, progress))


def received(
    partner: Partner,
    contract: str,
    period: str,
    digest: str,
    size: int,
    archived: Path,
    user: User | AnonymousUser | None,
    status: str = Submission.Status.RECEIVED,
) -> Submission:
    return Submission.objects.create(
        partner=partner, contract=contract, period=period, original_name=archived.name,
        sha256=digest, size=size, archive_path=workspace().relative(archived),
        uploaded_by=user if user is not None and user.is_authenticated else None,
        status=status, processing_pid=os.getpid() if status == Submission.Status.RECEIVED else None,
    )  # fmt: skip


@contextmanager
def load_lock(partner_slug: str, contract: str, period: str, digest: str) -> Iterator[None]:
    """One load at a time per partner, contract and period, and one per file: the duplicate
    check, the decision what a load supersedes and its commit happen under both locks.

    Two locks, always taken in this order, so no two loads can wait for each other: the
    file's (partner, contract, SHA-256), because the duplicate check looks for the same bytes
    in every period; then the period's (partner, contract, period), because a load of a period
    supersedes the one loaded before it. Different files for different periods load side by
    side; the warehouse serialises their commits itself (``Warehouse.commit`` holds its own
    lock for the manifest replace only).

    Each is a PostgreSQL advisory lock when the app database is PostgreSQL (it holds across
    machines sharing the database), otherwise an ``flock`` on a file in the workspace's
    ``locks`` folder. Either is released if the process dies."""
    with (
        _one_at_a_time("backbone.load.file", partner_slug, contract, digest),
        _one_at_a_time("backbone.load.period", partner_slug, contract, period),
    ):
        yield


@contextmanager
def _one_at_a_time(*parts: str) -> Iterator[None]:
    key = jobs.lock_key(*parts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    with jobs.file_lock(workspace().path("locks") / f"load-{key & 0xFFFFFFFFFFFFFFFF:016x}.lock"):
        yield


def archive(path: Path, partner_slug: str, name: str) -> tuple[str, int, Path]:
    """Copy the file unchanged into ``archive/<partner>/<sha256>/<name>``, read-only.

    A folder (an HMIS export, a set of Ed-Fi files) is archived as a zip of its files, built the
    same way every time, so the same folder gives the same bytes. Returns the SHA-256, size and
    archived path. Identical bytes are stored once.
    """
    name = Path(name).name + (".zip" if path.is_dir() else "")
    incoming = workspace().archive / ".incoming" / f"{os.getpid()}-{name}"
    incoming.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        digest, size = zip_folder(path, incoming)
    else:
        digest, size = _copy_hashing(path, incoming)
    target = workspace().archive / partner_slug / digest / name
    if target.exists():
        incoming.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming.chmod(0o400)  # read-only, and the owner's alone: it holds person-level data
        os.replace(incoming, target)
    return digest, size, target


def zip_folder(folder: Path, target: Path) -> tuple[str, int]:
    """Zip every file under ``folder`` in name order with a fixed timestamp (reproducible
    bytes); return the zip's SHA-256 and size."""
    with zipfile.ZipFile(target, "w") as zipped:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(
                file.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            with file.open("rb") as source, zipped.open(info, "w") as sink:
                while chunk := source.read(CHUNK):
                    sink.write(chunk)
    return hashlib.sha256(target.read_bytes()).hexdigest(), target.stat().st_size


def _copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest(), size


def loaded_duplicate(partner: Partner, contract: str, digest: str) -> Submission | None:
    """A loaded submission of the same partner and contract with exactly these bytes."""
    return Submission.objects.filter(
        partner=partner, contract=contract, sha256=digest, status=Submission.Status.LOADED
    ).first()


def process(submission: Submission, progress: loading.Progress | None = None) -> loading.LoadResult:
    """Load a received submission through its contract's importer if a data-sharing agreement
    covers it, else refuse it naming what is missing; record the outcome."""
    contract = get_contract(submission.contract)
    replaces = _replaced_by(submission)
    request = loading.LoadRequest(
        submission_id=submission.pk, partner=submission.partner.slug,
        pseudonym_key=workspace().pseudonym_key(),
        staging_dir=workspace().staging, replaces={s.pk for s in replaces},
    )  # fmt: skip
    try:
        check = coverage_check(submission)
        stream = contract.importer()(
            workspace().path(submission.archive_path), options_for(submission)
        )
        governed = _governed(stream, check) if check else stream
        result = loading.load(governed, request, warehouse(), _tracking(submission, progress))
    except NotCovered as refusal:
        return refuse(submission, str(refusal))
    except Exception as error:  # a file must never leave its submission half-processed
        return reject_unreadable(submission, error)
    submission.agreement_id = check.governing().id if check else None
    _record(submission, result, replaces)
    return result


def coverage_check(submission: Submission) -> FieldCheck | None:
    """The agreements that may cover ``submission`` on the day it arrived; raises
    ``NotCovered`` when none can. ``None`` when ``BACKBONE_REQUIRE_AGREEMENTS`` is off."""
    if not getattr(settings, "BACKBONE_REQUIRE_AGREEMENTS", True):
        return None
    terms = disclosing_terms(submission.partner)
    day = timezone.localdate(submission.received_at)
    return FieldCheck.start(terms, submission.partner.slug, submission.contract, day)


def _governed(stream: ImportStream, check: FieldCheck) -> ImportStream:
    """The importer's stream, refused (``NotCovered``) at its end if it delivered a field no
    candidate agreement lists: the load is then still staging, so nothing reaches the warehouse.
    (Reading to the end lets the refusal name every missing field.)"""
    for item in stream:
        if isinstance(item, RowBatch | StagedRows):
            check.add(batch_fields(item))
        yield item
    check.governing()  # raises NotCovered


def refuse(submission: Submission, message: str) -> loading.LoadResult:
    """Record ``submission`` as refused: archived, nothing loaded, the reason on the page."""
    problem = Problem(submission.original_name, None, "", None, "agreement", message)
    submission.status, submission.message = Submission.Status.REFUSED, message
    submission.error_count, submission.problem_summary = 1, summarise([problem])
    submission.finished_at, submission.processing_pid = timezone.now(), None
    submission.save()
    logger.warning("refused submission %s: %s", submission.pk, message)
    return loading.LoadResult(loaded=False, problems=[problem], error_count=1)


def reject_unreadable(submission: Submission, error: Exception) -> loading.LoadResult:
    """Record ``submission`` as rejected after its importer or load failed unexpectedly; the
    error's text (which may quote the file) goes to the report only, not to the database."""
    logger.warning("submission %s could not be read: %r", submission.pk, error)
    logger.debug("submission %s could not be read", submission.pk, exc_info=error)
    message = (
        f"the file could not be read ({type(error).__name__}); nothing was stored. "
        "Check that it is the format its contract names."
    )
    problem = Problem(submission.original_name, None, "", str(error)[:200], "unreadable", message)
    result = loading.LoadResult(loaded=False, problems=[problem], error_count=1)
    _record(submission, result, [])
    return result


def intake_limits(contract: str) -> IntakeLimits:
    """How much of a file of ``contract`` intake reads, from the ``BACKBONE_INTAKE_*``
    settings (documented defaults in ``IntakeLimits``)."""
    default, megabyte = IntakeLimits(), 1024 * 1024
    chars = getattr(settings, "BACKBONE_INTAKE_MAX_FIELD_CHARS", {})
    return IntakeLimits(
        max_field_chars=chars.get(contract, chars.get("default", default.max_field_chars)),
        max_file_bytes=_setting("MAX_FILE_MB", default.max_file_bytes // megabyte) * megabyte,
        max_zip_ratio=_setting("MAX_ZIP_RATIO", default.max_zip_ratio),
        max_xml_depth=_setting("MAX_XML_DEPTH", default.max_xml_depth),
        max_shared_strings_bytes=megabyte
        * _setting("MAX_SHARED_STRINGS_MB", default.max_shared_strings_bytes // megabyte),
    )


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"BACKBONE_INTAKE_{name}", default))


def options_for(submission: Submission) -> ImportOptions:
    contract = get_contract(submission.contract)
    mapping = ColumnMapping.objects.filter(
        partner=submission.partner, contract=submission.contract
    ).first()
    return ImportOptions(
        partner=submission.partner.slug, target_table=contract.target_table,
        column_mapping=mapping.columns if mapping else {},
        value_crosswalks=mapping.value_crosswalks if mapping else {},
        date_format=mapping.date_format if mapping else "%Y-%m-%d",
        as_of=_as_of(submission), limits=intake_limits(submission.contract),
    )  # fmt: skip


def _as_of(submission: Submission) -> str:
    """The end of the submission's period, else the day it was received."""
    end = schedule.period_end(submission.period)
    return (end or timezone.localdate(submission.received_at)).isoformat()


def _replaced_by(submission: Submission) -> list[Submission]:
    """Loaded submissions of the same partner, contract and period: a resubmission replaces them."""
    if not submission.period:
        return []
    return list(
        Submission.objects.filter(
            partner=submission.partner, contract=submission.contract, period=submission.period,
            status=Submission.Status.LOADED,
        ).exclude(pk=submission.pk)
    )  # fmt: skip


def _tracking(submission: Submission, progress: loading.Progress | None) -> loading.Progress:
    def track(stage: str, rows: int, fraction: float | None) -> None:
        if stage == "committing" and submission.status == Submission.Status.RECEIVED:
            submission.status = Submission.Status.VALIDATED
            submission.save(update_fields=["status"])
        if progress:
            progress(stage, rows, fraction)

    return track


def _record(submission: Submission, result: loading.LoadResult, replaces: list[Submission]) -> None:
    report = write_report(submission, result.problems)
    with transaction.atomic():
        submission.status = result.status
        submission.rows = result.rows if result.loaded else {}
        submission.error_count, submission.warning_count = result.error_count, result.warning_count
        submission.problem_summary = summarise(result.problems)
        submission.report_path = workspace().relative(report) if report else ""
        submission.finished_at, submission.processing_pid = timezone.now(), None
        submission.progress = {}
        submission.save()
        if result.loaded:
            Submission.objects.filter(pk__in=[s.pk for s in replaces]).update(
                status=Submission.Status.SUPERSEDED, superseded_by=submission
            )
            _keep_names(submission, result.names)


def _keep_names(submission: Submission, names: dict[str, dict[str, str]]) -> None:
    """Store what the submission called its codes (school names), replacing an earlier load's."""
    CodeName.objects.filter(submission=submission).delete()
    CodeName.objects.bulk_create(
        CodeName(submission=submission, column=column, code=code, name=name[:255])
        for column, codes in names.items()
        for code, name in codes.items()
    )


def code_names() -> dict[str, dict[str, str]]:
    """What loaded submissions call their codes, by column (``{"school_id": {id: name}}``); a
    later submission's name for a code wins."""
    names: dict[str, dict[str, str]] = {}
    loaded = CodeName.objects.filter(submission__status=Submission.Status.LOADED)
    for column, code, name in loaded.order_by("submission_id").values_list(
        "column", "code", "name"
    ):
        names.setdefault(column, {})[code] = name
    return names


REPORT_COLUMNS = ["severity", "file", "row", "field", "value", "rule", "message"]


def write_report(submission: Submission, problems: list[Problem]) -> Path | None:
    """The validation report as CSV beside the archived file (it may quote identifiers)."""
    if not problems:
        return None
    path = (workspace().path(submission.archive_path)).parent / f"report-{submission.pk}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = safe_csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for p in problems:
            writer.writerow(
                [p.severity, p.file, p.row or "", p.field, p.value or "", p.rule, p.message]
            )
    return path


def summarise(problems: list[Problem]) -> list[dict[str, object]]:
    """Counts per severity, rule and field — no values, so nothing personal reaches the app DB."""
    counts = Counter((p.severity, p.rule, p.field, p.message) for p in problems)
    return [
        {"severity": severity, "rule": rule, "field": field, "message": message, "count": count}
        for (severity, rule, field, message), count in sorted(
            counts.items(), key=lambda item: -item[1]
        )
    ]


def report_file(submission: Submission) -> Path:
    return workspace().path(submission.report_path)


def read_report(submission: Submission) -> list[dict[str, str]]:
    if not submission.report_path:
        return []
    with report_file(submission).open(newline="", encoding="utf-8") as handle:
        return list(safe_csv.dict_rows(handle))


def recover_interrupted() -> list[Submission]:
    """Settle submissions whose load was killed: loaded if the warehouse committed them,
    otherwise rejected with a message to send the file again. Queued uploads wait for the
    worker and are left alone."""
    committed = warehouse().submissions()
    settled = []
    for submission in Submission.objects.filter(status__in=["received", "validated"]):
        if submission.processing_pid and _alive(submission.processing_pid):
            continue
        settle(submission, committed, INTERRUPTED)
        settled.append(submission)
    return settled


def settle(
    submission: Submission, committed: set[int], message: str, rule: str = "interrupted"
) -> None:
    """Record how a load that stopped without recording its outcome ended: loaded if the
    warehouse committed it (the commit is atomic), else rejected with ``message``."""
    if submission.pk in committed:
        submission.status = Submission.Status.LOADED
        submission.rows = {
            f.table: f.rows for f in warehouse().files() if f.submission_id == submission.pk
        }
    else:
        problem = Problem(submission.original_name, None, "", None, rule, message)
        submission.status, submission.message = Submission.Status.REJECTED, message
        submission.error_count, submission.problem_summary = 1, summarise([problem])
        submission.finished_at = timezone.now()
    submission.processing_pid, submission.progress = None, {}
    submission.save()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- who may see and send what ----------------------------------------------------------------

VIEW_ALL = "intake.view_all_submissions"
SUBMIT = "intake.submit_data"


def partner_of(user: User | AnonymousUser) -> Partner | None:
    """The partner a signed-in user works for, if any."""
    link = getattr(user, "partner_user", None) if user.is_authenticated else None
    return link.partner if link else None


def submittable_partners(user: User | AnonymousUser) -> QuerySet[Partner]:
    """Partners this user may upload for: every partner for backbone data staff, else their own."""
    if user.has_perm(VIEW_ALL):
        return Partner.objects.all()
    partner = partner_of(user)
    if partner is None or not user.has_perm(SUBMIT):
        return Partner.objects.none()
    return Partner.objects.filter(pk=partner.pk)


def visible_submissions(user: User | AnonymousUser) -> QuerySet[Submission]:
    """The submissions this user may see: all, or their own partner's."""
    submissions = Submission.objects.select_related("partner", "uploaded_by", "agreement")
    if user.has_perm(VIEW_ALL):
        return submissions
    partner = partner_of(user)
    return submissions.filter(partner=partner) if partner else submissions.none()


def submission_calendar(
    user: User | AnonymousUser, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """For each reporting schedule the user may see: every period's due date and status."""
    today = today or timezone.localdate()
    visible = visible_submissions(user).filter(status=Submission.Status.LOADED).exclude(period="")
    rows = []
    for plan in ReportingSchedule.objects.filter(
        partner__in=_visible_partners(user)
    ).select_related("partner"):
        loaded = {
            s.period: timezone.localdate(s.finished_at or s.received_at)
            for s in visible.filter(partner=plan.partner, contract=plan.contract)
        }
        statuses = schedule.calendar(plan.frequency, plan.due_days, plan.starts, loaded, today)
        rows.append(
            {"plan": plan, "periods": statuses, "late": sum(s.state == "late" for s in statuses)}
        )
    return sorted(rows, key=lambda row: (-row["late"], row["plan"].partner.name))


def _visible_partners(user: User | AnonymousUser) -> QuerySet[Partner]:
    if user.has_perm(VIEW_ALL):
        return Partner.objects.all()
    partner = partner_of(user)
    return Partner.objects.filter(pk=partner.pk) if partner else Partner.objects.none()


def outcome_sources() -> dict[str, list[participants.Source]]:
    """For each outcome, the partners (and contracts) whose loaded data holds its table; given to
    the governance app at start-up (``IntakeConfig.ready``) for the participants' outcomes."""
    store = warehouse()
    found: dict[str, list[participants.Source]] = {}
    for outcome in participants.OUTCOMES:
        ids = {f.submission_id for f in store.files_of(outcome.table)}
        pairs = Submission.objects.filter(pk__in=ids).values_list("partner__slug", "contract")
        found[outcome.code] = [participants.Source(p, c) for p, c in set(pairs)]
    return found


# --- for the home page ------------------------------------------------------------------------

PROBLEMS = (Submission.Status.REJECTED, Submission.Status.REFUSED)
PROBLEM_DAYS = 30  # how far back a rejected or refused upload still needs attention
LAST_UPLOADS = 5


def late_file_count(user: User | AnonymousUser, today: dt.date) -> int:
    """Periods past their due date with no file, over the schedules ``user`` may see."""
    return sum(row["late"] for row in submission_calendar(user, today))


def recent_problems(user: User | AnonymousUser, today: dt.date) -> QuerySet[Submission]:
    """Uploads ``user`` may see that were rejected or refused in the last ``PROBLEM_DAYS``."""
    since = today - dt.timedelta(days=PROBLEM_DAYS)
    return visible_submissions(user).filter(status__in=PROBLEMS, received_at__date__gt=since)


def partner_desk(user: User | AnonymousUser, today: dt.date) -> dict[str, Any]:
    """A partner's clerk's block: each schedule's next period still to send, the last uploads.
    Empty for anyone who does not submit for one partner."""
    partner = partner_of(user)
    if partner is None or not user.has_perm(SUBMIT) or user.has_perm(VIEW_ALL):
        return {}
    owed = [
        (row["plan"], next(s for s in reversed(row["periods"]) if s.state in ("late", "due")))
        for row in submission_calendar(user, today)
        if any(s.state in ("late", "due") for s in row["periods"])
    ]
    return {
        "desk_partner": partner,
        "next_due": sorted(owed, key=lambda pair: pair[1].due),
        "last_uploads": visible_submissions(user)[:LAST_UPLOADS],
    }
