"""Quoting for SQL written by hand: one place, two functions, named for what they make.

``identifier`` makes a name (table, column) safe inside double quotes; ``literal`` makes a text
value a single-quoted SQL string. Values from users go in as query parameters where the engine
takes them; these are for the places SQL cannot take a parameter (names, file paths in
``read_parquet``, constants compiled into a view).

>>> print(identifier('say "hi" now'))
"say ""hi"" now"
>>> literal("O'Brien")
"'O''Brien'"
>>> literals(["a", "b'c"])
"'a', 'b''c'"
"""

from __future__ import annotations

from collections.abc import Iterable


def identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def literals(values: Iterable[str]) -> str:
    """Comma-separated literals, for ``IN (...)`` lists."""
    return ", ".join(literal(v) for v in values)
