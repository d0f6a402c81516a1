"""Words the public reads for the warehouse's dimension columns and group codes.

Downloads keep the codes (``person_demographics.race_ethnicity``, ``true``); pages show these.
"""

from __future__ import annotations

import re

# What follows "by" in a heading, per column: results name a dimension by its column, with or
# without the table in front.
DIMENSIONS = {
    "race_ethnicity": "race and ethnicity",
    "economically_disadvantaged": "economic disadvantage",
    "english_learner": "English learner status",
    "disability": "disability",
    "homeless": "homelessness",
    "exit_type": "how they left school",
    "school_id": "school",
    "project_type": "housing project type",
    "relationship_to_hoh": "relationship to the head of household",
    "level": "postsecondary level",
    "program": "program",
}
GROUPS = {"true": "Yes", "false": "No", "missing": "Not recorded", "all": "Everyone"}


def dimension_label(dimension: str) -> str:
    """A dimension column in words, as they follow "by".

    >>> dimension_label("person_demographics.race_ethnicity"), dimension_label("employer_id")
    ('race and ethnicity', 'employer id')
    """
    column = dimension.rsplit(".", 1)[-1]
    return DIMENSIONS.get(column, column.replace("_", " "))


def group_label(group: str) -> str:
    """A group code in words: booleans and the missing group get names, others stay as coded.

    >>> group_label("true"), group_label("missing"), group_label("Hispanic or Latino")
    ('Yes', 'Not recorded', 'Hispanic or Latino')
    """
    return GROUPS.get(group, group)


def html_id(*parts: str) -> str:
    """An HTML id from free text (dimension names, slugs).

    >>> html_id("grade3_reading", "person_demographics.race_ethnicity")
    'grade3-reading-person-demographics-race-ethnicity'
    """
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
