"""The indicator editor: the form that saves definitions (versions bump, problems shown under
their field, permission required) and ``POST /indicators/check``, which names every problem
and previews the latest numbers computed on the warehouse."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from backbone.indicators import forms, services
from backbone.indicators.definitions import IndicatorDefinition, compile_sql
from backbone.indicators.expressions import Problem
from backbone.indicators.library import standard_indicator
from backbone.indicators.models import Indicator
from tests.indicators.test_compute import loaded, wage_rows  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

CHECK = "/indicators/check"

# The form's fields for "workers with a quarter of at least $1,030" (test_compute.HIGH_EARNER).
HIGH_EARNER_FORM = {
    "name": "Workers with a quarter of at least $1,030",
    "slug": "high_quarterly_wages",
    "plain_definition": "Share of workers with wages who earned at least $1,030 in a quarter.",
    "table": "wages",
    "joins": "",
    "denominator": "wages >= 0",
    "numerator": "wages >= 1030",
    "cohort": "",
    "period_column": "year",
    "period_rule": "value",
    "dimensions": "",
    "unit": "percent",
    "per": "1000",
    "value": "",
    "higher_is_better": "on",
    "level": "population",
    "category": "better_off",
    "outcome": "",
}

HIGH_EARNER_JSON: dict[str, Any] = {
    "slug": "high_quarterly_wages",
    "name": "Workers with a quarter of at least $1,030",
    "table": "wages",
    "denominator": "wages.wages >= 0",
    "numerator": "wages.wages >= 1030",
    "period": {"column": "wages.year", "rule": "value"},
}


def user_with(*codenames: str) -> User:
    user = User.objects.create_user("-".join(codenames) or "nobody", password="pw")
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def editor(client: Client) -> Client:
    client.force_login(user_with("view_registry", "edit_indicators"))
    return client


def check(client: Client, definition: dict[str, Any]) -> dict[str, Any]:
    response = client.post(CHECK, json.dumps(definition), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def with_changes(**changes: Any) -> dict[str, Any]:
    return {**HIGH_EARNER_JSON, **changes}


# --- the form -------------------------------------------------------------------------------


def test_saving_a_new_indicator_stores_version_one(editor):
    response = editor.post("/indicators/new/", HIGH_EARNER_FORM)
    assert response.status_code == 302
    assert response["Location"] == "/indicators/high_quarterly_wages/"
    indicator = Indicator.objects.get(slug="high_quarterly_wages")
    assert indicator.version == 1
    assert indicator.definition["numerator"] == "wages >= 1030"
    assert indicator.plain_definition == HIGH_EARNER_FORM["plain_definition"]
    assert (indicator.level, indicator.category) == ("population", "better_off")


def test_changing_the_definition_bumps_the_version_and_the_registry_fields_do_not(editor):
    editor.post("/indicators/new/", HIGH_EARNER_FORM)
    url = "/indicators/high_quarterly_wages/edit/"
    page = editor.get(url)
    assert page.status_code == 200 and b"wages &gt;= 1030" in page.content

    registry_change = {**HIGH_EARNER_FORM, "category": "how_well"}
    editor.post(url, registry_change)
    assert Indicator.objects.get().version == 1  # not the definition: same version
    response = editor.post(url, {**registry_change, "numerator": "wages >= 2000"})
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert (indicator.version, indicator.category) == (2, "how_well")
    assert indicator.definition["numerator"] == "wages >= 2000"


def test_editing_keeps_the_slug_even_if_a_post_changes_it(editor):
    editor.post("/indicators/new/", HIGH_EARNER_FORM)
    editor.post(
        "/indicators/high_quarterly_wages/edit/", {**HIGH_EARNER_FORM, "slug": "something_else"}
    )
    assert list(Indicator.objects.values_list("slug", flat=True)) == ["high_quarterly_wages"]


def test_joins_and_dimensions_round_trip_through_the_form(editor):
    posted = {
        **HIGH_EARNER_FORM,
        "joins": "person_demographics on person_key latest_by as_of",
        "dimensions": "person_demographics.sex\nperson_demographics.zip",
    }
    assert editor.post("/indicators/new/", posted).status_code == 302
    definition = Indicator.objects.get().definition
    assert definition["joins"] == [
        {"table": "person_demographics", "on": "person_key", "latest_by": "as_of"}
    ]
    assert definition["dimensions"] == ["person_demographics.sex", "person_demographics.zip"]
    page = editor.get("/indicators/high_quarterly_wages/edit/").content.decode()
    assert "person_demographics on person_key latest_by as_of</textarea>" in page


def test_when_a_period_is_complete_is_typed_in_three_boxes_and_round_trips(editor):
    posted = {**HIGH_EARNER_FORM, "follow_up_months": "3", "waits_for": "wages through quarter",
              "integer_period": "calendar_year"}  # fmt: skip
    assert editor.post("/indicators/new/", posted).status_code == 302
    assert Indicator.objects.get().definition["complete_when"] == {
        "follow_up_months": 3, "waits_for": [{"table": "wages", "through": "quarter"}],
        "integer_period": "calendar_year",
    }  # fmt: skip
    page = editor.get("/indicators/high_quarterly_wages/edit/").content.decode()
    assert "wages through quarter</textarea>" in page


def test_a_library_indicator_keeps_its_rule_when_edited():
    library = standard_indicator("postsecondary_enrollment").definition
    indicator = services.save_indicator(library)
    data = forms.definition_data(forms.initial_of(indicator))
    assert data["complete_when"]["waits_for"] == [
        {"table": "postsecondary", "through": "school_year", "column": "enrollment_begin"}
    ]
    assert IndicatorDefinition.model_validate(data).complete_when == library.complete_when


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("numerator", "wagez >= 1030", "unknown column &#x27;wagez&#x27; in table wages"),
        ("numerator", "wages >= 1030; DROP TABLE wages", "&#x27;;&#x27; is not allowed"),
        ("denominator", "wages", "expected a true/false condition"),
        ("period_column", "employer_id", "a period needs a date or an integer year"),
        ("slug", "High Wages", "use lower-case letters, digits and _"),
        ("joins", "person_demographics latest_by as_off", "unknown column &#x27;as_off&#x27;"),
        ("dimensions", "sex", "unknown column &#x27;sex&#x27;"),
        (
            "waits_for",
            "training through program_year of exit_date",
            "waits for &#x27;training&#x27;, a table the definition does not read",
        ),
        ("waits_for", "wages through week", "Input should be"),
    ],
)
def test_an_invalid_definition_is_not_saved_and_the_field_says_why(editor, field, typed, message):
    response = editor.post("/indicators/new/", {**HIGH_EARNER_FORM, field: typed})
    assert response.status_code == 200
    assert not Indicator.objects.exists()
    body = response.content.decode()
    error = body.split(f'id="id_{field}_error">')[1].split("</span>")[0]
    assert message in error
    assert "The definition was not saved" in body
    assert f'name="{field}"' in body.split(f'id="id_{field}_error"')[0].rsplit("<label", 1)[1]


def test_every_problem_is_shown_at_once_with_its_position(editor):
    posted = {**HIGH_EARNER_FORM, "numerator": "wagez >= 1", "denominator": "", "value": "wages"}
    body = editor.post("/indicators/new/", posted).content.decode()
    assert "unknown column &#x27;wagez&#x27; in table wages (line 1, column 1, at" in body
    assert 'id="id_denominator_error">This field is required.' in body
    assert 'id="id_value_error">a percent takes no value expression' in body
    assert body.count('aria-invalid="true"') == 3


def test_a_new_indicator_cannot_take_an_existing_slug(editor):
    editor.post("/indicators/new/", HIGH_EARNER_FORM)
    response = editor.post("/indicators/new/", {**HIGH_EARNER_FORM, "numerator": "wages > 1"})
    assert "an indicator with this slug exists" in response.content.decode()
    assert Indicator.objects.get().definition["numerator"] == "wages >= 1030"


@pytest.mark.parametrize("url", ["/indicators/new/", "/indicators/high_quarterly_wages/edit/"])
def test_the_editor_needs_the_edit_permission(client, url):
    Indicator.objects.create(slug="high_quarterly_wages", name="x", definition={})
    client.force_login(user_with("view_registry"))
    assert client.get(url).status_code == 403
    assert client.post(url, HIGH_EARNER_FORM).status_code == 403
    assert Indicator.objects.get().definition == {}


def test_the_editor_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/indicators/new/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_works_without_javascript_and_loads_the_checker(editor):
    body = editor.get("/indicators/new/").content.decode()
    assert '<form method="post" id="indicator-form"' in body
    assert 'data-check-url="/indicators/check"' in body
    assert "indicators/editor.js" in body and "defer" in body
    assert 'aria-describedby="id_numerator_helptext id_numerator_error"' in body


# --- the check endpoint ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed", "problem"),
    [
        (
            "numerator",
            "1=1; DROP TABLE wages",
            {
                "field": "numerator",
                "message": "';' is not allowed: a definition is one expression, not SQL statements",
                "line": 1,
                "column": 4,
                "token": ";",
            },
        ),
        (
            "denominator",
            "wages.person_key IN (SELECT person_key FROM wages)",
            {
                "field": "denominator",
                "message": "subqueries are not allowed",
                "line": 1,
                "column": 21,
                "token": "(",
            },
        ),
        (
            "numerator",
            "wages.wagez >= 1030",
            {
                "field": "numerator",
                "message": "unknown column 'wagez' in table wages",
                "line": 1,
                "column": 7,
                "token": "wagez",
            },
        ),
    ],
)
def test_check_refuses_with_a_clear_problem(editor, field, typed, problem):
    answer = check(editor, with_changes(**{field: typed}))
    assert answer["valid"] is False and answer["preview"] is None
    assert len(answer["problems"]) == 1
    assert answer["problems"] == [problem]


def test_check_names_form_fields_and_places_list_items_on_their_line(editor):
    answer = check(
        editor,
        with_changes(
            period={"column": "wages.quarter", "rule": "quarter"},
            dimensions=["wages.employer_id", "wages.colour"],
            slug="Bad Slug",
        ),
    )
    assert answer["problems"] == [
        {
            "field": "slug",
            "message": "use lower-case letters, digits and _, starting with a letter",
            "line": None,
            "column": None,
            "token": None,
        }
    ]
    answer = check(
        editor,
        with_changes(
            period={"column": "wages.quarter", "rule": "quarter"},
            dimensions=["wages.employer_id", "wages.colour"],
        ),
    )
    fields = {(p["field"], p["line"], p["token"]) for p in answer["problems"]}
    assert fields == {("dimensions", 2, "colour"), ("period_rule", None, None)}


def test_check_needs_the_edit_permission_and_a_signed_in_user(client):
    body = json.dumps(HIGH_EARNER_JSON)
    assert client.post(CHECK, body, content_type="application/json").status_code == 401
    client.force_login(user_with("view_registry"))
    assert client.post(CHECK, body, content_type="application/json").status_code == 403


def test_check_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with("edit_indicators"))
    body = json.dumps(HIGH_EARNER_JSON)
    assert client.post(CHECK, body, content_type="application/json").status_code == 403
    page = client.get("/indicators/new/")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(
        CHECK, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


def hand_computed(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Per year, by hand: persons with any quarter of at least $1,030, persons, and the percent."""
    workers: defaultdict[str, set[str]] = defaultdict(set)
    high: defaultdict[str, set[str]] = defaultdict(set)
    for row in rows:
        workers[row["year"]].add(row["ssn"])
        if float(row["wages"]) >= 1030:
            high[row["year"]].add(row["ssn"])
    return [
        {
            "period": year,
            "numerator": len(high[year]),
            "denominator": len(workers[year]),
            "value": 100 * len(high[year]) / len(workers[year]),
        }
        for year in sorted(workers)
    ]


