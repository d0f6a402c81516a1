"""The home page's indicator grid: latest complete value, change and direction, by hand."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission, User

from backbone.governance.models import PartnerUser
from backbone.indicators import services
from backbone.partnership.models import GovernanceBody, Membership, Partner, Person, SharedOutcome
from tests.indicators.test_compute import HIGH_EARNER, loaded  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# Worker i earns 1000 + i a quarter: 60 workers in 2023, the 40 with i % 3 != 0 in 2024.
# At least $1,040: 2023 workers 40..59 = 20 of 60 (33.33%); 2024 the same less 42, 45, ..., 57
# = 14 of 40 (35%). Up 1.67 points.
AT_1040 = HIGH_EARNER.model_copy(
    update={"slug": "at_1040", "name": "Zeta: at least $1,040", "numerator": "wages >= 1040"}
)


def reader(client, *codenames: str):
    user = User.objects.create_user("reader", password="a long test password")
    for codename in ("view_registry", *codenames):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


def grid_row(page: str, slug: str) -> str:
    match = re.search(rf'<tr data-indicator="{slug}">(.*?)</tr>', page, re.S)
    assert match, f"no grid row for {slug}"
    return match.group(1)


@pytest.mark.parametrize(("higher_is_better", "direction"), [(True, "better"), (False, "worse")])
def test_grid_shows_latest_value_change_and_direction(
    client,
    loaded,  # noqa: F811
    higher_is_better,
    direction,
):
    indicator = services.save_indicator(AT_1040, higher_is_better=higher_is_better)
    services.compute()
    row = grid_row(reader(client, "view_exact_results").get("/").content.decode(), "at_1040")
    assert f'href="/indicators/{indicator.slug}/"' in row
    assert "35" in row and "2024" in row
    assert f'+1.67 percentage points <span class="meta">{direction}</span>' in row


def test_grid_is_empty_before_any_compute(client, loaded):  # noqa: F811
    services.save_indicator(AT_1040)
    assert "Shared indicators" not in reader(client).get("/").content.decode()


def test_a_network_members_indicators_come_first_and_are_marked(client, loaded):  # noqa: F811
    jobs = SharedOutcome.objects.create(slug="jobs", name="Good jobs")
    services.save_indicator(AT_1040, outcome=jobs)  # named last alphabetically
    services.save_indicator(HIGH_EARNER)
    services.compute()
    network = GovernanceBody.objects.create(
        slug="jobs-net", name="Jobs network", kind="action_network"
    )
    network.outcomes.add(jobs)
    tutors = Partner.objects.create(
        slug="tutors", name="Tutors", partner_type="community_organization"
    )
    person = Person.objects.create(slug="rosa", name="Rosa", partner=tutors)
    Membership.objects.create(body=network, person=person)
    reader(client)
    PartnerUser.objects.create(
        user=User.objects.get(username="reader"), partner=tutors, person=person
    )
    page = client.get("/").content.decode()
    assert 'data-yours="jobs-net"' in grid_row(page, "at_1040")
    assert "data-yours" not in grid_row(page, "high_quarterly_wages")
    assert page.index('data-indicator="at_1040"') < page.index('data-indicator="high_quarterly')
    assert 'href="/indicators/outcomes/jobs/"' in grid_row(page, "at_1040")


def test_without_a_seat_the_grid_is_by_name_and_unmarked(client, loaded):  # noqa: F811
    jobs = SharedOutcome.objects.create(slug="jobs", name="Good jobs")
    services.save_indicator(AT_1040, outcome=jobs)
    services.save_indicator(HIGH_EARNER)
    services.compute()
    page = reader(client).get("/").content.decode()
    assert "data-yours" not in page
    assert page.index('data-indicator="high_quarterly') < page.index('data-indicator="at_1040"')
