"""The mentoring partner's ``program_assessment`` files: written without disturbing any other
file of the city, loadable, and carrying the growth planted in ``effects.json``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from backbone.demo.city import assessments, generate_city
from backbone.evidence.assessments import pre_post

pytestmark = pytest.mark.city
STUDENTS = 1500
NEW = ("riverton-mentoring-alliance/program_assessment/", "manifest.json", "truth/")


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return generate_city(tmp_path_factory.mktemp("city") / "riverton", students=STUDENTS, seed=7)


def test_the_assessment_files_change_no_other_file(city, tmp_path, monkeypatch):
    monkeypatch.setattr(assessments, "write_assessments", lambda *args: None)
    without = generate_city(tmp_path / "without", students=STUDENTS, seed=7).root
    theirs, ours = checksums(without), checksums(city.root)
    assert {k: v for k, v in ours.items() if not k.startswith(NEW)} == {
        k: v for k, v in theirs.items() if not k.startswith(NEW)
    }
    assert [k for k in ours if k.startswith(NEW[0])]  # the files exist
    for name in ("people.csv", "student_years.csv", "training.csv"):
        assert ours[f"truth/{name}"] == theirs[f"truth/{name}"]
    # The truth gains the assessment files' records at its end; nothing before them moves.
    before = (without / "truth" / "persons.csv").read_text()
    assert (city.root / "truth" / "persons.csv").read_text().startswith(before)


def _assessments(city) -> pd.DataFrame:
    files = [city.path(e) for e in city.select(contract="program_assessment")]
    return pd.concat([pd.read_csv(path) for path in files], ignore_index=True)


def test_the_planted_growth_lies_in_the_pre_post_interval(city):
    planted = json.loads((city.truth_dir / "effects.json").read_text())["mentoring_sel"]
    result = pre_post(_assessments(city), "Pathways Mentoring", "DESSA")
    assert result.growth.ci_low < planted["mean_pre_post_growth"] < result.growth.ci_high
    # Early leavers (no time for a post-test) add to the planted share without a post-test.
    assert planted["no_post_test_share"] <= result.attrition < 0.35
    assert result.n_assessed > 200


def test_every_mentee_in_the_roster_is_assessed_under_the_same_id(city):
    frame = _assessments(city)
    entries = city.select("riverton-mentoring-alliance", "program_participation")
    roster = pd.concat([pd.read_excel(city.path(e)) for e in entries], ignore_index=True)
    assert sorted(frame["local_id"]) == sorted(roster["local_id"])
    assert (frame["post_date"].dropna() > frame.loc[frame["post_date"].notna(), "pre_date"]).all()
