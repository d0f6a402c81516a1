"""Ed-Fi values → backbone's: descriptor code values, code lists, dates and school years.

Descriptors keep their code value (``uri://ed-fi.org/SexDescriptor#Female`` → ``Female``) and are
mapped to backbone's code lists where one exists (sex, race/ethnicity, grade); a code with no
mapping is passed through unchanged for the load to report. Dates are ``YYYY-MM-DD`` (a dateTime
keeps its date). ``school_year`` is the spring year (``2021-2022`` → ``2022``); when an entity
carries none it is taken from its date, school years running July 1 to June 30.

>>> code_value("uri://ed-fi.org/SexDescriptor#Female")
'Female'
>>> school_year("2021-2022"), year_of("2021-09-01"), grade_code("Third grade")
('2022', '2022', '3')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

GRADES = {
    "infant/toddler": "IT", "preschool/prekindergarten": "PK", "prekindergarten": "PK",
    "transitional kindergarten": "TK", "kindergarten": "K", "first grade": "1",
    "second grade": "2", "third grade": "3", "fourth grade": "4", "fifth grade": "5",
    "sixth grade": "6", "seventh grade": "7", "eighth grade": "8", "ninth grade": "9",
    "tenth grade": "10", "eleventh grade": "11", "twelfth grade": "12", "grade 13": "13",
    "postsecondary": "PS", "ungraded": "UG", "adult education": "AE",
}  # fmt: skip
SEXES = {
    "female": "female", "male": "male", "non-binary": "nonbinary", "nonbinary": "nonbinary",
    "not selected": "unknown", "unknown": "unknown",
}  # fmt: skip
RACES = {
    "american indian or alaska native": "American Indian or Alaska Native",
    "american indian - alaska native": "American Indian or Alaska Native",
    "asian": "Asian",
    "black or african american": "Black or African American",
    "black - african american": "Black or African American",
    "hispanic or latino": "Hispanic or Latino",
    "middle eastern or north african": "Middle Eastern or North African",
    "native hawaiian or pacific islander": "Native Hawaiian or Pacific Islander",
    "native hawaiian - pacific islander": "Native Hawaiian or Pacific Islander",
    "white": "White",
}
UNKNOWN_RACES = frozenset({"other", "choose not to respond", "not selected", "unknown"})
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def code_value(descriptor: str | None) -> str | None:
    """The code value of a descriptor: ``uri://ed-fi.org/SexDescriptor#Female`` → ``Female``."""
    if descriptor is None:
        return None
    return descriptor.rsplit("#", 1)[-1].strip() or None


def school_year(value: str | None) -> str | None:
    """The spring year of an Ed-Fi school year: ``2021-2022`` → ``2022``; ``2022`` stays."""
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/]\s*\d{2,4}", value.strip())
    return str(int(match.group(1)) + 1) if match else value.strip()


def iso_date(value: str | None) -> str | None:
    """The date part of a date or dateTime; anything else is left for the load to report."""
    if not value:
        return None
    return value[:10] if DATE.match(value) else value


def year_of(day: str | None) -> str | None:
    """The school year a date falls in; school years run July 1 to June 30."""
    if not day or not DATE.match(day):
        return None
    year, month = int(day[:4]), int(day[5:7])
    return str(year + 1 if month >= 7 else year)


def grade_code(code: str | None) -> str | None:
    """Backbone's grade code for a GradeLevelDescriptor code value; unknown codes unchanged."""
    return GRADES.get(code.lower(), code) if code else None


def sex_code(code: str | None) -> str | None:
    """Backbone's sex code for a SexDescriptor code value; unknown codes unchanged."""
    return SEXES.get(code.lower(), code) if code else None


def bool_text(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def parse_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    return {"true": True, "1": True, "false": False, "0": False}.get(text.strip().lower())


def number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def number_text(value: float) -> str:
    """A day count as text: ``169`` rather than ``169.0``, at most two decimals."""
    return format(round(value, 2), "g")


def race_ethnicity(hispanic: bool | None, races: Iterable[str]) -> str | None:
    """Backbone's single race/ethnicity: Hispanic of any race first, then one race or several."""
    if hispanic:
        return "Hispanic or Latino"
    known = {RACES.get(r.lower(), r) for r in races if r.lower() not in UNKNOWN_RACES}
    if len(known) > 1:
        return "Two or more races"
    if known:
        return known.pop()
    return "Unknown" if races or hispanic is False else None
