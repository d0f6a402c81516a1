"""The one label source: the words a reader sees for a dimension and for each of its group codes,
on staff pages (indicator pages, charts) and public ones (scorecard pages, static site, PDF,
embeds) alike.

Results name a dimension by its column, with or without the table in front
(``person_demographics.english_learner``), and a group by its code as the warehouse holds it:
``true``/``false`` for a yes/no column, the federal race and ethnicity names, HMIS numbers for
project types (HUD's list 2.02.6) and relationships to the head of household (3.15.1), Ed-Fi
school ids, ``missing`` for people with no value and ``all`` for everyone. Each code gets its
wording from its code list; a yes/no column is worded per dimension ("English learner" / "Not an
English learner"); schools take the names the partner sent (``Labels.names``, filled from the
loaded Ed-Fi EducationOrganization data). A code no list knows still reads as words: digits get
the dimension's noun in front ("School 255901999"), a bare lower-case word is capitalised with its
underscores as spaces. Downloads keep the codes and add the label beside them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from backbone.indicators.crossed import CROSS, split

MISSING = "missing"
BETWEEN = " · "  # between the parts of a crossed group's label
ALL = "all"
SPECIAL = {MISSING: "Not recorded", ALL: "Everyone"}

# What follows "by" in a heading, per column.
DIMENSIONS = {
    "race_ethnicity": "race and ethnicity",
    "economically_disadvantaged": "economic disadvantage",
    "english_learner": "English learner status",
    "disability": "disability",
    "homeless": "homelessness",
    "foster_care": "foster care",
    "hispanic": "Hispanic or Latino ethnicity",
    "exit_type": "how they left school",
    "school_id": "school",
    "project_type": "housing project type",
    "relationship_to_hoh": "relationship to the head of household",
    "level": "postsecondary level",
    "program": "program",
    "sex": "sex",
}

# A yes/no column's two groups in words: (true, false).
BOOLEANS = {
    "economically_disadvantaged": ("Economically disadvantaged", "Not economically disadvantaged"),
    "english_learner": ("English learner", "Not an English learner"),
    "disability": ("Has a disability", "No disability"),
    "homeless": ("Experienced homelessness", "Did not experience homelessness"),
    "foster_care": ("In foster care", "Not in foster care"),
    "hispanic": ("Hispanic or Latino", "Not Hispanic or Latino"),
    "completed": ("Completed", "Did not complete"),
    "proficient": ("Proficient", "Not proficient"),
}

# HUD HMIS Data Standards: 2.02.6 Project Type and 3.15.1 Relationship to Head of Household.
PROJECT_TYPES = {
    "0": "Emergency Shelter – Entry Exit",
    "1": "Emergency Shelter – Night-by-Night",
    "2": "Transitional Housing",
    "3": "PH – Permanent Supportive Housing",
    "4": "Street Outreach",
    "6": "Services Only",
    "7": "Other",
    "8": "Safe Haven",
    "9": "PH – Housing Only",
    "10": "PH – Housing with Services (no disability required for entry)",
    "11": "Day Shelter",
    "12": "Homelessness Prevention",
    "13": "PH – Rapid Re-Housing",
    "14": "Coordinated Entry",
}
RELATIONSHIPS_TO_HOH = {
    "1": "Self (head of household)",
    "2": "Head of household's child",
    "3": "Head of household's spouse or partner",
    "4": "Head of household's other relation member",
    "5": "Other: non-relation member",
    "8": "Client doesn't know",
    "9": "Client prefers not to answer",
    "99": "Data not collected",
}
POSTSECONDARY_LEVELS = {
    "certificate": "Certificate",
    "associate": "Associate degree",
    "bachelor": "Bachelor's degree",
    "graduate": "Graduate degree",
    "non-credit": "Non-credit",
}
SEXES = {"female": "Female", "male": "Male", "nonbinary": "Nonbinary", "unknown": "Unknown"}
# The training contract's age at entry (warehouse.tables.AGE_BANDS).
AGE_BANDS = {"under 16": "Under 16", "16-18": "Ages 16–18", "19-24": "Ages 19–24",
             "25-44": "Ages 25–44", "45-54": "Ages 45–54", "55-59": "Ages 55–59",
             "60 and over": "60 and over"}  # fmt: skip
# Code lists per column; race and ethnicity codes are the federal names themselves.
CODE_LISTS: dict[str, Mapping[str, str]] = {
    "project_type": PROJECT_TYPES,
    "relationship_to_hoh": RELATIONSHIPS_TO_HOH,
    "level": POSTSECONDARY_LEVELS,
    "sex": SEXES,
    "age_band": AGE_BANDS,
}
CODE_WORD = r"[a-z0-9_.-]+"  # a lower-case word without spaces: how codes look, not words
# The noun put before a code no list names ("School 255901999").
NOUNS = {"school_id": "School", "project_type": "Project type",
         "relationship_to_hoh": "Relationship"}  # fmt: skip


def column_of(dimension: str) -> str:
    """The column a dimension names, without its table.

    >>> column_of("school_enrollment.school_id"), column_of("overall")
    ('school_id', 'overall')
    """
    return dimension.rsplit(".", 1)[-1]


def dimension_label(dimension: str) -> str:
    """A dimension column in words, as they follow "by".

    >>> dimension_label("person_demographics.race_ethnicity"), dimension_label("employer_id")
    ('race and ethnicity', 'employer id')
    >>> dimension_label("race_ethnicity × sex")
    'race and ethnicity × sex'
    """
    if CROSS in dimension:
        return CROSS.join(dimension_label(part) for part in dimension.split(CROSS))
    column = column_of(dimension)
    return DIMENSIONS.get(column, column.replace("_", " "))


def looks_like_code(text: str) -> bool:
    """Whether ``text`` reads as a raw code rather than words: all digits, ``true``/``false``,
    or a lower-case word without spaces.

    >>> [looks_like_code(t) for t in ("255901001", "false", "economicallydisadvantaged",
    ...                               "Not recorded", "White", "PH – Rapid Re-Housing")]
    [True, True, True, False, False, False]
    """
    text = text.strip()
    if not text:
        return False
    return text.isdigit() or re.fullmatch(CODE_WORD, text) is not None


def readable(dimension: str, code: str) -> str:
    """A code no list names, as words: digits after the dimension's noun, a lower-case word
    capitalised with underscores as spaces, anything else as it is.

    >>> readable("school_enrollment.school_id", "255901999"), readable("x.program", "auto_tech")
    ('School 255901999', 'Auto tech')
    """
    if code.isdigit():
        column = column_of(dimension)
        noun = NOUNS.get(column) or dimension_label(dimension).capitalize()
        return f"{noun} {code}"
    if re.fullmatch(CODE_WORD, code):
        words = code.replace("_", " ")
        return words[:1].upper() + words[1:]
    return code


@dataclass(frozen=True)
class Labels:
    """Group labels for every dimension: the fixed code lists here, plus ``names`` a partner's
    data supplies, by column (``{"school_id": {"255901001": "Lincoln Elementary School"}}``).

    >>> labels = Labels({"school_id": {"255901001": "Lincoln Elementary School"}})
    >>> labels.group("attendance.school_id", "255901001")
    'Lincoln Elementary School'
    >>> labels.group("person_demographics.english_learner", "false")
    'Not an English learner'
    >>> labels.group("housing.project_type", "13"), labels.group("x.homeless", "missing")
    ('PH – Rapid Re-Housing', 'Not recorded')
    >>> labels.group("race_ethnicity × economically_disadvantaged", "Asian × true")
    'Asian · Economically disadvantaged'
    """

    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def group(self, dimension: str, code: str) -> str:
        """The words for group ``code`` of ``dimension``."""
        if CROSS in dimension:
            parts = split(dimension, code)
            if len(parts) > 1:
                return BETWEEN.join(self.group(d, c) for d, c in parts)
        if code in SPECIAL:
            return SPECIAL[code]
        column = column_of(dimension)
        if code in ("true", "false"):
            yes, no = BOOLEANS.get(column, _yes_no(dimension))
            return yes if code == "true" else no
        known = self.names.get(column, {}).get(code) or CODE_LISTS.get(column, {}).get(code)
        return known or readable(dimension, code)

    def dimension(self, dimension: str) -> str:
        """The words for ``dimension``, as they follow "by"."""
        return dimension_label(dimension)


def _yes_no(dimension: str) -> tuple[str, str]:
    said = dimension_label(dimension)
    return f"{said[:1].upper()}{said[1:]}: yes", f"{said[:1].upper()}{said[1:]}: no"


FIXED = Labels()


def group_label(dimension: str, code: str) -> str:
    """A group code in words from the fixed code lists (no partner-supplied names).

    >>> group_label("person_demographics.disability", "true"), group_label("d", "Asian")
    ('Has a disability', 'Asian')
    """
    return FIXED.group(dimension, code)
