"""Submissions: one record per file a partner sends, from archive to warehouse."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from backbone.governance.models import Agreement
from backbone.partnership.models import Partner
from backbone.warehouse.contracts import CONTRACTS


class NamesContract(models.Model):
    """A row naming a contract. The name is checked against the registry (``CONTRACTS``) when
    validated, not pinned as field choices, so registering a new importer needs no migration."""

    contract: str

    class Meta:
        abstract = True

    def clean_fields(self, exclude: object = None) -> None:
        super().clean_fields(exclude)  # type: ignore[arg-type]
        skipped = set(exclude or ())  # type: ignore[call-overload]
        if "contract" not in skipped and self.contract not in CONTRACTS:
            raise ValidationError({"contract": f"Value {self.contract!r} is not a valid choice."})

    def get_contract_display(self) -> str:
        known = CONTRACTS.get(self.contract)
        return known.title if known else self.contract


class Submission(NamesContract):
    """A file (or zip) a partner submitted, archived unchanged, and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"  # a web upload waiting for the worker
        RECEIVED = "received", "Received"
        VALIDATED = "validated", "Validated"
        LOADED = "loaded", "Loaded"
        REJECTED = "rejected", "Rejected"
        REFUSED = "refused", "Refused: no agreement covers it"
        SUPERSEDED = "superseded", "Superseded"
        DESTROYED = "destroyed", "Destroyed"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="submissions")
    contract = models.CharField(max_length=40)
    period = models.CharField(
        max_length=20, blank=True, help_text="The period the file covers, e.g. 2024-25 or 2025-Q2."
    )
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    archive_path = models.CharField(max_length=500, help_text="Relative to the workspace.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    received_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    rows = models.JSONField(default=dict, blank=True, help_text="Rows loaded per table.")
    error_count = models.IntegerField(default=0)
    warning_count = models.IntegerField(default=0)
    # Counts per rule and field only: the values themselves stay in the report file.
    problem_summary = models.JSONField(default=list, blank=True)
    report_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded"
    )
    processing_pid = models.IntegerField(null=True, blank=True)
    # While a load runs: {"stage": "reading", "rows": 1200, "fraction": 0.4} for the page's bar.
    progress = models.JSONField(default=dict, blank=True)
    # The data-sharing agreement that admitted the file: its end and destruction deadline govern
    # these rows, whatever other agreement the partner signs later (docs/agreements.md).
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    agreement_ended_on = models.DateField(
        null=True, blank=True, help_text="Set when the governing agreement ended."
    )
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("submit_data", "Can upload data files for their own partner"),
            ("view_all_submissions", "Can see every partner's submissions"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.get_contract_display()} · {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("intake:submission_detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        """Queued for the worker or being loaded: the page shows a progress bar."""
        return self.status in {self.Status.QUEUED, self.Status.RECEIVED, self.Status.VALIDATED}

    @property
    def total_rows(self) -> int:
        """Rows of the file's data loaded. The identity tier holds the same people's
        identifiers again, so its rows are counted apart (``identity_records``)."""
        return sum(count for table, count in self.rows.items() if table != "identity_record")

    @property
    def identity_records(self) -> int:
        return int(self.rows.get("identity_record", 0))

    @property
    def due_for_destruction(self) -> bool:
        """Its agreement has ended and its data is still held."""
        return self.agreement_ended_on is not None and self.status != self.Status.DESTROYED


class CodeName(models.Model):
    """What a partner calls one of its codes, as its loaded submission said (an Ed-Fi school's
    NameOfInstitution by its SchoolId): the words pages show instead of the code."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="code_names")
    column = models.CharField(max_length=64, help_text="The canonical column, e.g. school_id.")
    code = models.CharField(max_length=100)
    name = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "column", "code"], name="one_name_per_code_per_submission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.column} {self.code}: {self.name}"


class ColumnMapping(NamesContract):
    """How one partner's files for one contract map onto the canonical columns."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="column_mappings")
    contract = models.CharField(max_length=40)
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text='Canonical column → your column, e.g. {"local_id": "Student ID"}.',
    )
    value_crosswalks = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Canonical column → {your value: canonical value}, "
            'e.g. {"race_ethnicity": {"AA": "Black or African American"}}.'
        ),
    )
    date_format = models.CharField(
        max_length=20, default="%Y-%m-%d", help_text="How your dates are written, e.g. %m/%d/%Y."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "contract"], name="one_mapping_per_partner_contract"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.get_contract_display()}"


class ReportingSchedule(NamesContract):
    """The measurement plan's due date for one partner's contract: when each period is due."""

    class Frequency(models.TextChoices):
        SCHOOL_YEAR = "school_year", "Every school year (July–June)"
        QUARTERLY = "quarterly", "Every quarter"
        MONTHLY = "monthly", "Every month"

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="reporting_schedules"
    )
    contract = models.CharField(max_length=40)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    due_days = models.PositiveIntegerField(
        default=45, help_text="Days after the period ends that the file is due."
    )
    starts = models.DateField(help_text="The first period due is the one holding this date.")

    class Meta:
        ordering = ["partner__name", "contract"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "contract"], name="one_schedule_per_partner_contract"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.get_contract_display()} · {self.get_frequency_display()}"
