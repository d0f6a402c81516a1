"""Field-by-field comparison for clerical review, checked by hand."""

import datetime as dt

import pytest

from backbone.identity.review import agreement, compare_records, shown


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Smith", "Smith", "exact"),
        ("O'Brien", "obrien", "same"),
        ("José", "Jose", "same"),
        ("Jonathon", "Jonathan", "close"),
        ("Smith", "Nguyen", "different"),
        ("Smith", None, "missing"),
        ("", "Smith", "missing"),
        (dt.date(2014, 3, 15), dt.date(2014, 3, 15), "exact"),
        (dt.date(2014, 3, 15), dt.date(2014, 5, 13), "close"),
    ],
)
def test_agreement(a, b, expected):
    assert agreement(a, b) == expected


def test_ssn_is_masked_to_its_last_four_digits():
    assert shown("ssn", "123-45-6789") == "•••-••-6789"
    assert shown("ssn", "12") == "••••"
    assert shown("first_name", "Ana") == "Ana"


def test_fields_neither_record_has_are_left_out():
    rows = compare_records(
        {"first_name": "Ana", "ssn": "123456789"}, {"first_name": "Anna", "last_name": "Ruiz"}
    )
    assert [(r.field, r.agreement) for r in rows] == [
        ("first_name", "close"),
        ("last_name", "missing"),
        ("ssn", "missing"),
    ]
    assert "123456789" not in repr(rows)
