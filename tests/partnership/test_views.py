"""Registry pages through Django's test client: who gets in, and what they see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from backbone.governance.registry import import_registry_file
from tests.fixtures import SMALL_REGISTRY

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(tmp_path):
    path = tmp_path / "partnership.yaml"
    path.write_text(SMALL_REGISTRY)
    import_registry_file(path)


@pytest.fixture
def reader(client):
    user = User.objects.create_user("reader", password="a long test password")
    user.user_permissions.add(Permission.objects.get(codename="view_registry"))
    client.force_login(user)
    return client


PAGES = [
    reverse("partnership:home"),
    reverse("partnership:partner_detail", args=["riverton-schools"]),
    reverse("partnership:body_detail", args=["leadership-table"]),
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_login(client, registry, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_signed_in_user_without_permission_is_refused(client, registry, url):
    client.force_login(User.objects.create_user("outsider", password="a long test password"))
    assert client.get(url).status_code == 403


def test_home_lists_partners_by_sector_bodies_roles_and_agreements(reader, registry):
    page = reader.get(reverse("partnership:home")).content.decode()
    for text in [
        "Riverton Public Schools", "Riverton Housing Authority", "Leadership Table",
        "Data and measurement director", "HousED MOU", "Housed students thrive",
    ]:  # fmt: skip
        assert text in page
    assert page.index("<h3>Education ") < page.index("<h3>Housing ") < page.index("<h3>Government ")


def test_partner_page_shows_seats_and_commitments(reader, registry):
    url = reverse("partnership:partner_detail", args=["riverton-housing"])
    page = reader.get(url).content.decode()
    assert "Host two after-school sites." in page
    assert "Housing" in page and "Government" in page


def test_body_page_lists_members_with_role_and_partner(reader, registry):
    page = reader.get(
        reverse("partnership:body_detail", args=["leadership-table"])
    ).content.decode()
    assert "Ana Ruiz" in page and "Chair" in page and "Riverton Public Schools" in page


@pytest.mark.parametrize("name", ["partnership:partner_detail", "partnership:body_detail"])
def test_unknown_slug_is_404(reader, registry, name):
    assert reader.get(reverse(name, args=["no-such-thing"])).status_code == 404


def test_agreement_without_document_is_404(reader, registry):
    url = reverse("governance:agreement_document", args=["housed-mou"])
    assert reader.get(url).status_code == 404


def test_login_page_signs_in_and_redirects_home(client, registry):
    User.objects.create_user("reader", password="a long test password").user_permissions.add(
        Permission.objects.get(codename="view_registry")
    )
    response = client.post(
        reverse("login"), {"username": "reader", "password": "a long test password"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("partnership:home")
    assert client.get(reverse("partnership:home")).status_code == 200
