"""The evidence pages: who may read them, what a stored run shows (the estimate beside the
naive difference, each labelled), and a run with too few people withheld."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from backbone.demo.services import DEMO_PROGRAMS, DEMO_REGISTRY, DEMO_STUDIES
from backbone.disclosure import Policy
from backbone.evidence import results, services, studies
from backbone.evidence.designs import Estimate
from backbone.evidence.models import Study
from backbone.governance.models import AuditEvent
from backbone.governance.registry import import_registry_file
from backbone.governance.roles import role
from backbone.governance.services import sync_roles
from backbone.programs.registry import import_programs_file

pytestmark = pytest.mark.django_db
SLUG = "tutoring-grade3-reading"


@pytest.fixture
def riverton(workspace):
    import_registry_file(DEMO_REGISTRY)
    import_programs_file(DEMO_PROGRAMS)
    services.import_studies_file(DEMO_STUDIES)
    sync_roles()


def _client(username: str, code: str) -> Client:
    made = User.objects.create_user(username, password="a long test password")
    made.groups.add(Group.objects.get(name=role(code).label))
    client = Client()
    client.force_login(made)
    return client


def _planted(n_per_school: int) -> pd.DataFrame:
    """Two schools; in each, participants score exactly 12 points above the others."""
    rng = np.random.default_rng(3)
    rows = []
    for school in ("x", "y"):
        for i in range(n_per_school):
            treated = int(i % 2 == 0)
            base = 400 + (20 if school == "y" else 0) + rng.normal(0, 5)
            rows.append({"person": f"{school}{i}", "school": school, "econ": i % 4 < 2,
                         "treated": treated, "scale_score": base + 12 * treated,
                         "grade": 3})  # fmt: skip
    return pd.DataFrame(rows)


def _rows(estimate: Estimate) -> list[results.Result]:
    return [results.of_estimate(estimate, Policy(min_n=settings.DISCLOSURE_MIN_N))]


def _store(frame: pd.DataFrame) -> None:
    study = Study.objects.get(slug=SLUG)
    declared = studies.study_from_dict({**study.declaration, "covariates": ["school", "econ"]})
    services._store(study, _rows(studies.run_flagged(declared, frame)), "tester")


def test_a_run_names_who_ran_it_as_the_audit_log_does(riverton):
    from backbone.governance.actor import acting_as

    frame = _planted(30)
    study = Study.objects.get(slug=SLUG)
    declared = studies.study_from_dict({**study.declaration, "covariates": ["school", "econ"]})
    with acting_as("cli:dana"):
        saved = services._store(study, _rows(studies.run_flagged(declared, frame)), None)
    assert saved.ran_by == "cli:dana"


def test_a_reader_without_the_permission_gets_403(riverton):
    funder = _client("fran", "funder")
    assert funder.get("/evidence/").status_code == 403
    assert funder.get(f"/evidence/{SLUG}/").status_code == 403


def test_the_list_says_which_studies_have_not_run(riverton):
    html = _client("rosa", "action_network_member").get("/evidence/").content.decode()
    assert "Reading Buddies tutoring and grade-3 reading" in html
    assert "not run yet" in html and "impact" not in html.lower()
    assert 'href="/evidence/"' in html  # the nav link


def test_the_study_page_shows_the_estimate_beside_the_naive_difference(riverton):
    _store(_planted(60))
    html = _client("rosa", "action_network_member").get(f"/evidence/{SLUG}/").content.decode()
    assert "Quasi-experimental estimate" in html
    assert "Naive difference (no adjustment for who takes part)" in html
    assert "impact" not in html.lower()
    run = Study.objects.get(slug=SLUG).latest_run()
    assert 11 < run.effect < 13  # planted: +12 within each school
    assert f"{run.effect:.2f}" in html and f"{run.naive_difference:.2f}" in html
    # the variance note reads as a sentence of the lineage paragraph
    assert f"{run.notes[0][0].upper()}{run.notes[0][1:]}." in html
    assert "<svg" in html and "WWC verdict" in html
    assert AuditEvent.objects.filter(object_type="evidence.study", action="read").exists()


def test_a_run_on_too_few_people_is_withheld(riverton, settings):
    settings.DISCLOSURE_MIN_N = 10
    _store(_planted(8))  # 8 participants and 8 others in the pool: both under 10
    run = Study.objects.get(slug=SLUG).latest_run()
    assert run.withheld.startswith("withheld: participants in the analytic sample (8 < 10)")
    html = _client("rosa", "action_network_member").get(f"/evidence/{SLUG}/").content.decode()
    assert "withheld: participants" in html and f"{run.effect:.2f}" not in html
    assert "Quasi-experimental estimate</th>" not in html


def test_every_design_the_app_runs_is_described_in_words():
    assert set(studies.ESTIMATE_DESIGNS) <= set(services.DESIGN_WORDS)


COMBINATION = "tutoring-and-after-school-absences"


def _arms(sizes: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One school; tutoring takes exactly 3 days of absence off (after school none)."""
    rng = np.random.default_rng(5)
    pool, took = [], []
    for arm, size in sizes.items():
        for i in range(size):
            person, tutored = f"{arm}{i}", "Read" in arm
            pool.append({"person": person, "period": 2025, "school": "x",
                         "days_absent": 10 + rng.normal(0, 0.5) - 3 * tutored})  # fmt: skip
            took += [{"person": person, "period": 2025, "program": p}
                     for p in ("Reading Buddies Tutoring", "Eastside After School") if p[:4] in arm]  # fmt: skip
    return pd.DataFrame(pool), pd.DataFrame(took, columns=["person", "period", "program"])


