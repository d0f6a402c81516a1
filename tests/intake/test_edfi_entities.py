"""The fast interchange stream (``edfi.entities``): each entity with the line it starts on, a
prefixed root read the namespace-aware way, and the limits held while an entity is still open."""

from __future__ import annotations

import io

import pytest

from backbone.intake.importers import bounded
from backbone.intake.importers.edfi import entities, interchange
from backbone.warehouse.records import IntakeLimits

HEAD = b'<?xml version="1.0"?>\n<InterchangeStudent xmlns="http://ed-fi.org/5.2.0">\n'
TAIL = b"</InterchangeStudent>\n"


def stream(body: bytes, limits: IntakeLimits | None = None) -> list[tuple[str, int, str]]:
    """(tag, line, id) of each entity of an interchange with ``body``."""
    found = entities.xml_entities(io.BytesIO(HEAD + body + TAIL), "Student.xml", limits or LIMITS)
    return [(e.tag, line, e.findtext("StudentUniqueId") or "") for e, line in found]


LIMITS = IntakeLimits()


def test_each_entity_has_the_line_it_starts_on():
    body = (
        b"<Student><StudentUniqueId>1</StudentUniqueId></Student>"
        b"<Student><StudentUniqueId>2</StudentUniqueId></Student>\n"  # two on line 3
        b"<Student>\n  <StudentUniqueId>3</StudentUniqueId>\n</Student>\n"  # lines 4-6
        b"\n<Student><StudentUniqueId>4</StudentUniqueId></Student>\n"  # line 8
    )
    assert stream(body) == [
        ("Student", 3, "1"), ("Student", 3, "2"), ("Student", 4, "3"), ("Student", 8, "4"),
    ]  # fmt: skip


def test_a_line_longer_than_a_piece_keeps_its_number():
    body = b"<Student><StudentUniqueId>1</StudentUniqueId></Student>" * 5_000 + b"\n"
    assert len(body) > entities.PIECE
    found = stream(body + b"<Student><StudentUniqueId>2</StudentUniqueId></Student>\n")
    assert {line for _, line, _ in found[:5_000]} == {3}
    assert found[-1] == ("Student", 4, "2")


def test_a_prefixed_root_is_read_namespace_aware_with_the_same_records(tmp_path):
    student = b"<Student><StudentUniqueId>7</StudentUniqueId></Student>\n"
    prefixed = (
        b'<?xml version="1.0"?>\n<ed:InterchangeStudent xmlns:ed="http://ed-fi.org/5.2.0">\n'
        + student.replace(b"<", b"<ed:").replace(b"<ed:/", b"</ed:")
        + b"</ed:InterchangeStudent>\n"
    )
    with pytest.raises(entities.Prefixed):
        list(entities.xml_entities(io.BytesIO(prefixed), "Student.xml", LIMITS))
    records = []
    path = tmp_path / "Student.xml"
    for body in (HEAD + student + TAIL, prefixed):
        path.write_bytes(body)
        source = interchange.Source("Student.xml", lambda: path.open("rb"), "2024-06-30", ".xml")
        records.append(list(interchange.read_xml(source, "InterchangeStudent", LIMITS)))
    assert records[0] == records[1]
    assert records[0][0][0].student_id == "7" and records[0][0][1] == 3


def refusal(body: bytes, limits: IntakeLimits = LIMITS) -> tuple:
    with pytest.raises(bounded.Refused) as refused:
        stream(body, limits)
    problem = refused.value.problem
    return problem.row, problem.field, problem.rule


def test_text_longer_than_the_limit_in_an_open_entity_is_refused_before_it_ends():
    body = b"<Student>\n<StudentUniqueId>" + b"7" * 2_000_000  # never closed
    assert refusal(body, IntakeLimits(max_field_chars=1_000)) == (4, "StudentUniqueId", "too_long")


def test_a_comment_longer_than_the_limit_is_refused_naming_the_last_element():
    body = b"<Student>\n<StudentUniqueId>7</StudentUniqueId><!--" + b"x" * 2_000_000 + b"-->"
    assert refusal(body, IntakeLimits(max_field_chars=1_000)) == (4, "StudentUniqueId", "too_long")


def test_an_attribute_longer_than_the_limit_is_refused():
    body = b'<Student id="' + b"x" * 2_000 + b'"><StudentUniqueId>7</StudentUniqueId></Student>\n'
    assert refusal(body, IntakeLimits(max_field_chars=1_000)) == (3, "Student", "too_long")


def test_nesting_past_the_limit_in_an_open_entity_is_refused():
    body = b"<Student>" + b"<x>" * 1_000_000  # 3 MB, never closed
    assert refusal(body, IntakeLimits(max_xml_depth=32)) == (3, "x", "too_deep")


def test_an_entity_spanning_more_than_its_budget_is_refused():
    element = b"<a>" + b"1" * 100 + b"</a>\n"  # few enough elements: only the bytes are too many
    body = b"<Student>\n" + element * (entities.ENTITY_BYTES // len(element) + 1) + b"</Student>\n"
    assert refusal(body) == (3, "Student", "too_large")


def test_an_entity_with_too_many_elements_is_refused():
    body = b"<Student>" + b"<a/>" * (entities.ENTITY_ELEMENTS + 1) + b"</Student>\n"
    assert refusal(body) == (3, "a", "too_large")
