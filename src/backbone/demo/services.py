"""Build the demo partnership into the configured workspace (idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction

from backbone.demo.city import CityManifest, generate_city, read_manifest
from backbone.evidence.services import import_studies_file
from backbone.governance.models import Agreement, Consent, PartnerUser
from backbone.governance.registry import import_registry_file
from backbone.governance.roles import role
from backbone.governance.services import sync_roles
from backbone.improvement.registry import import_networks_file
from backbone.intake import services as intake
from backbone.intake.models import ColumnMapping, ReportingSchedule, Submission
from backbone.partnership.models import Membership, Partner
from backbone.programs.registry import import_programs_file
from backbone.warehouse.services import warehouse, workspace
from backbone.workforce.registry import import_workforce_file

DEMO_DIR = Path(__file__).resolve().parent
DEMO_REGISTRY = DEMO_DIR / "partnership.yaml"
DEMO_PROGRAMS = DEMO_DIR / "programs.yaml"
DEMO_NETWORKS = DEMO_DIR / "networks.yaml"
DEMO_TARGETS = DEMO_DIR / "targets.yaml"
# The ``network`` login sits on this network (as one of its members), so it may write stories.
DEMO_NETWORK = "grade-3-reading-network"
DEMO_WORKFORCE = DEMO_DIR / "workforce.yaml"
DEMO_STUDIES = DEMO_DIR / "studies.yaml"
DEMO_PASSWORD = "riverton-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str


@dataclass
class BuiltDemo:
    summary: str
    logins: list[DemoLogin]
    city: CityLoad | None = None


@dataclass
class CityLoad:
    """How the synthetic city's files went through intake."""

    files: int = 0
    loaded: int = 0
    already_loaded: int = 0
    rejected: list[str] = field(default_factory=list)
    rows: int = 0
    generated: bool = False
    linkage: Any = None  # the LinkageRun, when this build linked
    compute: Any = None  # the ComputeRun


DEFAULT_STUDENTS = 20_000
DEMO_SEED = 7
# Stage, done, total: "generating" (0 of 1) then "loading <file>" (i of n files).
DemoProgress = Callable[[str, int, int], None]


DEMO_LOGINS = [
    DemoLogin("director", DEMO_PASSWORD, "data and measurement director: every page and the admin"),
    DemoLogin("partner", DEMO_PASSWORD, "Bright Futures Tutoring's data clerk: uploads its files"),
    DemoLogin("admin", DEMO_PASSWORD, "backbone administrator: registry, accounts, indicators"),
    DemoLogin("steward", DEMO_PASSWORD, "data steward: all submissions, linkage, the audit log"),
    DemoLogin("analyst", DEMO_PASSWORD, "Bright Futures Tutoring's analyst: participant outcomes"),
    DemoLogin("network", DEMO_PASSWORD, "action-network member: writes in the reading network"),
    DemoLogin("funder", DEMO_PASSWORD, "funder: partnership pages, indicators"),
]

# One login per role (docs/permissions.md; the public needs none): username, role, the partner
# a partner-scoped role works for, names.
DEMO_ROLE_USERS = [
    ("partner", "partner_submitter", "bright-futures-tutoring", "Sam", "Ortiz"),
    ("admin", "administrator", None, "Avery", "Chen"),
    ("steward", "data_steward", None, "Priya", "Nair"),
    ("analyst", "partner_analyst", "bright-futures-tutoring", "Jordan", "Blake"),
    # Bright Futures Tutoring sits on the Grade 3 Reading network: Rosa writes there.
    ("network", "action_network_member", "bright-futures-tutoring", "Rosa", "Delgado"),
    ("funder", "funder", None, "Malik", "Grant"),
    ("employer", "employer", "st-brigid-health", "Olivia", "Grant"),
]