def test_check_previews_the_latest_two_periods_computed_by_hand(editor, loaded):  # noqa: F811
    answer = check(editor, with_changes(dimensions=["wages.employer_id"]))
    assert answer["valid"] is True and answer["problems"] == []
    expected = hand_computed(wage_rows(loaded))
    # 60 workers earn 1000 + i a quarter: i ≥ 30 reach $1,030. In 2024 only i not divisible by
    # 3 worked: 40 workers, 20 of them i ≥ 30 (30..59 without the 10 multiples of 3).
    assert [(e["numerator"], e["denominator"]) for e in expected] == [(30, 60), (20, 40)]
    periods = answer["preview"]["periods"]
    assert [{**p, "value": pytest.approx(p["value"])} for p in expected] == periods
    assert answer["preview"]["sql"].startswith("WITH indicator_rows AS")
    assert "employer_id" in answer["preview"]["sql"]  # the SQL shown is the whole definition's
    assert answer["preview"]["error"] is None


def test_check_preview_shows_only_the_two_latest_periods(editor, loaded):  # noqa: F811
    answer = check(
        editor, with_changes(period={"column": "wages.quarter", "rule": "value"}, unit="count")
    )
    periods = [
        (p["period"], p["numerator"], p["denominator"]) for p in answer["preview"]["periods"]
    ]
    # Quarters 1–4 of 2023 and 1–2 of 2024: 30 high earners each quarter in 2023.
    assert periods == [("3", 30, 60), ("4", 30, 60)]


