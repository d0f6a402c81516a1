"""Exit-anchored workforce studies on a small synthetic city (about 1,500 students, six school
years) loaded by the real importers, people joined by the true crosswalk (linkage has its own
tests): the planted training effects (truth/effects.json) must lie inside the 95% CIs.

The city plants +$1,500 per employed quarter and +0.08 on the chance of work in every quarter
after the exit quarter. Both have a direct truth: earnings per employed quarter in year 2, and
employment in the 2nd and 4th quarter after exit (WIOA). Year-2 total earnings (zeros included)
have none — the gain depends on each trainee's own wage level and chance of work, which the
truth folder does not give — so no test holds them to a number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import backbone.demo
from backbone.evidence import catalog, studies, warehouse_samples
from backbone.evidence.designs import Estimate
from tests.indicators.test_library import publish_truth_crosswalk

pytestmark = pytest.mark.city
DEMO_STUDIES = Path(backbone.demo.__file__).with_name("studies.yaml")
YEARS = (2021, 2023)  # programme years whose baseline (from 2020Q3) the records cover
BASE = {"slug": "exit", "program": "*", "unit": "training_cohorts", "anchor": "exit",
        "years": list(YEARS), "design": "difference_in_differences", "person": "person",
        "covariates": ["pre_per_quarter_employed", "pre_employed", "anchor"]}  # fmt: skip


@pytest.fixture(scope="module")
def city(tmp_path_factory, loaded_cities):
    manifest, warehouse = loaded_cities(
        tmp_path_factory.mktemp("exit-city") / "warehouse",
        contracts=("training", "ui_wages"), students=1500, seed=23, years=6,
    )  # fmt: skip
    publish_truth_crosswalk(manifest.root, warehouse)
    return manifest, warehouse


@pytest.fixture(scope="module")
def effects(city) -> dict:
    return json.loads((city[0].root / "truth" / "effects.json").read_text())["training"]


@pytest.fixture(scope="module")
def pool(city) -> pd.DataFrame:
    with city[1].engine() as engine:
        rows = warehouse_samples.training_exit_cohorts(
            engine, "*", YEARS, {"year_one": (1, 4), "years": (2,)}
        )
    return rows.astype({"cohort": str})


def _run(pool: pd.DataFrame, **declared) -> Estimate:
    return studies.run_flagged(studies.study_from_dict({**BASE, **declared}), pool)


def test_year_two_earnings_per_employed_quarter_hold_the_planted_gain(pool, effects):
    result = _run(pool, outcome="year2_per_quarter_employed", before="pre_per_quarter_employed",
                  positive=["pre_employed", "year2_employed"])  # fmt: skip
    truth = effects["quarterly_wage_gain_after_exit"]
    assert result.ci_low < truth < result.ci_high, result
    assert result.n_treated >= 50, result.n_treated


@pytest.mark.parametrize("quarter", ["employed_q2", "employed_q4"])
def test_employment_after_exit_holds_the_planted_gain(pool, effects, quarter):
    result = _run(pool, outcome=quarter, before="pre_employed", positive=["pre_employed"])
    truth = effects["employment_probability_gain_after_exit"]
    assert result.ci_low < truth < result.ci_high, result
    assert result.n_treated >= 50, result.n_treated


def test_each_participant_meets_comparisons_over_their_own_quarters(pool):
    participants = pool[pool["treated"] == 1]
    others = pool[pool["treated"] == 0]
    # Every participant's (entry, exit) pair has the same never-trained people beside it.
    assert set(participants["anchor"]) == set(others["anchor"])
    sizes = others.groupby("anchor")["person"].nunique()
    assert sizes.nunique() == 1 and sizes.iloc[0] > 10 * len(participants) / len(sizes)


def test_the_demo_workforce_studies_run_on_the_city(city, pool):
    entries = catalog.parse_studies(DEMO_STUDIES.read_text(encoding="utf-8"))
    exits = [e.study for e in entries if e.study.anchor == "exit"]
    assert exits, "the demo declares exit-anchored studies"
    with city[1].engine() as engine:
        for study in exits:
            frame = warehouse_samples.training_exit_cohorts(
                engine, study.program, (study.years[0], study.years[1]),
                studies.exit_windows(study),
            ).astype({"cohort": str})  # fmt: skip
            result = studies.run_flagged(study, frame)
            assert result.n_treated > 0 and result.ci_low < result.effect < result.ci_high
