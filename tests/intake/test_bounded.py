"""Bounded reading: CSV fields, zip members and XML that break a limit are refused, named."""

from __future__ import annotations

import io
import zipfile

import pytest

from backbone.intake.importers import bounded
from backbone.warehouse.records import IntakeLimits


def records(text: bytes, max_chars: int = 10) -> list[tuple[int, list[str]]]:
    handle = bounded.open_csv(io.BytesIO(text))
    return list(bounded.csv_records(handle, "people.csv", max_chars))


def refusal(text: bytes, max_chars: int = 10) -> tuple:
    with pytest.raises(bounded.Refused) as caught:
        records(text, max_chars)
    p = caught.value.problem
    return (p.file, p.row, p.field, p.rule, p.value)


def test_records_keep_their_first_line_across_quoted_line_breaks():
    text = b'id,note\n1,"two\nlines"\n\n2,ok\n'
    assert records(text) == [
        (1, ["id", "note"]),
        (2, ["1", "two\nlines"]),
        (4, []),
        (5, ["2", "ok"]),
    ]


def test_a_field_of_exactly_the_limit_is_read():
    assert records(b"id,note\n1,0123456789\n")[1] == (2, ["1", "0123456789"])


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        (b"id,note\n1,01234567890\n", 2, "note"),  # one character over, within the record
        (b"id,note,x\n1,ok,y\n2," + b"z" * 5000 + b",y\n", 3, "note"),  # past the record's budget
        (b'id,note\n1,"' + b"z\n" * 3000 + b'"\n', 2, "note"),  # over many lines, quoted
        (b"id,note\n1,ok,extra" + b"z" * 5000 + b"\n", 2, "column 3"),  # beyond the header
        (b"id," + b"h" * 50 + b"\n", 1, "column 2"),  # in the header itself
    ],
)
def test_a_field_over_the_limit_is_refused_naming_row_and_field(text, row, field):
    assert refusal(text) == ("people.csv", row, field, "too_long", None)


def test_a_huge_field_is_refused_without_reading_the_rest_of_the_file():
    handle = bounded.open_csv(io.BytesIO(b"id,note\n1," + b"z" * 50_000_000 + b"\n"))
    rows = bounded.csv_records(handle, "people.csv", 10)
    next(rows)
    with pytest.raises(bounded.Refused):
        next(rows)
    assert handle.buffer.tell() < 1_000_000  # the 50 MB line was never read whole


@pytest.mark.parametrize(
    ("text", "field", "rule", "value"),
    [
        (b"id,name\n1,Ren\xe9e\n", "name", "encoding", "Ren\\xe9e"),
        (b"id,name\n1,Ren\x00ee\n", "name", "nul_byte", "Ren\\x00ee"),
        (b"id,name\n1,ok\n2,\xff\xfe\n", "name", "encoding", "\\xff\\xfe"),
    ],
)
def test_bytes_no_text_may_hold_are_refused_naming_row_and_field(text, field, rule, value):
    row = text.count(b"\n")
    assert refusal(text) == ("people.csv", row, field, rule, value)


def test_the_message_says_which_byte_is_not_utf8():
    with pytest.raises(bounded.Refused, match=r"not UTF-8 \(byte 0xE9\): save the file as UTF-8"):
        records(b"id,name\n1,Ren\xe9e\n")


def test_a_byte_order_mark_is_not_part_of_the_first_column():
    assert records(b"\xef\xbb\xbfid,name\n1,Ana\n")[0] == (1, ["id", "name"])


# --- zip members --------------------------------------------------------------------------


def member(name: str, data: bytes, path) -> zipfile.ZipInfo:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    with zipfile.ZipFile(path) as archive:
        return archive.getinfo(name)


def test_a_member_compressed_like_a_bomb_is_refused_from_its_header(tmp_path):
    info = member("Student.xml", b"7" * 3 * 1024 * 1024, tmp_path / "a.zip")
    ratio = info.file_size / info.compress_size
    assert ratio > 1000  # deflate's ceiling is about 1032 to 1
    problem = bounded.member_problem("a.zip", info, IntakeLimits())
    assert (problem.file, problem.rule) == ("a.zip", "zip_bomb")
    assert f"compressed {ratio:,.0f} to 1" in problem.message and "Student.xml" in problem.message


def test_a_small_member_may_compress_well(tmp_path):
    info = member("Export.csv", b"0" * 1024 * 1024, tmp_path / "a.zip")  # 1 MiB: the grace
    assert info.file_size / info.compress_size > 200
    assert bounded.member_problem("a.zip", info, IntakeLimits()) is None


def test_a_member_over_the_size_limit_is_refused(tmp_path):
    info = member("Client.csv", b"x" * 5000, tmp_path / "a.zip")
    problem = bounded.member_problem("a.zip", info, IntakeLimits(max_file_bytes=4999))
    assert problem.rule == "too_large" and "Client.csv in the zip unpacks to" in problem.message
    assert bounded.member_problem("a.zip", info, IntakeLimits(max_file_bytes=5000)) is None


# --- XML ----------------------------------------------------------------------------------


def test_an_xml_parser_refuses_a_dtd_before_any_entity_expands():
    parser = bounded.xml_parser("Student.xml")
    laughs = '<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    with pytest.raises(bounded.Refused, match=r"declares a DTD \(<!DOCTYPE x>\)") as caught:
        parser.Parse(f'<?xml version="1.0"?>\n<!DOCTYPE x [{laughs}]>\n<x>&b;</x>', True)
    assert (caught.value.problem.row, caught.value.problem.rule) == (2, "dtd")
