"""Security hygiene through the real middleware stack: CSP, cookies, CSRF, sign-in throttling and
the stewards' second factor."""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.views.decorators.clickjacking import xframe_options_exempt
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from backbone.governance import services
from backbone.governance.models import AuditEvent
from backbone.governance.security import allow_embedding, policy_header

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)


def signed_in(username: str = "director", client: Client | None = None) -> Client:
    user = User.objects.filter(username=username).first() or User.objects.create_superuser(
        username, password=PASSWORD
    )
    client = client or Client()
    client.force_login(user)
    return client


# Content Security Policy ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/login/", "/", "/indicators/", "/indicators/new/", "/admin/"])
def test_every_page_carries_the_policy_and_the_other_headers(url):
    response = signed_in().get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_inline_event_handler():
    client = signed_in()
    for url in ["/login/", "/", "/indicators/", "/indicators/new/", "/governance/audit/"]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert " style=" not in html, url


@xframe_options_exempt
def exempt_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("an old-style embeddable page")


@allow_embedding
def embeddable_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("a public chart")


urlpatterns = [path("exempt/", exempt_view), path("embed/", embeddable_view)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/exempt/", "/embed/"])
def test_embeddable_views_may_be_framed_by_any_site(url):
    response = Client().get(url)
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == POLICY.replace(
        "frame-ancestors 'self'", "frame-ancestors *"
    )


def test_policy_header_replaces_only_the_named_directive():
    assert policy_header(frame_ancestors=("*",)).endswith("form-action 'self'; frame-ancestors *")


# Cookies and CSRF -------------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_secure_http_only_and_same_site_lax():
    User.objects.create_user("ana", password=PASSWORD)
    client = Client()
    client.get("/login/")
    response = client.post("/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")


POSTS = [
    "/login/",
    "/logout/",
    "/submissions/upload/",
    "/linkage/review/1/",
    "/indicators/new/",
    "/indicators/check",
    "/governance/second-factor/",
    "/governance/tokens/",
    "/governance/tokens/1/revoke/",
    "/api/v1/indicators/check",
    "/admin/partnership/partner/add/",
]


@pytest.mark.parametrize("url", POSTS)
def test_a_post_without_the_csrf_token_is_refused(url):
    client = signed_in(client=Client(enforce_csrf_checks=True))
    response = client.post(url, {"anything": "1"})
    assert response.status_code == 403


def views(patterns: list, prefix: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def test_no_view_opts_out_of_csrf_except_the_api_which_checks_it_itself():
    exempt = [
        url
        for url, callback in views(get_resolver().url_patterns)
        if getattr(callback, "csrf_exempt", False) and not callback.__module__.startswith("ninja.")
    ]
    assert exempt == []  # ninja's views check the token with django_auth (tested above)


# Sign-in throttling -----------------------------------------------------------------------------


def sign_in(client: Client, password: str) -> int:
    return client.post("/login/", {"username": "ana", "password": password}).status_code


def test_five_wrong_passwords_then_the_right_one_is_refused():
    User.objects.create_user("ana", password=PASSWORD)
    client = Client()
    assert [sign_in(client, f"guess {n}") for n in range(5)] == [200] * 4 + [429]
    response = client.post("/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "Signing in is paused" in response.content.decode()
    assert "15 minutes" in response.content.decode()


def test_fewer_wrong_passwords_do_not_lock_and_a_success_resets_the_count():
    User.objects.create_user("ana", password=PASSWORD)
    client = Client()
    assert [sign_in(client, "guess") for _ in range(4)] == [200] * 4
    assert sign_in(client, PASSWORD) == 302
    assert [sign_in(Client(), "guess") for _ in range(4)] == [200] * 4


def test_another_user_from_the_same_address_is_not_locked_out():
    User.objects.create_user("ana", password=PASSWORD)
    User.objects.create_user("bo", password=PASSWORD)
    for n in range(5):
        sign_in(Client(), f"guess {n}")
    response = Client().post("/login/", {"username": "bo", "password": PASSWORD})
    assert response.status_code == 302


# The stewards' second factor --------------------------------------------------------------------


@pytest.fixture
def steward() -> Client:
    user = User.objects.create_user("steward", password=PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="review_matches"))
    client = Client()
    client.force_login(user)
    return client


def code_from(secret: str, drift: int = 0) -> str:
    """What an authenticator app shows for the base32 ``secret`` on the page."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=drift):06d}"


def test_stewards_pass_without_a_second_factor_unless_it_is_required(steward):
    assert steward.get("/linkage/review/").status_code == 200


def test_a_steward_enrols_a_device_then_reaches_person_level_pages(steward, settings):
    settings.BACKBONE_REQUIRE_OTP_FOR_STEWARDS = True
    response = steward.get("/linkage/review/")
    assert response["Location"] == "/governance/second-factor/?next=/linkage/review/"
    page = steward.get(response["Location"]).content.decode()
    assert "Set up a second factor" in page and "otpauth://totp/" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    form = {"token": code_from(secret), "next": "/linkage/review/"}
    assert steward.post("/governance/second-factor/", form)["Location"] == "/linkage/review/"
    assert steward.get("/linkage/review/").status_code == 200
    device = TOTPDevice.objects.get(user__username="steward")
    assert device.confirmed
    assert AuditEvent.objects.filter(object_type="otp_totp.totpdevice").exists()


def test_a_new_session_asks_for_a_code_from_the_enrolled_device(steward, settings):
    settings.BACKBONE_REQUIRE_OTP_FOR_STEWARDS = True
    user = User.objects.get(username="steward")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page = steward.get("/governance/second-factor/?next=/linkage/").content.decode()
    assert "Enter your code" in page and "otpauth" not in page
    secret = base64.b32encode(device.bin_key).decode()
    form = {"token": code_from(secret), "next": "/linkage/review/"}
    assert steward.post("/governance/second-factor/", form).status_code == 302
    assert steward.get("/linkage/review/").status_code == 200


def test_a_wrong_code_is_refused_and_the_gate_stays_shut(steward, settings):
    settings.BACKBONE_REQUIRE_OTP_FOR_STEWARDS = True
    response = steward.post(
        "/governance/second-factor/", {"token": "000000", "next": "/linkage/review/"}
    )
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert steward.get("/linkage/review/").status_code == 302


def test_the_next_url_must_stay_on_this_site(steward, settings):
    settings.BACKBONE_REQUIRE_OTP_FOR_STEWARDS = True
    page = steward.get("/governance/second-factor/?next=https://evil.example/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    form = {"token": code_from(secret), "next": "https://evil.example/"}
    assert steward.post("/governance/second-factor/", form)["Location"] == "/"


def test_users_who_are_not_stewards_are_never_asked(settings):
    settings.BACKBONE_REQUIRE_OTP_FOR_STEWARDS = True
    reader = User.objects.create_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_registry"))
    assert not services.needs_second_factor(User.objects.get(username="reader"))
