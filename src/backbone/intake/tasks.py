"""Web uploads, loaded in the background: queued in the request, loaded by the worker.

The upload page calls ``queue_upload``: the file is archived and a ``queued`` submission made
before the response, and ``load_submission`` is queued (django-tasks, database backend).
``backbone worker`` (which ``backbone serve`` starts) runs the queue; for each upload it starts
``backbone manage load_submission <id>`` — a fresh process that caps its own memory
(``BACKBONE_JOB_MEMORY_MB``) and runs ``process_queued`` — and kills it after
``BACKBONE_JOB_SECONDS``. A job that ends without recording an outcome is recorded as rejected,
naming the limit it reached. ``backbone ingest`` on the command line stays synchronous.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django_tasks import task

from backbone.intake import jobs, loading
from backbone.intake.models import Submission
from backbone.intake.services import (
    Outcome,
    archive,
    load_lock,
    loaded_duplicate,
    process,
    received,
    settle,
)  # fmt: skip
from backbone.partnership.models import Partner
from backbone.warehouse.contracts import contract as get_contract
from backbone.warehouse.services import warehouse, workspace
from backbone.warehouse.workspace import WORKSPACE_ENV

logger = logging.getLogger(__name__)


def queue_upload(
    uploaded: UploadedFile,
    partner: Partner,
    contract: str,
    period: str,
    user: User | AnonymousUser,
    unconfirmed: Submission | None = None,
) -> Outcome | None:
    """Archive a file uploaded through the web page (reading it once, hashing as it copies) and
    queue it for the worker (``backbone worker``), so no request waits for a load. Bytes already
    loaded are a no-op, as with ``ingest``; the worker checks again under the load lock. Other
    bytes for a period whose loaded data the user has not agreed to replace (``unconfirmed``)
    are kept in the archive but not queued: None, and the page asks first."""
    get_contract(contract)
    name = Path(uploaded.name or "upload").name
    incoming = workspace().incoming / f"{os.getpid()}-{timezone.now():%Y%m%d%H%M%S%f}"
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / name
    try:
        with path.open("wb") as writer:
            for chunk in uploaded.chunks():
                writer.write(chunk)
        digest, size, archived = archive(path, partner.slug, name)
    finally:
        path.unlink(missing_ok=True)
        incoming.rmdir()
    existing = loaded_duplicate(partner, contract, digest)
    if existing:
        return Outcome(existing, duplicate=True)
    if unconfirmed is not None:
        return None
    queued = Submission.Status.QUEUED
    submission = received(partner, contract, period, digest, size, archived, user, queued)
    load_submission.enqueue(submission.pk)
    return Outcome(submission)


def process_queued(submission_id: int) -> Submission:
    """Load a queued upload (what the worker's child process runs): under the load lock, unless
    the same bytes were loaded meanwhile; progress is saved for the submission's page."""
    submission = Submission.objects.select_related("partner").get(pk=submission_id)
    with load_lock(
        submission.partner.slug, submission.contract, submission.period, submission.sha256
    ):
        submission.refresh_from_db()
        if submission.status != Submission.Status.QUEUED:
            return submission  # already taken: a task run twice loads once
        existing = loaded_duplicate(submission.partner, submission.contract, submission.sha256)
        if existing:
            message = f"These bytes were loaded meanwhile as submission {existing.pk}."
            settle(submission, set(), message, rule="duplicate_file")
            return submission
        submission.status, submission.processing_pid = Submission.Status.RECEIVED, os.getpid()
        submission.save(update_fields=["status", "processing_pid"])
        process(submission, saving_progress(submission))
    return submission


def saving_progress(submission: Submission, every: float = 0.5) -> loading.Progress:
    """A progress callback that saves the stage, rows and fraction done on the submission, at
    most once every ``every`` seconds, for its page's progress bar."""
    last = [0.0]

    def save(stage: str, rows: int, fraction: float | None) -> None:
        now = time.monotonic()
        if now - last[0] < every and stage == "reading":
            return
        last[0] = now
        submission.progress = {"stage": stage, "rows": rows, "fraction": fraction}
        Submission.objects.filter(pk=submission.pk).update(progress=submission.progress)

    return save


def settle_failed_job(submission_id: int, end: jobs.JobEnd, limits: jobs.JobLimits) -> None:
    """A job's child process ended without recording an outcome (over a limit, or crashed):
    record one, naming the limit it reached."""
    submission = Submission.objects.get(pk=submission_id)
    if not submission.in_progress:
        return  # the child recorded its outcome before it ended
    if end.timed_out:
        message = (
            f"Processing stopped after {limits.seconds:g} seconds, the limit for one file "
            "(BACKBONE_JOB_SECONDS); nothing was stored."
        )
    elif end.out_of_memory:
        message = (
            f"Processing needed more than {limits.memory_mb} MB of memory, the limit for one "
            "file (BACKBONE_JOB_MEMORY_MB); nothing was stored."
        )
    else:
        message = "Processing failed unexpectedly; nothing was stored. The worker's log says why."
    logger.error("job for submission %s ended with %s: %s", submission_id, end.returncode,
                 end.stderr[-1000:])  # fmt: skip
    settle(submission, warehouse().submissions(), message, rule="job_limit")


def job_limits() -> jobs.JobLimits:
    return jobs.JobLimits(settings.BACKBONE_JOB_SECONDS, settings.BACKBONE_JOB_MEMORY_MB)


@task()
def load_submission(submission_id: int) -> str:
    """Load queued submission ``submission_id`` in a child process under the job limits;
    returns its final status."""
    limits = job_limits()
    argv = [sys.executable, "-m", "backbone", "manage", "load_submission", str(submission_id)]
    env = {**os.environ, WORKSPACE_ENV: str(settings.WORKSPACE)}
    end = jobs.run_limited(argv, limits, env)
    logger.info(
        "submission %s: job ended %s after %.1f s, peak %.0f MB resident",
        submission_id, end.returncode, end.seconds, end.peak_rss_mb,
    )  # fmt: skip
    if not end.ok:
        settle_failed_job(submission_id, end, limits)
    return str(Submission.objects.get(pk=submission_id).status)
