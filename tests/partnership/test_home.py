"""The role-aware home page: what needs attention, per role, with counts planted by hand and
checked against independent ORM queries; a clerk's own block; nothing person-level for funders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backbone.governance.models import Agreement, PartnerUser
from backbone.governance.registry import import_registry_file
from backbone.governance.roles import role
from backbone.identity.models import LinkageRun, ReviewPair
from backbone.improvement.models import ActionItem
from backbone.intake.models import ReportingSchedule, Submission
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.fixtures import SMALL_REGISTRY

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def months_back(months: int) -> dt.date:
    """The first day of the month ``months`` before this one."""
    index = TODAY.year * 12 + TODAY.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def submission(partner: Partner, status: str, days_ago: int = 0, name: str = "f.csv") -> None:
    made = Submission.objects.create(
        partner=partner, contract="program_participation", original_name=name, sha256="0" * 64,
        size=10, archive_path="x", status=status,
    )  # fmt: skip
    received = timezone.now() - dt.timedelta(days=days_ago)
    Submission.objects.filter(pk=made.pk).update(received_at=received)


@pytest.fixture
def planted(tmp_path):
    """Schools: a monthly schedule begun three months ago with nothing sent, so the three past
    months are late (the current one is still open); housing: one late month. Schools: two
    problem uploads this month, one long ago; housing: one. Five pairs pending, one decided.
    Agreements: one signed ending in 30 days, one in 200; one destruction deadline in 10 days."""
    path = tmp_path / "partnership.yaml"
    path.write_text(SMALL_REGISTRY)
    import_registry_file(path)
    schools = Partner.objects.get(slug="riverton-schools")
    housing = Partner.objects.get(slug="riverton-housing")
    for partner, months in [(schools, 3), (housing, 1)]:
        ReportingSchedule.objects.create(
            partner=partner, contract="program_participation", frequency="monthly", due_days=0,
            starts=months_back(months),
        )  # fmt: skip
    submission(schools, "rejected", 2, "bad.csv")
    submission(schools, "refused", 29, "uncovered.csv")
    submission(schools, "rejected", 45, "old.csv")
    submission(schools, "loaded", 1, "good.csv")
    submission(housing, "rejected", 3, "housing.csv")
    run = LinkageRun.objects.create(model_version="test")
    for i in range(6):
        ReviewPair.objects.create(
            run=run, record_a=f"a{i}", record_b=f"b{i}", source_a="x", source_b="y",
            match_probability=0.5, decision="pending" if i < 5 else "same",
        )  # fmt: skip
    covering_agreement(schools, end=TODAY + dt.timedelta(days=30))
    covering_agreement(
        housing, end=TODAY + dt.timedelta(days=200),
        destruction_deadline=TODAY + dt.timedelta(days=10),
    )  # fmt: skip
    return schools, housing


def signed_in(username: str, *codes: str, works_for: Partner | None = None) -> Client:
    user = User.objects.create_user(username, password="a long test password")
    for code in codes:
        user.groups.add(Group.objects.get(name=role(code).label))
    if works_for is not None:
        PartnerUser.objects.create(user=user, partner=works_for)
    client = Client()
    client.force_login(user)
    return client


def attention(client: Client) -> dict[str, int]:
    page = client.get(reverse("partnership:home")).content.decode()
    found = re.findall(r'data-attention="(\w+)"><a href="[^"]+"><strong>(\d+)</strong>', page)
    return {code: int(count) for code, count in found}


def test_director_sees_every_count_equal_to_independent_queries(planted):
    staff = signed_in("director", "administrator", "data_steward")
    since = timezone.now() - dt.timedelta(days=30)
    deadline = TODAY + dt.timedelta(days=90)
    assert attention(staff) == {
        "late_files": 3 + 1,
        "problem_uploads": Submission.objects.filter(
            status__in=["rejected", "refused"], received_at__gt=since
        ).count(),
        "review_pairs": ReviewPair.objects.filter(decision="pending").count(),
        "expiring_agreements": Agreement.objects.filter(
            status="signed", end__gte=TODAY, end__lte=deadline
        ).count(),
        "destruction_deadlines": Agreement.objects.filter(
            destruction_deadline__lte=deadline, destruction_certified_at__isnull=True
        ).count(),
        "overdue_actions": ActionItem.objects.filter(
            due__lt=TODAY, status__in=["planned", "underway"]
        ).count(),
    }
    # and the figures planted: 3 problem uploads, 5 pairs, 1 agreement, 1 deadline
    assert attention(staff)["problem_uploads"] == 3
    assert attention(staff)["review_pairs"] == 5


def test_steward_sees_only_the_items_their_permissions_open(planted):
    steward = signed_in("steward", "data_steward")
    assert attention(steward) == {
        "late_files": 4, "problem_uploads": 3, "review_pairs": 5, "destruction_deadlines": 1,
    }  # fmt: skip


def test_each_count_links_to_its_page(planted):
    page = signed_in("director", "administrator", "data_steward").get("/").content.decode()
    for url in [
        reverse("intake:calendar"), reverse("intake:submission_list"),
        reverse("identity:review_queue"), reverse("governance:agreement_list"),
    ]:  # fmt: skip
        assert f'<a href="{url}"><strong>' in page


def test_a_count_of_one_is_singular_and_other_counts_plural(planted):
    page = signed_in("director", "administrator", "data_steward").get("/").content.decode()
    # Planted: one agreement ending in 30 days, one destruction deadline, five pairs.
    assert "<strong>1</strong> agreement ending within 90 days</a>" in page
    assert "<strong>1</strong> destruction deadline within 90 days or past" in page
    assert "<strong>5</strong> match pairs waiting for review</a>" in page


def test_a_steward_without_staff_status_opens_the_agreements_the_home_page_links(planted):
    steward = signed_in("steward", "data_steward")
    assert not User.objects.get(username="steward").is_staff
    page = steward.get(reverse("governance:agreement_list"))
    body = page.content.decode()
    assert page.status_code == 200
    housing = Agreement.objects.get(destruction_deadline=TODAY + dt.timedelta(days=10))
    assert f'data-deadline="{housing.slug}"><a href="{housing.get_absolute_url()}">' in body
    assert steward.get(housing.get_absolute_url()).status_code == 200
    # The agreement ending in 30 days, linked from the home page's notice too.
    ending = Agreement.objects.get(end=TODAY + dt.timedelta(days=30))
    home = signed_in("director", "administrator").get("/").content.decode()
    assert f'<a href="{ending.get_absolute_url()}"><strong>{ending.title}</strong></a> ends' in home


def test_clerk_sees_only_their_own_partners_items(planted):
    schools, _ = planted
    clerk = signed_in("clerk", "partner_submitter", works_for=schools)
    assert attention(clerk) == {"late_files": 3, "problem_uploads": 2}
    page = clerk.get("/").content.decode()
    assert "housing.csv" not in page
    desk = page[page.index('id="desk-heading"') :]
    for name in ["bad.csv", "uncovered.csv", "old.csv", "good.csv"]:
        assert name in desk
    # the oldest unsent month comes first, and it is late
    assert f"for {months_back(3):%Y-%m}: due" in desk


def test_clerks_desk_lists_only_the_last_five_uploads(planted):
    schools, _ = planted
    for i in range(3):
        submission(schools, "loaded", 0, f"newest{i}.csv")
    page = signed_in("clerk", "partner_submitter", works_for=schools).get("/").content.decode()
    assert "newest2.csv" in page and "bad.csv" in page
    assert "uncovered.csv" not in page  # sixth newest


@pytest.mark.parametrize(
    ("code", "items"), [("funder", {}), ("action_network_member", {"overdue_actions": 0})]
)
def test_aggregate_roles_see_no_person_level_items(planted, code, items):
    client = signed_in(code, code)
    page = client.get("/").content.decode()
    assert attention(client) == items  # a member is reminded of late network actions only
    assert ("Needs attention" in page) == bool(items) and "desk-heading" not in page
    for name in ["bad.csv", "housing.csv"]:
        assert name not in page


def test_outcome_cards_link_to_their_indicators(planted):
    page = signed_in("member", "action_network_member").get("/").content.decode()
    url = reverse("indicators:outcome_detail", args=["housed-students-thrive"])
    assert f'<h3><a href="{url}">Housed students thrive</a></h3>' in page
