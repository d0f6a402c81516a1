"""The combination and pre/post studies of the demo's studies.yaml run on a synthetic city loaded
through the real importers (people joined by the city's true crosswalk, as in
``tests/workforce/riverton.py``; linkage quality is tested in ``tests/identity``), and must
recover the city's planted effects (``truth/effects.json``):

- Pathways Mentoring's DESSA T-scores grow by +4 points from pre- to post-test;
- tutoring takes 3 expected days of absence off a school year and Eastside After School none, so
  tutoring with after school against after school alone is the tutoring effect, and against
  tutoring alone it is nothing.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from backbone.demo.services import DEMO_PROGRAMS, DEMO_REGISTRY, DEMO_STUDIES
from backbone.evidence import services
from backbone.governance.registry import import_registry_file
from backbone.governance.roles import role
from backbone.governance.services import sync_roles
from backbone.programs.registry import import_programs_file
from backbone.warehouse.services import warehouse
from tests.indicators.test_library import publish_truth_crosswalk

pytestmark = [pytest.mark.city, pytest.mark.django_db]
COMBINATION = "tutoring-and-after-school-absences"
MENTORING = "mentoring-sel-growth"


@pytest.fixture
def effects(workspace, loaded_cities) -> dict:
    manifest, _ = loaded_cities(warehouse().directory, students=1500, seed=11)
    publish_truth_crosswalk(manifest.root, warehouse())
    import_registry_file(DEMO_REGISTRY)
    import_programs_file(DEMO_PROGRAMS)
    services.import_studies_file(DEMO_STUDIES)
    sync_roles()
    return json.loads((manifest.root / "truth" / "effects.json").read_text())


def _reader() -> Client:
    made = User.objects.create_user("rosa", password="a long test password")
    made.groups.add(Group.objects.get(name=role("action_network_member").label))
    client = Client()
    client.force_login(made)
    return client


def test_mentoring_growth_holds_the_planted_four_points(effects):
    run = services.run(MENTORING, actor="tester")
    truth = effects["mentoring_sel"]["mean_pre_post_growth"]
    assert truth == 4.0
    assert run.ci_low < truth < run.ci_high, run.summary()
    assert run.naive_difference is None and run.n_comparison is None and not run.withheld
    html = _reader().get(f"/evidence/{MENTORING}/").content.decode()
    assert "Growth, not an effect: no comparison group" in html
    assert f"{run.effect:.2f}" in html and "Naive difference" not in html


def test_tutoring_with_after_school_against_each_part_holds_the_planted_effects(effects):
    run = services.run(COMBINATION, actor="tester")
    reduction = -effects["tutoring"]["absence_days_reduction"]
    by_label = {c["label"]: c for c in run.contrasts}
    both = "Eastside After School + Reading Buddies Tutoring"
    assert list(by_label) == [f"{both} vs Eastside After School only",
                              f"{both} vs Reading Buddies Tutoring only",
                              f"{both} vs neither program"]  # fmt: skip
    after_school = by_label[f"{both} vs Eastside After School only"]
    tutoring = by_label[f"{both} vs Reading Buddies Tutoring only"]
    assert after_school["ci_low"] < reduction < after_school["ci_high"], after_school
    assert tutoring["ci_low"] < 0 < tutoring["ci_high"], tutoring  # after school: no effect
    assert run.effect == after_school["effect"]  # the headline is the first contrast
    html = _reader().get(f"/evidence/{COMBINATION}/").content.decode()
    assert html.count("Quasi-experimental estimate</th>") == 3
    assert html.count("Naive difference (no adjustment for who takes part)</th>") == 3
