"""Schemathesis generates requests from the token API's OpenAPI schema and sends them through the
real WSGI application (every middleware, the URLconf, django-ninja) as a user holding every
permission the API asks for, over the seeded partnership: no request may get a server error."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth.models import Permission, User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from backbone.config.api import api
from backbone.config.wsgi import application
from backbone.governance.models import PartnerUser
from backbone.governance.services import create_token
from tests.governance.seeded import World

pytestmark = pytest.mark.django_db

PERMISSIONS = (
    "view_registry", "view_all_submissions", "edit_indicators", "view_person_outcomes",
)  # fmt: skip


@pytest.fixture
def wsgi_in_this_transaction() -> Iterator[None]:
    """Keep the WSGI handler from closing the connection after each request, as Django's test
    client does, so requests see (and stay inside) the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world: World) -> str:
    """A bearer token of a tutoring analyst who may also see every submission, check
    definitions and read the registry: every operation can answer 200."""
    user = User.objects.create_user("schemathesis")
    for codename in PERMISSIONS:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    PartnerUser.objects.create(user=user, partner=world.partners["tutoring"])
    return create_token(user, "schemathesis")[1]


# The schema as /api/v1/openapi.json serves it (a test in test_api.py reads it there); loaded
# here at collection so each operation is its own test. Requests go to the WSGI application.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
schema.app = application


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_gets_a_server_error(case, token, wsgi_in_this_transaction):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[schemathesis.checks.not_a_server_error],
    )
