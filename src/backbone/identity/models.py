"""Linkage runs and clerical review. Only pseudonymous record ids live here: names and birth
dates stay in the warehouse's identity tier and are read from there when a steward reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class LinkageRun(models.Model):
    """One run of ``backbone link``: what it read, the model it used, what it found."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    model_version = models.CharField(max_length=80, blank=True)
    model_json = models.JSONField(default=dict, blank=True, help_text="The trained linkage model.")
    records = models.IntegerField(default=0)
    persons = models.IntegerField(default=0)
    linked_across_sources = models.IntegerField(default=0)
    keys_kept = models.IntegerField(default=0)
    keys_new = models.IntegerField(default=0)
    queued_for_review = models.IntegerField(default=0)
    source_match_rates = models.JSONField(
        default=list,
        blank=True,
        help_text="Per pair of sources: records of each linked to the other.",
    )
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        permissions = [
            ("run_linkage", "Can run linkage over the workspace"),
            ("review_matches", "Can see identities side by side and decide uncertain matches"),
        ]

    def __str__(self) -> str:
        return f"Linkage run {self.pk} ({self.model_version})"


class ReviewPair(models.Model):
    """Two records linkage was unsure about, and the data steward's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        SAME = "same", "Same person"
        DIFFERENT = "different", "Different people"

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="review_pairs")
    record_a = models.CharField(max_length=64, db_index=True)
    record_b = models.CharField(max_length=64, db_index=True)
    source_a = models.CharField(max_length=80)
    source_b = models.CharField(max_length=80)
    match_probability = models.FloatField()
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["decision", "-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="one_review_per_pair"),
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")), name="pair_in_order"
            ),
        ]

    def __str__(self) -> str:
        a, b = f"{self.source_a}:{self.record_a[:8]}", f"{self.source_b}:{self.record_b[:8]}"
        return f"{a} ~ {b} ({self.match_probability:.2f})"

    def get_absolute_url(self) -> str:
        return reverse("identity:review_pair", args=[self.pk])