# The measurement plan's due dates: (partner, contract, frequency, days after period end).
DEMO_SCHEDULES = [
    ("riverton-public-schools", "edfi", "school_year", 45),
    ("riverton-area-homeless-coalition", "hmis", "quarterly", 30),
    ("three-rivers-workforce-board", "ui_wages", "quarterly", 60),
    ("three-rivers-workforce-board", "training", "quarterly", 30),
    ("bright-futures-tutoring", "program_participation", "school_year", 30),
    ("riverton-mentoring-alliance", "program_participation", "school_year", 30),
    ("riverton-mentoring-alliance", "program_assessment", "school_year", 30),
    ("eastside-youth-center", "program_participation", "school_year", 30),
    ("summer-bridge-riverton", "program_participation", "school_year", 30),
    ("riverton-community-college", "postsecondary", "school_year", 60),
]
DEMO_SCHEDULE_START = dt.date(2024, 7, 1)


def build_demo(students: int = DEFAULT_STUDENTS, progress: DemoProgress | None = None) -> BuiltDemo:
    """Build the Riverton registry and logins, then generate the synthetic city (once per size)
    and load every partner file through the real importers. Safe to run again: files already
    loaded are recognised and skipped."""
    built = build_registry()
    if students > 0:
        built.city = load_city(ensure_city(students, progress), progress)
        record_enrollment_releases()
        link_and_compute(built.city, progress)
    return built


def link_and_compute(load: CityLoad, progress: DemoProgress | None = None) -> None:
    """Link the city's people (when new files arrived or nobody was linked yet), install the
    standard indicators and compute them, so every page has something to show."""
    from backbone.identity.models import LinkageRun
    from backbone.identity.services import run_linkage
    from backbone.indicators import services as indicators

    if load.loaded or not LinkageRun.objects.exclude(model_version="").exists():
        if progress:
            progress("linking people across partners", 0, 1)
        load.linkage = run_linkage()
    installed = indicators.install_standard_library()
    if progress:
        progress("computing the indicators", 0, len(installed))
    done = iter(range(1, len(installed) + 1))
    load.compute = indicators.compute(
        progress=lambda i: (
            progress("computing " + i.name, next(done), len(installed)) if progress else None
        )
    )
    from backbone.indicators.target_services import import_targets_file
    from backbone.scorecard.publishing import annual_report_file
    from backbone.scorecard.services import current_release, release

    run_studies(progress)
    made = current_release() or release(notes="demo build")  # the scorecard has numbers to show
    import_targets_file(DEMO_TARGETS, "cli:demo")  # baselines from the published values
    annual_report_file(made)  # made now, so that no reader waits for it


def run_studies(progress: DemoProgress | None = None) -> list[str]:
    """Run every demo study once, so the evidence pages have estimates; a study the city is
    too small for (no participants, say) is skipped and named."""
    from backbone.evidence import services as evidence
    from backbone.evidence.models import Study
    from backbone.evidence.studies import StudyError

    skipped = []
    for study in Study.objects.filter(runs__isnull=True):
        if progress:
            progress(f"running the study {study.slug}", 0, 1)
        try:
            evidence.run(study.slug, actor="cli:demo")
        except (StudyError, ValueError) as error:
            skipped.append(f"{study.slug}: {error}")
    return skipped


def ensure_city(students: int, progress: DemoProgress | None = None) -> CityManifest:
    """The city in ``<workspace>/demo-city``, generated only when missing or of another size."""
    root = workspace().path("demo-city")
    existing = read_manifest(root)
    if (
        existing
        and existing.parameters.get("students") == students
        and existing.parameters.get("seed") == DEMO_SEED
    ):
        return existing
    if progress:
        progress("generating the synthetic city", 0, 1)
    return generate_city(root, students=students, seed=DEMO_SEED)


def load_city(city: CityManifest, progress: DemoProgress | None = None) -> CityLoad:
    """Ingest every file of the city's manifest, as its partner would, in manifest order."""
    for (slug, contract), mapping in city.column_mappings.items():
        saved = {
            k: mapping[k] for k in ("columns", "value_crosswalks", "date_format") if k in mapping
        }
        partner = Partner.objects.get(slug=slug)
        ColumnMapping.objects.update_or_create(partner=partner, contract=contract, defaults=saved)
    load = CityLoad(files=len(city.files))
    for done, entry in enumerate(city.files):
        if progress:
            progress(f"loading {entry.path}", done, len(city.files))
        partner = Partner.objects.get(slug=entry.partner)
        outcome = intake.ingest(city.path(entry), partner, entry.contract, entry.period)
        _count(load, outcome, entry.path)
    if progress:
        progress("loaded", len(city.files), len(city.files))
    return load


