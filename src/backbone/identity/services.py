"""Identity services the pages and ``backbone link`` share: review decisions, records for the
side-by-side view, and the linkage overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from backbone.governance.consent import PRESUMED_BASES, GatedLoad, listed_people
from backbone.governance.services import consents_on_file
from backbone.governance.services import record as audit
from backbone.identity import decisions, linkage
from backbone.identity.consent import ConsentGate, close_gate, withheld_sql
from backbone.identity.keys import assign_person_keys
from backbone.identity.models import LinkageRun, ReviewPair
from backbone.identity.review import FieldComparison, age_on, compare_records
from backbone.identity.weights_chart import match_weights_svg
from backbone.intake.models import Submission
from backbone.intake.schedule import period_end
from backbone.intake.validation import record_id
from backbone.partnership.models import Partner
from backbone.warehouse.engines import Engine
from backbone.warehouse.services import warehouse, workspace
from backbone.warehouse.store import Warehouse

LINKED_RECORDS_SQL = (
    "SELECT count(DISTINCT i.record_id) FROM identity_record i JOIN crosswalk c USING (record_id)"
)
# Records whose person has no other record: seen by one partner once, or not found elsewhere.
ALONE_SQL = (
    "SELECT count(*) FROM (SELECT person_key FROM crosswalk GROUP BY person_key "
    "HAVING count(*) = 1)"
)
WITHDRAWN = "consent no longer in force"  # why review pairs leave the queue, in the audit log
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
    with warehouse().engine("identity") as engine:
        rows = engine.arrow(sql, record_ids, label="identity records for review").to_pylist()
    return {row["record_id"]: row for row in rows}


@dataclass(frozen=True)
class RecordContext:
    """What helps a steward decide besides the identifiers: where and when the record was
    sent, the person's age on that date and the programs the partner's file lists for them."""

    partner: str
    as_of: dt.date | None
    age: int | None
    programs: list[str]


def record_context(record_ids: list[str]) -> dict[str, RecordContext]:
    """Per record: its partner, the end of the period its latest file covers (else the day the
    file arrived), the age on that date from the birth date, and its programs."""
    if not record_ids:
        return {}
    marks = ", ".join("?" for _ in record_ids)
    latest = (
        f"SELECT record_id, source_partner, birth_date, submission_id FROM identity_record "
        f"WHERE record_id IN ({marks}) QUALIFY row_number() OVER "
        "(PARTITION BY record_id ORDER BY submission_id DESC) = 1"
    )
    programs_sql = (
        "SELECT record_id, list(DISTINCT program ORDER BY program) FROM program_participation "
        f"WHERE record_id IN ({marks}) GROUP BY record_id"
    )
    with warehouse().engine("all") as engine:
        rows = engine.run(latest, record_ids, label="identity records for review context")
        programs: dict[str, list[str]] = dict(
            engine.run(programs_sql, record_ids, label="programs for review")
        )
    sent = Submission.objects.in_bulk([row[3] for row in rows])
    found = {}
    for record, partner, born, submission_id in rows:
        day = _as_of(sent.get(submission_id))
        found[record] = RecordContext(
            partner, day, age_on(born, day), list(programs.get(record) or [])
        )
    return found


def _as_of(submission: Submission | None) -> dt.date | None:
    if submission is None:
        return None
    return period_end(submission.period) or timezone.localdate(submission.received_at)


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


def review_sources() -> list[tuple[str, str]]:
    """The partner pairs the review queue holds, as (value, label) choices: ``a~b``."""
    pairs = {
        tuple(sorted(p)) for p in ReviewPair.objects.values_list("source_a", "source_b").distinct()
    }
    return [(f"{a}~{b}", a if a == b else f"{a} ~ {b}") for a, b in sorted(pairs)]


def linkage_overview() -> dict[str, Any]:
    """The latest run, review counts, and how many identity records are not linked yet."""
    run = LinkageRun.objects.first()
    counts = {d: ReviewPair.objects.filter(decision=d).count() for d in ReviewPair.Decision.values}
    with warehouse().engine("all") as engine:
        consented_identity(engine)  # records held back by consent are not "not linked yet"
        [(has_crosswalk,)] = engine.run(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'crosswalk'",
            label="is there a crosswalk",
        )
        [(total,)] = engine.run(
            "SELECT count(DISTINCT record_id) FROM identity_record", label="identity records"
        )
        linked = alone = 0
        if has_crosswalk:
            [(linked,)] = engine.run(LINKED_RECORDS_SQL, label="linked records")
            [(alone,)] = engine.run(ALONE_SQL, label="persons with one record")
    return {
        "run": run,
        "review_counts": counts,
        "records": total,
        "unlinked": total - linked,
        "alone": alone,
        "weights_svg": run_weights_svg(run),
    }


def run_weights_svg(run: LinkageRun | None) -> str:
    """The match-weights chart of the model a run saved, or '' when it saved none."""
    settings = (run.model_json or {}).get("settings") if run else None
    return match_weights_svg(settings) if settings else ""


# --- running linkage over the workspace ---------------------------------------------------------

REVIEW_BAND = (0.5, 0.95)  # pairs linkage is unsure about go to clerical review
LinkProgress = Callable[[str], None]
ENGINES = ("duckdb", "spark")  # where Splink may run: ``backbone link --engine``


def run_linkage(
    retrain: bool = False,
    progress: LinkProgress | None = None,
    engine: str = "duckdb",
    memory_limit: str | None = None,
    temp_directory: str | None = None,
) -> LinkageRun:
    """Link every identity record in the warehouse into persons and publish the crosswalk.

    Scores with the previous run's model unless ``retrain`` (or there is none), so a new
    submission is scored against existing persons the same way; respects every steward decision;
    keeps each person's key when their links did not change. ``engine`` names where Splink runs
    (one of ``ENGINES``); the records are read and standardised by the warehouse's DuckDB, kept
    to ``memory_limit`` and spilling to ``temp_directory`` (``DuckDBEngine.bounded``).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    say = progress or (lambda message: None)
    previous_run = LinkageRun.objects.exclude(model_json={}).first()
    model = (
        None
        if retrain or previous_run is None
        else linkage.LinkageModel.from_dict(previous_run.model_json)
    )
    store = warehouse()
    bounds = {"memory_limit": memory_limit, "temp_directory": temp_directory}
    with (
        store.engine("identity", bounded=True, **bounds) as warehouse_engine,
        _linking_engine(engine) as on,
    ):
        records = consented_identity(warehouse_engine)
        sources: dict[str, str] = dict(warehouse_engine.run(
            f"SELECT record_id, any_value(source_partner) FROM {records} GROUP BY record_id",
            label="partner of each identity record",
        ))  # fmt: skip
        check_linkable(sources)
        say(
            f"linking {len(sources):,} identity records"
            + (" with the saved model" if model else ", training a model")
        )
        try:
            result = linkage.link_identity_records(
                warehouse_engine, records, duplicate_free_sources=_duplicate_free(),
                model=model, on=on,
            )  # fmt: skip
        except linkage.NoComparableColumns as error:
            raise NothingToLink(
                f"the partners' identity records share no identifier to compare ({error}); "
                "linkage needs names, a birth date or an id both sides hold"
            ) from error
    run = LinkageRun.objects.create()
    same, different = decided_pairs()
    clusters = decisions.apply_decisions(result.clusters, same, different)
    say("assigning person keys")
    previous = _previous_keys(store)
    person_keys = assign_person_keys(clusters, previous, secret=workspace().pseudonym_key())
    _write_crosswalk(store, person_keys, sources, result, run)
    uncertain = [pair for pair in result.pairs if REVIEW_BAND[0] <= pair[2] < REVIEW_BAND[1]]
    _queue_for_review(run, uncertain + result.sole_candidate_links, sources)
    withdraw_unconsented_pairs()  # queued by earlier runs, before a consent ended
    _record_run(run, result, clusters, sources, person_keys, previous)
    say(f"{run.persons:,} persons; {run.queued_for_review} pairs waiting for review")
    return run


