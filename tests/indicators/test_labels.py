"""The one label source: every group code of the standard library's dimensions reads as words.

Expected wording is written out here from its sources: HUD's HMIS Data Standards (2.02.6 Project
Type, 3.15.1 Relationship to Head of Household; ../shared/reference/standards.md §2.4), the
federal race and ethnicity categories, and the Ed-Fi sample's school names.
"""

from __future__ import annotations

import pytest

from backbone.indicators.labels import Labels, dimension_label, group_label, looks_like_code
from backbone.indicators.library import standard_library
from backbone.warehouse.tables import POSTSECONDARY_LEVELS, RACE_ETHNICITY, TABLES


@pytest.mark.parametrize(
    ("dimension", "code", "label"),
    [
        ("person_demographics.economically_disadvantaged", "true", "Economically disadvantaged"),
        ("person_demographics.economically_disadvantaged", "false",
         "Not economically disadvantaged"),
        ("person_demographics.english_learner", "true", "English learner"),
        ("person_demographics.english_learner", "false", "Not an English learner"),
        ("person_demographics.disability", "true", "Has a disability"),
        ("person_demographics.homeless", "true", "Experienced homelessness"),
        ("person_demographics.homeless", "missing", "Not recorded"),
        ("housing.project_type", "0", "Emergency Shelter – Entry Exit"),
        ("housing.project_type", "1", "Emergency Shelter – Night-by-Night"),
        ("housing.project_type", "2", "Transitional Housing"),
        ("housing.project_type", "3", "PH – Permanent Supportive Housing"),
        ("housing.project_type", "12", "Homelessness Prevention"),
        ("housing.project_type", "13", "PH – Rapid Re-Housing"),
        ("housing.relationship_to_hoh", "1", "Self (head of household)"),
        ("housing.relationship_to_hoh", "2", "Head of household's child"),
        ("person_demographics.race_ethnicity", "Black or African American",
         "Black or African American"),
        ("postsecondary.level", "bachelor", "Bachelor's degree"),
        ("school_enrollment.exit_type", "Transferred", "Transferred"),
    ],
)  # fmt: skip
def test_each_code_reads_as_its_code_list_says(dimension, code, label):
    assert group_label(dimension, code) == label


def test_schools_take_the_names_the_district_sent_and_unknown_ones_still_read_as_words():
    named = Labels({"school_id": {"255901001": "Grand Bend High School"}})
    assert named.group("attendance.school_id", "255901001") == "Grand Bend High School"
    assert named.group("school_enrollment.school_id", "255901001") == "Grand Bend High School"
    assert named.group("school_enrollment.school_id", "255901999") == "School 255901999"
    assert named.group("housing.project_type", "5") == "Project type 5"


def test_codes_no_list_knows_fall_back_to_words_never_a_bare_code():
    assert group_label("training.program", "auto_tech") == "Auto tech"
    assert group_label("person_demographics.foster_care", "false") == "Not in foster care"
    assert group_label("x.newly_added_flag", "true") == "Newly added flag: yes"
    assert group_label("training.program", "Welding Certificate") == "Welding Certificate"


def test_dimensions_read_as_words():
    assert dimension_label("person_demographics.economically_disadvantaged") == (
        "economic disadvantage"
    )
    assert dimension_label("school_enrollment.school_id") == "school"
    assert dimension_label("housing.project_type") == "housing project type"


def test_every_code_of_every_library_dimension_has_words():
    """Every code a library dimension can take (its column's code list, yes/no for a boolean,
    HUD's project types) labels to something that does not look like a code."""
    project_types = [str(n) for n in range(15) if n != 5]
    for entry in standard_library():
        # a crossed dimension's groups are its columns' labels side by side: check each column
        crossed = [d for d in entry.definition.dimensions if not isinstance(d, str)]
        singles = [d for d in entry.definition.dimensions if isinstance(d, str)]
        aliases = {j.alias: j.table for j in entry.definition.joins if j.alias}
        for dimension in dict.fromkeys([*singles, *(c for d in crossed for c in d)]):
            table, column = str(dimension).split(".")
            spec = TABLES[aliases.get(table, table)].column(column)
            if spec.type == "BOOLEAN":
                codes = ["true", "false"]
            elif column == "project_type":
                codes = project_types
            else:
                codes = list(spec.codes or [])
            for code in [*codes, "missing"]:
                label = group_label(str(dimension), code)
                assert not looks_like_code(label), (dimension, code, label)


def test_federal_race_names_and_postsecondary_levels_are_all_covered():
    assert all(group_label("d.race_ethnicity", r) == r for r in RACE_ETHNICITY)
    assert {group_label("p.level", lv) for lv in POSTSECONDARY_LEVELS} == {
        "Certificate", "Associate degree", "Bachelor's degree", "Graduate degree", "Non-credit"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "code"),
    [("255901001", True), ("0", True), ("true", True), ("false", True),
     ("economicallydisadvantaged", True), ("persondemographics.economicallydisadvantaged", True),
     ("Not recorded", False), ("Asian", False), ("PH – Rapid Re-Housing", False), ("", False)],
)  # fmt: skip
def test_what_looks_like_a_code(text, code):
    assert looks_like_code(text) is code
