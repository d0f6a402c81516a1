"""Targets, milestones and stories entered in the app: the preview step, the stored path against
the docs' worked example computed by hand, who may do what, the audit log, and the targets file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User

from backbone.governance.models import AuditEvent, PartnerUser
from backbone.governance.roles import role
from backbone.governance.services import sync_roles
from backbone.indicators import target_services
from backbone.indicators.models import Indicator, Target, TurnTheCurve
from backbone.indicators.services import subject_of
from backbone.partnership.models import GovernanceBody, Membership, Partner, Person, SharedOutcome

pytestmark = pytest.mark.django_db

# docs/indicators.md, "Targets": overall 40 %, A 60 %, B 20 % in 2025; goal 70 % by 2028.
# Equitable: each group steps (70 − baseline)/3 a year — by hand:
#   overall 40 + 10·k; A 60 + 3.333·k; B 20 + 16.667·k  (k = 1, 2, 3)
EQUITABLE = {
    "overall": {"2026": 50.0, "2027": 60.0, "2028": 70.0},
    "A": {"2026": 63.33, "2027": 66.67, "2028": 70.0},
    "B": {"2026": 36.67, "2027": 53.33, "2028": 70.0},
}
BASELINES = {"b-period": "2025", "b-dimension": "race_ethnicity",
             "b-values": "overall: 40\nA: 60\nB: 20", "step": "baselines"}  # fmt: skip
TARGET = {"t-method": "equitable", "t-dimension": "race_ethnicity", "t-goal": "70",
          "t-goal_year": "2028"}  # fmt: skip


@pytest.fixture
def indicator() -> Indicator:
    outcome = SharedOutcome.objects.create(slug="reading", name="Reading")
    return Indicator.objects.create(slug="reading_rate", name="Reading rate", outcome=outcome,
                                    plain_definition="Reads.", definition={})  # fmt: skip


def user_in(username: str, code: str) -> User:
    sync_roles()
    user = User.objects.create_user(username, password="pw")
    user.groups.add(Group.objects.get(name=role(code).label))
    return user


def seat(user: User, body: GovernanceBody) -> None:
    partner = Partner.objects.create(slug=f"p-{user.username}", name="P", partner_type="school_district",
                                     sectors=["education"])  # fmt: skip
    person = Person.objects.create(slug=f"x-{user.username}", name=user.username, partner=partner)
    PartnerUser.objects.create(user=user, partner=partner, person=person)
    Membership.objects.create(body=body, person=person, start=dt.date(2020, 1, 1))


def test_director_previews_then_saves_the_equitable_path(client, indicator):
    client.force_login(user_in("admin", "administrator"))
    assert client.post("/indicators/reading_rate/targets/", BASELINES).status_code == 302

    preview = client.post("/indicators/reading_rate/targets/", {**TARGET, "step": "preview"})
    assert preview.status_code == 200 and "36.67" in preview.content.decode()
    assert not Target.objects.exists()  # a preview saves nothing

    saved = client.post("/indicators/reading_rate/targets/", {**TARGET, "step": "save"})
    assert saved.status_code == 302
    target = Target.objects.get()
    assert (target.method, target.baseline_year, target.path) == ("equitable", 2025, EQUITABLE)
    audited = AuditEvent.objects.filter(
        object_type__in=["indicators.baseline", "indicators.target"]
    )
    assert sorted(audited.values_list("object_type", "actor")) == [
        ("indicators.baseline", "admin"), ("indicators.target", "admin")]  # fmt: skip


def test_a_target_without_baselines_is_refused_with_the_reason(client, indicator):
    client.force_login(user_in("admin", "administrator"))
    answer = client.post("/indicators/reading_rate/targets/", {**TARGET, "step": "preview"})
    assert (
        "set the baselines of &#x27;race_ethnicity&#x27; (with a year) first"
        in answer.content.decode()
    )


@pytest.mark.parametrize(
    "code", ["data_steward", "action_network_member", "funder", "partner_submitter"]
)
def test_other_roles_may_not_set_targets(client, indicator, code):
    client.force_login(user_in("someone", code))
    assert client.get("/indicators/reading_rate/targets/").status_code == 403
    assert client.post("/indicators/reading_rate/targets/", BASELINES).status_code == 403


@pytest.mark.parametrize(("code", "status"), [("administrator", 200), ("data_steward", 200),
                                              ("action_network_member", 403), ("funder", 403)])  # fmt: skip
def test_staff_record_milestones(client, indicator, code, status):
    client.force_login(user_in("someone", code))
    assert client.get("/indicators/reading_rate/milestones/new/").status_code == status
    sent = {"date": "2026-03-01", "title": "Literacy coaches funded", "status": "achieved"}
    answer = client.post("/indicators/reading_rate/milestones/new/", sent)
    assert answer.status_code == (302 if status == 200 else 403)
    assert indicator.milestones.filter(title="Literacy coaches funded").exists() == (status == 200)


def test_only_members_of_a_network_on_the_outcome_write_its_stories(client, indicator):
    network = GovernanceBody.objects.create(slug="reading-net", name="Reading Network",
                                            kind="action_network")  # fmt: skip
    network.outcomes.add(indicator.outcome)
    elsewhere = GovernanceBody.objects.create(slug="jobs-net", name="Jobs", kind="action_network")
    member, outsider, seated_elsewhere = (user_in(n, "action_network_member")
                                          for n in ("member", "outsider", "elsewhere"))  # fmt: skip
    seat(member, network)
    seat(seated_elsewhere, elsewhere)
    story = {"network": str(network.pk), "story": "Attendance fell after the bus cuts.",
             "action_plan": "Walking school buses."}  # fmt: skip
    for user in (outsider, seated_elsewhere):
        client.force_login(user)
        assert client.post("/indicators/reading_rate/stories/new/", story).status_code == 403
    client.force_login(member)
    assert client.post("/indicators/reading_rate/stories/new/", story).status_code == 302
    written = TurnTheCurve.objects.get()
    assert (written.network, written.written_by, written.action_plan) == (
        network, "member", "Walking school buses.")  # fmt: skip
    assert AuditEvent.objects.filter(object_type="indicators.turnthecurve", actor="member").exists()


def test_the_api_previews_and_saves_the_same_path(client, indicator):
    client.force_login(user_in("admin", "administrator"))
    sent = {"period": "2025", "dimension": "race_ethnicity",
            "values": {"overall": 40, "A": 60, "B": 20}}  # fmt: skip
    api = "/api/v1/indicators/reading_rate"
    assert client.post(f"{api}/baselines", sent, content_type="application/json").json() == {
        "saved": 3
    }
    body = {"method": "equitable", "dimension": "race_ethnicity", "goal": 70, "goal_year": 2028}
    preview = client.post(f"{api}/targets/preview", body, content_type="application/json")
    assert preview.json()["path"] == EQUITABLE and not Target.objects.exists()
    client.post(f"{api}/targets", body, content_type="application/json")
    assert client.get(f"{api}/targets").json()[0]["path"] == EQUITABLE


def test_the_targets_file_creates_targets_and_stories_once(indicator, tmp_path):
    network = GovernanceBody.objects.create(slug="reading-net", name="R", kind="action_network")
    path = tmp_path / "targets.yaml"
    path.write_text(
        "targets:\n"
        "  - {indicator: reading_rate, dimension: race_ethnicity, method: equitable, goal: 70,\n"
        "     goal_year: 2028, baselines: {period: 2025, values: {overall: 40, A: 60, B: 20}}}\n"
        "stories:\n"
        "  - {indicator: reading_rate, network: reading-net, written_on: 2026-01-10,\n"
        "     story: Fewer books at home., what_works: Book deserts closed by libraries.}\n"
    )
    target_services.import_targets_file(path, "cli:test")
    target_services.import_targets_file(path, "cli:test")
    assert Target.objects.get().path == EQUITABLE
    assert list(TurnTheCurve.objects.values_list("network", "story")) == [
        (network.pk, "Fewer books at home.")]  # fmt: skip


def test_the_targets_file_lists_every_unknown_name(indicator, tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("stories:\n  - {indicator: nope, network: nowhere, story: x}\n")
    with pytest.raises(ValueError, match="no action network 'nowhere'\nno indicator 'nope'"):
        target_services.import_targets_file(path)


def test_a_story_or_target_saved_shows_on_the_cached_scorecard_at_once(client):
    from backbone.scorecard.services import release
    from tests.scorecard.planted import plant

    reading = plant()["reading"]
    release()
    network = GovernanceBody.objects.create(slug="net", name="Net", kind="action_network")
    page = "/scorecard/indicators/planted_reading/"
    assert "Library hours were cut." not in client.get(page).content.decode()  # now cached
    target_services.save_story(reading, network, {"story": "Library hours were cut."}, "x")
    assert "Library hours were cut." in client.get(page).content.decode()


def test_another_dimensions_baselines_leave_this_ones_overall_alone(indicator):
    # Race's baselines (the docs' example, 2025), then the economic ones a year later, each
    # with the overall value of its own year: race's target still steps from its 40 %.
    save = target_services.save_baselines
    save(indicator, "2025", "race_ethnicity", {"overall": 40, "A": 60, "B": 20}, None)
    save(
        indicator, "2026", "economically_disadvantaged", {"overall": 45, "yes": 30, "no": 55}, None
    )
    assert target_services.baselines_of(indicator, "race_ethnicity") == (
        2025, {"overall": 40, "A": 60, "B": 20},
    )  # fmt: skip
    assert target_services.baselines_of(indicator, "economically_disadvantaged") == (
        2026, {"overall": 45, "yes": 30, "no": 55},
    )  # fmt: skip
    choice = target_services.TargetChoice("equitable", 2028, "race_ethnicity", 70.0)
    path = target_services.target_path(indicator, choice)
    assert {g: {str(y): v for y, v in s.items()} for g, s in path.items()} == EQUITABLE


def test_the_overall_target_keeps_the_baseline_of_its_year(indicator):
    save = target_services.save_baselines
    save(indicator, "2025", "overall", {"overall": 40}, None)
    target_services.save_target(
        indicator, target_services.TargetChoice("steady", 2028, "overall", 70.0), None
    )
    save(indicator, "2026", "economically_disadvantaged", {"overall": 45, "yes": 30}, None)
    goal = subject_of(indicator).goals["overall"]
    assert (goal.baseline_period, goal.baseline) == ("2025", 40)
