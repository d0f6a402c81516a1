"""Validation of staged rows against the canonical table contracts, as SQL run in DuckDB.

Staged rows are all text; every check is one ``SELECT`` returning the offending rows as
``(source_file, source_row, field, value, rule, message)``. The same contracts give the ``SELECT``
that casts the rows to their types once they pass. The functions here only build SQL; the load
(``backbone.intake.loading``) runs it.
"""

from __future__ import annotations

import hashlib

from backbone.warehouse.sql import identifier, literal
from backbone.warehouse.tables import Column, RowRule, Table

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
EARLIEST_DATE = "1900-01-01"
PROBLEM_COLUMNS = "source_file, source_row, field, value, rule, message"


def text(column: str) -> str:
    """The column's value with surrounding blanks removed; empty text counts as missing."""
    return f"NULLIF(trim({identifier(column)}), '')"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(literal(w) for w in words)


def typed_value_sql(column: Column) -> str:
    """The expression casting a staged text column to the column's type (NULL when it can't)."""
    value = text(column.name)
    if column.type == "BOOLEAN":
        return (
            f"CASE WHEN lower({value}) IN ({_words(TRUE_WORDS)}) THEN true "
            f"WHEN lower({value}) IN ({_words(FALSE_WORDS)}) THEN false END"
        )
    if column.type == "DATE":
        iso = f"regexp_full_match({value}, '\\d{{4}}-\\d{{2}}-\\d{{2}}')"
        return f"CASE WHEN {iso} THEN TRY_CAST({value} AS DATE) END"
    if column.type == "VARCHAR":
        return value
    return f"TRY_CAST({value} AS {column.type})"


TYPE_MESSAGES = {
    "DATE": "not a date in the form YYYY-MM-DD, or no such day",
    "BOOLEAN": "not a yes/no value (true/false, yes/no, 1/0)",
    "INTEGER": "not a whole number",
    "DOUBLE": "not a number",
}


def _check(staged: str, column: Column, condition: str, rule: str, message: str) -> str:
    return (
        f"SELECT source_file, source_row, {literal(column.name)} AS field, "
        f"{text(column.name)} AS value, {literal(rule)} AS rule, {literal(message)} AS message "
        f"FROM {staged} WHERE {condition}"
    )


def column_checks_sql(staged: str, column: Column, today: str) -> list[str]:
    """One ``SELECT`` per rule the column has: required, type, code list, range, plausible date."""
    value, typed = text(column.name), typed_value_sql(column)
    checks = []
    if column.required:
        checks.append(_check(staged, column, f"{value} IS NULL", "required", "a value is required"))
    if column.type != "VARCHAR":
        message = TYPE_MESSAGES.get(column.type, "not a number")
        checks.append(
            _check(staged, column, f"{value} IS NOT NULL AND ({typed}) IS NULL", "type", message)
        )
    if column.codes:
        allowed = ", ".join(literal(code) for code in column.codes)
        message = "not in the code list: " + "; ".join(column.codes)
        checks.append(_check(staged, column, f"{value} NOT IN ({allowed})", "code_list", message))
    if column.minimum is not None or column.maximum is not None:
        low = column.minimum if column.minimum is not None else "-1e308"
        high = column.maximum if column.maximum is not None else "1e308"
        message = f"outside the allowed range {column.minimum} to {column.maximum}"
        checks.append(
            _check(staged, column, f"NOT (({typed}) BETWEEN {low} AND {high})", "range", message)
        )
    if column.type == "DATE":
        message = f"implausible date: before {EARLIEST_DATE} or more than a year after today"
        too_late = f"({typed}) > DATE {literal(today)} + INTERVAL 1 YEAR"
        condition = f"({typed}) < DATE {literal(EARLIEST_DATE)} OR {too_late}"
        checks.append(_check(staged, column, condition, "plausible_date", message))
    return checks


def row_rule_sql(staged: str, table: Table, rule: RowRule) -> str:
    """The rows that break a rule across two columns, reported on the second column."""
    first, second = table.column(rule.first), table.column(rule.second)
    if rule.kind == "after":
        condition = f"({typed_value_sql(second)}) <= ({typed_value_sql(first)})"
        message = f"must be after {rule.first}"
    else:
        condition = f"({text(rule.first)} IS NULL) <> ({text(rule.second)} IS NULL)"
        message = f"{rule.first} and {rule.second} must be given together"
    return _check(staged, second, condition, rule.kind, message)


