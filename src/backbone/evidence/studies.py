"""Studies as data: which program, which outcome, who could have been served, which baseline
covariates and which design — declared in YAML or a dict, validated before anything runs.

>>> study = study_from_dict({
...     "slug": "tutoring-grade3-reading", "program": "Reading Buddies Tutoring",
...     "outcome": "scale_score", "covariates": ["school", "econ"], "pool": ["school"],
... })
>>> study.design, study_from_dict(study_to_dict(study)) == study
('matched', True)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, cast

import pandas as pd

from backbone.disclosure import Policy
from backbone.evidence import (
    assessments,
    combinations,
    designs,
    doubly_robust,
    samples,
    staggered,
)
from backbone.evidence.designs import Estimate

ESTIMATE_DESIGNS = (
    "matched",
    "exact",
    "ipw",
    "doubly_robust",
    "difference_in_differences",
    "doubly_robust_difference_in_differences",
)  # fmt: skip  → run_study
DESIGNS = (*ESTIMATE_DESIGNS, "staggered_did", "pre_post", "combination")
CONTROLS = ("never", "not_yet")
UNITS = ("student_years", "training_cohorts")  # the pools evidence.warehouse_samples builds


class StudyError(ValueError):
    """A study declaration with problems; the message lists every one."""


@dataclass(frozen=True)
class Study:
    slug: str
    program: str  # the participation string partners send (program_participation.program)
    outcome: str
    covariates: tuple[str, ...]
    pool: tuple[str, ...] = ()  # "served" rule: keep groups (e.g. schools) with a participant
    design: str = "matched"
    before: str | None = None  # difference-in-differences: the pre-period outcome column
    person: str | None = None  # cluster person-periods by this column
    caliper_sd: float = 0.2
    seed: int = 0
    unit: str = "student_years"
    where: tuple[tuple[str, Any], ...] = ()  # keep rows whose column equals the value
    positive: tuple[str, ...] = ()  # keep rows where these columns are above 0
    years: tuple[int, ...] = ()  # training_cohorts: first and last programme year
    adopter: str | None = None  # staggered_did: the column of the unit that adopts (a school)
    control: str = "never"  # staggered_did: "never" or "not_yet" treated comparisons
    instrument: str | None = None  # pre_post: the program_assessment instrument
    comparison: str | None = None  # pre_post: another program that gave the same instrument
    combined_with: tuple[str, ...] = ()  # combination: the other programs of the combination
    method: str = "exact"  # combination: "exact", "matched" or "ipw" for each contrast
    # training_cohorts: windows on the programme year or on each participant's own exit
    anchor: str = "programme_year"
    year_one: tuple[int, ...] = (1, 4)  # anchor exit: the quarters of year 1 (1 = exit quarter)
    threshold: float | None = None  # anchor exit: year<k>_reached = year-k earnings >= this
    cpi_base_year: int | None = None  # anchor exit: dollars of this year (CPI-U annual average)


_TUPLES = ("covariates", "pool", "positive", "years", "combined_with", "year_one")
ANCHORS = ("programme_year", "exit")
_DEFAULTS: dict[str, tuple[int, ...]] = {"year_one": (1, 4)}
YEAR_ONES = ((1, 4), (2, 5))  # methods §7.7: reports differ, so the study says which
EXIT_FIELDS = ("year_one", "threshold", "cpi_base_year")  # only with anchor: exit
_YEAR_COLUMN = re.compile(r"^year(\d+)_")


def _required(design: str) -> tuple[str, ...]:
    if design == "pre_post":
        return ("slug", "program", "instrument")
    if design == "staggered_did":
        return ("slug", "program", "outcome", "adopter")
    if design == "combination":
        return ("slug", "program", "outcome", "covariates", "combined_with")
    return ("slug", "program", "outcome", "covariates")


def study_from_dict(data: Mapping[str, Any]) -> Study:
    """A ``Study`` from its declaration; ``StudyError`` lists every problem at once."""
    problems = study_problems(data)
    if problems:
        raise StudyError(f"study {data.get('slug', '?')}: " + "; ".join(problems))
    fields: dict[str, Any] = {"outcome": "", **data}
    fields.update({name: tuple(data.get(name) or _DEFAULTS.get(name, ())) for name in _TUPLES})
    fields["where"] = tuple(sorted(dict(data.get("where") or {}).items()))
    return Study(**fields)


def study_problems(data: Mapping[str, Any]) -> list[str]:
    """Every problem of a declaration, each as ``"<field>: <what is wrong>"``."""
    design = data.get("design", "matched")
    problems = [f"{name}: required" for name in _required(design) if not data.get(name)]
    unknown = set(data) - set(Study.__dataclass_fields__)
    problems += [f"{name}: unknown field" for name in sorted(unknown)]
    return problems + _design_problems(data, design) + _unit_problems(data) + _exit_problems(data)


def _design_problems(data: Mapping[str, Any], design: str) -> list[str]:
    problems = []
    if design not in DESIGNS:
        problems.append(f"design: {design!r} is not one of {', '.join(DESIGNS)}")
    if design.endswith("difference_in_differences") and not data.get("before"):
        problems.append(f"before: {design} needs the pre-period outcome column")
    if data.get("control", "never") not in CONTROLS:
        problems.append(f"control: must be one of {', '.join(CONTROLS)}")
    if data.get("method", "exact") not in combinations.DESIGNS:
        problems.append(f"method: must be one of {', '.join(combinations.DESIGNS)}")
    if not 0 < float(data.get("caliper_sd", 0.2)) <= 1:
        problems.append("caliper_sd: must be above 0 and at most 1")
    return problems


def _unit_problems(data: Mapping[str, Any]) -> list[str]:
    unit = data.get("unit", "student_years")
    if unit not in UNITS:
        return [f"unit: {unit!r} is not one of {', '.join(UNITS)}"]
    years = data.get("years", ())
    if unit == "training_cohorts" and (len(years) != 2 or years[0] > years[1]):
        return ["years: training_cohorts needs [first, last] programme years"]
    if not isinstance(data.get("where") or {}, Mapping):
        return ["where: must map a column to the value to keep"]
    return []


def _exit_problems(data: Mapping[str, Any]) -> list[str]:
    anchor = data.get("anchor", "programme_year")
    if anchor not in ANCHORS:
        return [f"anchor: {anchor!r} is not one of {', '.join(ANCHORS)}"]
    if anchor == "exit" and data.get("unit", "student_years") != "training_cohorts":
        return ["anchor: exit windows need unit training_cohorts"]
    if anchor != "exit":
        return [f"{name}: needs anchor: exit" for name in EXIT_FIELDS if _set(data, name)]
    problems = []
    if tuple(data.get("year_one", (1, 4))) not in YEAR_ONES:
        problems.append("year_one: must be [1, 4] (exit quarter first) or [2, 5]")
    threshold = data.get("threshold")
    if threshold is not None and (not _is_number(threshold) or threshold <= 0):
        problems.append("threshold: must be a dollar amount above 0")
    base = data.get("cpi_base_year")
    if base is not None and not (isinstance(base, int) and 1913 <= base <= 2100):
        problems.append("cpi_base_year: must be a year such as 2024")
    return problems + _column_problems(data)


def _set(data: Mapping[str, Any], name: str) -> bool:
    """Given, and not the default (``study_to_dict`` writes every default back)."""
    value = data.get(name)
    return value is not None and not (name == "year_one" and tuple(value) == (1, 4))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _column_problems(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for name, column in _columns(data):
        match = _YEAR_COLUMN.match(column)
        if match and not 1 <= int(match.group(1)) <= 4:
            problems.append(f"{name}: {column}: exit windows reach years 1 to 4")
        if match and column.endswith("_reached") and data.get("threshold") is None:
            problems.append(f"{name}: {column} needs a threshold")
    return problems


def _columns(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    named = [("outcome", data.get("outcome")), ("before", data.get("before"))]
    for field in ("covariates", "positive"):
        named += [(field, column) for column in data.get(field) or ()]
    named += [("where", column) for column in dict(data.get("where") or {})]
    return [(name, str(column)) for name, column in named if column]


def exit_windows(study: Study) -> dict[str, Any]:
    """``warehouse_samples.training_exit_cohorts``'s window options for ``study``: only the
    years after exit its columns name (later years may lie beyond the data or the CPI table).

    >>> exit_windows(study_from_dict({"slug": "s", "program": "*", "unit": "training_cohorts",
    ...     "years": [2021, 2021], "anchor": "exit", "outcome": "year2_earnings",
    ...     "before": "pre_earnings", "design": "difference_in_differences",
    ...     "covariates": ["pre_employed"], "cpi_base_year": 2024}))["years"]
    (2,)
    """
    named = {int(m.group(1)) for _, c in _columns(study_to_dict(study))
             if (m := _YEAR_COLUMN.match(c))}  # fmt: skip
    return {"year_one": tuple(study.year_one), "years": tuple(sorted(named)),
            "threshold": study.threshold, "cpi_base_year": study.cpi_base_year}  # fmt: skip


def study_to_dict(study: Study) -> dict[str, Any]:
    """The declaration again (lists for YAML), defaults included."""
    lists = {name: list(getattr(study, name)) for name in _TUPLES}
    return {**asdict(study), **lists, "where": dict(study.where)}


def analytic_frame(study: Study, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a flagged pool the study analyses: those meeting ``where`` and ``positive``,
    with an outcome (and a pre-period outcome for difference-in-differences)."""
    for column, value in study.where:
        frame = frame[frame[column] == value]
    for column in study.positive:
        frame = frame[frame[column] > 0]
    needed = [study.outcome, *([study.before] if study.before else [])]
    if study.anchor == "exit":  # windows outside the UI records are NaN: unobserved, not $0
        needed += [c for c in study.covariates if c in frame and frame[c].dtype.kind == "f"]
    return frame.dropna(subset=needed).reset_index(drop=True)


