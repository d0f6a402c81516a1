"""The partnership's roles as data: who holds which declared permissions.

Each role becomes one Django group of the same name holding exactly its permissions
(``services.sync_roles``, run after every ``migrate`` and by ``backbone roles sync``). Pages and
the API never ask for a role: they check permissions (docs/permissions.md). Partner-scoped roles
also need the account linked to a partner (*Partner users*), which narrows what they see to that
partner.

>>> role("partner_submitter").permissions
('partnership.view_registry', 'intake.submit_data')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MODEL_ACTIONS = ("add", "change", "delete", "view")


@dataclass(frozen=True)
class Role:
    """A role: its code, the group name (``label``), what it is for, and its permissions as
    ``app_label.codename``."""

    code: str
    label: str
    description: str
    permissions: tuple[str, ...]
    partner_scoped: bool = False


def model_permissions(
    app_label: str, models: Iterable[str], actions: Iterable[str] = MODEL_ACTIONS
) -> tuple[str, ...]:
    """Django's model permissions for ``models`` (lower-case model names).

    >>> model_permissions("intake", ["columnmapping"], ["change", "view"])
    ('intake.change_columnmapping', 'intake.view_columnmapping')
    """
    return tuple(f"{app_label}.{action}_{model}" for model in models for action in actions)


REGISTRY_MODELS = (
    "partnership", "sectorgoal", "sharedoutcome", "partner", "person", "governancebody",
    "membership", "roleassignment",
)  # fmt: skip
AGREEMENT_MODELS = ("agreement", "agreementparty", "agreementdataelement", "partneruser")
READ_REGISTRY = "partnership.view_registry"
READ_NETWORKS = "improvement.view_networks"
# The administrator edits the registry, partners' mappings and schedules, and accounts.
ADMIN_MODEL_PERMISSIONS = (
    *model_permissions("partnership", REGISTRY_MODELS),
    *model_permissions("governance", AGREEMENT_MODELS),
    *model_permissions("intake", ["columnmapping", "reportingschedule"]),
    *model_permissions("auth", ["user"], ["add", "change", "view"]),
)

ROLES: tuple[Role, ...] = (
    Role(
        "administrator",
        "Backbone administrator",
        "Runs the system: edits the registry and agreements in the admin, manages accounts and "
        "partner links, and maintains indicator definitions; as the data director, sets "
        "baselines, targets and milestones. Sees no person-level data.",
        (
            READ_REGISTRY,
            "partnership.import_registry",
            "indicators.edit_indicators",
            "indicators.compute_indicators",
            "programs.view_programs",
            READ_NETWORKS,
            "improvement.work_in_networks",
            "improvement.manage_networks",
            "indicators.set_targets",
            "indicators.record_milestones",
            "indicators.write_stories",  # scoped by a network seat; lets it give that role
            "workforce.view_workforce",
            "evidence.view_studies",
            "evidence.run_studies",
            "workforce.manage_employer_engagement",
            *ADMIN_MODEL_PERMISSIONS,
            "auth.view_group",
            "governance.view_apitoken",
            "governance.change_apitoken",
        ),
    ),
    Role(
        "data_steward",
        "Data steward",
        "Looks after person-level data: every partner's submissions and reports, clerical "
        "review of matches, consents and their revocation, destruction certificates and the "
        "audit log.",
        (
            READ_REGISTRY,
            "intake.view_all_submissions",
            "identity.review_matches",
            "identity.run_linkage",
            "indicators.compute_indicators",
            "indicators.view_exact_results",
            "programs.view_programs",
            READ_NETWORKS,
            "indicators.record_milestones",
            "workforce.view_workforce",
            "evidence.view_studies",
            "evidence.run_studies",
            "workforce.manage_employer_engagement",
            "governance.view_auditevent",
            *model_permissions("governance", ["consent"], ["add", "change", "view"]),
            "governance.view_destructioncertificate",
        ),
    ),
    Role(
        "partner_submitter",
        "Partner data submitter",
        "A partner's staff member who uploads its files and reads its own submissions, "
        "validation reports and calendar.",
        (READ_REGISTRY, "intake.submit_data"),
        partner_scoped=True,
    ),
    Role(
        "partner_analyst",
        "Partner analyst",
        "A partner's analyst: person-level outcomes of its own participants, only where an "
        "active data-sharing agreement lets the partner receive the other partners' data.",
        (READ_REGISTRY, "governance.view_person_outcomes", READ_NETWORKS),
        partner_scoped=True,
    ),
    Role(
        "action_network_member",
        "Action-network member",
        "Works on a shared outcome: the partnership pages, the indicators and every program's "
        "page, in aggregate; the sector partnerships; writes the charter, plan, PDSA log, "
        "barriers and turn-the-curve stories of the networks where they hold a seat.",
        (
            READ_REGISTRY,
            "programs.view_programs",
            "workforce.view_workforce",
            "evidence.view_studies",
            READ_NETWORKS,
            "improvement.work_in_networks",
            "indicators.write_stories",
        ),
    ),
    Role(
        "employer",
        "Employer",
        "An employer in a sector partnership: its own hiring pipeline (enrolled to retained), "
        "in aggregate and protected, and the partnership pages.",
        (READ_REGISTRY, "workforce.view_own_pipeline"),
        partner_scoped=True,
    ),
    Role(
        "funder",
        "Funder",
        "Follows the partnership's progress: the partnership pages, the indicators in "
        "aggregate and the action networks' pages.",
        (READ_REGISTRY, READ_NETWORKS),
    ),
    Role(
        "public",
        "Public",
        "Anyone, signed in or not: the public scorecard, which needs no permission.",
        (),
    ),
)


def role(code: str) -> Role:
    """The role called ``code``; ``KeyError`` names the known roles otherwise."""
    for candidate in ROLES:
        if candidate.code == code:
            return candidate
    raise KeyError(f"no role {code!r}; known roles: {', '.join(r.code for r in ROLES)}")


def permission_names(roles: Iterable[Role] = ROLES) -> set[str]:
    """Every permission any of ``roles`` holds."""
    return {name for r in roles for name in r.permissions}


def problems(roles: Iterable[Role], known: Iterable[str]) -> list[str]:
    """What is wrong with ``roles`` given the permissions that exist: unknown permissions,
    malformed names, repeated codes or labels. Empty when every role can be synced.

    >>> problems([Role("x", "X", "", ("intake.submit_data", "nonsense"))], ["intake.submit_data"])
    ["role 'x': 'nonsense' is not app_label.codename"]
    """
    known = set(known)
    roles = list(roles)
    found: list[str] = []
    for r in roles:
        for name in r.permissions:
            if name.count(".") != 1:
                found.append(f"role {r.code!r}: {name!r} is not app_label.codename")
            elif name not in known:
                found.append(f"role {r.code!r}: no permission {name!r}")
    for attribute in ("code", "label"):
        values = [getattr(r, attribute) for r in roles]
        repeated = sorted({v for v in values if values.count(v) > 1})
        found += [f"two roles share the {attribute} {v!r}" for v in repeated]
    return found
