"""The API's doors into governance: who is calling (a bearer token, or the signed-in session
with its CSRF token), the second factor before person-level answers, and
``GET /participants`` — a partner's participants with the outcomes its agreements permit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from backbone.governance import services

SLUG = r"^[-a-zA-Z0-9_]+$"


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``: a token made on the API tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.user_for_token(token)
        if user is None:  # a wrong or revoked token never falls back to the session
            raise AuthenticationError()
        request.user = user  # the same scoping helpers as the pages read request.user
        request.by_token = True  # type: ignore[attr-defined]
        return user


class SignedInSession(SessionAuth):
    """The browser's session; unsafe methods need the CSRF token, as forms do."""


AUTH = [BearerToken(), SignedInSession(csrf=True)]


def require(request: HttpRequest, permission: str) -> None:
    """403 unless the caller holds ``permission``, as the pages answer."""
    if not request.user.has_perm(permission):
        raise HttpError(403, f"you need the {permission} permission")


def person_level(request: HttpRequest) -> None:
    """Stewards in a session must have passed the second factor, as on the pages; a token was
    made behind it (the API tokens page is gated too)."""
    if not getattr(request, "by_token", False) and services.needs_second_factor(request.user):
        raise HttpError(403, "verify your second factor at /governance/second-factor/ first")


router = Router(tags=["participants"])


class OutcomeOut(Schema):
    code: str
    label: str
    rule: str = Field(description="When a missing yes counts as no rather than not yet.")


class ParticipantOut(Schema):
    local_id: str = Field(description="The partner's own id for the person.")
    outcomes: dict[str, bool | None] = Field(
        description="true: yes; false: no; null: not yet (the outcome's rule is not met)."
    )


class ParticipantsOut(Schema):
    partner: str
    purposes: list[str] = Field(description="The agreements' purposes the read was audited under.")
    agreements: list[str]
    outcomes: list[OutcomeOut]
    withheld: dict[str, list[str]] = Field(description="Outcomes not permitted, and why.")
    unavailable: list[str] = Field(description="Outcomes no partner has sent data for yet.")
    total: int
    items: list[ParticipantOut]


class ParticipantsQuery(Schema):
    purpose: str | None = Field(None, max_length=80, pattern=SLUG)
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(100, ge=1, le=services.PAGE_LIMIT)


@router.get("/participants", response=ParticipantsOut, url_name="participants")
def participants(request: HttpRequest, query: Query[ParticipantsQuery]) -> dict[str, Any]:
    """The caller's partner's participants and the outcomes an active data-sharing agreement
    lets the partner see; 403 naming what is missing. Every read is audited."""
    require(request, services.VIEW_OUTCOMES)
    person_level(request)
    try:
        found = services.participant_outcomes(
            request.user, query.purpose, query.offset, query.limit
        )
    except services.OutcomesRefused as refusal:
        raise HttpError(403, str(refusal)) from refusal
    decision, codes = found.decision, [o.code for o in found.outcomes]
    return {
        "partner": found.partner.slug,
        "purposes": decision.purposes,
        "agreements": decision.agreements,
        "outcomes": [{"code": o.code, "label": o.label, "rule": o.rule} for o in found.outcomes],
        "withheld": decision.withheld,
        "unavailable": decision.unavailable,
        "total": found.total,
        "items": [
            {"local_id": local_id, "outcomes": dict(zip(codes, values, strict=True))}
            for local_id, values in found.table()
        ],
    }
