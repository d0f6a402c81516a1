"""Clerical review through the real HTTP stack, with records read from a real warehouse."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from backbone.identity.models import LinkageRun, ReviewPair
from backbone.identity.services import decided_pairs
from backbone.intake import services as intake
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.fixtures import write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(tmp_path, workspace) -> ReviewPair:
    tutoring = Partner.objects.create(
        slug="tutoring",
        name="Tutoring",
        partner_type="community_organization",
        sectors=["education"],
    )
    covering_agreement(tutoring, "program_participation")
    header = ["local_id", "first_name", "last_name", "birth_date", "ssn", "program", "start_date"]
    rows = [
        ["T1", "Jonathan", "Smyth", "2014-03-15", "123456789", "Reading", "2025-09-08"],
        ["T2", "Jon", "Smith", "2014-03-15", "", "Reading", "2025-09-08"],
    ]
    intake.ingest(
        write_csv(tmp_path / "roster.csv", header, rows), tutoring, "program_participation"
    )
    with intake.warehouse().engine("identity") as engine:
        ids = dict(engine.run("SELECT local_id, record_id FROM identity_record"))
    a, b = sorted([ids["T1"], ids["T2"]])
    run = LinkageRun.objects.create(model_version="test")
    return ReviewPair.objects.create(
        run=run,
        record_a=a,
        record_b=b,
        source_a="tutoring",
        source_b="tutoring",
        match_probability=0.71,
    )


@pytest.fixture
def steward(client):
    user = User.objects.create_user("steward", password="a long test password")
    user.user_permissions.add(Permission.objects.get(codename="review_matches"))
    client.force_login(user)
    return client


def test_steward_sees_both_records_side_by_side_with_the_ssn_masked(steward, pair):
    page = steward.get(pair.get_absolute_url()).content.decode()
    assert "Jonathan" in page and "Jon" in page and "Smyth" in page and "Smith" in page
    assert "•••-••-6789" in page and "123456789" not in page
    assert 'class="agree-exact"><th scope="row">Birth date' in page
    assert 'class="agree-close"><th scope="row">Last name' in page


def test_decision_is_kept_and_becomes_a_constraint(steward, pair):
    response = steward.post(pair.get_absolute_url(), {"decision": "different", "note": "twins"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.decision, pair.note, pair.decided_by.username) == ("different", "twins", "steward")
    assert decided_pairs() == (set(), {(pair.record_a, pair.record_b)})


@pytest.mark.parametrize("name", ["identity:overview", "identity:review_queue"])
def test_pages_need_the_review_permission(client, pair, name):
    client.force_login(User.objects.create_user("clerk", password="a long test password"))
    assert client.get(reverse(name)).status_code == 403
    assert client.get(pair.get_absolute_url()).status_code == 403


def test_overview_counts_records_not_yet_linked(steward, pair):
    page = steward.get(reverse("identity:overview")).content.decode()
    assert "1 pair waiting" in page


@pytest.mark.parametrize("decision", ["maybe", "", "SAME", "same'; DROP TABLE x"])
def test_a_bogus_decision_is_refused_with_400_and_a_message(steward, pair, decision):
    steward.raise_request_exception = False  # a 500 would come back as a status, not raise
    response = steward.post(pair.get_absolute_url(), {"decision": decision})
    assert response.status_code == 400
    assert "A decision is &#x27;same&#x27; or &#x27;different&#x27;" in response.content.decode()
    pair.refresh_from_db()
    assert (pair.decision, pair.decided_by) == ("pending", None)


HAND_MODEL = {
    "link_type": "dedupe_only",
    "probability_two_random_records_match": 0.01,  # prior log2(0.01 / 0.99) = -6.63
    "comparisons": [
        {
            "output_column_name": "dob",
            "comparison_levels": [
                {"sql_condition": "dob_l IS NULL", "is_null_level": True},
                {
                    "sql_condition": "dob_l = dob_r",
                    "label_for_charts": "Same birth date",
                    "m_probability": 0.9,
                    "u_probability": 0.01,
                },
                {
                    "sql_condition": "ELSE",
                    "label_for_charts": "Another birth date",
                    "m_probability": 0.1,
                    "u_probability": 0.99,
                },
            ],
        }
    ],
}


def test_overview_shows_the_weights_the_last_run_learned(steward, pair):
    LinkageRun.objects.create(
        model_version="hand", model_json={"format": "x", "version": "hand", "settings": HAND_MODEL}
    )
    page = steward.get(reverse("identity:overview")).content.decode()
    assert "What the model learned" in page and "<svg" in page
    assert "Same birth date" in page and "Another birth date" in page


def test_weights_chart_carries_log2_of_m_over_u():
    from backbone.identity.weights_chart import match_weights, match_weights_spec

    weights = {r["level"]: r["weight"] for r in match_weights(HAND_MODEL)}
    # log2(0.9 / 0.01) = 6.4919, log2(0.1 / 0.99) = -3.3074, by hand
    assert weights == pytest.approx(
        {"Same birth date": 6.4919, "Another birth date": -3.3074}, abs=1e-4
    )
    spec = match_weights_spec(HAND_MODEL)
    assert spec["vconcat"][1]["encoding"]["x"]["scale"]["domain"] == [
        -7,
        7,
    ]  # ceil(max(6.49, 6.63))


def test_weights_chart_is_static_so_it_does_not_offer_to_zoom():
    from backbone.identity.weights_chart import match_weights_svg

    assert "mousewheel" not in match_weights_svg(HAND_MODEL)
