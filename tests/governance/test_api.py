"""The token API through the real HTTP stack: tokens made, shown once and revoked; bearer and
session sign-in with CSRF; the answers' contents, scoped and audited as the pages are."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from backbone.governance.models import Agreement, ApiToken, AuditEvent
from tests.fixtures import PROJECT_ROOT
from tests.governance.seeded import TUTORING_OUTCOMES, World
from tests.scorecard.planted import READING

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(world: World, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[username]}"}


def get(world: World, username: str, path: str, **query: str):
    return Client().get(f"{API}{path}", query, headers=bearer(world, username))


def signed_in(world: World, username: str, **options: bool) -> Client:
    client = Client(**options)
    client.force_login(world.users[username])
    return client


# Tokens ----------------------------------------------------------------------------------------


def make_token(client: Client, name: str = "nightly report") -> str:
    page = client.post("/governance/tokens/", {"name": name}).content.decode()
    return re.search(r'<code id="token-value">(bbt_[^<]+)</code>', page).group(1)


def test_a_token_is_shown_once_and_only_its_sha256_is_kept(world):
    client = signed_in(world, "funder")
    token = make_token(client)
    stored = ApiToken.objects.get(user=world.users["funder"], name="nightly report")
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(ApiToken.objects.values()), default=str)
    again = client.get("/governance/tokens/").content.decode()
    assert "nightly report" in again and token not in again and token[4:10] in again
    event = AuditEvent.objects.get(object_type="governance.apitoken", object_id=str(stored.pk))
    assert (event.actor, event.action, event.detail) == ("funder", "create", {"name": "nightly report"})  # fmt: skip


def test_a_bearer_token_signs_in_and_notes_its_use(world):
    client = signed_in(world, "funder")
    token = make_token(client)
    response = Client().get(f"{API}/indicators", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert ApiToken.objects.get(name="nightly report").last_used is not None


def test_a_revoked_token_answers_401(world):
    client = signed_in(world, "funder")
    token = make_token(client)
    stored = ApiToken.objects.get(name="nightly report")
    assert client.post(f"/governance/tokens/{stored.pk}/revoke/").status_code == 302
    response = Client().get(f"{API}/indicators", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert AuditEvent.objects.filter(object_id=str(stored.pk), action="change").exists()


@pytest.mark.parametrize(
    "authorization",
    ["Bearer bbt_not-a-token", "Bearer ", "Basic YWRtaW46cGFzcw==", "bearer"],
)
def test_a_wrong_token_answers_401(world, authorization):
    response = Client().get(f"{API}/indicators", headers={"Authorization": authorization})
    assert response.status_code == 401


def test_a_wrong_token_does_not_fall_back_to_the_session(world):
    client = signed_in(world, "funder")
    headers = {"Authorization": "Bearer bbt_not-a-token"}
    assert client.get(f"{API}/indicators", headers=headers).status_code == 401
    assert client.get(f"{API}/indicators").status_code == 200


def test_an_inactive_users_token_answers_401(world):
    User.objects.filter(username="funder").update(is_active=False)
    assert get(world, "funder", "/indicators").status_code == 401


def test_no_credentials_answer_401():
    assert Client().get(f"{API}/submissions").json() == {"detail": "Unauthorized"}


# CSRF ------------------------------------------------------------------------------------------

CHECK = f"{API}/indicators/check"
DEFINITION = json.dumps({"slug": "x"})


def test_a_session_post_without_the_csrf_token_is_refused(world):
    client = signed_in(world, "admin", enforce_csrf_checks=True)
    response = client.post(CHECK, DEFINITION, content_type="application/json")
    assert response.status_code == 403 and response.json() == {"detail": "CSRF check Failed"}


def test_a_session_post_with_the_csrf_token_passes(world):
    client = signed_in(world, "admin", enforce_csrf_checks=True)
    client.get("/governance/tokens/")  # sets the CSRF cookie, as any page does
    token = client.cookies["csrftoken"].value
    response = client.post(
        CHECK, DEFINITION, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200 and response.json()["valid"] is False


def test_a_bearer_post_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        CHECK, DEFINITION, content_type="application/json", headers=bearer(world, "admin")
    )
    assert response.status_code == 200


# Submissions -----------------------------------------------------------------------------------


def test_a_partner_lists_only_its_own_submissions(world):
    mine = get(world, "submitter", "/submissions").json()
    assert {s["partner"] for s in mine["items"]} == {"tutoring"} and mine["count"] == 2
    every = get(world, "steward", "/submissions").json()
    assert every["count"] == 6


def test_submissions_filter_by_status_and_page(world):
    rejected = get(world, "steward", "/submissions", status="rejected").json()
    assert rejected["count"] == 2 and {s["status"] for s in rejected["items"]} == {"rejected"}
    page = get(world, "steward", "/submissions", limit="2", offset="1").json()
    assert page["count"] == 6 and len(page["items"]) == 2
    assert get(world, "steward", "/submissions", status="lost").status_code == 422


def test_a_submission_says_its_status_and_counts_without_values(world):
    rejected = world.submissions["a_rejected"]
    answer = get(world, "submitter", f"/submissions/{rejected.pk}").json()
    assert (answer["status"], answer["error_count"], answer["has_report"]) == ("rejected", 2, True)
    assert answer["partner"] == "tutoring" and "2025-09-31" not in json.dumps(answer)
    loaded = get(world, "submitter", f"/submissions/{world.submissions['a_loaded'].pk}").json()
    assert loaded["rows"] == {"identity_record": 3, "program_participation": 3}


def test_the_report_names_file_row_and_field_and_is_audited(world):
    rejected = world.submissions["a_rejected"]
    answer = get(world, "submitter", f"/submissions/{rejected.pk}/report").json()
    found = [(p["file"], p["row"], p["field"], p["value"]) for p in answer["problems"]]
    assert ("tutoring-bad.csv", 2, "start_date", "2025-09-31") in found
    assert ("tutoring-bad.csv", 3, "local_id", "") in found
    event = AuditEvent.objects.filter(object_type="intake.submission").latest()
    assert (event.actor, event.action, event.object_id) == ("submitter", "read", str(rejected.pk))
    assert event.purpose == "checking a submitted file"


def test_another_partners_submission_is_not_found(world):
    theirs = world.submissions["b_rejected"].pk
    for path in (f"/submissions/{theirs}", f"/submissions/{theirs}/report"):
        assert get(world, "submitter", path).status_code == 404
    assert not AuditEvent.objects.filter(object_type="intake.submission", actor="submitter")


def test_stewards_in_a_session_need_the_second_factor_for_reports(world, settings):
    settings.BACKBONE_REQUIRE_OTP_FOR_STEWARDS = True
    report = f"{API}/submissions/{world.submissions['a_rejected'].pk}/report"
    refused = signed_in(world, "steward").get(report)
    assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
    assert Client().get(report, headers=bearer(world, "steward")).status_code == 200


# Indicators ------------------------------------------------------------------------------------


def test_indicator_results_are_the_latest_aggregates(world):
    listed = {i["slug"] for i in get(world, "funder", "/indicators").json()}
    assert {"planted_reading", "chronic_absence"} <= listed
    # The steward has person-level rights: every planted count, exactly.
    results = get(world, "steward", "/indicators/planted_reading/results").json()
    got = {(r["period"], r["dimension"], r["group"]): (r["numerator"], r["denominator"]) for r in results}  # fmt: skip
    assert got == READING
    # A funder gets the same rows, the small ones withheld (tests/governance/test_exact_values.py).
    protected = get(world, "funder", "/indicators/planted_reading/results").json()
    assert {(r["period"], r["dimension"], r["group"]) for r in protected} == set(READING)
    assert get(world, "funder", "/indicators/no-such/results").status_code == 404


# Participants' outcomes ------------------------------------------------------------------------


def test_a_partner_analyst_sees_outcomes_its_agreements_permit(world):
    answer = get(world, "analyst", "/participants").json()
    assert [o["code"] for o in answer["outcomes"]] == ["employed"]
    assert {p["local_id"]: p["outcomes"]["employed"] for p in answer["items"]} == TUTORING_OUTCOMES
    assert (answer["total"], answer["agreements"], answer["purposes"]) == (3, ["wage-dsa"], ["program-evaluation"])  # fmt: skip
    assert answer["unavailable"] == ["graduated", "chronically_absent", "grade3_reading_proficient"]
    [reason] = answer["withheld"]["enrolled_postsecondary"]
    assert "lets tutoring receive postsecondary data from college" in reason
    assert "'college-dsa' does not name tutoring as a recipient" in reason


def test_every_read_of_outcomes_is_audited_with_its_purpose(world):
    get(world, "analyst", "/participants", limit="2")
    event = AuditEvent.objects.get(object_type="governance.participantoutcomes")
    assert (event.actor, event.action, event.object_id) == ("analyst", "read", "tutoring")
    assert event.purpose == "program-evaluation"
    assert event.detail["agreements"] == ["wage-dsa"] and event.detail["rows"] == 2


def test_without_an_agreement_the_answer_is_403_naming_what_is_missing(world):
    answer = get(world, "analyst_b", "/participants")
    assert answer.status_code == 403
    detail = answer.json()["detail"]
    assert "no active data-sharing agreement lets mentoring receive ui_wages data from workforce" in detail  # fmt: skip
    assert "'wage-dsa' does not name mentoring as a recipient" in detail
    assert not AuditEvent.objects.filter(object_type="governance.participantoutcomes")


def test_an_ended_agreement_no_longer_permits(world):
    Agreement.objects.filter(slug="wage-dsa").update(status="ended")
    detail = get(world, "analyst", "/participants").json()["detail"]
    assert "agreement 'wage-dsa' ended on" in detail


def test_a_named_purpose_counts_only_agreements_for_it(world):
    answer = get(world, "analyst", "/participants", purpose="improve-instruction")
    assert answer.status_code == 403
    assert "'wage-dsa' is for the purpose 'program-evaluation', not 'improve-instruction'" in answer.json()["detail"]  # fmt: skip


def test_the_permission_without_a_partner_link_is_refused(world):
    steward = world.users["steward"]
    steward.user_permissions.add(Permission.objects.get(codename="view_person_outcomes"))
    answer = get(world, "steward", "/participants")
    assert answer.status_code == 403 and "not linked to a partner" in answer.json()["detail"]


def test_the_page_shows_the_same_outcomes_and_the_refusal(world):
    page = signed_in(world, "analyst").get("/governance/participants/").content.decode()
    assert "Earned wages in the 2nd quarter after leaving the program" in page
    assert '<th scope="row">T-1</th><td>yes</td>' in page
    assert '<th scope="row">T-3</th><td>not yet</td>' in page
    refused = signed_in(world, "analyst_b").get("/governance/participants/")
    assert refused.status_code == 403
    assert "no active data-sharing agreement lets mentoring receive" in refused.content.decode()


# The schema ------------------------------------------------------------------------------------


def test_the_openapi_schema_lists_every_endpoint_and_both_sign_ins():
    schema = Client().get(f"{API}/openapi.json").json()
    assert sorted(schema["paths"]) == [
        "/api/v1/indicators", "/api/v1/indicators/check", "/api/v1/indicators/{slug}/baselines",
        "/api/v1/indicators/{slug}/milestones", "/api/v1/indicators/{slug}/results",
        "/api/v1/indicators/{slug}/stories", "/api/v1/indicators/{slug}/targets",
        "/api/v1/indicators/{slug}/targets/preview", "/api/v1/participants", "/api/v1/submissions", "/api/v1/submissions/{submission_id}",
        "/api/v1/submissions/{submission_id}/report",
    ]  # fmt: skip
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SignedInSession"]["in"] == "cookie"


def test_the_editor_check_keeps_working_at_its_old_address(world):
    client = signed_in(world, "admin")
    response = client.post("/indicators/check", DEFINITION, content_type="application/json")
    assert response.status_code == 200 and response.json()["valid"] is False


def test_the_api_docs_name_every_operation():
    text = (PROJECT_ROOT / "docs" / "api.md").read_text()
    schema = Client().get(f"{API}/openapi.json").json()
    operations = [f"{m.upper()} {p}" for p, item in schema["paths"].items() for m in item]
    assert [o for o in operations if f"`{o}`" not in text] == []