class NothingToLink(Exception):
    """Linkage cannot run on what the workspace holds; the message says why and what to do.
    ``expected``: a normal state of a young workspace (one partner so far), not a fault."""

    def __init__(self, message: str, expected: bool = False):
        super().__init__(message)
        self.expected = expected


def check_linkable(sources: dict[str, str]) -> None:
    """Refuse, with what is missing, a workspace whose people come from fewer than two
    partners: there is nobody to link them to (``compute`` then takes each record as its own
    person)."""
    partners = sorted(set(sources.values()))
    if not partners:
        raise NothingToLink(
            "no identity records yet: load partners' files with `backbone ingest` first"
        )
    if len(partners) == 1:
        raise NothingToLink(
            f"every identity record comes from one partner ({partners[0]}), so there is nobody "
            "to link them to; `backbone compute` takes each record as its own person. Link "
            "once a second partner's files are loaded.",
            expected=True,
        )


@contextmanager
def _linking_engine(name: str) -> Iterator[Engine | None]:
    """The engine Splink runs on for ``name``: None for the warehouse's own DuckDB, or a
    ``SparkEngine`` on a local session started (and stopped) for the run."""
    if name != "spark":
        yield None
        return
    # PySpark is optional: imported only when Spark is asked for.
    from backbone.warehouse.engines.spark_engine import SparkEngine, spark_session

    with spark_session() as session:
        yield SparkEngine(session)