def _checks(staged: str, table: Table, today: str) -> list[str]:
    checks = [sql for column in table.columns for sql in column_checks_sql(staged, column, today)]
    checks += [row_rule_sql(staged, table, rule) for rule in table.row_rules]
    checks.append(duplicate_key_sql(staged, table))
    return checks


def duplicate_key_sql(staged: str, table: Table) -> str:
    """Every row after the first that repeats the table's key."""
    key = ", ".join(text(c) for c in table.key)
    shown = " || ' / ' || ".join(f"coalesce({text(c)}, '')" for c in table.key)
    message = "repeats the key of an earlier row: the same values in all these columns"
    # Only keys whose hash repeats are ranked: a hash aggregate is far cheaper than sorting
    # every row, and a colliding hash merely adds a key that then turns out single.
    repeated = f"SELECT hash({key}) FROM {staged} GROUP BY 1 HAVING count(*) > 1"
    return (
        f"SELECT source_file, source_row, {literal('+'.join(table.key))} AS field, value, "
        f"'duplicate_key' AS rule, {literal(message)} AS message FROM ("
        f"SELECT source_file, source_row, {shown} AS value, "
        f"row_number() OVER (PARTITION BY {key} ORDER BY source_file, source_row) AS occurrence "
        f"FROM {staged} WHERE hash({key}) IN ({repeated})) WHERE occurrence > 1"
    )


def problems_sql(staged: str, table: Table, today: str, limit: int) -> str:
    """All problems of a staged table, in file and row order, at most ``limit``."""
    union = " UNION ALL ".join(f"({sql})" for sql in _checks(staged, table, today))
    order = "ORDER BY source_file, source_row, field"
    return f"SELECT {PROBLEM_COLUMNS} FROM ({union}) {order} LIMIT {limit}"


def problem_count_sql(staged: str, table: Table, today: str) -> str:
    union = " UNION ALL ".join(f"({sql})" for sql in _checks(staged, table, today))
    return f"SELECT count(*) FROM ({union})"


def record_id_sql(column: str, key: str, partner: str) -> str:
    """A pseudonymous id: a keyed SHA-256 of the partner and its own person id."""
    return f"substr(sha256({literal(key + '|' + partner + '|')} || {text(column)}), 1, 32)"


def record_id(key: str, partner: str, local_id: str) -> str:
    """``record_id_sql`` in Python, for a person id typed elsewhere (a consent form).

    >>> record_id("k", "shelter", " S1 ") == record_id("k", "shelter", "S1")
    True
    """
    text = f"{key}|{partner}|{local_id.strip(' ')}"  # DuckDB's trim() takes spaces only
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def typed_select_sql(
    staged: str, table: Table, key: str, partner: str, submission_id: int, in_order: bool = False
) -> str:
    """The staged rows cast to their types, the person id replaced by ``record_id`` in analytic
    tables (kept beside it in the identity tier), with lineage columns, in file and row order.
    Rows ``in_order`` already keep it (a projection preserves DuckDB's insertion order), so
    they are neither sorted nor joined."""
    columns = ["record_id"]
    for column in table.columns:
        if column.name != table.person_column or table.tier == "identity":
            columns.append(f"{typed_value_sql(column)} AS {identifier(column.name)}")
    columns += [
        f"{literal(partner)} AS source_partner",
        f"CAST({int(submission_id)} AS BIGINT) AS submission_id",
        "source_file",
        "CAST(source_row AS BIGINT) AS source_row",
    ]
    if in_order:
        rows = _with_record_ids(staged, table, key, partner, each_row=True)
        return f"SELECT {', '.join(columns)} FROM {rows}"
    rows = _with_record_ids(staged, table, key, partner, each_row=table.tier == "identity")
    return f"SELECT {', '.join(columns)} FROM {rows} ORDER BY source_file, source_row"


def _with_record_ids(staged: str, table: Table, key: str, partner: str, each_row: bool) -> str:
    """The staged rows with ``record_id``: each row hashed, or (when rows are sorted anyway and
    a person has many) each distinct id hashed once and joined back."""
    person = text(table.person_column)
    if each_row:
        record_id = record_id_sql(table.person_column, key, partner)
        return f"(SELECT *, {record_id} AS record_id FROM {staged})"
    ids = (
        f"SELECT person, {record_id_sql('person', key, partner)} AS record_id "
        f"FROM (SELECT DISTINCT {person} AS person FROM {staged})"
    )
    return (
        f"(SELECT staged.*, ids.record_id FROM {staged} AS staged "
        f"LEFT JOIN ({ids}) AS ids ON {person} = ids.person)"
    )
