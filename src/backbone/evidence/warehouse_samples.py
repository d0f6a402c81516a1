"""Study pools from the warehouse: student-years and workforce cohorts, people joined across
partners through the ``crosswalk`` (linkage), as ``workforce.actuals`` does.

The caller puts the consent gate on the engine first (``evidence.services``): these queries read
whatever rows the engine's views let through. A record the crosswalk does not list is its own
person. The SQL is DuckDB's; the frames it returns feed ``samples`` and ``workforce``.

>>> "LEFT JOIN crosswalk" in participation_sql()
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from backbone.evidence import cpi, workforce
from backbone.warehouse.engines.base import Engine

ELEMENTARY = ("1", "2", "3", "4", "5")
READING = ("English Language Arts", "Reading")
ANY = "*"  # a workforce study's program: every training program


def _person(alias: str) -> str:
    return f"coalesce(x_{alias}.person_key, {alias}.record_id)"


def _linked(table: str, alias: str) -> str:
    return (
        f"{table} {alias} LEFT JOIN crosswalk x_{alias} ON x_{alias}.record_id = {alias}.record_id"
    )


def _spring_year(column: str) -> str:
    """The school year a date falls in, named by its spring (2024 = 2023-24)."""
    return f"(year({column}) + CASE WHEN month({column}) >= 7 THEN 1 ELSE 0 END)"


def full_year_sql() -> str:
    """Student-years in grades 1-5 with one enrolment that year, at a school whose attendance
    counts them enrolled on every instructional day (the school's most ``days_enrolled``)."""
    grades = ", ".join(f"'{g}'" for g in ELEMENTARY)
    return (
        f"WITH enrol AS (SELECT {_person('e')} AS person, e.school_year AS period, "
        "any_value(e.school_id) AS school, any_value(e.grade) AS grade, count(*) AS stays "
        f"FROM {_linked('school_enrollment', 'e')} WHERE e.grade IN ({grades}) GROUP BY ALL), "
        f"days AS (SELECT {_person('a')} AS person, a.school_year AS period, "
        "a.school_id AS school, "
        "sum(a.days_enrolled) AS enrolled, sum(a.days_absent) AS days_absent "
        f"FROM {_linked('attendance', 'a')} GROUP BY ALL), "
        "whole AS (SELECT *, max(enrolled) OVER (PARTITION BY school, period) AS year_days "
        "FROM days) "
        "SELECT e.person, e.period, e.school, CAST(e.grade AS INTEGER) AS grade, w.days_absent "
        "FROM enrol e JOIN whole w USING (person, period, school) "
        "WHERE e.stays = 1 AND w.enrolled = w.year_days"
    )


def demographics_sql() -> str:
    """Each person's demographics for each school year: the latest row recorded before the
    September after it (the district sends them with each year's extract)."""
    cutoff = "make_date(CAST(p.period AS BIGINT), 9, 1)"
    order = (
        f"CASE WHEN d.as_of < {cutoff} THEN 0 ELSE 1 END, "
        f"CASE WHEN d.as_of < {cutoff} THEN -epoch(d.as_of) ELSE epoch(d.as_of) END"
    )
    return (
        f"SELECT p.person, p.period, d.economically_disadvantaged AS econ, d.english_learner, "
        "d.disability, d.race_ethnicity AS race, d.homeless "
        f"FROM pool p JOIN (SELECT {_person('d')} AS person, d.* EXCLUDE (record_id) "
        f"FROM {_linked('person_demographics', 'd')}) d ON d.person = p.person "
        f"QUALIFY row_number() OVER (PARTITION BY p.person, p.period ORDER BY {order}) = 1"
    )


def reading_sql() -> str:
    """Grade-3 reading results per person and school year (the first when several)."""
    subjects = ", ".join(f"'{s}'" for s in READING)
    return (
        f"SELECT {_person('t')} AS person, t.school_year AS period, "
        "first(t.scale_score ORDER BY t.administration_date) AS scale_score, "
        "first(t.proficient ORDER BY t.administration_date) AS proficient "
        f"FROM {_linked('assessment', 't')} "
        f"WHERE t.grade = '3' AND t.subject IN ({subjects}) GROUP BY ALL"
    )


def participation_sql() -> str:
    """Program participation per person, school year and program: summed hours."""
    return (
        f"SELECT {_person('p')} AS person, {_spring_year('p.start_date')} AS period, "
        "p.program, sum(coalesce(p.hours, 0)) AS hours "
        f"FROM {_linked('program_participation', 'p')} GROUP BY ALL"
    )


def student_years(engine: Engine) -> pd.DataFrame:
    """The student-year pool: full-year students in grades 1-5 with that year's demographics,
    ``days_absent`` and the grade-3 ``scale_score`` / ``proficient`` (NaN when not tested)."""
    pool = engine.arrow(full_year_sql(), [], "evidence: full-year students").to_pandas()
    with engine.scratch() as names:
        table = names.name("evidence_pool")
        engine.register(table, _keys(pool))
        sql = demographics_sql().replace("FROM pool p", f"FROM {engine.identifier(table)} p")
        people = engine.arrow(sql, [], "evidence: demographics per year").to_pandas()
    reading = engine.arrow(reading_sql(), [], "evidence: grade-3 reading").to_pandas()
    merged = pool.merge(people, on=["person", "period"]).merge(
        reading, on=["person", "period"], how="left"
    )
    merged["days_absent"] = merged["days_absent"].astype(float)
    return merged.sort_values(["period", "person"], ignore_index=True)


def _keys(pool: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(pool[["person", "period"]], preserve_index=False)


def participation(engine: Engine) -> pd.DataFrame:
    """``participation_sql`` as a frame: person, period, program, hours."""
    return engine.arrow(participation_sql(), [], "evidence: participation").to_pandas()


def program_assessment_sql() -> str:
    """Every ``program_assessment`` row with its person: program, instrument, the pre- and
    post-test (the post-test blank when the person was not reassessed)."""
    return (
        f"SELECT {_person('s')} AS person, s.program, s.instrument, s.domain, s.pre_date, "
        "CAST(s.pre_score AS DOUBLE) AS pre_score, s.post_date, "
        "CAST(s.post_score AS DOUBLE) AS post_score "
        f"FROM {_linked('program_assessment', 's')} ORDER BY person, s.program, s.pre_date"
    )


def program_assessments(engine: Engine) -> pd.DataFrame:
    """``program_assessment_sql`` as a frame, the rows ``assessments.pre_post`` reads."""
    sql = program_assessment_sql()
    return engine.arrow(sql, [], "evidence: program assessments").to_pandas()


def training_sql() -> str:
    """Each person's first entry into each training program, with its programme year (July to
    June, named by the year it starts)."""
    return (
        f"SELECT {_person('t')} AS person, t.program, min(t.entry_date) AS entered, "
        f"min({_spring_year('t.entry_date')}) - 1 AS cohort "
        f"FROM {_linked('training', 't')} GROUP BY ALL"
    )


def wages_sql() -> str:
    """UI wage rows per person (all employers)."""
    return (
        f"SELECT {_person('w')} AS person, w.year, w.quarter, CAST(w.wages AS DOUBLE) AS wages "
        f"FROM {_linked('wages', 'w')}"
    )


def training_cohorts(engine: Engine, program: str, years: tuple[int, int]) -> pd.DataFrame:
    """Per programme year in ``years`` (first, last): people who entered ``program`` (``*``:
    any) that year
    (``treated``) and everyone in the UI records never trained, with early (the second year
    before July), pre (the four quarters before July) and post (the calendar year after next)
    earnings outcomes. The early window stands in for age, which UI records do not carry:
    people whose earnings were climbing before keep climbing."""
    trained = engine.arrow(training_sql(), [], "evidence: training entries").to_pandas()
    wages = engine.arrow(wages_sql(), [], "evidence: UI wages").to_pandas()
    earnings = workforce.quarterly_earnings(wages)
    ever = set(trained["person"])
    chosen = trained if program == ANY else trained[trained["program"] == program]
    frames = []
    for year in range(years[0], years[1] + 1):
        took = set(chosen.loc[chosen["cohort"] == year, "person"])
        people = sorted(took | (set(wages["person"]) - ever))
        frames.append(pd.DataFrame({"person": people, "cohort": year,
                                    "treated": [int(p in took) for p in people]}))  # fmt: skip
    cohorts = pd.concat(frames, ignore_index=True)
    july = cohorts["cohort"] * 4 + 2
    cohorts = cohorts.assign(early_first=july - 8, early_last=july - 5,
                             pre_first=july - 4, pre_last=july - 1,
                             post_first=(cohorts["cohort"] + 2) * 4,
                             post_last=(cohorts["cohort"] + 2) * 4 + 3)  # fmt: skip
    sample = workforce.window_outcomes(earnings, cohorts, "early_first", "early_last", "early")
    sample = workforce.window_outcomes(earnings, sample, "pre_first", "pre_last", "pre")
    return workforce.window_outcomes(earnings, sample, "post_first", "post_last", "post")


def training_exits_sql() -> str:
    """Each person's first entry into each training program, the exit of that enrolment (NULL
    while still in training) and its programme year."""
    return (
        f"SELECT {_person('t')} AS person, t.program, min(t.entry_date) AS entered, "
        "arg_min(t.exit_date, t.entry_date) AS exited, "
        f"min({_spring_year('t.entry_date')}) - 1 AS cohort "
        f"FROM {_linked('training', 't')} GROUP BY ALL"
    )


def _quarter(dates: pd.Series) -> pd.Series:
    day = pd.to_datetime(dates)
    return day.dt.year * 4 + (day.dt.month - 1) // 3


def exit_anchors(trained: pd.DataFrame, program: str, years: tuple[int, int]) -> pd.DataFrame:
    """Participants of ``program`` (``*``: any; each person's first entry) whose entry falls in
    the programme years ``years`` and who have exited: person, cohort, entry_q, exit_q."""
    chosen = trained if program == ANY else trained[trained["program"] == program]
    first = chosen.sort_values("entered").drop_duplicates("person")
    first = first[first["cohort"].between(*years) & first["exited"].notna()]
    return pd.DataFrame({"person": first["person"], "cohort": first["cohort"],
                         "entry_q": _quarter(first["entered"]),
                         "exit_q": _quarter(first["exited"])}).reset_index(drop=True)  # fmt: skip


def with_comparisons(anchors: pd.DataFrame, never: list[str]) -> pd.DataFrame:
    """The participants (``treated`` 1) and, for each distinct (entry, exit) quarter pair among
    them, every never-trained person given that pair (``treated`` 0): each participant meets
    comparisons over the same calendar quarters. ``anchor`` names the pair (a covariate)."""
    pairs = anchors[["cohort", "entry_q", "exit_q"]].drop_duplicates()
    others = pairs.merge(pd.DataFrame({"person": never}), how="cross")
    rows = pd.concat([anchors.assign(treated=1), others.assign(treated=0)], ignore_index=True)
    anchor = rows["entry_q"].astype(str) + ">" + rows["exit_q"].astype(str)
    return rows.assign(anchor=anchor)


def training_exit_cohorts(
    engine: Engine, program: str, years: tuple[int, int], windows: Mapping[str, Any]
) -> pd.DataFrame:
    """Participants who entered ``program`` in the programme years ``years`` and exited, each
    with never-trained comparisons over the same calendar quarters, and earnings windows
    anchored on their own entry and exit (``workforce.exit_outcomes``; ``windows`` are its
    keyword arguments plus ``cpi_base_year`` and ``cpi_table`` to state dollars in a year)."""
    trained = engine.arrow(training_exits_sql(), [], "evidence: training exits").to_pandas()
    wages = engine.arrow(wages_sql(), [], "evidence: UI wages").to_pandas()
    anchors = exit_anchors(trained, program, years)
    never = sorted(set(wages["person"]) - set(trained["person"]))
    rows = with_comparisons(anchors, never)
    grid = workforce.quarter_grid(workforce.quarterly_earnings(wages), anchors["person"])
    options = dict(windows)
    base, table = options.pop("cpi_base_year", None), options.pop("cpi_table", None)
    if base is not None and len(rows):
        grid = _in_dollars_of(grid, rows, options, base, table or cpi.load())
    return workforce.exit_outcomes(grid, rows, **options)


def _in_dollars_of(
    grid: workforce.QuarterGrid, rows: pd.DataFrame, options: Mapping[str, Any], base: int,
    table: dict[int, float],
) -> workforce.QuarterGrid:  # fmt: skip
    """The grid deflated to ``base`` over the observed quarters the windows reach."""
    year_one = options.get("year_one", (1, 4))
    latest = year_one[0] + 2 + 4 * (max(options.get("years") or (1,)) - 1)
    span = (int(rows["entry_q"].min()) - 8,
            int(rows["exit_q"].max()) + max(latest, max(workforce.WIOA_QUARTERS)))  # fmt: skip
    first, last = max(span[0], grid.first), min(span[1], grid.last)
    factors = cpi.factors(range(first // 4, last // 4 + 1), base, table)
    return workforce.deflated(grid, factors, span)
