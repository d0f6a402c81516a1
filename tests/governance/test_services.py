"""The audit log in the app database: appending, tampering, verifying, exporting."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, models, transaction

from backbone.governance import services
from backbone.governance.actor import acting_as
from backbone.governance.models import AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_log() -> None:
    """These tests count sequences from #1, so they start from an empty log: migrating wrote the
    role groups' permissions to it (deleted past the model's guard, as tampering would)."""
    models.QuerySet.delete(AuditEvent.objects.all())


def log(count: int) -> list[AuditEvent]:
    return [
        services.record(f"user{n}", "read", "identity.reviewpair", n, "clerical review", {"n": n})
        for n in range(1, count + 1)
    ]


def tamper(row: int, changes: dict[str, object]) -> None:
    """Change a row as someone with database access would: straight past the model's guard."""
    models.QuerySet.update(AuditEvent.objects.filter(sequence=row), **changes)


def test_events_get_consecutive_sequences_and_link_to_the_one_before():
    events = log(3)
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:2]]
    result = services.verify_chain()
    assert (result.ok, result.through, result.head) == (True, 3, events[-1].hash)


def test_record_keeps_who_what_when_and_why():
    user = User.objects.create_user("ana")
    before = dt.datetime.now(dt.UTC)
    event = services.record(user, "export", "intake.submission", 42, "checking a file", {"a": 1})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.user, stored.action) == ("ana", user, "export")
    assert (stored.object_type, stored.object_id, stored.purpose) == (
        "intake.submission",
        "42",
        "checking a file",
    )
    assert stored.detail == {"a": 1} and before <= stored.at <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("cli:root", "cli:root"), (None, "system")],
)
def test_the_actor_is_a_name_or_whoever_is_acting(actor, expected):
    assert services.record(actor, "read", "x").actor == expected


def test_an_anonymous_user_is_recorded_as_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert services.record(AnonymousUser(), "read", "x").actor == "anonymous"


def test_acting_as_names_the_actor_for_records_without_one():
    user = User.objects.create_user("bo")
    with acting_as(user):
        assert services.record(None, "change", "x").user == user


def test_details_that_are_not_plain_json_are_stored_so_that_they_verify():
    detail = {"when": dt.date(2026, 1, 2), "share": 1e300, "tiny": 0.1, "ids": {3, 1}}
    event = services.record("ana", "read", "x", "", "", detail)
    assert AuditEvent.objects.get(pk=event.pk).detail == {
        "when": "2026-01-02", "share": "1e+300", "tiny": "0.1", "ids": [1, 3],
    }  # fmt: skip
    assert services.verify_chain().ok


def test_saving_an_event_again_or_deleting_it_is_refused():
    event = log(1)[0]
    event.actor = "mallory"
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        AuditEvent.objects.update(actor="mallory")
    assert AuditEvent.objects.get().actor == "user1"


TAMPERING = {
    "sequence": 1000,
    "at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    "actor": "mallory",
    "action": "create",
    "object_type": "intake.submission",
    "object_id": "999",
    "purpose": "nothing to see",
    "detail": {"n": 0},
    "prev_hash": "1" * 64,
    "hash": "2" * 64,
}


@pytest.mark.parametrize("field", sorted(TAMPERING))
@pytest.mark.parametrize("row", [1, 3, 5])
def test_changing_any_row_of_the_log_in_the_database_is_detected(field, row):
    log(5)
    tamper(row, {field: TAMPERING[field]})
    result = services.verify_chain()
    assert result.broken and result.broken.sequence == row
    assert result.through == row - 1


def test_a_row_deleted_in_the_database_is_detected():
    log(4)
    models.QuerySet.delete(AuditEvent.objects.filter(sequence=2))
    assert services.verify_chain().broken == (2, "entry #2 is missing (the next entry is #3)")


def test_deleting_a_user_keeps_their_trail_and_the_chain():
    user = User.objects.create_user("leaver")
    services.record(user, "read", "identity.reviewpair", 1, "clerical review")
    user.delete()
    event = AuditEvent.objects.filter(actor="leaver").get()
    assert event.user is None
    assert services.verify_chain().ok


def test_an_event_recorded_in_a_transaction_that_rolls_back_leaves_no_gap():
    log(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record("ana", "change", "governance.agreement", 1)
        raise RuntimeError("the change failed")
    assert log(1)[0].sequence == 2
    assert services.verify_chain().ok


def test_a_different_audit_key_no_longer_verifies_the_log(settings):
    log(2)
    settings.BACKBONE_AUDIT_KEY = "another key"
    assert services.verify_chain().broken.sequence == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_a_gapless_sequence():
    writers, per_writer = 4, 10
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(per_writer):
                services.record(f"writer{n}", "read", "x", i)
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, writers * per_writer + 1))
    assert services.verify_chain().ok
    assert connection.vendor in {"sqlite", "postgresql"}


def test_an_export_verifies_on_its_own_and_records_itself(tmp_path):
    log(3)
    path = tmp_path / "audit.csv"
    assert services.export_file(path) == 4
    assert AuditEvent.objects.first().action == "export"
    assert services.verify_file(path).through == 4
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:2], lines[2].replace("user2", "userX"), *lines[3:]]))
    assert services.verify_file(path).broken.sequence == 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"actor": "user2"}, [2]),
        ({"action": "export"}, [4]),
        ({"object_type": "submission"}, [4]),
        ({"since": dt.date(2026, 1, 1)}, [4, 3, 2, 1]),
        ({"until": dt.date(2020, 1, 1)}, []),
    ],
)
def test_filters_narrow_the_events(filters, expected):
    log(3)
    services.record("user9", "export", "intake.submission", 7)
    assert [e.sequence for e in services.filtered_events(**filters)] == expected


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="unknown audit action 'peek'"):
        services.record("ana", "peek", "identity.reviewpair", 1)
    assert not AuditEvent.objects.exists()
