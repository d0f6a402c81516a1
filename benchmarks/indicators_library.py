"""Computing the standard indicator library at district scale, against hand-written DuckDB SQL.

A warehouse is generated with DuckDB's own generators (``range()`` and ``hash()``-based
pseudo-random values, so every run builds the same rows): ``students`` enrolled in each of six
school years, their attendance, assessments, demographics (two loads, so ``latest_by`` has ties
to break), graduation cohorts and school enrolments, plus the college, HMIS, workforce-training
and UI-wage rows a district that size brings, and a crosswalk linking them. Each table is written
to Parquet and committed through ``Warehouse.commit`` (the crosswalk through ``write_derived``),
so ``engines.compute`` reads it exactly as in production.

Every library indicator but ``suspension_rate`` (the generated warehouse has no discipline rows
yet) also has a query written by hand for DuckDB (``HAND_WRITTEN``): its own
joins, date arithmetic and one ``GROUPING SETS`` pass per indicator, not ``compile_sql``'s. The
two are first checked to give the same numerator, denominator and value for every period and
group; then ``engines.compute`` over all definitions and the hand-written set are timed, each in
a child process (so its peak resident memory is its own; imports excluded), best of three runs,
alternating. Goal: backbone within 1.5× of the hand-written set.

Run ``python -m benchmarks indicators_library`` (200,000 students; set
``BACKBONE_BENCH_STUDENTS`` for a quick run) or ``python -m benchmarks.indicators_library 20000``.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table

from backbone.warehouse.sql import literal
from backbone.warehouse.store import Warehouse, stored_columns
from backbone.warehouse.tables import TABLES
from benchmarks.child import run_child

STUDENTS = 200_000  # enrolled in each school year
STUDENTS_VARIABLE = "BACKBONE_BENCH_STUDENTS"
FIRST_YEAR = 2019  # school years 2019 … 2024 (spring years)
YEARS = 6
GRADES = 13  # K, 1 … 12
LAST_DAY = "DATE '2025-06-30'"  # nothing in the data is later
REPEAT = 3
TOLERANCE = 1e-9  # relative, for percentages and medians computed in floating point
ROOT = Path(__file__).resolve().parents[1]

# --- the warehouse --------------------------------------------------------------------------

MACROS = """
CREATE MACRO u(a, b) AS (hash(a, b) % 1000000) / 1000000.0;
CREATE MACRO pick(options, a, b) AS options[1 + CAST(hash(a, b) % len(options) AS BIGINT)];
CREATE MACRO rid(partner, tag) AS substr(md5(partner || '|' || tag), 1, 32);
CREATE MACRO later(start, a, b, span) AS start + CAST(hash(a, b) % span AS INTEGER);
"""

RACES = (
    ["White"] * 5 + ["Hispanic or Latino"] * 4 + ["Black or African American"] * 4
    + ["Asian"] * 2 + ["Two or more races"] * 2
    + ["American Indian or Alaska Native", "Middle Eastern or North African",
       "Native Hawaiian or Pacific Islander", "Unknown"]
)  # fmt: skip
TESTS = [(0, "KRA")] + [(g, s) for g in (3, 4, 5, 6, 7, 8, 11) for s in ("ELA", "MATH")]
TESTS += [(g, "SCI") for g in (5, 8, 11)]

# Persons carry a ``tag`` (s<n> a student, a<k> an HMIS adult, c<k> a college-only student,
# w<k> an adult trainee, u<k> a worker known only to UI); each partner's record_id hashes it.
PEOPLE_SQL = """
CREATE TABLE students AS
SELECT n, 's' || n AS tag, {first} + n // {per_grade} AS cohort
FROM range({per_grade} * (12 + {years})) AS t(n);

CREATE TABLE student_years AS
SELECT s.n, s.tag, s.cohort, y.school_year, 12 - (s.cohort - y.school_year) AS grade_index
FROM students AS s, range({first}, {first} + {years}) AS y(school_year)
WHERE s.cohort - y.school_year BETWEEN 0 AND 12;