# The workforce board's trainees sign a release naming the partnership at enrollment, and the
# training DSA needs consent: without these consents on file no trainee would be linked or counted.
RELEASES = ("three-rivers-workforce-board", "training", "workforce-training-dsa")


def record_enrollment_releases() -> int:
    """Record one consent per trainee loaded so far, as the board's clerk would from the signed
    releases (docs/agreements.md, "Consent"); returns how many were new."""
    slug, contract, agreement_slug = RELEASES
    agreement = Agreement.objects.filter(slug=agreement_slug).first()
    loads = list(
        Submission.objects.filter(partner__slug=slug, contract=contract).values_list(
            "pk", flat=True
        )
    )
    if agreement is None or agreement.discloser is None or not loads:
        return 0
    rows = warehouse().query(
        "SELECT DISTINCT local_id FROM identity_record WHERE submission_id IN "
        f"({', '.join('?' for _ in loads)})", loads, tier="identity", label="trainees",
    )  # fmt: skip
    known = set(agreement.consents.values_list("local_id", flat=True))
    values = {
        "partner": agreement.discloser, "agreement": agreement, "purpose": agreement.purpose,
        "records": "Training enrollment, credential and exit records",
        "signed_on": agreement.signed_on or agreement.start,
    }  # fmt: skip
    new = [Consent(local_id=local_id, **values) for (local_id,) in rows if local_id not in known]
    Consent.objects.bulk_create(new, batch_size=2000)
    return len(new)


def _count(load: CityLoad, outcome: intake.Outcome, path: str) -> None:
    if outcome.duplicate:
        load.already_loaded += 1
    elif outcome.result and outcome.result.loaded:
        load.loaded += 1
        load.rows += sum(outcome.result.rows.values())
    else:
        load.rejected.append(path)


@transaction.atomic
def build_registry() -> BuiltDemo:
    """Import the Riverton registry and create the demo logins; safe to run again."""
    summary = import_registry_file(DEMO_REGISTRY)
    import_programs_file(DEMO_PROGRAMS)
    import_networks_file(DEMO_NETWORKS)
    import_workforce_file(DEMO_WORKFORCE)
    import_studies_file(DEMO_STUDIES)
    sync_roles()
    director = _user("director", first_name="Dana", last_name="Whitfield")
    director.is_staff = director.is_superuser = True
    director.save()
    for username, code, partner, first, last in DEMO_ROLE_USERS:
        _role_user(username, code, partner, first_name=first, last_name=last)
    _seat_network_login()
    for slug, contract, frequency, due_days in DEMO_SCHEDULES:
        ReportingSchedule.objects.update_or_create(
            partner=Partner.objects.get(slug=slug), contract=contract,
            defaults={"frequency": frequency, "due_days": due_days, "starts": DEMO_SCHEDULE_START},
        )  # fmt: skip
    return BuiltDemo(summary=summary.describe(), logins=DEMO_LOGINS)


def _seat_network_login() -> None:
    """Link the ``network`` login to a current member of ``DEMO_NETWORK`` and their partner."""
    seats = Membership.objects.filter(body__slug=DEMO_NETWORK, representing__isnull=False)
    seat = next((m for m in seats.select_related("person") if m.is_current()), None)
    if seat is not None and seat.representing is not None:
        PartnerUser.objects.update_or_create(
            user=User.objects.get(username="network"),
            defaults={"partner": seat.representing, "person": seat.person},
        )


def _user(username: str, **names: str) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults=names)
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _role_user(username: str, code: str, partner: str | None, **names: str) -> User:
    """A demo login in the role's group (and linked to its partner); the administrator is
    staff too, which the admin requires and a group cannot grant."""
    user = _user(username, **names)
    user.groups.add(Group.objects.get(name=role(code).label))
    if code == "administrator" and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if partner:
        PartnerUser.objects.update_or_create(
            user=user, defaults={"partner": Partner.objects.get(slug=partner)}
        )
    return user