def test_check_previews_nothing_for_an_empty_warehouse_table(editor, loaded):  # noqa: F811
    answer = check(
        editor,
        with_changes(
            table="assessment",
            denominator="assessment.grade = '3'",
            numerator="assessment.proficient",
            period={"column": "assessment.school_year"},
        ),
    )
    assert answer["valid"] is True and answer["preview"]["periods"] == []


# --- the preview never shows a count under the threshold ------------------------------------

# Worker 5 alone, singled out by pay: $1,005 a quarter, four quarters in 2023 and two in 2024.
ONE_PERSON = with_changes(denominator="wages.wages = 1005", numerator="wages.wages >= 1000")
ALONE = "the population has fewer than 10 people"


def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("director", password="pw"))
    return client


@pytest.mark.parametrize("who", ["editor", "director"])
def test_the_preview_refuses_a_single_person_query_whoever_asks(editor, loaded, who):  # noqa: F811
    asking = editor if who == "editor" else superuser_client()
    preview = check(asking, ONE_PERSON)["preview"]
    assert preview["periods"] == []
    assert preview["withheld"] == [
        {"period": "2023", "reason": ALONE},
        {"period": "2024", "reason": ALONE},
    ]
    assert preview["refusal"].startswith(f"Not shown: in 2023 {ALONE}; in 2024 {ALONE}.")
    assert "minimum cell size (10:" in preview["refusal"]
    assert '"numerator":' not in json.dumps(preview)  # no count of hers leaves the server


