"""Identity services the pages and ``backbone link`` share: review decisions, records for the
side-by-side view, and the linkage overview."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from backbone.identity.models import LinkageRun, ReviewPair
from backbone.identity.review import FieldComparison, compare_records
from backbone.intake.services import warehouse

LINKED_RECORDS_SQL = (
    "SELECT count(DISTINCT i.record_id) FROM identity_record i JOIN crosswalk c USING (record_id)"
)
IDENTITY_COLUMNS = (
    "record_id, source_partner, local_id, first_name, middle_name, last_name, birth_date, sex, "
    "ssn, student_id, street_address, city, zip"
)


def identity_records(record_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The identity-tier rows for ``record_ids`` (the latest load of each), keyed by record id."""
    if not record_ids:
        return {}
    placeholders = ", ".join("?" for _ in record_ids)
    sql = (
        f"SELECT {IDENTITY_COLUMNS} FROM identity_record WHERE record_id IN ({placeholders}) "
        "QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY submission_id DESC) = 1"
    )
    with warehouse().connect("identity") as connection:
        cursor = connection.execute(sql, record_ids)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["record_id"]: row for row in rows}


def pair_comparison(pair: ReviewPair) -> list[FieldComparison]:
    records = identity_records([pair.record_a, pair.record_b])
    return compare_records(records.get(pair.record_a, {}), records.get(pair.record_b, {}))


@transaction.atomic
def decide(
    pair: ReviewPair, decision: str, user: AbstractBaseUser | AnonymousUser, note: str = ""
) -> None:
    """Record a steward's decision; every later clustering respects it."""
    if decision not in {ReviewPair.Decision.SAME, ReviewPair.Decision.DIFFERENT}:
        raise ValueError(f"a decision is 'same' or 'different', not {decision!r}")
    pair.decision, pair.note, pair.decided_at = decision, note, timezone.now()
    pair.decided_by = user if user.is_authenticated else None  # type: ignore[assignment]
    pair.save()


def decided_pairs() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(pairs decided the same person, pairs decided different people), each as ordered ids."""
    same: set[tuple[str, str]] = set()
    different: set[tuple[str, str]] = set()
    for a, b, decision in ReviewPair.objects.exclude(decision="pending").values_list(
        "record_a", "record_b", "decision"
    ):
        (same if decision == ReviewPair.Decision.SAME else different).add((a, b))
    return same, different


def next_pending(after: ReviewPair | None = None) -> ReviewPair | None:
    pending = ReviewPair.objects.filter(decision=ReviewPair.Decision.PENDING)
    if after is not None:
        pending = pending.exclude(pk=after.pk)
    return pending.first()


def linkage_overview() -> dict[str, Any]:
    """The latest run, review counts, and how many identity records are not linked yet."""
    run = LinkageRun.objects.first()
    counts = {d: ReviewPair.objects.filter(decision=d).count() for d in ReviewPair.Decision.values}
    with warehouse().connect("all") as connection:
        has_crosswalk = bool(connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'crosswalk'"
        ).fetchone()[0])  # type: ignore[index]  # fmt: skip
        total = connection.execute(
            "SELECT count(DISTINCT record_id) FROM identity_record"
        ).fetchone()[0]  # type: ignore[index]
        linked = 0
        if has_crosswalk:
            linked = connection.execute(LINKED_RECORDS_SQL).fetchone()[0]  # type: ignore[index]
    return {"run": run, "review_counts": counts, "records": total, "unlinked": total - linked}