def run_study(study: Study, pool: pd.DataFrame, participation: pd.DataFrame) -> Estimate:
    """Flag the pool by the study's program, apply its pool rule, run its design."""
    flagged = samples.participation_flags(pool, participation, study.program)
    return run_flagged(study, flagged)


def run_flagged(study: Study, flagged: pd.DataFrame) -> Estimate:
    """Run ``study`` on a pool already flagged ``treated``: its filters, pool rule, design."""
    if study.design not in ESTIMATE_DESIGNS:
        raise StudyError(f"study {study.slug}: a {study.design} study runs with run_{study.design}")
    frame = analytic_frame(study, flagged)
    if study.pool:
        frame = samples.served_pool(frame, list(study.pool))
    took_part = int(frame["treated"].sum())
    if took_part == 0 or took_part == len(frame):
        raise StudyError(
            f"study {study.slug}: {took_part} of {len(frame)} units in the pool took part in "
            f"{study.program!r}; a comparison needs both participants and others"
        )
    covariates = list(study.covariates)
    if study.design == "exact":
        return designs.exact_estimate(frame, study.outcome, covariates, person=study.person)
    if study.design == "ipw":
        return designs.ipw_estimate(frame, study.outcome, covariates, person=study.person)
    if study.design == "doubly_robust":
        return doubly_robust.aipw_estimate(frame, study.outcome, covariates, person=study.person)
    if study.design == "doubly_robust_difference_in_differences":
        assert study.before is not None  # checked by study_from_dict
        return doubly_robust.aipw_difference_in_differences(
            frame, study.before, study.outcome, covariates, person=study.person
        )
    if study.design == "difference_in_differences":
        assert study.before is not None  # checked by study_from_dict
        return designs.difference_in_differences(
            frame, study.before, study.outcome, covariates, caliper_sd=study.caliper_sd,
            seed=study.seed, person=study.person, exact_on=same_windows(study, frame),
        )  # fmt: skip
    return designs.matched_estimate(
        frame, study.outcome, covariates, caliper_sd=study.caliper_sd, seed=study.seed,
        person=study.person, exact_on=same_windows(study, frame),
    )  # fmt: skip