def test_the_preview_refuses_a_population_where_everyone_had_the_outcome(editor, loaded):  # noqa: F811
    # Everyone paid at least $1,030 was paid at least $1,000: 30 of 30 in 2023 (workers 30–59),
    # 20 of 20 in 2024; a complement of 0 says it of each of them.
    everyone = with_changes(denominator="wages.wages >= 1030", numerator="wages.wages >= 1000")
    preview = check(editor, everyone)["preview"]
    assert preview["periods"] == []
    reason = "fewer than 10 people in the population did not have the outcome"
    assert [w["reason"] for w in preview["withheld"]] == [reason, reason]


def test_the_agreement_behind_the_data_sets_the_preview_threshold(editor, loaded):  # noqa: F811
    from backbone.governance.models import Agreement

    Agreement.objects.filter(discloser__slug="state-ui").update(publication_min_n=25)
    preview = check(editor, HIGH_EARNER_JSON)["preview"]
    # By hand (above): 30 of 60 in 2023 pass 25; 20 of 40 in 2024 do not.
    assert [(p["period"], p["numerator"], p["denominator"]) for p in preview["periods"]] == [
        ("2023", 30, 60)
    ]
    assert preview["withheld"] == [
        {"period": "2024", "reason": "fewer than 25 people in the population had the outcome"}
    ]
    assert "minimum cell size (25:" in preview["refusal"]


# --- the pure helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "join"),
    [
        ("person_demographics", {"table": "person_demographics"}),
        ("training on person_key", {"table": "training", "on": "person_key"}),
        ("housing latest_by", {"table": "housing", "latest_by": ""}),
        ("housing colour red", {"table": "housing", "unknown option colour": "red"}),
        (
            "wages AS q4 on person_key WHERE q4.employer_id = q2.employer_id AND q4.quarter = 4",
            {
                "table": "wages",
                "alias": "q4",
                "on": "person_key",
                "condition": "q4.employer_id = q2.employer_id AND q4.quarter = 4",
            },
        ),
    ],
)
def test_join_lines_parse_to_join_dicts(line, join):
    assert forms.parse_join(line) == join


def test_an_unknown_join_option_is_named():
    _, problems = forms.definition_problems(with_changes(joins=[forms.parse_join("housing x y")]))
    assert [(p.field, p.message) for p in problems] == [
        ("joins", "unknown option x is not a join option; use as, on, latest_by or where")
    ]


def test_problem_messages_say_where():
    problem = Problem("unknown column 'x' in table wages", 2, 5, "x", "numerator")
    assert forms.message(problem) == "unknown column 'x' in table wages (line 2, column 5, at 'x')"
    assert forms.message(Problem("the expression is empty")) == "the expression is empty"


def test_check_says_what_duckdb_refuses_at_run_time(editor, loaded):  # noqa: F811
    answer = check(editor, with_changes(numerator="wages.employer_id > 5"))
    assert answer["valid"] is True and answer["preview"]["periods"] == []
    assert "Cannot compare values of type VARCHAR" in answer["preview"]["error"]


def test_the_check_endpoint_is_in_the_openapi_schema(editor):
    schema = editor.get("/indicators/openapi.json").json()
    assert "post" in schema["paths"]["/indicators/check"]


def test_an_aliased_join_round_trips_through_the_form():
    """Retention's two aliased wage joins, written as join lines and read back, compile to the
    same query as the library file."""
    definition = standard_indicator("retention_same_employer").definition
    indicator = services.save_indicator(definition)
    lines = forms.initial_of(indicator)["joins"].splitlines()
    assert lines[1].startswith("wages as wages_q4 on person_key where wages_q4.employer_id")
    again = IndicatorDefinition.model_validate(forms.definition_data(forms.initial_of(indicator)))
    assert again.joins == definition.joins
    assert compile_sql(again) == compile_sql(definition)
