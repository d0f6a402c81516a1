"""Coverage study: do the evidence designs recover effects planted in cities they have not seen?

For each parameter set and seed, builds the synthetic city from scratch (its partner files),
builds the tutoring and training samples from those files, runs every design on each planted
effect and compares the estimate with the truth folder's ``effects.json``. Reports, per effect
and design: mean bias, RMSE, mean standard error and the share of 95% CIs that hold the truth.

Heavy (a city per seed): run it under the machine's lock,
``flock /tmp/heavy.lock python -m benchmarks evidence_coverage``. ``COVERAGE_SEEDS`` (comma
separated) and ``COVERAGE_STUDENTS`` override the seeds and the city size; ``COVERAGE_OUT``
names a CSV for the raw estimates (written after each city); ``COVERAGE_FROM`` summarises
such a CSV without building any city.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from backbone.demo.city import generate_city
from backbone.demo.city import params as city_params
from backbone.evidence import designs, doubly_robust, samples, workforce
from backbone.evidence.designs import Estimate

SEEDS = (3, 7, 11, 21, 22, 23, 24, 25)
STUDENTS = 6000
# A second city unlike the first: a smaller, commoner program with smaller effects.
PARAMETER_SETS: dict[str, dict[str, float]] = {
    "default": {},
    "other": {
        "TUTORING_BASE_RATE": 0.12,
        "TUTORING_SCORE_GAIN": 6.0,
        "TUTORING_ABSENCE_REDUCTION": 1.5,
        "TRAINING_QUARTERLY_GAIN": 800.0,
        "TRAINING_EMPLOYMENT_GAIN": 0.05,
    },
}
TUTORING = "Reading Buddies Tutoring"
ATTENDANCE_CHANGE = 2025  # spring year of the first school year the change touches
COVARIATES = ["school", "econ", "english_learner", "disability", "race", "homeless"]
WORKER_COVARIATES = ["pre_per_quarter_employed", "pre_employed", "age", "cohort"]
Design = Callable[[pd.DataFrame, str, list[str]], Estimate]


def _regression(frame: pd.DataFrame, y: str, covariates: list[str]) -> Estimate:
    ones = pd.Series(1.0, index=frame.index)
    return designs.weighted_estimate(
        "regression adjustment", frame, y, covariates, ones, True, "person"
    )


CROSS_SECTION: dict[str, Design] = {
    "matched 1:1": lambda f, y, c: designs.matched_estimate(f, y, c, person="person"),
    "exact": lambda f, y, c: designs.exact_estimate(f, y, c, person="person"),
    "ipw": lambda f, y, c: designs.ipw_estimate(f, y, c, person="person"),
    "regression": _regression,
    "doubly robust": lambda f, y, c: doubly_robust.aipw_estimate(f, y, c, person="person"),
}
CHANGE: dict[str, Callable[[pd.DataFrame, str, str, list[str]], Estimate]] = {
    "matched DiD": lambda f, b, a, c: designs.difference_in_differences(
        f, b, a, c, person="person"
    ),
    "doubly robust DiD": lambda f, b, a, c: doubly_robust.aipw_difference_in_differences(
        f, b, a, c, person="person"
    ),
}


@contextlib.contextmanager
def planted(values: dict[str, float]) -> Iterator[None]:
    """The city's parameters (module constants read at generation time) changed for a while."""
    saved = {name: getattr(city_params, name) for name in values}
    for name, value in values.items():
        setattr(city_params, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(city_params, name, value)


def city_rows(root: Path, parameter_set: str, seed: int) -> list[dict[str, object]]:
    """One row per (effect, design): the estimate, its CI and the truth."""
    from tests.evidence import city_samples
    from tests.indicators import raw_city

    effects = json.loads((root / "truth" / "effects.json").read_text())
    edfi = raw_city.edfi(root)
    pool = city_samples.with_kindergarten_score(city_samples.full_year_students(edfi), edfi)
    students = samples.participation_flags(pool, city_samples.tutoring_roster(root), TUTORING)
    grade3 = students[students["grade"] == 3].dropna(subset=["scale_score"])
    served3 = samples.served_pool(grade3, "school")
    served = samples.served_pool(students, "school")
    tutoring, training = effects["tutoring"], effects["training"]
    cases = [
        ("reading", served3, "scale_score", COVARIATES, tutoring["grade3_scale_score_gain"]),
        # From 2025 the network's attendance change keeps only 3 in 4 absences, tutored or not:
        # the full pool's truth is each year's effect averaged over the tutored (effects.json).
        ("absences", served, "days_absent", [*COVARIATES, "grade"],
         city_samples.absence_truth(effects, served)),
        ("absences before the attendance change", served[served["period"] < ATTENDANCE_CHANGE],
         "days_absent", [*COVARIATES, "grade"], -tutoring["absence_days_reduction"]),
    ]  # fmt: skip
    rows = []
    for effect, frame, y, covariates, truth in cases:
        for name, design in CROSS_SECTION.items():
            rows.append(_row(effect, name, design(frame, y, covariates), truth))
        naive = designs.naive_difference(frame, y).difference
        rows.append({"effect": effect, "design": "naive", "estimate": naive, "truth": truth})
    rows.extend(_with_baseline_score(served3, tutoring["grade3_scale_score_gain"]))
    workers = _workers(root, city_samples)
    employed = workers[workers["post_employed"] > 0]
    changes = [
        ("employment", workers, "pre_employed", "post_employed",
         training["employment_probability_gain_after_exit"]),
        ("earnings", employed, "pre_per_quarter_employed", "post_per_quarter_employed",
         training["quarterly_wage_gain_after_exit"]),
    ]  # fmt: skip
    for effect, frame, before, after, truth in changes:
        for name, change in CHANGE.items():
            rows.append(_row(effect, name, change(frame, before, after, WORKER_COVARIATES), truth))
    return [{"parameters": parameter_set, "seed": seed, **row} for row in rows]


def _with_baseline_score(served3: pd.DataFrame, truth: float) -> list[dict[str, object]]:
    """Third graders who have a kindergarten entry score (a baseline measure of the outcome, as
    WWC asks for): the designs with and without it as a covariate, on the same students."""
    frame = served3.dropna(subset=["kea"])
    rows = []
    for label, covariates in (("kea subsample", COVARIATES), ("+ kea", [*COVARIATES, "kea"])):
        for name in ("matched 1:1", "regression", "doubly robust"):
            result = CROSS_SECTION[name](frame, "scale_score", covariates)
            rows.append(_row(f"reading, {label}", name, result, truth))
    return rows


def _workers(root: Path, city_samples: object) -> pd.DataFrame:
    earnings = workforce.quarterly_earnings(city_samples.ui_wages(root))  # type: ignore[attr-defined]
    cohorts = city_samples.training_cohorts(root)  # type: ignore[attr-defined]
    sample = workforce.window_outcomes(earnings, cohorts, "pre_first", "pre_last", "pre")
    sample = workforce.window_outcomes(earnings, sample, "post_first", "post_last", "post")
    return sample[sample["pre_employed"] > 0].astype({"cohort": str})


def _row(effect: str, design: str, result: Estimate, truth: float) -> dict[str, object]:
    return {
        "effect": effect, "design": design, "estimate": result.effect, "se": result.se,
        "ci_low": result.ci_low, "ci_high": result.ci_high, "truth": truth,
        "n_treated": result.n_treated,
    }  # fmt: skip


def summary(raw: pd.DataFrame) -> pd.DataFrame:
    """Mean bias, RMSE, mean SE and 95% CI coverage per parameter set, effect and design."""
    raw = raw.assign(
        error=raw["estimate"] - raw["truth"],
        covered=(raw["ci_low"] < raw["truth"]) & (raw["truth"] < raw["ci_high"]),
    )
    grouped = raw.groupby(["parameters", "effect", "design"], sort=False)
    return grouped.agg(
        truth=("truth", "first"),
        seeds=("seed", "nunique"),
        bias=("error", "mean"),
        rmse=("error", lambda e: math.sqrt(float((e**2).mean()))),
        mean_se=("se", "mean"),
        coverage=("covered", "mean"),
    ).reset_index()


def run(seeds: tuple[int, ...], students: int, out: str | None = None) -> pd.DataFrame:
    """Every (parameter set, seed) city's rows; written to ``out`` after each city."""
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as scratch:
        # Seed by seed, both parameter sets: a run stopped early still covers both.
        for seed in seeds:
            for name, values in PARAMETER_SETS.items():
                with planted(values):
                    root = generate_city(Path(scratch) / "city", students=students, seed=seed).root
                rows.extend(city_rows(root, name, seed))
                if out:
                    pd.DataFrame(rows).to_csv(out, index=False)
                Console().print(f"{name} seed {seed}: done")
    return pd.DataFrame(rows)


def main() -> None:
    seeds = tuple(int(s) for s in os.environ.get("COVERAGE_SEEDS", "").split(",") if s) or SEEDS
    students = int(os.environ.get("COVERAGE_STUDENTS", STUDENTS))
    if done := os.environ.get("COVERAGE_FROM"):  # summarise an earlier run's estimates
        raw = pd.read_csv(done)
        seeds = tuple(raw["seed"].unique())
    else:
        warnings.simplefilter("ignore", ConvergenceWarning)  # small strata in a few seeds
        raw = run(seeds, students, os.environ.get("COVERAGE_OUT"))
    table = Table(title=f"Evidence designs over {len(seeds)} seeds per parameter set")
    for column in ("parameters", "effect", "design", "truth", "bias", "rmse", "mean SE", "cover"):
        table.add_column(column)
    for row in summary(raw).itertuples():
        cover = "" if pd.isna(row.coverage) or row.design == "naive" else f"{row.coverage:.0%}"
        table.add_row(row.parameters, row.effect, row.design, f"{row.truth:g}", f"{row.bias:.3g}",
                      f"{row.rmse:.3g}", f"{row.mean_se:.3g}", cover)  # fmt: skip
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
