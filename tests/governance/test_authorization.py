"""Who gets what: one table of role × page or endpoint × expected status, asked through the real
HTTP stack (Django's test client: real URLs, real middleware, real permission checks) over the
seeded partnership (``seeded.py``). Every URL pattern of the project must appear in the table,
so a new page cannot go unchecked.

Columns: the public (no sign-in), then a signed-in user of each role. ``sub`` and ``ana`` work
for partner A (tutoring); ``ana_b`` is partner B's (mentoring) analyst, whom no agreement lets
see other partners' data. ``{b_…}`` submissions are partner B's: partner A's users get 404.
API rows are asked again with each user's bearer token instead of the session.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from backbone.governance.models import ApiToken
from tests.governance.seeded import World

pytestmark = pytest.mark.django_db

ROLES = ("public", "admin", "steward", "sub", "ana", "net", "fun", "ana_b", "emp")
USERNAMES = {  # the seeded user behind each column
    "admin": "admin", "steward": "steward", "sub": "submitter", "ana": "analyst",
    "net": "network", "fun": "funder", "ana_b": "analyst_b", "emp": "employer",
}  # fmt: skip
ALL = 200  # shorthand in a row: everyone gets this

# fmt: off
TABLE: list[tuple[str, str, tuple[int, ...]]] = [
    #                                                   public adm  stw  sub  ana  net  fun  ana_b emp
    ("GET",  "/login/",                                 (200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("POST", "/logout/",                                (302, 302, 302, 302, 302, 302, 302, 302, 302)),
    # Django's admin: staff only (the administrator), then model permissions.
    ("GET",  "/admin/",                                 (302, 200, 302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/admin/partnership/partner/",             (302, 200, 302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/admin/governance/apitoken/",             (302, 200, 302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/admin/governance/auditevent/",           (302, 403, 302, 302, 302, 302, 302, 302, 302)),
    # The registry: partnership.view_registry.
    ("GET",  "/",                                       (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/partners/tutoring/",                     (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/bodies/leadership-table/",               (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/agreements/",                            (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    # The user guides: the project's public documentation.
    ("GET",  "/help/",                                  (200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/help/indicators/",                       (200, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/agreements/wage-dsa/",                   (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/agreements/college-dsa/document/",       (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    # Submissions: a partner's own (submit_data), or every partner's (view_all_submissions).
    ("GET",  "/submissions/",                           (302, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/upload/",                    (302, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/calendar/",                  (302, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/{a_rejected}/",              (302, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/{b_loaded}/",                (302, 403, 200, 404, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/{a_rejected}/progress.json", (302, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/{b_loaded}/progress.json",   (302, 403, 200, 404, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/{a_rejected}/report.csv",    (302, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/submissions/{b_rejected}/report.csv",    (302, 403, 200, 404, 403, 403, 403, 403, 403)),
    # Linkage: identity.review_matches.
    ("GET",  "/linkage/",                               (302, 403, 200, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/linkage/review/",                        (302, 403, 200, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/linkage/review/{pair}/",                 (302, 403, 200, 403, 403, 403, 403, 403, 403)),
    # Governance: the audit log (view_auditevent), anyone's own second factor and tokens, and a
    # partner analyst's participants (view_person_outcomes and an agreement).
    ("GET",  "/governance/audit/",                      (302, 403, 200, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/governance/audit.csv",                   (302, 403, 200, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/governance/second-factor/",              (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/governance/tokens/",                     (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("POST", "/governance/tokens/",                     (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("POST", "/governance/tokens/{steward_token}/revoke/", (302, 404, 302, 404, 404, 404, 404, 404, 404)),
    ("GET",  "/governance/participants/",               (302, 403, 403, 403, 200, 403, 403, 403, 403)),
    # The public scorecard.
    ("GET",  "/scorecard/",                             (ALL,) * 9),
    ("GET",  "/scorecard/what-works/",                  (ALL,) * 9),
    ("GET",  "/scorecard/outcomes/reading-for-all/",    (ALL,) * 9),
    ("GET",  "/scorecard/indicators/planted_reading/",  (ALL,) * 9),
    ("GET",  "/scorecard/indicators/planted_reading/data.csv", (ALL,) * 9),
    ("GET",  "/scorecard/indicators/planted_reading/data.json", (ALL,) * 9),
    ("GET",  "/scorecard/embed/planted_reading/",       (ALL,) * 9),
    ("GET",  "/scorecard/data/results.csv",             (ALL,) * 9),
    ("GET",  "/scorecard/data/partitions.json",         (ALL,) * 9),
    ("GET",  "/scorecard/data/dimensions.json",         (ALL,) * 9),
    ("GET",  "/scorecard/annual-report.pdf",            (ALL,) * 9),
    # Indicators: view_registry to read, edit_indicators to edit and check.
    ("GET",  "/indicators/",                            (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    # Programs: the inventory (view_registry); a program's page for view_programs or the
    # partner's own users (tutoring's submitter and analyst, not mentoring's analyst).
    ("GET",  "/programs/",                              (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/programs/homework-help/",                (302, 200, 200, 200, 200, 200, 403, 403, 403)),
    # Workforce: every partnership for view_workforce; an employer's pipeline for its own users
    # (the employer user works for mentoring) with view_own_pipeline.
    ("GET",  "/workforce/",                             (302, 200, 200, 403, 403, 200, 403, 403, 403)),
    ("GET",  "/workforce/employers/mentoring/",         (302, 200, 200, 403, 403, 200, 403, 403, 200)),
    ("GET",  "/workforce/employers/tutoring/",          (302, 200, 200, 403, 403, 200, 403, 403, 403)),
    # Pain points and engagement stage: the backbone's staff (manage_employer_engagement) only.
    ("GET",  "/workforce/employers/mentoring/engagement/", (302, 200, 200, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/evidence/",                              (302, 200, 200, 403, 403, 200, 403, 403, 403)),
    ("GET",  "/evidence/homework-help-reading/",        (302, 200, 200, 403, 403, 200, 403, 403, 403)),
    ("GET",  "/indicators/new/",                        (302, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/indicators/outcomes/reading-for-all/",   (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/indicators/plan/",                       (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/indicators/plan.csv",                    (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/indicators/planted_reading/",            (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/indicators/chronic_absence/edit/",       (302, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/indicators/planted_reading/results.csv", (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("POST", "/indicators/check",                       (401, 200, 403, 403, 403, 403, 403, 403, 403)),
    # Targets (set_targets), milestones (record_milestones), stories (write_stories and a seat on
    # an action network working on the indicator's outcome: the network user holds one).
    ("GET",  "/indicators/planted_reading/targets/",    (302, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("POST", "/indicators/planted_reading/targets/",    (302, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/indicators/planted_reading/milestones/new/", (302, 200, 200, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/indicators/planted_reading/stories/new/", (302, 403, 403, 403, 403, 200, 403, 403, 403)),
    ("GET",  "/indicators/chronic_absence/stories/new/", (302, 403, 403, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/indicators/openapi.json",                (ALL,) * 9),
    # Action networks: view_networks to read; to write, manage_networks (the administrator) or
    # work_in_networks and a seat (net sits on the reading network, not the jobs one). An empty
    # form is refused (400); the analyst's partner has a seat but the analyst may not write.
    ("GET",  "/networks/",                              (302, 200, 200, 403, 200, 200, 200, 200, 403)),
    ("GET",  "/networks/reading-network/",              (302, 200, 200, 403, 200, 200, 200, 200, 403)),
    ("GET",  "/networks/reading-network/charter/",      (302, 200, 403, 403, 403, 200, 403, 403, 403)),
    ("GET",  "/networks/jobs-network/charter/",         (302, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("POST", "/networks/reading-network/charter/",      (302, 400, 403, 403, 403, 400, 403, 403, 403)),
    ("POST", "/networks/reading-network/actions/",      (302, 400, 403, 403, 403, 400, 403, 403, 403)),
    ("POST", "/networks/jobs-network/actions/",         (302, 400, 403, 403, 403, 403, 403, 403, 403)),
    ("POST", "/networks/reading-network/actions/{action}/", (302, 302, 403, 403, 403, 302, 403, 403, 403)),
    ("POST", "/networks/reading-network/pdsa/",         (302, 400, 403, 403, 403, 400, 403, 403, 403)),
    ("POST", "/networks/reading-network/pdsa/{cycle}/close/", (302, 400, 403, 403, 403, 400, 403, 403, 403)),
    ("POST", "/networks/reading-network/barriers/",     (302, 400, 403, 403, 403, 400, 403, 403, 403)),
    # The token API: the same checks as the pages; 401 without credentials.
    ("GET",  "/api/v1/submissions",                     (401, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/api/v1/submissions/{a_rejected}",        (401, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/api/v1/submissions/{b_loaded}",          (401, 403, 200, 404, 403, 403, 403, 403, 403)),
    ("GET",  "/api/v1/submissions/{a_rejected}/report", (401, 403, 200, 200, 403, 403, 403, 403, 403)),
    ("GET",  "/api/v1/submissions/{b_rejected}/report", (401, 403, 200, 404, 403, 403, 403, 403, 403)),
    ("GET",  "/api/v1/indicators",                      (401, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/api/v1/indicators/planted_reading/results", (401, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/indicators/check",                (401, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("GET",  "/api/v1/indicators/planted_reading/targets", (401, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/indicators/planted_reading/baselines", (401, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("POST", "/api/v1/indicators/planted_reading/targets/preview", (401, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("POST", "/api/v1/indicators/planted_reading/targets", (401, 200, 403, 403, 403, 403, 403, 403, 403)),
    ("POST", "/api/v1/indicators/planted_reading/milestones", (401, 200, 200, 403, 403, 403, 403, 403, 403)),
    ("POST", "/api/v1/indicators/planted_reading/stories", (401, 403, 403, 403, 403, 200, 403, 403, 403)),
    ("GET",  "/api/v1/participants",                    (401, 403, 403, 403, 200, 403, 403, 403, 403)),
    ("GET",  "/api/v1/openapi.json",                    (ALL,) * 9),
    ("GET",  "/api/v1/",                                (404,) * 9),  # ninja's root: no page
]
# fmt: on
DEFINITION = {"slug": "x", "name": "X", "population": {"table": "attendance"}}
TARGET = json.dumps({"method": "steady", "goal": 60, "goal_year": 2027})
BODIES = {  # what a POST row sends: (content type, body)
    "/governance/tokens/": ("application/x-www-form-urlencoded", "name=from+the+table"),
    "/indicators/check": ("application/json", json.dumps(DEFINITION)),
    "/api/v1/indicators/check": ("application/json", json.dumps(DEFINITION)),
    "/api/v1/indicators/planted_reading/baselines": (
        "application/json",
        json.dumps({"period": "2023", "values": {"overall": 50.9}}),
    ),
    "/api/v1/indicators/planted_reading/targets/preview": ("application/json", TARGET),
    "/api/v1/indicators/planted_reading/targets": ("application/json", TARGET),
    "/api/v1/indicators/planted_reading/milestones": (
        "application/json",
        json.dumps({"date": "2026-03-01", "title": "Coaches funded"}),
    ),
    "/api/v1/indicators/planted_reading/stories": (
        "application/json",
        json.dumps({"network": "reading-network", "story": "Fewer books at home."}),
    ),
}
# Django's admin is one door with its own checks (staff, then model permissions); the rows above
# sample it rather than list its hundred patterns.
WHOLE = {"admin": "admin/"}


class Case(NamedTuple):
    role: str
    method: str
    path: str
    expected: int
    via: str  # "session" or "token"


def cases() -> Iterator[Case]:
    for method, path, expected in TABLE:
        assert len(expected) == len(ROLES), path
        for role, status in zip(ROLES, expected, strict=True):
            yield Case(role, method, path, status, "session")
            if path.startswith("/api/v1/") and role != "public":
                yield Case(role, method, path, status, "token")


def case_id(case: Case) -> str:
    return f"{case.role}-{case.method}-{case.path}-{case.via}"


def concrete(path: str, world: World) -> str:
    ids = {name: s.pk for name, s in world.submissions.items()}
    token = ApiToken.objects.filter(user=world.users["steward"]).first()
    assert token is not None
    return path.format(pair=world.review_pair.pk, steward_token=token.pk, **ids, **world.ids)


def ask(case: Case, world: World) -> int:
    return fetch(case, world).status_code


def fetch(case: Case, world: World) -> HttpResponse:
    client = Client()
    headers = {}
    if case.role != "public":
        username = USERNAMES[case.role]
        if case.via == "token":
            headers["Authorization"] = f"Bearer {world.tokens[username]}"
        else:
            client.force_login(world.users[username])
    path = concrete(case.path, world)
    if case.method == "GET":
        return client.get(path, headers=headers)
    content_type, body = BODIES.get(case.path, ("application/x-www-form-urlencoded", ""))
    return client.post(path, body, content_type=content_type, headers=headers)


@pytest.mark.parametrize("case", list(cases()), ids=case_id)
def test_every_role_gets_the_expected_answer(world, case):
    if case.path.startswith("/scorecard/") and not resolves(concrete(case.path, world)):
        pytest.skip(f"{case.path} is not in the URLconf yet")
    assert ask(case, world) == case.expected


# The pages that show indicator results: which roles see them exactly (E: person-level rights,
# each view audited) and which protected as on the public scorecard (P); "-" is refused. Read
# off the answer itself: the planted 2024 group of 4 (3 of them reading, 75.0%) is there or not.
# fmt: off
EXACT: list[tuple[str, tuple[str, ...]]] = [
    #                                               public adm  stw  sub  ana  net  fun  ana_b emp
    ("/indicators/planted_reading/",                ("-", "P", "E", "P", "P", "P", "P", "P", "P")),
    ("/indicators/planted_reading/results.csv",     ("-", "P", "E", "P", "P", "P", "P", "P", "P")),
    ("/api/v1/indicators/planted_reading/results",  ("-", "P", "E", "P", "P", "P", "P", "P", "P")),
]
# fmt: on
SMALL = ("2024", "race_ethnicity", "Native Hawaiian or Pacific Islander")


def seen_exactly(path: str, response: HttpResponse) -> bool:
    """Whether the answer holds the planted group of 4's exact figures."""
    if path.endswith(".csv"):
        text = response.content.decode("utf-8-sig")
        rows = {(r["period"], r["dimension"], r["group"]): r for r in csv.DictReader(io.StringIO(text))}  # fmt: skip
        return (rows[SMALL]["numerator"], rows[SMALL]["denominator"]) == ("3", "4")
    if path.startswith("/api/"):
        found = [r for r in response.json() if (r["period"], r["dimension"], r["group"]) == SMALL]
        return (found[0]["numerator"], found[0]["denominator"]) == (3, 4)
    return "<td>75.0</td>" in response.content.decode()


