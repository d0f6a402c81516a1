"""A small partnership with one user per role, loaded through the real intake: what the
authorization table, the API tests and the schemathesis run ask questions of.

Four partners send files under their data-sharing agreements: two programs (tutoring, the
partner the partner-scoped users work for, and mentoring, the "other" partner), the workforce
board (UI wages) and the college (postsecondary). Linkage is stood in for by a crosswalk
written from the identity tier, one person per name, so outcomes are known by hand:

=========  ========  ======================  =========================================
tutoring   person    wages (workforce)       college
=========  ========  ======================  =========================================
T-1        Ana Ruiz  $5,000 in 2025 Q1       enrolled (the agreement withholds it)
T-2        Ben Oko   $0 in 2025 Q1           —
T-3        Cara Lind — (still in the program) —
=========  ========  ======================  =========================================

The workforce board's agreement names tutoring as a recipient for ``program-evaluation``; the
college's names nobody; no agreement lets mentoring receive anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile

from backbone.evidence import studies
from backbone.evidence.models import Study
from backbone.governance.models import AgreementParty, PartnerUser
from backbone.governance.roles import role
from backbone.governance.services import create_token, sync_roles
from backbone.identity.models import LinkageRun, ReviewPair
from backbone.improvement.models import ActionItem, Charter, PdsaCycle
from backbone.indicators.services import install_standard_library
from backbone.intake import services as intake
from backbone.intake.models import Submission
from backbone.partnership.models import GovernanceBody, Membership, Partner, Person, SharedOutcome
from backbone.programs.models import Program
from backbone.scorecard.services import release
from tests.agreements import covering_agreement
from tests.scorecard.planted import plant

PASSWORD = "a long test password"
PROGRAM_HEADER = "local_id,first_name,last_name,birth_date,program,start_date\n"
# T-1 and T-2 left in 2024 Q3, so 2025 Q1 is their 2nd quarter after; T-3 has not left.
TUTORING_ROSTER = PROGRAM_HEADER.replace("start_date", "start_date,end_date") + (
    "T-1,Ana,Ruiz,2007-03-01,Homework Help,2024-01-08,2024-08-30\n"
    "T-2,Ben,Oko,2007-05-12,Homework Help,2024-01-08,2024-08-30\n"
    "T-3,Cara,Lind,2008-01-30,Homework Help,2025-09-08,\n"
)
MENTORING_ROSTER = PROGRAM_HEADER + (
    "M-1,Ana,Ruiz,2007-03-01,Big Sibs,2025-09-15\nM-2,Dev,Patel,2007-07-07,Big Sibs,2025-09-15\n"
)
# A bad date on row 2 and a missing id on row 3: the rejected file's report has both.
BAD_ROSTER = PROGRAM_HEADER + (
    "T-9,Eve,Stone,2007-02-02,Homework Help,2025-09-31\n,Fay,Lu,2007-02-03,Homework Help,2025-09-08\n"
)
WAGES = (
    "ssn,first_name,last_name,employer_id,year,quarter,wages\n"
    "123456789,Ana,Ruiz,RIV-1,2025,1,5000.00\n"
    "234567891,Ben,Oko,RIV-1,2025,1,0.00\n"
)
COLLEGE = (
    "local_id,first_name,last_name,birth_date,institution,enrollment_begin\n"
    "RCC-1,Ana,Ruiz,2007-03-01,Riverton Community College,2025-08-25\n"
)
# What the tutoring analyst should see: by hand from the table above.
TUTORING_OUTCOMES = {"T-1": True, "T-2": False, "T-3": None}

ROLE_USERS = {  # username → (role, partner slug of a partner-scoped role)
    "admin": ("administrator", None),
    "steward": ("data_steward", None),
    "submitter": ("partner_submitter", "tutoring"),
    "analyst": ("partner_analyst", "tutoring"),
    "network": ("action_network_member", None),
    "funder": ("funder", None),
    "analyst_b": ("partner_analyst", "mentoring"),
    "employer": ("employer", "mentoring"),
}


@dataclass
class World:
    partners: dict[str, Partner]
    users: dict[str, User]
    submissions: dict[str, Submission]  # a_loaded, a_rejected, b_loaded, b_rejected, …
    review_pair: ReviewPair
    tokens: dict[str, str] = field(default_factory=dict)  # username → a bearer token
    ids: dict[str, int] = field(default_factory=dict)  # a network's action and PDSA cycle


def partner(slug: str, kind: str, sector: str) -> Partner:
    return Partner.objects.create(
        slug=slug, name=slug.replace("-", " ").title(), partner_type=kind, sectors=[sector]
    )


def send(partner: Partner, contract: str, text: str, tmp: Path, name: str) -> Submission:
    path = tmp / name
    path.write_text(text)
    return intake.ingest(path, partner, contract, "2025-26").submission


def seed(tmp: Path) -> World:
    """The partnership, its files loaded and linked, and one user per role (with a token)."""
    sync_roles()  # the groups exist after migrate; a flush by an earlier test empties them
    partners = {
        "tutoring": partner("tutoring", "community_organization", "education"),
        "mentoring": partner("mentoring", "community_organization", "education"),
        "workforce": partner("workforce", "workforce_board", "workforce"),
        "college": partner("college", "college", "education"),
    }
    _agreements(partners)
    submissions = _submissions(partners, tmp)
    write_crosswalk()
    users = {name: _user(name, code, partners.get(slug or "")) for name, (code, slug) in ROLE_USERS.items()}  # fmt: skip
    world = World(partners, users, submissions, _review_pair())
    world.tokens = {name: create_token(user, "tests")[1] for name, user in users.items()}
    GovernanceBody.objects.create(slug="leadership-table", name="Leadership Table", kind="leadership_table")  # fmt: skip
    plant()  # an outcome and two indicators with results (the scorecard's hand-made numbers)
    release()
    install_standard_library()  # real definitions, for the editor
    Program.objects.create(
        slug="homework-help", partner=partners["tutoring"], name="Homework Help",
        aliases=["Homework Help"], min_sessions=10,
    )  # fmt: skip
    world.ids = _networks(partners["tutoring"], users["network"])
    _study()
    return world


def _study() -> None:
    """A declared study that has never run: its page exists for the readers of studies."""
    declaration = studies.study_to_dict(studies.study_from_dict({
        "slug": "homework-help-reading", "program": "Homework Help", "outcome": "scale_score",
        "covariates": ["school"], "design": "exact",
    }))  # fmt: skip
    Study.objects.create(
        slug="homework-help-reading", title="Homework Help and reading",
        program=Program.objects.get(slug="homework-help"), participation="Homework Help",
        outcome="scale_score", unit="student_years", design="exact", covariates=["school"],
        declaration=declaration,
    )  # fmt: skip


def _networks(tutoring: Partner, member: User) -> dict[str, int]:
    """Two action networks: the network user (tutoring's, in person) sits on the reading one
    only; its charter aims at the planted reading indicator's group of 4."""
    reading = GovernanceBody.objects.create(slug="reading-network", name="Reading Network", kind="action_network")  # fmt: skip
    reading.outcomes.add(SharedOutcome.objects.get(slug="reading-for-all"))  # its stories too
    GovernanceBody.objects.create(slug="jobs-network", name="Jobs Network", kind="action_network")
    person = Person.objects.create(slug="nell", name="Nell Network", partner=tutoring)
    Membership.objects.create(
        body=reading, person=person, representing=tutoring, start=dt.date(2020, 1, 1)
    )
    PartnerUser.objects.create(user=member, partner=tutoring, person=person)
    Charter.objects.create(
        body=reading, aim="Raise reading from 51% to 60% by June 2027", indicator="planted_reading",
        dimension="race_ethnicity", group="Native Hawaiian or Pacific Islander", baseline_value=51,
        baseline_period="2023", target_value=60, target_date=dt.date(2027, 6, 30),
    )  # fmt: skip
    action = ActionItem.objects.create(body=reading, title="Share the roster", owner=person, due=dt.date(2025, 1, 31))  # fmt: skip
    cycle = PdsaCycle.objects.create(
        body=reading, change_idea="Weekly question", number=1, objective="Learn", question="Who?",
        prediction="Half", planned_start=dt.date(2024, 10, 7), planned_end=dt.date(2024, 11, 1),
    )  # fmt: skip
    return {"action": action.pk, "cycle": cycle.pk}


def _agreements(partners: dict[str, Partner]) -> None:
    for slug in ("tutoring", "mentoring"):
        covering_agreement(partners[slug], "program_participation")
    wages = covering_agreement(
        partners["workforce"], "ui_wages", slug="wage-dsa", purpose_code="program-evaluation"
    )
    AgreementParty.objects.create(agreement=wages, partner=partners["tutoring"], roles="Recipient")
    college = covering_agreement(
        partners["college"], "postsecondary", slug="college-dsa", purpose_code="improve-instruction"
    )
    college.document.save("college-dsa.pdf", ContentFile(b"%PDF-1.4 signed copy"), save=True)


def _submissions(partners: dict[str, Partner], tmp: Path) -> dict[str, Submission]:
    program = "program_participation"
    made = {
        "a_loaded": send(partners["tutoring"], program, TUTORING_ROSTER, tmp, "tutoring.csv"),
        "a_rejected": send(partners["tutoring"], program, BAD_ROSTER, tmp, "tutoring-bad.csv"),
        "b_loaded": send(partners["mentoring"], program, MENTORING_ROSTER, tmp, "mentoring.csv"),
        "b_rejected": send(partners["mentoring"], program, BAD_ROSTER, tmp, "mentoring-bad.csv"),
        "wages": send(partners["workforce"], "ui_wages", WAGES, tmp, "wages.csv"),
        "college": send(partners["college"], "postsecondary", COLLEGE, tmp, "college.csv"),
    }
    statuses = {name: s.status for name, s in made.items()}
    assert set(statuses.values()) == {"loaded", "rejected"}, statuses
    return made


def write_crosswalk() -> None:
    """Link by name: one ``person_key`` per first and last name, as a linkage run would
    publish it (the same columns)."""
    store = intake.warehouse()
    rows = store.query(
        "SELECT DISTINCT record_id, source_partner, first_name || ' ' || last_name "
        "FROM identity_record ORDER BY record_id",
        tier="identity",
    )
    table = pa.table({
        "record_id": [r[0] for r in rows],
        "source_partner": [r[1] for r in rows],
        "person_key": [f"P-{r[2]}" for r in rows],
        "match_probability": pa.array([1.0] * len(rows), pa.float64()),
        "model_version": ["by-name"] * len(rows),
        "linkage_run": pa.array([0] * len(rows), pa.int64()),
    })  # fmt: skip
    store.write_derived("crosswalk", "analytic", table)


def _review_pair() -> ReviewPair:
    store = intake.warehouse()
    ana = store.query(
        "SELECT DISTINCT source_partner, record_id FROM identity_record "
        "WHERE first_name = 'Ana' AND source_partner IN ('tutoring', 'mentoring')",
        tier="identity",
    )
    (source_a, first), (source_b, second) = sorted(ana, key=lambda r: r[1])
    run = LinkageRun.objects.create(model_version="by-name", finished_at=dt.datetime.now(dt.UTC))
    return ReviewPair.objects.create(
        run=run, record_a=first, record_b=second, source_a=source_a, source_b=source_b,
        match_probability=0.7,
    )  # fmt: skip


def _user(username: str, code: str, works_for: Partner | None) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role(code).label))
    if code == "administrator":
        user.is_staff = True  # the admin site asks for it; a group cannot grant it
        user.save()
    if works_for is not None:
        PartnerUser.objects.create(user=user, partner=works_for)
    return user
