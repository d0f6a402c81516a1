"""``backbone manage load_submission <id>``: what the worker's child process runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from backbone.intake import jobs, tasks


class Command(BaseCommand):
    help = "Load one queued web upload under the job's memory limit (run by `backbone worker`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("submission_id", type=int)

    def handle(self, *args: Any, submission_id: int, **options: Any) -> None:
        # The worker watches resident memory; this backstop makes one huge allocation fail at once.
        jobs.limit_memory(jobs.address_space_mb(settings.BACKBONE_JOB_MEMORY_MB))
        submission = tasks.process_queued(submission_id)
        self.stdout.write(f"submission {submission.pk}: {submission.status}")
