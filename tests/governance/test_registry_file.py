"""The partnership.yaml format: validation names line and field; dumping is canonical."""

from __future__ import annotations

import pytest

from backbone.governance.registry_file import (
    RegistryFileError,
    dump_registry,
    field_path,
    parse_registry,
)
from tests.fixtures import SMALL_REGISTRY as VALID


def line_containing(text: str, fragment: str, after: str = "") -> int:
    """1-based number of the first line holding ``fragment`` after the line holding ``after``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and fragment in line) + 1


def problems_of(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(RegistryFileError) as refused:
        parse_registry(text)
    return [(p.line, p.field, p.message) for p in refused.value.problems]


def test_valid_file_parses_with_dates_and_references():
    registry = parse_registry(VALID)
    assert [p.slug for p in registry.partners] == ["riverton-schools", "riverton-housing"]
    assert str(registry.bodies[0].members[0].start) == "2024-01-15"
    assert registry.agreements[0].parties[0].commitments == "Host two after-school sites."


def test_unknown_sector_is_refused_with_its_line():
    text = VALID.replace("sectors: [housing, government]", "sectors: [housing, goverment]")
    [(line, field, message)] = problems_of(text)
    assert line == line_containing(text, "goverment")
    assert field == "partners[1].sectors[1]"
    assert "unknown sector 'goverment'" in message and "government" in message


def test_membership_naming_a_missing_person_is_refused_with_its_line():
    text = VALID.replace("- person: ana-ruiz", "- person: ana-ruis")
    [(line, field, message)] = problems_of(text)
    assert line == line_containing(text, "person: ana-ruis")
    assert field == "bodies[0].members[0].person"
    assert message == "no person with slug 'ana-ruis' in this file"


@pytest.mark.parametrize("bad_date", ["2024-02-30", "2024-13-01", "next spring"])
def test_bad_date_is_refused_with_its_line(bad_date):
    text = VALID.replace("start: 2024-01-15", f"start: {bad_date}")
    [(line, field, message)] = problems_of(text)
    assert line == line_containing(text, f"start: {bad_date}")
    assert field == "bodies[0].members[0].start"
    assert bad_date in message


def test_every_problem_is_reported_at_once_in_line_order():
    text = (
        VALID.replace("type: housing_authority", "type: landlord")
        .replace("partner: riverton-schools\nbodies", "partner: nobody\nbodies")
        .replace("end: 2026-06-30", "end: 2023-06-30")
    )
    found = problems_of(text)
    assert [field for _, field, _ in found] == [
        "partners[1].type",
        "people[0].partner",
        "agreements[0]",
    ]
    assert [line for line, _, _ in found] == sorted(line for line, _, _ in found)
    assert "end 2023-06-30 is before start 2024-07-01" in found[2][2]


def test_unknown_field_is_named():
    text = VALID.replace("  place: Riverton\n", "  place: Riverton\n  mayor: Pat\n")
    [(line, field, message)] = problems_of(text)
    assert (line, field, message) == (
        line_containing(text, "mayor"),
        "partnership.mayor",
        "unknown field",
    )


def test_duplicate_slug_is_refused():
    text = VALID.replace("slug: riverton-housing", "slug: riverton-schools")
    found = problems_of(text)
    assert (
        line_containing(text, "slug: riverton-schools", after="Riverton Public"),
        "partners[1].slug",
    ) in [(line, field) for line, field, _ in found]


def test_role_needs_a_person_or_a_partner():
    text = VALID.replace("    person: ana-ruiz\nagreements", "    notes: vacant\nagreements")
    [(_line, field, message)] = problems_of(text)
    assert field == "roles[0]" and "neither is given" in message


def test_broken_yaml_names_its_line():
    text = VALID.replace("  place: Riverton", "  place: [Riverton")
    [(line, _field, message)] = problems_of(text)
    assert message.startswith("not valid YAML") and line is not None and line >= 4


def test_error_message_lists_file_line_and_field():
    text = VALID.replace("sectors: [education]", "sectors: [educaton]")
    with pytest.raises(
        RegistryFileError, match=r"city\.yaml:17: partners\[0\]\.sectors\[0\]: unknown sector"
    ):
        parse_registry(text, filename="city.yaml")


def test_dump_is_canonical_and_parses_back_to_the_same_registry():
    registry = parse_registry(VALID)
    dumped = dump_registry(registry)
    assert parse_registry(dumped) == registry
    assert dump_registry(parse_registry(dumped)) == dumped
    assert "start: 2024-01-15" in dumped  # dates stay plain YAML dates, not quoted strings


def test_multiline_text_survives_a_round_trip():
    text = VALID.replace(
        "statement: Provide affordable housing for families with school-age children.",
        "statement: |\n      First line.\n\n      Second paragraph: with a colon.",
    )
    registry = parse_registry(text)
    assert registry.sector_goals[0].statement == "First line.\n\nSecond paragraph: with a colon."
    assert parse_registry(dump_registry(registry)) == registry


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("partners", 3, "sectors", 0), "partners[3].sectors[0]"),
        (("partnership", "name"), "partnership.name"),
    ],
)
def test_field_path(loc, path):
    assert field_path(loc) == path
