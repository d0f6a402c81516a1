"""Failed sign-ins counted per address and window, the page verifying from its checkpoint, and
anchors that detect a log cut short (issue 14, finding 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client

from backbone.governance import auditing, chain, services
from backbone.governance.models import AuditEvent, SignInFailures

pytestmark = pytest.mark.django_db

AUDIT = "/governance/audit/"
NINE_FIFTY = dt.datetime(2026, 3, 2, 9, 50, tzinfo=dt.UTC)  # in the 09:45–10:00 window


def failed_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="login_failed").order_by("sequence"))


def fail_to_sign_in(client: Client, username: str, address: str = "127.0.0.1") -> None:
    answer = client.post("/login/", {"username": username, "password": "wrong"},
                         REMOTE_ADDR=address)  # fmt: skip
    assert answer.status_code in (200, 429)  # the form again, or axes' lockout page


def test_a_visitor_s_failed_sign_ins_add_one_event_per_window_with_their_count():
    # Before: every failure was one event, so a visitor could grow the log without bound.
    User.objects.create_user("ana", password="the right password")
    before = AuditEvent.objects.count()
    client = Client()
    tried = ["ana", "ben", "cy", "dee", "ed", "fay", "gus"]
    for username in tried:
        fail_to_sign_in(client, username)
    assert AuditEvent.objects.count() == before  # counted, not yet recorded
    [tally] = SignInFailures.objects.all()
    assert (tally.address, tally.count, tally.usernames) == ("127.0.0.1", 7, tried)

    assert auditing.close_sign_in_windows(tally.window_end) == 1
    [event] = failed_events()
    assert (event.actor, event.object_type, event.object_id) == ("anonymous", "auth.user", "")
    assert {k: event.detail[k] for k in ("ip", "count", "usernames")} == {
        "ip": "127.0.0.1", "count": 7, "usernames": tried,
    }  # fmt: skip
    assert "wrong" not in str(event.detail)
    assert AuditEvent.objects.count() == before + 1
    assert not SignInFailures.objects.exists()
    assert auditing.close_sign_in_windows(tally.window_end) == 0  # never recorded twice


def test_a_thousand_guesses_from_one_address_keep_twenty_usernames_and_one_event():
    for guess in range(1000):
        auditing.count_failed_sign_in("203.0.113.9", f"user{guess}", now=NINE_FIFTY)
    [tally] = SignInFailures.objects.all()
    assert tally.count == 1000 and tally.usernames == [f"user{i}" for i in range(20)]
    auditing.close_sign_in_windows(NINE_FIFTY + dt.timedelta(minutes=10))
    [event] = failed_events()
    assert event.detail["count"] == 1000 and len(event.detail["usernames"]) == 20
    assert (event.detail["window_start"], event.detail["window_end"]) == (
        "2026-03-02T09:45:00.000000+00:00", "2026-03-02T10:00:00.000000+00:00",
    )  # fmt: skip


def test_each_address_and_each_window_is_its_own_event():
    auditing.count_failed_sign_in("198.51.100.1", "ana", now=NINE_FIFTY)
    auditing.count_failed_sign_in("198.51.100.2", "ana", now=NINE_FIFTY)
    auditing.count_failed_sign_in("198.51.100.1", "ana", now=NINE_FIFTY + dt.timedelta(minutes=5))
    # The failure at 09:55 is in the same window; the one at 10:01 closes it and opens the next.
    auditing.count_failed_sign_in("198.51.100.1", "ana", now=NINE_FIFTY + dt.timedelta(minutes=11))
    recorded = [(e.detail["ip"], e.detail["count"], e.object_id) for e in failed_events()]
    assert recorded == [("198.51.100.1", 2, "ana"), ("198.51.100.2", 1, "ana")]
    [open_window] = auditing.open_sign_in_windows()
    assert (open_window.address, open_window.count) == ("198.51.100.1", 1)


def some_events(count: int) -> None:
    for number in range(count):
        services.record("cli:test", "read", "test.thing", number, "testing")


def test_the_page_verifies_only_the_events_after_its_checkpoint():
    # Before: every page load re-hashed the whole chain.
    some_events(30)
    first = auditing.verify_incrementally()
    total = AuditEvent.objects.count()
    assert first.result.ok and first.since is None and first.checked == total
    some_events(3)
    second = auditing.verify_incrementally()
    assert second.result.ok and second.checked == 3
    assert (second.since.through, second.result.through) == (total, total + 3)
    assert auditing.verify_incrementally().checked == 0


def test_a_log_cut_short_below_the_checkpoint_is_broken_on_the_page():
    some_events(10)
    verified = auditing.verify_incrementally().result.through
    with connection.cursor() as cursor:  # what someone with the database file could do
        cursor.execute("DELETE FROM governance_auditevent WHERE sequence > %s", [verified - 4])
    assert services.verify_chain().ok  # the chain alone cannot tell
    broken = auditing.verify_incrementally().result.broken
    assert broken == chain.Break(verified, broken.reason)
    assert "is gone: the log was cut short" in broken.reason


def test_an_event_rewritten_at_the_checkpoint_is_broken_on_the_page():
    some_events(5)
    verified = auditing.verify_incrementally().result.through
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE governance_auditevent SET hash = %s WHERE sequence = %s", ["f" * 64, verified]
        )
    broken = auditing.verify_incrementally().result.broken
    assert broken.sequence == verified and "changed since it was verified" in broken.reason


def test_the_full_verification_is_shown_with_its_time_and_what_this_visit_checked():
    steward = User.objects.create_user("steward")
    steward.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client = Client()
    client.force_login(steward)
    some_events(4)
    assert auditing.verify_everything().ok
    some_events(2)
    page = client.get(AUDIT).content.decode()
    assert "This visit checked the 2 events after #" in page
    assert "The whole chain last verified through #" in page


def test_an_anchor_is_reached_until_the_tail_is_cut_off():
    some_events(6)
    anchor = auditing.make_anchor()
    assert auditing.anchor_problems([anchor]) == []
    forged = {**anchor, "sequence": anchor["sequence"] - 1}
    assert "not signed with this key" in auditing.anchor_problems([forged])[0]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM governance_auditevent WHERE sequence > 3")
    [problem] = auditing.anchor_problems([anchor])
    assert f"no event #{anchor['sequence']}" in problem and "cut off" in problem
