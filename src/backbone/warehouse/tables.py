"""The canonical person-level tables: the data contracts every importer delivers into.

Each table declares its columns (DuckDB type, required, code list, bounds), its key and its tier.
The **identity tier** (``identity_record``) holds names, birth dates and identifiers and is read
only by linkage and the data steward. Every **analytic** table holds a pseudonymous ``record_id``
instead — a keyed hash of the partner and the partner's own person id — so analysis never sees who
a row is about. Linkage later maps ``record_id`` to ``person_key``.

Column names follow Ed-Fi / CEDS / HMIS / PIRL where those have a name (DESIGN §3); the full
contract, with an example file per table, is in ``docs/contracts.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

IDENTITY = "identity"
ANALYTIC = "analytic"

# Columns the load adds to every row; importers never supply them.
LINEAGE_COLUMNS = ("source_partner", "submission_id", "source_file", "source_row")

RACE_ETHNICITY = (
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino",
    "Middle Eastern or North African",
    "Native Hawaiian or Pacific Islander",
    "White",
    "Two or more races",
    "Unknown",
)
SEX = ("female", "male", "nonbinary", "unknown")
GRADES = ("IT", "PK", "TK", "K", *[str(g) for g in range(1, 13)], "13", "PS", "UG", "AE")
EMPLOYER_EVENTS = ("interview", "offer", "hire")
POSTSECONDARY_LEVELS = ("certificate", "associate", "bachelor", "graduate", "non-credit")
ASSESSMENT_DOMAINS = ("SEL", "academic")
# PIRL 923 "Other Reasons for Exit": the WIOA exclusions (TEGL 10-16 Change 2). backbone's own
# words: the official numeric codes were not verified (standards.md §7).
EXIT_REASONS = (
    "institutionalized",
    "health/medical",
    "deceased",
    "reserve forces called to active duty",
    "foster care youth moved",
    "ineligible or criminal offender",
)
# The kind of training (after PIRL 1303); OJT and customized training leave the credential measure.
TRAINING_TYPES = (
    "occupational skills",
    "on-the-job",
    "customized",
    "apprenticeship",
    "skill upgrading",
    "adult education",
    "other",
)
AGE_BANDS = ("under 16", "16-18", "19-24", "25-44", "45-54", "55-59", "60 and over")
# The five kinds of measurable skill gain (TEGL 10-16 Change 2).
SKILL_GAINS = (
    "educational functioning level",
    "secondary diploma",
    "transcript",
    "progress report",
    "exam or benchmark",
)


@dataclass(frozen=True)
class Column:
    """One column of a canonical table and the rules its values must meet."""

    name: str
    type: str  # a DuckDB type: VARCHAR, INTEGER, DOUBLE, DECIMAL(12,2), DATE, BOOLEAN
    required: bool = False
    codes: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True)
class RowRule:
    """A rule across two columns of one row: ``after`` (the second date, when given, is later
    than the first) or ``together`` (both given or both blank)."""

    kind: str
    first: str
    second: str

    def describe(self) -> str:
        if self.kind == "after":
            return f"`{self.second}`, when given, is after `{self.first}`"
        return f"`{self.first}` and `{self.second}` are given together or not at all"


@dataclass(frozen=True)
class Table:
    """A canonical table: its tier, columns and the columns that identify a row."""

    name: str
    tier: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    person_column: str = "local_id"  # the partner's person id, hashed to record_id on load
    extra: dict[str, str] = field(default_factory=dict)
    row_rules: tuple[RowRule, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _person(
    description: str = "The partner's own id for the person (hashed before storage).",
) -> Column:
    return Column("local_id", "VARCHAR", required=True, description=description)


def _year(name: str, description: str = "") -> Column:
    return Column(name, "INTEGER", True, minimum=1990, maximum=2100, description=description)


def _score(name: str, required: bool = False) -> Column:
    description = "On the instrument's own scale (a T-score, a scaled score)."
    return Column(name, "DOUBLE", required, minimum=0, maximum=10_000, description=description)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "identity_record",
            IDENTITY,
            (
                Column("local_id", "VARCHAR", True, description="The partner's own person id."),
                Column("first_name", "VARCHAR"),
                Column("middle_name", "VARCHAR"),
                Column("last_name", "VARCHAR"),
                Column("name_suffix", "VARCHAR"),
                Column("birth_date", "DATE"),
                Column("sex", "VARCHAR", codes=SEX),
                Column(
                    "race_ethnicity",
                    "VARCHAR",
                    codes=RACE_ETHNICITY,
                    description="As the partner recorded it; compared in linkage.",
                ),
                Column("ssn", "VARCHAR", description="Nine digits, or a partner-side hash."),
                Column("student_id", "VARCHAR", description="State or district student id."),
                Column("street_address", "VARCHAR"),
                Column("city", "VARCHAR"),
                Column("zip", "VARCHAR"),
                Column("dob_quality", "INTEGER", description="HMIS DOBDataQuality (1 full … 99)."),
                Column("ssn_quality", "INTEGER", description="HMIS SSNDataQuality (1 full … 99)."),
            ),
            key=("local_id",),
            description="Names, birth dates and identifiers, for linkage only (identity tier).",
        ),
        Table(
            "person_demographics",
            ANALYTIC,
            (
                _person(),
                Column("as_of", "DATE", True),
                Column("birth_year_month", "VARCHAR", description="YYYY-MM."),
                Column("sex", "VARCHAR", codes=SEX),
                Column("race_ethnicity", "VARCHAR", codes=RACE_ETHNICITY),
                Column("hispanic", "BOOLEAN"),
                Column("economically_disadvantaged", "BOOLEAN"),
                Column("english_learner", "BOOLEAN"),
                Column("disability", "BOOLEAN"),
                Column("homeless", "BOOLEAN"),
                Column("foster_care", "BOOLEAN"),
                Column("zip", "VARCHAR"),
            ),
            key=("local_id", "as_of"),
            description="Who the person is, as the partner recorded it on a date.",
        ),
        Table(
            "school_enrollment",
            ANALYTIC,
            (
                _person(),
                _year("school_year", "Spring year: 2022 = 2021-22."),
                Column("school_id", "VARCHAR", True),
                Column("grade", "VARCHAR", codes=GRADES),
                Column("entry_date", "DATE", True),
                Column("exit_date", "DATE"),
                Column("exit_type", "VARCHAR"),
            ),
            key=("local_id", "school_id", "entry_date"),
        ),
        Table(
            "attendance",
            ANALYTIC,
            (
                _person(),
                _year("school_year"),
                Column("school_id", "VARCHAR", True),
                Column("days_enrolled", "DOUBLE", True, minimum=0, maximum=366),
                Column("days_absent", "DOUBLE", True, minimum=0, maximum=366),
            ),
            key=("local_id", "school_year", "school_id"),
            description="Days enrolled and absent per student, school and year.",
        ),
        Table(
            "attendance_monthly",
            ANALYTIC,
            (
                _person(),
                _year("school_year"),
                Column("school_id", "VARCHAR", True),
                Column("month", "VARCHAR", True, description="YYYY-MM."),
                Column("days_enrolled", "DOUBLE", True, minimum=0, maximum=31),
                Column("days_absent", "DOUBLE", True, minimum=0, maximum=31),
            ),
            key=("local_id", "school_year", "school_id", "month"),
            description="Days enrolled and absent per student, school and month; derived from "
            "Ed-Fi attendance with the yearly table, and adds up to it.",
        ),
        Table(
            "assessment",
            ANALYTIC,
            (
                _person(),
                _year("school_year"),
                Column("assessment_id", "VARCHAR", True),
                Column("administration_date", "DATE"),
                Column("subject", "VARCHAR"),
                Column("grade", "VARCHAR", codes=GRADES),
                Column("scale_score", "DOUBLE"),
                Column("performance_level", "VARCHAR"),
                Column("proficient", "BOOLEAN"),
            ),
            key=("local_id", "assessment_id", "school_year", "administration_date"),
        ),
        Table(
            "discipline",
            ANALYTIC,
            (
                _person(),
                _year("school_year"),
                Column("incident_id", "VARCHAR", True),
                Column("incident_date", "DATE", True),
                Column("action", "VARCHAR"),
                Column("days_removed", "DOUBLE", minimum=0, maximum=366),
            ),
            key=("local_id", "incident_id", "action"),
        ),
        Table(
            "graduation",
            ANALYTIC,
            (
                _person(),
                _year("cohort_year"),
                Column("status", "VARCHAR", True),
                Column("diploma_date", "DATE"),
            ),
            key=("local_id", "cohort_year"),
        ),
        Table(
            "postsecondary",
            ANALYTIC,
            (
                _person(),
                Column("institution", "VARCHAR", True),
                Column("enrollment_begin", "DATE", True),
                Column("enrollment_end", "DATE"),
                Column("level", "VARCHAR", codes=POSTSECONDARY_LEVELS),
                Column("award", "VARCHAR"),
                Column("award_date", "DATE"),
            ),
            key=("local_id", "institution", "enrollment_begin"),
        ),
        Table(
            "program_participation",
            ANALYTIC,
            (
                _person(),
                Column("program", "VARCHAR", True),
                Column("service_type", "VARCHAR"),
                Column("start_date", "DATE", True),
                Column("end_date", "DATE"),
                Column("hours", "DOUBLE", minimum=0, maximum=10000),
                Column("sessions", "INTEGER", minimum=0, maximum=10000),
            ),
            key=("local_id", "program", "start_date"),
            description="A person's participation in a partner's program or service.",
        ),
        Table(
            "program_assessment",
            ANALYTIC,
            (
                _person(),
                Column("program", "VARCHAR", True, description="As in the participation roster."),
                Column("instrument", "VARCHAR", True, description="e.g. DESSA, STAR Reading."),
                Column("domain", "VARCHAR", True, codes=ASSESSMENT_DOMAINS),
                Column(
                    "pre_date", "DATE", True, description="The first (baseline) administration."
                ),
                _score("pre_score", True),
                Column("post_date", "DATE", description="Blank when not yet or never reassessed."),
                _score("post_score"),
            ),
            key=("local_id", "program", "instrument", "pre_date"),
            description="A program's own pre/post assessment of a participant: one row per "
            "person, program, instrument and baseline, the post-test in the same row.",
            row_rules=(
                RowRule("after", "pre_date", "post_date"),
                RowRule("together", "post_date", "post_score"),
            ),
        ),
        Table(
            "housing",
            ANALYTIC,
            (
                _person(),
                Column("enrollment_id", "VARCHAR", True),
                Column("household_id", "VARCHAR"),
                Column("provider", "VARCHAR"),
                Column("project_type", "INTEGER", minimum=0, maximum=14, description="HMIS 2.02."),
                Column("entry_date", "DATE", True),
                Column("exit_date", "DATE"),
                Column("move_in_date", "DATE"),
                Column("destination", "INTEGER", description="HMIS 3.12; 400-499 = permanent."),
                Column("relationship_to_hoh", "INTEGER"),
            ),
            key=("local_id", "enrollment_id"),
            description="Housing and homeless-service episodes: HMIS enrollments and their exits.",
        ),
        Table(
            "training",
            ANALYTIC,
            (
                _person(),
                Column("provider", "VARCHAR", True),
                Column("program", "VARCHAR", True),
                Column("job_role", "VARCHAR"),
                Column("entry_date", "DATE", True),
                Column("exit_date", "DATE"),
                Column("completed", "BOOLEAN"),
                Column("credential", "VARCHAR"),
                Column("credential_date", "DATE"),
                Column("training_type", "VARCHAR", codes=TRAINING_TYPES),
                Column(
                    "exit_reason",
                    "VARCHAR",
                    codes=EXIT_REASONS,
                    description="PIRL 923; blank for an ordinary exit. Leaves WIOA measures.",
                ),
                Column("race_ethnicity", "VARCHAR", codes=RACE_ETHNICITY),
                Column("low_income", "BOOLEAN", description="Low income at entry (WIOA)."),
                Column("age_band", "VARCHAR", codes=AGE_BANDS, description="Age at entry."),
            ),
            key=("local_id", "program", "entry_date"),
            description="Training enrolments, exits and credentials (PIRL-style rows).",
        ),
        Table(
            "skill_gain",
            ANALYTIC,
            (
                _person(),
                Column("program", "VARCHAR", True),
                _year("program_year", "WIOA program year, named for its July start."),
                Column(
                    "gain_type",
                    "VARCHAR",
                    codes=SKILL_GAINS,
                    description="The first gain of the year; blank for none.",
                ),
                Column("gain_date", "DATE"),
            ),
            key=("local_id", "program", "program_year"),
            description=(
                "One row per participant in education or training in each program year, "
                "with the year's measurable skill gain if any."
            ),
        ),
        Table(
            "employer_event",
            ANALYTIC,
            (
                _person(),
                Column("employer", "VARCHAR", True),
                Column("event", "VARCHAR", True, codes=EMPLOYER_EVENTS),
                Column("event_date", "DATE", True),
                Column("job_role", "VARCHAR"),
                Column("hourly_wage", "DECIMAL(10,2)", minimum=0, maximum=1000),
            ),
            key=("local_id", "employer", "event", "event_date"),
        ),
        Table(
            "wages",
            ANALYTIC,
            (
                _person("The worker's SSN or partner-side SSN hash (hashed again before storage)."),
                Column("employer_id", "VARCHAR", True, description="UI account number or FEIN."),
                _year("year"),
                Column("quarter", "INTEGER", True, minimum=1, maximum=4),
                Column("wages", "DECIMAL(12,2)", True, minimum=0, maximum=10_000_000),
            ),
            key=("local_id", "employer_id", "year", "quarter"),
            description="UI quarterly wage records: gross wages per worker, employer and quarter.",
        ),
    )
}


def table(name: str) -> Table:
    """The canonical table called ``name``; ``KeyError`` names the known tables otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no canonical table {name!r}; known: {', '.join(TABLES)}") from None
