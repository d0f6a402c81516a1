"""studies.yaml: every problem named with its line; a good file gives studies and their words."""

from __future__ import annotations

import pytest

from backbone.evidence.catalog import parse_studies
from backbone.governance.registry_file import RegistryFileError
from tests.fixtures import PROJECT_ROOT

GOOD = """\
format: backbone.evidence/1
studies:
  - slug: tutoring-grade3-reading
    title: Tutoring and grade-3 reading
    program: Reading Buddies Tutoring
    outcome: scale_score
    where: {grade: 3}
    pool: [school]
    covariates: [school, econ]
    caveats: [Few tutored third graders.]
"""


def test_a_good_file_gives_each_study_with_its_words():
    [entry] = parse_studies(GOOD)
    assert entry.study.where == (("grade", 3),) and entry.study.pool == ("school",)
    assert entry.caveats == ("Few tutored third graders.",) and entry.published is False


def test_every_problem_is_named_with_its_line():
    bad = (GOOD.replace("design", "x").replace("    outcome: scale_score\n", "")
           .replace("pool: [school]", "pool: [school]\n    design: rct")
           .replace("title: Tutoring and grade-3 reading", "title: ''"))  # fmt: skip
    with pytest.raises(RegistryFileError) as error:
        parse_studies(bad)
    described = [p.describe("studies.yaml") for p in error.value.problems]
    assert "studies.yaml:3: studies[0].outcome: required" in described
    assert "studies.yaml:4: studies[0].title: required" in described
    assert any(
        d.startswith("studies.yaml:8: studies[0].design: 'rct' is not one of") for d in described
    )


def test_training_cohorts_need_their_programme_years():
    bad = GOOD.replace("    where: {grade: 3}\n", "    unit: training_cohorts\n    years: [2023]\n")
    with pytest.raises(RegistryFileError, match=r"studies.yaml:8: studies\[0\].years: "):
        parse_studies(bad)


def test_the_demo_studies_file_is_valid():
    path = PROJECT_ROOT / "src" / "backbone" / "demo" / "studies.yaml"
    slugs = [e.study.slug for e in parse_studies(path.read_text())]
    assert slugs == [
        "tutoring-grade3-reading",
        "tutoring-absences",
        "training-earnings",
        "training-employment",
        "tutoring-and-after-school-absences",
        "mentoring-sel-growth",
        "training-year2-earnings",
        "training-employed-q2",
        "training-employed-q4",
        "training-year4-earnings",
    ]


def test_an_exit_field_without_anchor_exit_is_named_with_its_line():
    bad = GOOD.replace("    where: {grade: 3}\n", "    cpi_base_year: 2024\n")
    with pytest.raises(RegistryFileError, match=r"studies.yaml:7: studies\[0\].cpi_base_year: "
                       r"needs anchor: exit"):  # fmt: skip
        parse_studies(bad)


@pytest.mark.parametrize("design", ["combination", "pre_post"])
def test_combination_and_pre_post_studies_are_accepted(design):
    extra = {"combination": "    combined_with: [Eastside After School]\n",
             "pre_post": "    instrument: DESSA\n"}[design]  # fmt: skip
    text = GOOD.replace("    covariates: [school, econ]\n",
                        f"    covariates: [school, econ]\n    design: {design}\n{extra}")  # fmt: skip
    assert parse_studies(text)[0].study.design == design


def test_a_design_the_app_cannot_store_yet_is_refused_with_its_line():
    staggered = GOOD.replace("    covariates: [school, econ]\n",
                             "    covariates: [school, econ]\n    design: staggered_did\n"
                             "    adopter: school\n")  # fmt: skip
    with pytest.raises(RegistryFileError, match=r"studies.yaml:10: studies\[0\].design: "
                       r"staggered_did is not run by the app yet"):  # fmt: skip
        parse_studies(staggered)
