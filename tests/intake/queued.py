"""Load the web uploads a test queued, as the worker's child process would.

The real worker runs ``tasks.process_queued`` in a fresh process (``backbone manage
load_submission``), which cannot see a test's uncommitted database; tests that drive the pages
through Django's test client call the same function here. ``tests/intake/test_worker.py`` runs the
real worker end to end.
"""

from __future__ import annotations

from backbone.intake import tasks
from backbone.intake.models import Submission


def load_queued_uploads() -> list[Submission]:
    queued = Submission.objects.filter(status=Submission.Status.QUEUED).order_by("pk")
    return [tasks.process_queued(pk) for pk in queued.values_list("pk", flat=True)]
