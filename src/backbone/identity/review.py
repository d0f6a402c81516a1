"""How two identity records compare, field by field, for the clerical review page.

Pure: takes two records as dicts (columns of ``identity_record``) and says for each field
whether the values agree exactly, agree once normalised or nearly (a typo, a nickname-length
difference), differ, or are missing. SSNs are shown masked to their last four digits.

>>> [c.agreement for c in compare_records({"first_name": "Jon"}, {"first_name": "jon"})][:1]
['same']
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

FIELDS = (
    ("first_name", "First name"),
    ("middle_name", "Middle name"),
    ("last_name", "Last name"),
    ("birth_date", "Birth date"),
    ("sex", "Sex"),
    ("ssn", "SSN"),
    ("student_id", "Student id"),
    ("street_address", "Street address"),
    ("city", "City"),
    ("zip", "ZIP"),
)
CLOSE_RATIO = 0.8


@dataclass(frozen=True)
class FieldComparison:
    field: str
    label: str
    value_a: str
    value_b: str
    agreement: str  # "exact", "same" (after normalising), "close", "different", "missing"


def age_on(born: dt.date | None, day: dt.date | None) -> int | None:
    """Whole years from ``born`` to ``day`` (None when either is unknown).

    >>> born = dt.date(2014, 3, 15)
    >>> age_on(born, dt.date(2026, 3, 14)), age_on(born, dt.date(2026, 3, 15))
    (11, 12)
    """
    if born is None or day is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def normalise(value: Any) -> str:
    """Lower-case, accents and punctuation removed, blanks collapsed."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", "", text.lower())).strip()


def shown(field: str, value: Any) -> str:
    """The value as a steward may see it: SSNs masked to the last four digits."""
    if value is None or value == "":
        return ""
    text = str(value)
    if field == "ssn":
        digits = re.sub(r"\D", "", text)
        return f"•••-••-{digits[-4:]}" if len(digits) >= 4 else "••••"
    return text


def agreement(a: Any, b: Any) -> str:
    if a in (None, "") or b in (None, ""):
        return "missing"
    if str(a) == str(b):
        return "exact"
    left, right = normalise(a), normalise(b)
    if left == right:
        return "same"
    if _digits_of_date(left) and _digits_of_date(right):
        # Dates: a mistyped or transposed digit or two (2014-03-15 vs 2014-05-13) is close.
        differing = sum(
            x != y for x, y in zip(_digits_of_date(left), _digits_of_date(right), strict=True)
        )
        return "close" if differing <= 2 else "different"
    if difflib.SequenceMatcher(None, left, right).ratio() >= CLOSE_RATIO:
        return "close"
    return "different"


def _digits_of_date(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 8 and len(text) <= 10 else ""


def compare_records(a: dict[str, Any], b: dict[str, Any]) -> list[FieldComparison]:
    """Every field either record has, with how it compares."""
    return [
        FieldComparison(
            name,
            label,
            shown(name, a.get(name)),
            shown(name, b.get(name)),
            agreement(a.get(name), b.get(name)),
        )
        for name, label in FIELDS
        if a.get(name) not in (None, "") or b.get(name) not in (None, "")
    ]