CREATE TABLE leavers AS  -- graduates (u < 0.86) and dropouts of grade 12
SELECT n, tag, school_year, u(n, 3) < 0.86 AS graduated
FROM student_years WHERE grade_index = 12 AND u(n, 3) < 0.93;
"""

ENROLLMENT_SQL = """
CREATE TABLE enrollment AS
WITH years AS (
    SELECT *,
        u(n, school_year * 10 + 1) < 0.07 AS mover,
        u(n, school_year * 10 + 2) < 0.04 AS late,
        hash(n, grade_index // 6) % 60 AS school,
        later(make_date(school_year - 1, 8, 20), n, school_year * 10 + 3, 10) AS first_day,
        later(make_date(school_year, 6, 3), n, school_year * 10 + 4, 10) AS last_day,
        later(make_date(school_year - 1, 11, 1), n, school_year * 10 + 5, 120) AS move_day,
        CASE WHEN grade_index = 12 AND u(n, 3) < 0.86 THEN 'Graduated'
             WHEN grade_index = 12 AND u(n, 3) < 0.93 THEN 'Dropout'
             WHEN grade_index = 12 THEN 'Retained'
             WHEN grade_index >= 9 AND u(n, school_year * 10 + 6) < 0.015 THEN 'Dropout'
             ELSE 'Promoted' END AS year_end
    FROM student_years)
SELECT n, tag, school_year, grade_index, 1 AS part, school,
    CASE WHEN late AND NOT mover THEN later(first_day + 45, n, school_year * 10 + 7, 60)
         ELSE first_day END AS entry_date,
    CASE WHEN mover THEN move_day ELSE last_day END AS exit_date,
    CASE WHEN mover THEN 'Transferred' ELSE year_end END AS exit_type
FROM years
UNION ALL
SELECT n, tag, school_year, grade_index, 2, (school + 1 + hash(n, school_year * 10 + 8) % 59) % 60,
    move_day + 4, last_day, year_end
FROM years WHERE mover;

CREATE TABLE gen_school_enrollment AS
SELECT rid('district', tag) AS record_id, school_year,
    'SCH' || lpad(CAST(school AS VARCHAR), 3, '0') AS school_id,
    CASE grade_index WHEN 0 THEN 'K' ELSE CAST(grade_index AS VARCHAR) END AS grade,
    entry_date, exit_date, exit_type, tag
FROM enrollment;

CREATE TABLE gen_attendance AS
SELECT record_id, school_year, school_id, days_enrolled,
    floor(days_enrolled * (0.25 * pow(u(tag, 10), 4) + 0.06 * u(tag, hash(school_id, school_year))))
        AS days_absent,
    tag
FROM (SELECT *,
        CASE WHEN u(tag, hash(school_year, school_id)) < 0.01 THEN 6
             ELSE least(180, (exit_date - entry_date) * 5 // 7) END AS days_enrolled
      FROM gen_school_enrollment);
"""

ASSESSMENT_SQL = """
CREATE TABLE gen_assessment AS
WITH tests(grade_index, code) AS (VALUES {tests}),
sittings AS (
    SELECT y.n, y.tag, y.school_year, y.grade_index, t.code, 1 AS sitting,
        later(make_date(y.school_year, 4, 6), y.n, hash(t.code, y.school_year), 20) AS taken_on
    FROM student_years AS y JOIN tests AS t USING (grade_index)
    UNION ALL
    SELECT y.n, y.tag, y.school_year, y.grade_index, t.code, 2,
        later(make_date(y.school_year, 5, 18), y.n, hash(t.code, y.school_year), 10)
    FROM student_years AS y JOIN tests AS t USING (grade_index)
    WHERE t.code IN ('ELA', 'MATH') AND u(y.n, hash(t.code, y.school_year, 2)) < 0.03)
SELECT rid('district', tag) AS record_id, school_year,
    code || '-' || CASE grade_index WHEN 0 THEN 'K' ELSE CAST(grade_index AS VARCHAR) END
        AS assessment_id,
    taken_on AS administration_date,
    CASE code WHEN 'KRA' THEN 'Composite' WHEN 'MATH' THEN 'Mathematics'
        WHEN 'SCI' THEN 'Science'
        ELSE CASE WHEN school_year <= {first} + 1 THEN 'Reading' ELSE 'English Language Arts' END
    END AS subject,
    CASE grade_index WHEN 0 THEN 'K' ELSE CAST(grade_index AS VARCHAR) END AS grade,
    round(2200 + 600 * u(n, hash(code, school_year, sitting)), 0) AS scale_score,
    CASE WHEN u(n, hash(code, school_year, sitting, 1)) < 0.01 THEN NULL
         ELSE u(n, hash(code, school_year, sitting)) < 0.25 + 0.4 * u(n, 11) END AS proficient,
    CASE WHEN proficient THEN 'Proficient' ELSE 'Basic' END AS performance_level,
    tag
FROM sittings;
"""

DEMOGRAPHICS_SQL = """
CREATE TABLE gen_demographics_first AS
SELECT rid('district', tag) AS record_id,
    make_date(greatest({first}, cohort - 12) - 1, 10, 1) AS as_of,
    CAST(cohort - 18 AS VARCHAR) || '-' || lpad(CAST(1 + hash(n, 51) % 12 AS VARCHAR), 2, '0')
        AS birth_year_month,
    CASE WHEN u(n, 52) < 0.48 THEN 'female' WHEN u(n, 52) < 0.96 THEN 'male'
         WHEN u(n, 52) < 0.98 THEN 'nonbinary' ELSE 'unknown' END AS sex,
    CASE WHEN u(n, 53) >= 0.02 THEN pick({races}, n, 54) END AS race_ethnicity,
    race_ethnicity = 'Hispanic or Latino' AS hispanic,
    u(n, 55) < 0.45 AS economically_disadvantaged,
    u(n, 56) < 0.12 AS english_learner,
    u(n, 57) < 0.14 AS disability,
    u(n, 58) < 0.04 AS homeless,
    u(n, 59) < 0.01 AS foster_care,
    '0' || CAST(1001 + hash(n, 60) % 40 AS VARCHAR) AS zip,
    tag
FROM students WHERE u(n, 50) >= 0.01;

-- A later load updates 40% of students: half on the same as_of (a tie the later load wins).
CREATE TABLE gen_demographics_update AS
SELECT * REPLACE (
    CASE WHEN u(tag, 61) < 0.5 THEN as_of ELSE make_date({first} + 4, 10, 1) END AS as_of,
    u(tag, 62) < 0.45 AS economically_disadvantaged,
    u(tag, 63) < 0.12 AS english_learner)
FROM gen_demographics_first WHERE u(tag, 64) < 0.4;

CREATE TABLE gen_graduation AS
SELECT rid('district', tag) AS record_id, cohort AS cohort_year,
    CASE WHEN v < 0.80 THEN 'regular diploma' WHEN v < 0.84 THEN 'GED'
         WHEN v < 0.91 THEN 'dropout' WHEN v < 0.94 THEN 'still enrolled'
         WHEN v < 0.985 THEN 'transferred out' WHEN v < 0.997 THEN 'emigrated'
         ELSE 'deceased' END AS status,
    CASE WHEN v < 0.80 THEN CASE WHEN w < 0.9 THEN make_date(cohort, 6, 10)
        WHEN w < 0.95 THEN make_date(cohort, 8, 14) ELSE make_date(cohort, 12, 18) END
    END AS diploma_date,
    tag
FROM (SELECT *, u(n, 3) AS v, u(n, 71) AS w FROM students WHERE cohort < {first} + {years});
"""

COLLEGE_SQL = """
CREATE TABLE college_people AS
SELECT tag, school_year AS cohort FROM leavers WHERE graduated AND u(n, 80) < 0.62
UNION ALL
SELECT 'c' || k, {first} + k % {years} FROM range({college_only}) AS t(k);

CREATE TABLE gen_postsecondary AS
WITH spells AS (
    SELECT tag, cohort, 1 AS spell,
        CASE WHEN u(tag, 81) < 0.8 THEN later(make_date(cohort, 8, 18), tag, 82, 20)
             WHEN u(tag, 81) < 0.95 THEN later(make_date(cohort + 1, 1, 8), tag, 82, 10)
             ELSE later(make_date(cohort + 1, 8, 18), tag, 82, 20) END AS begin_date
    FROM college_people
    UNION ALL
    SELECT tag, cohort, 2, later(make_date(cohort + 1, 9, 20), tag, 83, 160)
    FROM college_people WHERE u(tag, 84) < 0.25),
levels AS (
    SELECT *,
        CASE WHEN u(tag, 85 + spell) < 0.15 THEN 'certificate'
             WHEN u(tag, 85 + spell) < 0.55 THEN 'associate' ELSE 'bachelor' END AS level,
        u(tag, 88 + spell) AS chance
    FROM spells),
awards AS (
    SELECT *, CASE
        WHEN level = 'certificate' AND chance < 0.55 THEN later(begin_date + 300, tag, 90, 250)
        WHEN level = 'associate' AND chance < 0.35 THEN later(begin_date + 600, tag, 90, 600)
        WHEN level = 'bachelor' AND chance < 0.60 THEN later(begin_date + 1300, tag, 90, 700)
    END AS awarded_on
    FROM levels)
SELECT rid('college', tag) AS record_id,
    pick(['Riverton Community College', 'State University', 'Riverton Technical Institute',
          'Out-of-state college'], tag, 91 + spell) AS institution,
    begin_date AS enrollment_begin,
    least(later(begin_date + 100, tag, 92, 900), {last_day}) AS enrollment_end,
    level,
    CASE WHEN awarded_on <= {last_day} THEN level END AS award,
    CASE WHEN awarded_on <= {last_day} THEN awarded_on END AS award_date,
    tag
FROM awards WHERE begin_date <= {last_day};
"""

HOUSING_SQL = """
CREATE TABLE hmis_records AS  -- some students twice: HMIS keeps duplicate client records
SELECT tag, tag AS client FROM students WHERE u(n, 40) < 0.06
UNION ALL SELECT tag, tag || '-dup' FROM students WHERE u(n, 40) < 0.06 AND u(n, 41) < 0.05
UNION ALL SELECT 'a' || k, 'a' || k FROM range({hmis_adults}) AS t(k);

CREATE TABLE gen_housing AS
WITH episodes AS (
    SELECT r.tag, r.client, e.episode,
        later(DATE '2016-07-01', r.client, 100 + e.episode, 3100) AS entry_date,
        later(DATE '2016-07-01', r.client, 100 + e.episode, 3100)
            + 5 + CAST(hash(r.client, 110 + e.episode) % 420 AS INTEGER) AS left_on,
        u(r.client, 120 + e.episode) AS chance
    FROM hmis_records AS r, range(3) AS e(episode)
    WHERE e.episode <= hash(r.client, 99) % 3)
SELECT rid('hmis', client) AS record_id, client || '-' || episode AS enrollment_id,
    'HH' || CAST(hash(client, 130) % 100000 AS VARCHAR) AS household_id,
    pick(['Riverton Shelter', 'Harbor House', 'Families First', 'County CoC'],
         client, 131 + episode) AS provider,
    pick([0, 1, 1, 1, 2, 2, 3, 4, 8, 13, 13, 6, 11], client, 132 + episode) AS project_type,
    entry_date,
    CASE WHEN chance >= 0.12 AND left_on <= {last_day} THEN left_on END AS exit_date,
    CASE WHEN project_type IN (3, 13) THEN entry_date + 21 END AS move_in_date,
    CASE WHEN exit_date IS NOT NULL THEN pick([410, 411, 421, 422, 435, 410, 101, 116, 215, 302,
        329, 99, 8, 30], client, 133 + episode) END AS destination,
    CASE WHEN u(client, 134) >= 0.02 THEN pick([1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 99], client, 135)
    END AS relationship_to_hoh,
    tag
FROM episodes;
"""

TRAINING_SQL = """
CREATE TABLE trainees AS
SELECT tag, school_year AS since FROM leavers WHERE u(n, 100) < 0.12
UNION ALL SELECT 'w' || k, NULL FROM range({adult_trainees}) AS t(k);

CREATE TABLE gen_training AS
WITH spells AS (
    SELECT tag, s.spell, CAST(400 * s.spell AS INTEGER) + CASE WHEN since IS NULL
        THEN later(DATE '2016-07-01', tag, 140, 2900)
        ELSE later(make_date(since, 9, 1), tag, 140, DATE '2025-03-01' - make_date(since, 9, 1))
    END AS entry_date
    FROM trainees, range(2) AS s(spell)
    WHERE s.spell = 0 OR u(tag, 141) < 0.3),
ended AS (
    SELECT *, later(entry_date + 30, tag, 142 + spell, 330) AS left_on, u(tag, 144 + spell) AS v
    FROM spells WHERE entry_date <= {last_day})
SELECT rid('workforce', tag) AS record_id,
    pick(['Riverton Works', 'Metro Skills', 'Harbor Tech'], tag, 150 + spell) AS provider,
    pick(['Healthcare', 'Information Technology', 'Advanced Manufacturing', 'Construction',
          'Logistics', 'Culinary'], tag, 152 + spell) AS program,
    program || ' trainee' AS job_role,
    entry_date,
    CASE WHEN v >= 0.08 AND left_on <= {last_day} THEN left_on END AS exit_date,
    exit_date IS NOT NULL AND u(tag, 154 + spell) < 0.75 AS completed,
    CASE WHEN exit_date IS NOT NULL AND u(tag, 156 + spell) < 0.55
        THEN program || ' certificate' END AS credential,
    CASE WHEN credential IS NOT NULL
        THEN least(later(exit_date - 20, tag, 158 + spell, 500), {last_day}) END AS credential_date,
    tag
FROM ended;
"""

WAGES_SQL = """
CREATE TABLE workers AS
SELECT tag, min(first_quarter) AS first_quarter FROM (
    SELECT tag, 0 AS first_quarter FROM trainees
    UNION ALL SELECT tag, (school_year - 2016) * 4 - 4 FROM leavers
    UNION ALL SELECT 'u' || k, 0 FROM range({ui_only}) AS t(k))
GROUP BY tag;

CREATE TABLE gen_wages AS  -- 2016-Q1 … 2025-Q2; a second employer in one quarter in ten
WITH worked AS (
    SELECT w.tag, q.q, hash(w.tag, 2000 + q.q // 8) % 4000 AS employer
    FROM workers AS w, range(38) AS q(q)
    WHERE q.q >= w.first_quarter AND u(w.tag, q.q) < 0.35 + 0.55 * u(w.tag, 1000)),
jobs AS (
    SELECT tag, q, 1 AS job, employer FROM worked
    UNION ALL
    SELECT tag, q, 2, (employer + 1 + hash(tag, 3000 + q) % 3999) % 4000 FROM worked
    WHERE u(tag, 500 + q) < 0.1)
SELECT rid('ui', tag) AS record_id, 'EMP' || lpad(CAST(employer AS VARCHAR), 5, '0') AS employer_id,
    2016 + q // 4 AS year, q % 4 + 1 AS quarter,
    round(CASE job WHEN 1
        THEN 1200 + 11000 * pow(u(tag, 1001), 1.5) * (0.8 + 0.4 * u(tag, 4000 + q))
        ELSE 300 + 3000 * u(tag, 5000 + q) END, 2) AS wages,
    tag
FROM jobs;
"""

# Each load: (submission, table, generated table, partner). Two demographic loads.
LOADS = (
    (1, "school_enrollment", "gen_school_enrollment", "district"),
    (2, "attendance", "gen_attendance", "district"),
    (3, "assessment", "gen_assessment", "district"),
    (4, "person_demographics", "gen_demographics_first", "district"),
    (5, "person_demographics", "gen_demographics_update", "district"),
    (6, "graduation", "gen_graduation", "district"),
    (7, "postsecondary", "gen_postsecondary", "college"),
    (8, "housing", "gen_housing", "hmis"),
    (9, "training", "gen_training", "workforce"),
    (10, "wages", "gen_wages", "ui"),
)

CROSSWALK_SQL = """
SELECT record_id, source_partner, substr(md5('person|' || tag), 1, 32) AS person_key,
    0.9 + 0.1 * u(record_id, 1) AS match_probability, 'benchmark' AS model_version,
    CAST(1 AS BIGINT) AS linkage_run
FROM (SELECT DISTINCT record_id, source_partner, tag FROM ({records}))
WHERE u(record_id, 2) >= 0.02  -- 2% of records stay unlinked
ORDER BY record_id
"""


def generation_sql(students: int) -> list[str]:
    """Every statement that generates the rows, in order, for ``students`` per school year."""
    per_grade = max(1, students // GRADES)
    values = {
        "first": FIRST_YEAR, "years": YEARS, "per_grade": per_grade, "last_day": LAST_DAY,
        "races": str(RACES), "tests": ", ".join(f"({g}, '{c}')" for g, c in TESTS),
        "college_only": int(per_grade * YEARS * 0.16), "hmis_adults": int(per_grade * 18 * 0.07),
        "adult_trainees": int(per_grade * 1.5), "ui_only": students // 4,
    }  # fmt: skip
    scripts: tuple[str, ...] = (MACROS, PEOPLE_SQL, ENROLLMENT_SQL, ASSESSMENT_SQL)
    scripts += (DEMOGRAPHICS_SQL, COLLEGE_SQL, HOUSING_SQL, TRAINING_SQL, WAGES_SQL)
    return [script.format(**values) for script in scripts]


def typed_select_sql(table: str, generated: str, partner: str, submission: int) -> str:
    """The generated rows as the load would store them: typed columns, lineage, file order."""
    columns = []
    for name, kind in stored_columns(TABLES[table]):
        source = {
            "source_partner": literal(partner),
            "submission_id": str(submission),
            "source_file": literal(f"{table}.csv"),
            "source_row": "row_number() OVER (ORDER BY "
            + ", ".join("record_id" if c == "local_id" else c for c in TABLES[table].key)
            + ")",
        }.get(name, f'"{name}"')
        columns.append(f'CAST({source} AS {kind}) AS "{name}"')
    return f"SELECT {', '.join(columns)} FROM {generated} ORDER BY source_row"


def build_warehouse(root: Path, students: int) -> Warehouse:
    """Generate every table, write it to Parquet and commit it into ``root / "warehouse"``."""
    store = Warehouse(root / "warehouse")
    staging = root / "staging"
    staging.mkdir()
    with duckdb.connect() as connection:
        connection.execute(f"SET temp_directory = {literal(str(root / 'spill'))}")
        connection.execute("SET memory_limit = '6GB'")
        connection.execute("SET enable_progress_bar = false")
        for script in generation_sql(students):
            connection.execute(script)
        for submission, table, generated, partner in LOADS:
            path = staging / f"{submission}-{table}.parquet"
            select = typed_select_sql(table, generated, partner, submission)
            connection.execute(f"COPY ({select}) TO {literal(str(path))} (FORMAT parquet)")
            rows = connection.execute(f"SELECT count(*) FROM {generated}").fetchone()
            store.commit(submission, {table: (path, rows[0] if rows else 0)})
        records = " UNION ALL ".join(
            f"SELECT record_id, {literal(partner)} AS source_partner, tag FROM {generated}"
            for _, _, generated, partner in LOADS
        )
        crosswalk = connection.sql(CROSSWALK_SQL.format(records=records)).to_arrow_table()
    store.write_derived("crosswalk", "analytic", crosswalk)
    return store


# --- the hand-written queries ---------------------------------------------------------------

LATEST_DEMOGRAPHICS = """
latest_demographics AS (
    SELECT * FROM person_demographics
    QUALIFY row_number() OVER (
        PARTITION BY record_id ORDER BY as_of DESC, submission_id DESC, source_row DESC) = 1)"""

# Wages above zero, by linked person and quarter number (year * 4 + quarter).
EARNINGS = """
earnings AS (
    SELECT c.person_key, w.year * 4 + w.quarter AS quarter_number, CAST(w.wages AS DOUBLE) AS wages,
        w.employer_id
    FROM wages AS w JOIN crosswalk AS c USING (record_id)
    WHERE w.wages > 0)"""

EXITERS = """
exiters AS (
    SELECT t.*, c.person_key, coalesce(c.person_key, t.record_id) AS person,
        year(t.exit_date) * 4 + quarter(t.exit_date) AS exit_quarter
    FROM training AS t LEFT JOIN crosswalk AS c USING (record_id)
    WHERE t.exit_date IS NOT NULL)"""

LEAVERS = """
leavers AS (
    SELECT e.*, c.person_key, coalesce(c.person_key, e.record_id) AS person
    FROM school_enrollment AS e LEFT JOIN crosswalk AS c USING (record_id)
    WHERE e.exit_type IN ('Graduated', 'Dropout'))"""

# A school year's students joined to the HMIS enrolments of the same person open during it.
HOUSED_IN_YEAR = """
    JOIN crosswalk AS sc ON sc.record_id = s.record_id
    JOIN crosswalk AS hc ON hc.person_key = sc.person_key
    JOIN housing AS h ON h.record_id = hc.record_id
      AND h.entry_date < make_date(s.school_year, 7, 1)
      AND (h.exit_date IS NULL OR h.exit_date >= make_date(s.school_year - 1, 7, 1))"""

DEMOGRAPHIC_GROUPS = (
    "d.race_ethnicity", "d.economically_disadvantaged", "d.english_learner", "d.disability",
    "d.sex",
)  # fmt: skip
# The crossed race × economic disadvantage group, as results name it.
RACE_INCOME = (
    "coalesce(CAST(d.race_ethnicity AS VARCHAR), 'missing') || ' × ' || "
    "coalesce(CAST(d.economically_disadvantaged AS VARCHAR), 'missing') AS race_income"
)
NAMES = {"race_income": "race_ethnicity × economically_disadvantaged"}
LIVING_WAGE_QUARTER = 13 * 40 * 17.50  # the library's default living wage, 13 full-time weeks


def groups(*columns: str) -> str:
    """Each dimension column as text named for the column, ``missing`` when it has no value."""
    return ", ".join(
        f"coalesce(CAST({c} AS VARCHAR), 'missing') AS {c.split('.')[-1]}" for c in columns
    )


def assessment_facts(condition: str) -> str:
    return f"""
    WITH {LATEST_DEMOGRAPHICS}
    SELECT a.school_year AS period, a.record_id AS person, a.proficient AS hit,
        {groups(*DEMOGRAPHIC_GROUPS)}, {RACE_INCOME}
    FROM assessment AS a LEFT JOIN latest_demographics AS d USING (record_id)
    WHERE {condition}"""


def after_exit_facts(window: str) -> str:
    """Exiters and their earnings in the quarters ``window`` picks (``w.quarter_number``)
    relative to the exit quarter (``e.exit_quarter``)."""
    return f"""
    WITH {EXITERS}, {EARNINGS}
    SELECT year(e.exit_date - INTERVAL 6 MONTH) AS period, e.person,
        w.person_key IS NOT NULL AS hit, w.wages AS amount, {groups("e.program")}
    FROM exiters AS e LEFT JOIN earnings AS w ON w.person_key = e.person_key AND {window}"""


def retention_facts() -> str:
    """Exiters employed in exit quarter + 2 (one row per employer), and whether the same
    employer paid them again in exit quarter + 4 (PIRL 1618)."""
    return f"""
    WITH {EXITERS}, {EARNINGS}
    SELECT year(e.exit_date - INTERVAL 6 MONTH) AS period, e.person,
        EXISTS (SELECT 1 FROM earnings AS later WHERE later.person_key = e.person_key
            AND later.employer_id = w.employer_id
            AND later.quarter_number = e.exit_quarter + 4) AS hit,
        {groups("e.program")}
    FROM exiters AS e JOIN earnings AS w ON w.person_key = e.person_key
        AND w.quarter_number = e.exit_quarter + 2"""


def young_adult_facts(hit: str = "w.person_key IS NOT NULL") -> str:
    return f"""
    WITH {LATEST_DEMOGRAPHICS}, {LEAVERS}, {EARNINGS}
    SELECT l.school_year AS period, l.person, coalesce({hit}, false) AS hit,
        w.wages AS amount,
        {groups("l.exit_type", "d.race_ethnicity", "d.economically_disadvantaged", "d.sex")}
    FROM leavers AS l
    LEFT JOIN earnings AS w ON w.person_key = l.person_key
        AND w.quarter_number = year(l.exit_date) * 4 + quarter(l.exit_date) + 4
    LEFT JOIN latest_demographics AS d ON d.record_id = l.record_id"""


POSTSECONDARY_COMPLETION = f"""
    WITH {LATEST_DEMOGRAPHICS}
    SELECT g.school_year AS period, gc.person_key AS person,
        p.award_date <= CASE p.level
            WHEN 'certificate' THEN g.exit_date + INTERVAL 18 MONTH
            WHEN 'associate' THEN g.exit_date + INTERVAL 3 YEAR
            WHEN 'bachelor' THEN g.exit_date + INTERVAL 6 YEAR END AS hit,
        {groups("p.level", "d.race_ethnicity", "d.economically_disadvantaged", "d.sex")}
    FROM school_enrollment AS g
    JOIN crosswalk AS gc ON gc.record_id = g.record_id
    JOIN crosswalk AS pc ON pc.person_key = gc.person_key
    JOIN postsecondary AS p ON p.record_id = pc.record_id AND p.enrollment_begin >= g.exit_date
    LEFT JOIN latest_demographics AS d ON d.record_id = g.record_id
    WHERE g.exit_type = 'Graduated'"""

POSTSECONDARY_ENROLLMENT = f"""
    WITH {LATEST_DEMOGRAPHICS},
    graduates AS (
        SELECT g.*, c.person_key FROM school_enrollment AS g
        LEFT JOIN crosswalk AS c USING (record_id) WHERE g.exit_type = 'Graduated'),
    entrants AS (
        SELECT c.person_key, p.enrollment_begin FROM postsecondary AS p
        JOIN crosswalk AS c USING (record_id))
    SELECT g.school_year AS period, coalesce(g.person_key, g.record_id) AS person,
        n.person_key IS NOT NULL AS hit, {groups(*DEMOGRAPHIC_GROUPS)}
    FROM graduates AS g
    LEFT JOIN entrants AS n ON n.person_key = g.person_key
        AND n.enrollment_begin >= g.exit_date
        AND n.enrollment_begin < make_date(year(g.exit_date), 11, 1)
    LEFT JOIN latest_demographics AS d ON d.record_id = g.record_id"""

CHRONIC_ABSENCE = f"""
    WITH {LATEST_DEMOGRAPHICS}
    SELECT a.school_year AS period, a.record_id AS person,
        a.days_absent >= 0.1 * a.days_enrolled AS hit,
        {groups("a.school_id", *DEMOGRAPHIC_GROUPS)}, {RACE_INCOME}
    FROM attendance AS a LEFT JOIN latest_demographics AS d USING (record_id)
    WHERE a.days_enrolled >= 10"""

CHRONIC_ABSENCE_HOUSING = f"""
    SELECT s.school_year AS period, sc.person_key AS person,
        s.days_absent >= 0.1 * s.days_enrolled AS hit, {groups("h.project_type", "s.school_id")}
    FROM attendance AS s {HOUSED_IN_YEAR}
    WHERE s.days_enrolled >= 10"""

SCHOOL_MOVES_HOUSING = f"""
    SELECT s.school_year AS period, sc.person_key AS person,
        s.exit_type = 'Transferred' OR s.entry_date >= make_date(s.school_year - 1, 10, 1) AS hit,
        {groups("h.project_type", "s.school_id")}
    FROM school_enrollment AS s {HOUSED_IN_YEAR}
    WHERE s.entry_date IS NOT NULL"""

GRADUATION = f"""
    WITH {LATEST_DEMOGRAPHICS}
    SELECT g.cohort_year AS period, g.record_id AS person,
        g.status = 'regular diploma' AND g.diploma_date < make_date(g.cohort_year, 9, 1) AS hit,
        {groups(*DEMOGRAPHIC_GROUPS, "d.homeless")}, {RACE_INCOME}
    FROM graduation AS g LEFT JOIN latest_demographics AS d USING (record_id)
    WHERE g.status NOT IN ('transferred out', 'emigrated', 'deceased')"""

CREDENTIAL = f"""
    SELECT year(t.exit_date - INTERVAL 6 MONTH) AS period, t.record_id AS person,
        t.credential IS NOT NULL
            AND t.credential_date BETWEEN t.entry_date AND t.exit_date + INTERVAL 1 YEAR AS hit,
        {groups("t.program")}
    FROM training AS t WHERE t.exit_date IS NOT NULL"""

PERMANENT_EXITS = f"""
    SELECT year(h.exit_date + INTERVAL 6 MONTH) AS period, h.record_id AS person,
        h.destination BETWEEN 400 AND 499 AS hit,
        {groups("h.project_type", "h.relationship_to_hoh")}
    FROM housing AS h
    WHERE h.exit_date IS NOT NULL AND h.project_type IN (0, 1, 2, 8, 13)"""


@dataclass(frozen=True)
class HandWritten:
    """One indicator by hand: its rows (``period``, ``person``, ``hit``, ``amount`` for medians,
    one text column per dimension) and how they are reported."""

    facts: str
    dimensions: tuple[str, ...]
    median: bool = False

    def sql(self) -> str:
        """Persons reduced once per period and group in one GROUPING SETS pass, then counted."""
        keys = ", ".join(self.dimensions)
        sets = ", ".join(["(period, person)", *(f"(period, person, {d})" for d in self.dimensions)])
        amount = ", sum(amount) FILTER (WHERE hit) AS amount" if self.median else ""
        named = " ".join(f"WHEN {d} IS NOT NULL THEN '{NAMES.get(d, d)}'" for d in self.dimensions)
        value = (
            "median(amount)" if self.median else "100.0 * count(*) FILTER (WHERE hit) / count(*)"
        )
        return f"""
        WITH facts AS ({self.facts}),
        persons AS (
            SELECT period, {keys}, bool_or(hit) AS hit{amount}
            FROM facts GROUP BY GROUPING SETS ({sets}))
        SELECT period, CASE {named} ELSE 'overall' END AS dimension,
            coalesce({keys}, 'all') AS group_value,
            count(*) FILTER (WHERE hit) AS numerator, count(*) AS denominator, {value} AS value
        FROM persons GROUP BY ALL"""


Q2_AFTER_EXIT = "w.quarter_number = e.exit_quarter + 2"
DEMOGRAPHICS = (
    "race_ethnicity", "economically_disadvantaged", "english_learner", "disability", "sex",
)  # fmt: skip
YOUNG_ADULT = ("exit_type", "race_ethnicity", "economically_disadvantaged", "sex")
HAND_WRITTEN: dict[str, HandWritten] = {
    "chronic_absence": HandWritten(CHRONIC_ABSENCE, ("school_id", *DEMOGRAPHICS, "race_income")),
    "chronic_absence_housing": HandWritten(CHRONIC_ABSENCE_HOUSING, ("project_type", "school_id")),
    "credential_attainment": HandWritten(CREDENTIAL, ("program",)),
    "earnings_year2_after_exit": HandWritten(
        after_exit_facts("w.quarter_number BETWEEN e.exit_quarter + 5 AND e.exit_quarter + 8"),
        ("program",),
        median=True,
    ),
    "earnings_year4_after_exit": HandWritten(
        after_exit_facts("w.quarter_number BETWEEN e.exit_quarter + 13 AND e.exit_quarter + 16"),
        ("program",),
        median=True,
    ),
    "employment_q2_after_exit": HandWritten(after_exit_facts(Q2_AFTER_EXIT), ("program",)),
    "employment_q4_after_exit": HandWritten(
        after_exit_facts("w.quarter_number = e.exit_quarter + 4"), ("program",)
    ),
    "exits_to_permanent_housing": HandWritten(
        PERMANENT_EXITS, ("project_type", "relationship_to_hoh")
    ),
    "grade3_reading": HandWritten(
        assessment_facts("a.grade = '3' AND a.subject IN ('English Language Arts', 'Reading')"),
        (*DEMOGRAPHICS, "race_income"),
    ),
    "grade8_math": HandWritten(
        assessment_facts("a.grade = '8' AND a.subject = 'Mathematics'"), DEMOGRAPHICS
    ),
    "graduation_rate_4yr": HandWritten(GRADUATION, (*DEMOGRAPHICS, "homeless", "race_income")),
    "kindergarten_readiness": HandWritten(
        assessment_facts("a.grade = 'K' AND a.subject = 'Composite'"), DEMOGRAPHICS
    ),
    "median_earnings_q2_after_exit": HandWritten(
        after_exit_facts(Q2_AFTER_EXIT), ("program",), median=True
    ),
    "postsecondary_completion": HandWritten(
        POSTSECONDARY_COMPLETION, ("level", "race_ethnicity", "economically_disadvantaged", "sex")
    ),
    "postsecondary_enrollment": HandWritten(POSTSECONDARY_ENROLLMENT, DEMOGRAPHICS),
    "retention_same_employer": HandWritten(retention_facts(), ("program",)),
    "school_moves_housing": HandWritten(SCHOOL_MOVES_HOUSING, ("project_type", "school_id")),
    "young_adult_employment": HandWritten(young_adult_facts(), YOUNG_ADULT),
    "young_adult_living_wage_employment": HandWritten(
        young_adult_facts(f"w.wages >= {LIVING_WAGE_QUARTER}"), YOUNG_ADULT
    ),
    "young_adult_median_earnings": HandWritten(young_adult_facts(), YOUNG_ADULT, median=True),
}
# Indicators whose exact semantics were too intricate to reproduce by hand: slug → why. They
# are left out of both sides of the timing.
NOT_HAND_WRITTEN: dict[str, str] = {}


# --- running both sides ---------------------------------------------------------------------

Key = tuple[str, str, str]
Result = dict[Key, tuple[int, int, float | None]]


def library_definitions(slugs: Sequence[str]) -> list[Any]:
    from backbone.indicators.library import standard_library

    definitions = {i.slug: i.definition for i in standard_library()}
    return [definitions[slug] for slug in slugs]


def run_backbone(directory: Path, definitions: Sequence[Any]) -> list[list[dict[str, Any]]]:
    """backbone's production path: compile every definition and run it on the warehouse."""
    from backbone.indicators.engines import compute

    return compute(Warehouse(directory), definitions, "duckdb")


def run_hand_written(directory: Path, slugs: Sequence[str]) -> list[list[tuple[Any, ...]]]:
    """The hand-written queries, on a connection to the same warehouse views."""
    queries = [HAND_WRITTEN[slug].sql() for slug in slugs]
    with Warehouse(directory).engine("analytic") as engine:
        return [engine.run(sql, label=slug) for slug, sql in zip(slugs, queries, strict=True)]


def backbone_result(rows: list[dict[str, Any]]) -> Result:
    return {
        (str(r["period"]), r["dimension"], r["group_value"]): (
            r["numerator"], r["denominator"], r["value"]
        )
        for r in rows
    }  # fmt: skip


def hand_result(rows: list[tuple[Any, ...]]) -> Result:
    return {(str(p), d, g): (n, m, None if v is None else float(v)) for p, d, g, n, m, v in rows}


def differences(ours: Result, theirs: Result) -> list[str]:
    """Every key whose numerator, denominator or value differs (values within TOLERANCE)."""
    problems = [f"{k}: backbone only" for k in ours.keys() - theirs.keys()]
    problems += [f"{k}: hand-written only" for k in theirs.keys() - ours.keys()]
    for key in ours.keys() & theirs.keys():
        (n1, d1, v1), (n2, d2, v2) = ours[key], theirs[key]
        same_value = (v1 is None) == (v2 is None) and (
            v1 is None or v2 is None or math.isclose(v1, v2, rel_tol=TOLERANCE, abs_tol=1e-9)
        )
        if (n1, d1) != (n2, d2) or not same_value:
            problems.append(f"{key}: backbone {(n1, d1, v1)}, hand-written {(n2, d2, v2)}")
    return sorted(problems)


@dataclass(frozen=True)
class Check:
    slug: str
    groups: int  # result rows (period × group)
    backbone_seconds: float
    hand_seconds: float


def check_agreement(directory: Path, slugs: Sequence[str]) -> list[Check]:
    """Run each indicator on both sides once (warming the file cache) and insist they agree."""
    checks, problems = [], []
    for slug, definition in zip(slugs, library_definitions(slugs), strict=True):
        start = time.perf_counter()
        ours = backbone_result(run_backbone(directory, [definition])[0])
        middle = time.perf_counter()
        theirs = hand_result(run_hand_written(directory, [slug])[0])
        end = time.perf_counter()
        problems += [f"{slug} {problem}" for problem in differences(ours, theirs)]
        checks.append(Check(slug, len(ours), middle - start, end - middle))
    if problems:
        raise AssertionError(f"{len(problems)} results differ:\n" + "\n".join(problems[:20]))
    return checks


CHILD = """
import json, sys, time
from pathlib import Path
from benchmarks.indicators_library import library_definitions, run_backbone, run_hand_written
side, directory, slugs = sys.argv[1], Path(sys.argv[2]), sys.argv[3].split(",")
definitions = library_definitions(slugs)
start = time.perf_counter()
if side == "backbone":
    run_backbone(directory, definitions)
else:
    run_hand_written(directory, slugs)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def run_side(side: str, directory: Path, slugs: Sequence[str]) -> tuple[float, float]:
    """Seconds (measured in the child, imports excluded) and the child's peak memory (MiB)."""
    run = run_child(CHILD, side, directory, ",".join(slugs), cwd=ROOT)
    return run.result()["seconds"], run.peak_mib


def timed_runs(directory: Path, slugs: Sequence[str]) -> Iterator[tuple[str, float, float]]:
    """Each side ``REPEAT`` times, alternating so a slow spell of the machine hits both."""
    for _ in range(REPEAT):
        for side in ("backbone", "hand"):
            yield (side, *run_side(side, directory, slugs))


# --- reporting ------------------------------------------------------------------------------


def students_to_run(students: int | None) -> int:
    return students or int(os.environ.get(STUDENTS_VARIABLE, STUDENTS))


def main(students: int | None = None) -> None:
    students = students_to_run(students)
    console = Console(width=132)  # wide enough not to wrap when not on a terminal
    with tempfile.TemporaryDirectory(prefix="backbone-bench-indicators-") as directory:
        root = Path(directory)
        started = time.perf_counter()
        store = build_warehouse(root, students)
        build = time.perf_counter() - started
        console.print(rows_table(store))
        slugs = [s for s in sorted(HAND_WRITTEN) if s not in NOT_HAND_WRITTEN]
        checks = check_agreement(store.directory, slugs)
        console.print(checks_table(checks))
        runs = list(timed_runs(store.directory, slugs))
    console.print(summary_table(students, build, len(slugs), runs))
    for slug, reason in NOT_HAND_WRITTEN.items():
        console.print(f"[yellow]{slug} left out of both sides:[/] {reason}")


def rows_table(store: Warehouse) -> Table:
    table = Table("table", "rows", title="Generated warehouse")
    for name, counts in store.table_counts().items():
        if counts["rows"]:
            table.add_row(name, f"{counts['rows']:,}")
    crosswalk = store.read_derived("crosswalk")
    table.add_row("crosswalk (derived)", f"{crosswalk.num_rows if crosswalk else 0:,}")
    return table


def checks_table(checks: list[Check]) -> Table:
    columns = ("indicator", "groups", "backbone s", "hand-written s", "ratio")
    table = Table(*columns, title="Agreement check: identical results; one warm run each")
    for check in checks:
        table.add_row(
            check.slug, f"{check.groups:,}", f"{check.backbone_seconds:.2f}",
            f"{check.hand_seconds:.2f}", f"{check.backbone_seconds / check.hand_seconds:.2f}×",
        )  # fmt: skip
    return table


def summary_table(
    students: int, build: float, indicators: int, runs: list[tuple[str, float, float]]
) -> Table:
    best = {side: min(s for name, s, _ in runs if name == side) for side in ("backbone", "hand")}
    peak = {side: max(m for name, _, m in runs if name == side) for side in ("backbone", "hand")}
    columns = ["students/year", "years", "indicators", "build s", "backbone s", "hand-written s",
               "ratio", "backbone MiB", "hand-written MiB"]  # fmt: skip
    table = Table(*columns, title=f"Standard library on DuckDB, best of {REPEAT}")
    table.add_row(
        f"{students:,}", str(YEARS), str(indicators), f"{build:.1f}", f"{best['backbone']:.2f}",
        f"{best['hand']:.2f}", f"{best['backbone'] / best['hand']:.2f}×",
        f"{peak['backbone']:,.0f}", f"{peak['hand']:,.0f}",
    )  # fmt: skip
    return table


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