def exact_cases() -> Iterator[tuple[Case, str]]:
    for path, sees in EXACT:
        for role, seen in zip(ROLES, sees, strict=True):
            if seen != "-":
                yield Case(role, "GET", path, 200, "session"), seen
                if path.startswith("/api/v1/"):
                    yield Case(role, "GET", path, 200, "token"), seen


@pytest.mark.parametrize(("case", "seen"), list(exact_cases()), ids=lambda c: case_id(c) if isinstance(c, Case) else c)  # fmt: skip
def test_only_person_level_rights_see_exact_indicator_values(world, case, seen):
    response = fetch(case, world)
    assert response.status_code == 200
    assert seen_exactly(case.path, response) == (seen == "E")


def test_the_exact_table_agrees_with_the_status_table():
    statuses = {path: row for method, path, row in TABLE if method == "GET"}
    for path, sees in EXACT:
        allowed = tuple("-" if status != 200 else "P" for status in statuses[path])
        assert allowed == tuple("-" if s == "-" else "P" for s in sees), path


def resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def routes(patterns: list, prefix: str = "") -> Iterator[str]:
    """Every URL pattern of the project as its full route; a door in ``WHOLE`` counts once."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace in WHOLE:
                yield WHOLE[pattern.namespace]
            else:
                yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def covered_route(path: str) -> str:
    match = resolve(path)
    return WHOLE.get(match.namespace.split(":")[0], match.route)


def test_every_url_pattern_is_in_the_table(world):
    project = set(routes(get_resolver().url_patterns))
    covered = {covered_route(concrete(path, world)) for _, path, _ in TABLE if resolves(concrete(path, world))}  # fmt: skip
    assert "api/v1/participants" in project and "submissions/<int:pk>/" in project
    assert sorted(project - covered) == []


def test_partner_a_never_sees_partner_b_submissions_or_unagreed_person_level_data():
    """The rows the issue names, read back from the table so they cannot quietly change."""
    rows = {(method, path): dict(zip(ROLES, row, strict=True)) for method, path, row in TABLE}
    for path in ("/submissions/{b_loaded}/", "/submissions/{b_rejected}/report.csv",
                 "/api/v1/submissions/{b_loaded}", "/api/v1/submissions/{b_rejected}/report"):  # fmt: skip
        assert rows["GET", path]["sub"] == 404
    for path in ("/governance/participants/", "/api/v1/participants"):
        assert rows["GET", path]["ana_b"] == 403 and rows["GET", path]["ana"] == 200