def same_windows(study: Study, frame: pd.DataFrame) -> tuple[str, ...]:
    """The column a matched pair must share so both are measured over the same calendar
    quarters: a workforce pool copies every comparison person once per cohort (``cohort``) or
    per entry/exit quarter pair (``anchor``), and a partner from another copy would be measured
    over other quarters."""
    if study.unit != "training_cohorts":
        return ()
    column = "anchor" if study.anchor == "exit" else "cohort"
    return (column,) if column in frame else ()


def run_staggered_did(
    study: Study, panel: pd.DataFrame, participation: pd.DataFrame
) -> staggered.StaggeredEstimate:
    """Each unit's adoption period is the first period it appears in ``participation`` with the
    study's program; ``panel`` has one row per unit and ``period`` with the outcome."""
    _expect(study, "staggered_did")
    unit = study.adopter or "unit"
    rows = participation[participation["program"] == study.program]
    first = rows.groupby(unit)["period"].min().rename("first")
    frame = panel.drop(columns=["first"], errors="ignore").merge(first, on=unit, how="left")
    control = cast(staggered.Control, study.control)
    return staggered.staggered_did(frame, study.outcome, unit=unit, control=control,
                                   seed=study.seed)  # fmt: skip


def run_pre_post(
    study: Study, rows: pd.DataFrame
) -> assessments.PrePost | assessments.GainComparison:
    """Growth on the study's instrument, or, with ``comparison``, the difference in gains."""
    _expect(study, "pre_post")
    assert study.instrument is not None  # checked by study_from_dict
    if study.comparison:
        return assessments.difference_in_gains(rows, study.program, study.comparison,
                                               study.instrument)  # fmt: skip
    return assessments.pre_post(rows, study.program, study.instrument)