def consent_gate(on: dt.date | None = None) -> ConsentGate:
    """The consent gate on ``on`` (today unless given): the loaded submissions whose agreement
    needs consent, and the records the consents on file single out in each."""
    on = on or timezone.localdate()
    gated = Submission.objects.filter(agreement__needs_consent=True, agreement__kind="dsa")
    gated = gated.exclude(status=Submission.Status.DESTROYED).select_related("partner", "agreement")
    loads = [
        GatedLoad(s.pk, s.partner.slug, s.agreement.pk, s.agreement.legal_basis in PRESUMED_BASES)
        for s in gated
        if s.agreement is not None
    ]
    consents = consents_on_file({load.partner for load in loads})
    key = workspace().pseudonym_key()
    listed = frozenset(
        (load.submission_id, record_id(key, load.partner, local_id))
        for load in loads
        for local_id in listed_people(load, consents, on)
    )
    return ConsentGate({load.submission_id: load.presumed for load in loads}, listed)


def consented_identity(engine: Engine, gate: ConsentGate | None = None) -> str:
    """Put the consent gate on ``engine``'s identity records and return the table's name:
    linkage, the overview and the review queue read only records with consent in force."""
    close_gate(engine, consent_gate() if gate is None else gate, ["identity_record"])
    return "identity_record"


def withdraw_unconsented_pairs() -> int:
    """Take every review pair with a record the consent gate now holds back out of the queue,
    whatever its decision (the steward may no longer see that record), and audit how many.
    Runs when a consent changes and after each linkage run; returns the pairs withdrawn."""
    if not ReviewPair.objects.exists():
        return 0
    with warehouse().engine("identity") as engine:
        if not close_gate(engine, consent_gate(), ["identity_record"]):
            return 0
        rows = engine.run(withheld_sql("identity_record"), label="records held back by consent")
    withheld = {record for (record,) in rows}
    # Matched here, not in an IN (...) list: a whole file may be held back, past what a
    # database takes as query parameters; the queue itself is small.
    queue = ReviewPair.objects.values_list("pk", "record_a", "record_b")
    doomed = [pk for pk, a, b in queue if a in withheld or b in withheld]
    for start in range(0, len(doomed), 500):
        ReviewPair.objects.filter(pk__in=doomed[start : start + 500]).delete()
    if doomed:
        audit(None, "delete", "identity.reviewpair", "", WITHDRAWN, {"pairs": len(doomed)})
    return len(doomed)


def _duplicate_free() -> list[str]:
    """Partners whose records are distinct people: school districts keep one record per student."""
    return list(
        Partner.objects.filter(partner_type="school_district").values_list("slug", flat=True)
    )


def _previous_keys(store: Warehouse) -> dict[str, str]:
    table = store.read_derived("crosswalk")
    if table is None:
        return {}
    return dict(
        zip(
            table.column("record_id").to_pylist(),
            table.column("person_key").to_pylist(),
            strict=True,
        )
    )


def _write_crosswalk(
    store: Warehouse,
    keys: dict[str, str],
    sources: dict[str, str],
    result: linkage.IdentityLinkage,
    run: LinkageRun,
) -> None:
    records = sorted(keys)
    rows = pa.table({
        "record_id": records,
        "source_partner": [sources[r] for r in records],
        "person_key": [keys[r] for r in records],
        "match_probability": pa.array(
            [result.match_probability.get(r) for r in records], pa.float64()
        ),
        "model_version": [result.model.version] * len(records),
        "linkage_run": pa.array([run.pk] * len(records), pa.int64()),
    })  # fmt: skip
    store.write_derived("crosswalk", "analytic", rows)


def _queue_for_review(
    run: LinkageRun, pairs: list[tuple[str, str, float]], sources: dict[str, str]
) -> None:
    """Queue each pair once, however often linkage runs: uncertain scores, and records
    without a birth date joined to their sole candidate."""
    for left, right, probability in pairs:
        a, b = sorted((left, right))
        ReviewPair.objects.get_or_create(
            record_a=a, record_b=b,
            defaults={"run": run, "source_a": sources.get(a, ""), "source_b": sources.get(b, ""),
                      "match_probability": probability},
        )  # fmt: skip


def _record_run(
    run: LinkageRun,
    result: linkage.IdentityLinkage,
    clusters: dict[str, str],
    sources: dict[str, str],
    keys: dict[str, str],
    previous: dict[str, str],
) -> None:
    persons: dict[str, set[str]] = {}
    for record, key in keys.items():
        persons.setdefault(key, set()).add(sources[record])
    old_keys = set(previous.values())
    run.model_version, run.model_json = result.model.version, result.model.to_dict()
    run.records, run.persons = len(keys), len(persons)
    run.linked_across_sources = sum(len(s) > 1 for s in persons.values())
    run.keys_kept = len(set(keys.values()) & old_keys)
    run.keys_new = len(set(keys.values()) - old_keys)
    run.queued_for_review = ReviewPair.objects.filter(decision="pending").count()
    run.source_match_rates = decisions.source_match_rates(clusters, sources)
    run.finished_at = timezone.now()
    run.save()