def test_a_contrast_on_too_few_people_shows_why_and_no_figure(riverton, settings):
    settings.DISCLOSURE_MIN_N = 10
    pool, took = _arms({"Read+East": 20, "East": 20, "Reading Tutoring": 20, "none": 5})
    study = Study.objects.get(slug=COMBINATION)
    declared = studies.study_from_dict({**study.declaration, "covariates": ["school"]})
    rows = results.of_combination(declared, pool, took, Policy(min_n=10))
    services._store(study, rows, "tester")
    after_school, tutoring, neither = rows
    assert -3.5 < after_school.effect < -2.5 and not after_school.withheld  # planted −3
    assert -0.5 < tutoring.effect < 0.5 and not tutoring.withheld  # planted 0
    assert neither.withheld == ("withheld: comparison units in the analytic sample (5 < 10), "
                                "others in the pool (5 < 10)")  # fmt: skip
    html = (
        _client("rosa", "action_network_member").get(f"/evidence/{COMBINATION}/").content.decode()
    )
    assert f"{after_school.effect:.2f}" in html and f"{tutoring.effect:.2f}" in html
    section = html.split("vs neither program</h3>")[1].split("<figure")[0]  # up to the chart
    assert "Not shown: withheld: comparison units in the analytic sample (5 &lt; 10)" in section
    assert "<table" not in section
    assert f"{neither.effect:.2f}" not in html and f"{neither.naive_difference:.2f}" not in html
    assert html.count("Quasi-experimental estimate</th>") == 2
    # the command's --json and the audit event print the run's summary: the same rule
    shown = {c["label"]: c for c in study.latest_run().summary()["contrasts"]}
    assert shown[neither.label]["effect"] is None and shown[neither.label]["ci_low"] is None
    assert shown[neither.label]["withheld"] == neither.withheld
    assert shown[after_school.label]["effect"] == after_school.effect


def test_a_combination_with_an_empty_arm_is_withheld_not_an_error(riverton):
    pool, took = _arms({"Read+East": 20, "East": 20, "none": 20})  # nobody tutored alone
    study = Study.objects.get(slug=COMBINATION)
    declared = studies.study_from_dict({**study.declaration, "covariates": ["school"]})
    rows = results.of_combination(declared, pool, took, Policy(min_n=10))
    assert [r.withheld for r in rows] == [
        "", "withheld: not estimable (no units in 'Reading Buddies Tutoring')", ""
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_contrasts_migration_keeps_earlier_runs():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("evidence", "0002_run_design_in_words")], [("evidence", "0003_run_contrasts")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    study = old.get_model("evidence", "Study").objects.create(
        slug="s", title="S", participation="P", outcome="y", unit="student_years",
        design="exact", declaration={})  # fmt: skip
    old.get_model("evidence", "StudyRun").objects.create(
        study=study, ran_by="t", code_version="0", label="quasi-experimental estimate",
        design="exact matching", effect=-2.5, std_error=1.0, ci_low=-4.5, ci_high=-0.5,
        naive_difference=-1.0, naive_treated=30, naive_comparison=40, n_treated=30,
        n_comparison=40, verdict="satisfied")  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("evidence", "StudyRun")
    kept = new.objects.get()
    assert (kept.effect, kept.contrasts) == (-2.5, [])
    kept.effect = kept.naive_difference = kept.n_comparison = None  # a growth run's blanks
    kept.save()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _trainees(n: int) -> pd.DataFrame:
    """Half trained; trainees' year-2 earnings rise $2,000 more than the others'."""
    rng = np.random.default_rng(5)
    pre = rng.normal(20_000, 2_000, n)
    treated = np.arange(n) % 2
    return pd.DataFrame({"person": [f"p{i}" for i in range(n)], "treated": treated,
                         "anchor": "8087>8088", "cohort": "2021", "pre_earnings": pre,
                         "pre_employed": 1.0,
                         "year2_earnings": pre + 1_000 + 2_000 * treated})  # fmt: skip


@pytest.mark.parametrize(("slug", "dollars"), [
    ("training-year2-earnings", "Earnings: dollars of 2024 (CPI-U annual average)."),
    ("training-year4-earnings", "Earnings: not adjusted for inflation."),
])  # fmt: skip
def test_a_workforce_run_says_which_dollars_it_is_in(riverton, slug, dollars):
    study = Study.objects.get(slug=slug)
    declared = study.declared()
    frame = _trainees(60).rename(columns={"year2_earnings": declared.outcome})
    services._store(study, _rows(studies.run_flagged(declared, frame)), "tester")
    assert study.latest_run().notes[-1] == dollars
    html = _client("rosa", "action_network_member").get(f"/evidence/{slug}/").content.decode()
    assert dollars in html