def run_combination(
    study: Study, pool: pd.DataFrame, participation: pd.DataFrame
) -> list[combinations.Contrast]:
    """The combination of ``program`` and ``combined_with`` against each part and neither."""
    frame = combination_frame(study, pool, participation)
    programs = [study.program, *study.combined_with]
    return combinations.combination_contrasts(frame, study.outcome, list(study.covariates),
                                              programs, design=study.method,
                                              person=study.person)  # fmt: skip


def combination_frame(
    study: Study, pool: pd.DataFrame, participation: pd.DataFrame
) -> pd.DataFrame:
    """The pool with each unit's ``arm`` (the set of the study's programs it took), filtered by
    ``where`` and ``positive`` and by the pool rule (groups where someone took part)."""
    _expect(study, "combination")
    programs = [study.program, *study.combined_with]
    frame = analytic_frame(study, combinations.program_sets(pool, participation, programs))
    if study.pool:
        frame = samples.served_pool(frame.assign(treated=frame["arm"] != "neither"),
                                    list(study.pool)).drop(columns=["treated"])  # fmt: skip
    return frame


def _expect(study: Study, design: str) -> None:
    if study.design != design:
        raise StudyError(f"study {study.slug}: its design is {study.design}, not {design}")


@dataclass(frozen=True)
class Release:
    """What may be shown of an estimate: all of it, or nothing and why."""

    estimate: Estimate | None
    withheld: str | None


def releasable(estimate: Estimate, policy: Policy) -> Release:
    """The disclosure rule for an estimate: both groups of the analytic sample and of the naive
    comparison must reach ``policy.min_n``, or nothing is shown (a mean over a handful of people
    says too much about each)."""
    withheld = small_groups(estimate.n_treated, estimate.n_comparison, estimate.naive.n_treated,
                            estimate.naive.n_comparison, policy)  # fmt: skip
    return Release(None, withheld) if withheld else Release(estimate, None)


def small_groups(
    n_treated: int, n_comparison: int, naive_treated: int, naive_comparison: int, policy: Policy
) -> str | None:
    """Why an estimate over these groups may not be shown under ``policy``, or None: the rule of
    ``releasable`` for figures already stored (a study run).

    >>> small_groups(8, 40, 8, 90, Policy(min_n=10))
    'withheld: participants in the analytic sample (8 < 10), participants in the pool (8 < 10)'
    """
    counts = {
        "participants in the analytic sample": n_treated,
        "comparison units in the analytic sample": n_comparison,
        "participants in the pool": naive_treated,
        "others in the pool": naive_comparison,
    }
    small = [f"{name} ({n} < {policy.min_n})" for name, n in counts.items() if n < policy.min_n]
    return "withheld: " + ", ".join(small) if small else None
