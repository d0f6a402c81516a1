"""The network pages over the seeded partnership (tests/governance/seeded.py): the network user
sits on the reading network, whose charter aims at the planted reading indicator's group of 4
(3 of 4 reading in 2024, 2 of 5 in 2023). Writes are checked in the database and the audit log;
counts against independent ORM queries and numbers planted here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from backbone.governance.models import AuditEvent
from backbone.improvement.models import ActionItem, Charter, PdsaCycle, PolicyBarrier
from backbone.partnership.models import GovernanceBody, Person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAGE = "/networks/reading-network/"
CHARTER = {
    "aim": "Raise reading for Pacific Islander students from 40% to 80% by June 2028",
    "indicator": "planted_reading", "dimension": "race_ethnicity",
    "group": "Native Hawaiian or Pacific Islander", "baseline_value": "40",
    "baseline_period": "2023", "target_value": "80", "target_date": "2028-06-30",
    "process_measures": ["chronic_absence"],
}  # fmt: skip


def client_of(world, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def last_event(object_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=object_type).order_by("-sequence").first()


def test_a_charter_without_a_number_or_a_date_is_refused(world):
    vague = {**CHARTER, "aim": "improve reading soon"}
    response = client_of(world, "network").post(f"{PAGE}charter/", vague)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The aim has no number" in page and "The aim has no date" in page
    assert Charter.objects.get(body__slug="reading-network").target_value == 60  # as seeded


def test_a_member_writes_the_charter_and_the_change_is_audited(world):
    response = client_of(world, "network").post(f"{PAGE}charter/", CHARTER)
    assert response.status_code == 302
    charter = Charter.objects.get(body__slug="reading-network")
    assert (charter.target_value, charter.target_date) == (80, dt.date(2028, 6, 30))
    assert [(m.kind, m.indicator) for m in charter.measures.all()] == [
        ("process", "chronic_absence")
    ]
    event = last_event("improvement.charter")
    assert (event.actor, event.action) == ("network", "change")
    assert event.detail["changed"]["target_value"] == ["60.0", "80.0"]  # the log keeps text
    assert last_event("improvement.measure").action == "create"


def test_overdue_actions_on_home_equal_an_independent_query(world):
    reading = GovernanceBody.objects.get(slug="reading-network")
    jobs = GovernanceBody.objects.get(slug="jobs-network")
    owner = Person.objects.get(slug="nell")
    late, soon = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    for body, due, status in [
        (reading, late, "underway"), (jobs, late, "planned"),  # overdue
        (reading, late, "done"), (jobs, late, "dropped"), (reading, soon, "planned"), (jobs, TODAY, "planned"),
    ]:  # fmt: skip
        ActionItem.objects.create(body=body, title=f"{status} {due}", owner=owner, due=due, status=status)  # fmt: skip
    expected = ActionItem.objects.filter(due__lt=TODAY, status__in=["planned", "underway"]).count()
    assert expected == 1 + 2  # the seeded one (due January 2025, planned) and the two above
    for username in ("admin", "network"):
        home = client_of(world, username).get("/").content.decode()
        assert f'data-attention="overdue_actions"><a href="/networks/"><strong>{expected}</strong>' in home  # fmt: skip
    assert 'data-attention="overdue_actions"' not in client_of(world, "funder").get("/").content.decode()  # fmt: skip
    listing = client_of(world, "funder").get("/networks/").content.decode()
    assert 'data-overdue="reading-network">2<' in listing and 'data-overdue="jobs-network">1<' in listing  # fmt: skip


def test_the_small_group_is_exact_only_for_person_level_rights(world):
    steward = client_of(world, "steward").get(PAGE).content.decode()
    funder = client_of(world, "funder").get(PAGE).content.decode()
    row = '<th scope="row">Native Hawaiian or Pacific Islander</th>'
    assert row in steward and row in funder
    count_of = lambda page: page.split(row, 1)[1].split("</tr>", 1)[0]  # noqa: E731
    assert '<td class="num">4</td>' in count_of(steward)
    assert '<td class="num">4</td>' not in count_of(funder) and "—" in count_of(funder)
    assert last_event("indicators.result").detail["via"] == "network page"


def test_pdsa_cycles_number_in_their_series_and_close_with_a_decision(world):
    client = client_of(world, "network")
    plan = {"change_idea": "Weekly question", "purpose": "test", "objective": "Scale up",
            "question": "Do all sites reply?", "prediction": "Most", "planned_start": "2025-01-06",
            "planned_end": "2025-02-07"}  # fmt: skip
    assert client.post(f"{PAGE}pdsa/", plan).status_code == 302
    assert client.post(f"{PAGE}pdsa/", {**plan, "change_idea": "Read-aloud"}).status_code == 302
    numbers = dict(PdsaCycle.objects.filter(body__slug="reading-network").values_list("change_idea", "number").order_by("number"))  # fmt: skip
    assert numbers == {"Weekly question": 2, "Read-aloud": 1}
    cycle = PdsaCycle.objects.get(change_idea="Weekly question", number=2)
    close = f"{PAGE}pdsa/{cycle.pk}/close/"
    undecided = {f"close-{cycle.pk}-{k}": v for k, v in
                 {"actual_start": "2025-01-06", "actual_end": "2025-02-07", "learning": "Yes"}.items()}  # fmt: skip
    assert client.post(close, undecided).status_code == 400
    decided = {**undecided, f"close-{cycle.pk}-decision": "adopt"}
    assert client.post(close, decided).status_code == 302
    cycle.refresh_from_db()
    assert (cycle.decision, cycle.is_open) == ("adopt", False)
    assert client.post(close, decided).status_code == 404  # a closed cycle stays closed
    assert last_event("improvement.pdsacycle").detail["changed"]["decision"] == ["", "adopt"]


def test_a_raised_barrier_is_before_the_leadership_table(world):
    barrier = {"title": "Badge rule", "description": "Tutors cannot see screening data",
               "level": "local", "advocacy": "Ask the district\nPut it on the agenda"}  # fmt: skip
    assert client_of(world, "network").post(f"{PAGE}barriers/", barrier).status_code == 302
    made = PolicyBarrier.objects.get(title="Badge rule")
    assert (made.raised_by_body.slug, made.status) == ("reading-network", "raised")
    listing = client_of(world, "funder").get("/networks/").content.decode()
    assert "Policy barriers before Leadership Table" in listing
    assert "Badge rule" in listing and "<li>Put it on the agenda</li>" in listing
    assert last_event("improvement.policybarrier").actor == "network"


def test_a_reader_sees_no_forms(world):
    page = client_of(world, "funder").get(PAGE).content.decode()
    assert "Charter" in page and "Share the roster" in page and "Weekly question" in page
    assert not any(f'id="{f}-form"' in page for f in ("action", "pdsa", "barrier"))
    assert "Write the charter" not in page and "Change the charter" not in page
    assert 'id="action-form"' in client_of(world, "network").get(PAGE).content.decode()
