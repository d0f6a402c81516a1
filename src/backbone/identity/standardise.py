"""Standardising person identifiers before linkage: canonical roles and the SQL that cleans them.

Every source arrives with its own column names and habits (``given_name`` or ``first_name``,
``YYYYMMDD`` or ISO dates, SSNs with dashes or a partner-side hash). Linkage compares only the
**canonical roles** below, so each source is first mapped to roles by column name and cleaned by
one ``SELECT`` built here: names lower-case without accents or punctuation, dates typed ``DATE``,
SSN-like ids digits only (anything else — a hash, the last four digits — becomes NULL).

The cleaning SQL is DuckDB's (``strip_accents``, ``try_strptime``); it runs once, before Splink,
so the Splink settings themselves only ever see clean, typed columns and stay engine-neutral
(a Spark adapter writes its own cleaning with the same output columns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backbone.identity.nicknames import name_groups_sql
from backbone.warehouse.sql import identifier, literal

UNIQUE_ID = "unique_id"
SOURCE_DATASET = "source_dataset"

# The canonical roles, with the SQL type each has after cleaning.
ROLES: dict[str, str] = {
    "first_name": "VARCHAR",
    "middle_name": "VARCHAR",
    "last_name": "VARCHAR",
    "birth_date": "DATE",
    "sex": "VARCHAR",
    "race_ethnicity": "VARCHAR",
    "ssn": "VARCHAR",
    "student_id": "VARCHAR",
    "street_number": "VARCHAR",
    "street_address": "VARCHAR",
    "city": "VARCHAR",
    "zip": "VARCHAR",
    "state": "VARCHAR",
}

# Identifiers strong enough that an exact match links two records outright.
STRONG_IDS = ("ssn", "student_id")

# Column names (lower-case) that map to a role without being told: FEBRL's, HMIS's, common ones.
ALIASES: dict[str, str] = {
    "given_name": "first_name",
    "firstname": "first_name",
    "forename": "first_name",
    "middlename": "middle_name",
    "surname": "last_name",
    "lastname": "last_name",
    "family_name": "last_name",
    "date_of_birth": "birth_date",
    "dob": "birth_date",
    "birthdate": "birth_date",
    "gender": "sex",
    "race": "race_ethnicity",
    "soc_sec_id": "ssn",
    "social_security_number": "ssn",
    "address_1": "street_address",
    "address": "street_address",
    "street": "street_address",
    "suburb": "city",
    "town": "city",
    "postcode": "zip",
    "zip_code": "zip",
    "postal_code": "zip",
}

# Date spellings tried in order when a birth date arrives as text.
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%m/%d/%Y", "%d.%m.%Y")

# Placeholder SSNs that many systems store for "unknown"; never evidence of a match.
PLACEHOLDER_SSNS = ("123456789", "987654321", "078051120")


def map_roles(
    columns: Sequence[str], column_map: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Role → source column, by canonical name or alias, overridden by ``column_map``.

    ``column_map`` maps a source column to a role (``{"fname": "first_name"}``); mapping a
    column to ``""`` leaves it out.

    >>> map_roles(["rec_id", "given_name", "surname", "dob"])
    {'first_name': 'given_name', 'last_name': 'surname', 'birth_date': 'dob'}
    """
    overrides = dict(column_map or {})
    unknown = sorted(role for role in overrides.values() if role and role not in ROLES)
    if unknown:
        raise ValueError(f"unknown linkage roles {unknown}; roles are {sorted(ROLES)}")
    missing = sorted(column for column in overrides if column not in columns)
    if missing:
        raise ValueError(f"column_map names columns the data does not have: {missing}")
    roles: dict[str, str] = {}
    for column in columns:
        role = overrides.get(column, _automatic_role(column))
        if role and role not in roles:
            roles[role] = column
    return roles


def _automatic_role(column: str) -> str | None:
    name = column.strip().lower()
    return name if name in ROLES else ALIASES.get(name)


def text_sql(expression: str) -> str:
    """Lower-case, accents stripped, punctuation to spaces, spaces collapsed; '' → NULL."""
    lowered = f"lower(strip_accents(CAST({expression} AS VARCHAR)))"
    spaced = f"regexp_replace({lowered}, '[^a-z0-9]+', ' ', 'g')"
    return f"nullif(trim({spaced}), '')"


def name_sql(expression: str) -> str:
    """Letters only: ``"O'Brien-Díaz"`` → ``obriendiaz``, so sources that keep or drop
    hyphens, apostrophes and spaces agree."""
    lowered = f"lower(strip_accents(CAST({expression} AS VARCHAR)))"
    return f"nullif(regexp_replace({lowered}, '[^a-z]', '', 'g'), '')"


def code_sql(expression: str) -> str:
    """Letters and digits only, lower-case (ids, postcodes, street numbers)."""
    lowered = f"lower(CAST({expression} AS VARCHAR))"
    return f"nullif(regexp_replace({lowered}, '[^a-z0-9]', '', 'g'), '')"


def zip_sql(expression: str) -> str:
    """A ZIP or postcode without its ``+4`` part."""
    return code_sql(f"split_part(CAST({expression} AS VARCHAR), '-', 1)")


def sex_sql(expression: str) -> str:
    """``m`` or ``f`` from any spelling (M, Male, female…); anything else is unknown."""
    first = f"left(lower(trim(CAST({expression} AS VARCHAR))), 1)"
    return f"CASE WHEN {first} IN ('m', 'f') THEN {first} END"


def race_sql(expression: str) -> str:
    """Race/ethnicity as lower-case text; "Unknown" (or a refusal) says nothing, so is NULL."""
    cleaned = text_sql(expression)
    return (
        f"CASE WHEN {cleaned} NOT IN ({', '.join(map(literal, UNKNOWN_RACE))}) THEN {cleaned} END"
    )


# Race/ethnicity values (after ``text_sql``) that record no answer.
UNKNOWN_RACE = ("unknown", "client doesn t know", "client prefers not to answer",
                "data not collected", "not collected", "refused")  # fmt: skip


def ssn_sql(expression: str, min_digits: int = 9) -> str:
    """Digits of an SSN-like id, or NULL when it is not one.

    Separators (dashes, spaces) are dropped. A value with letters (a partner-side hash), fewer
    than ``min_digits`` or more than nine digits, one repeated digit or a known placeholder is
    NULL: it says nothing about who the person is.
    """
    digits = f"regexp_replace(CAST({expression} AS VARCHAR), '[\\s-]', '', 'g')"
    placeholders = ", ".join(literal(s) for s in PLACEHOLDER_SSNS)
    valid = (
        f"regexp_full_match({digits}, '[0-9]{{{min_digits},9}}')"
        f" AND length(replace({digits}, left({digits}, 1), '')) > 0"
        f" AND {digits} NOT IN ({placeholders})"
    )
    return f"CASE WHEN {valid} THEN {digits} END"


def date_sql(expression: str, source_type: str) -> str:
    """A DATE from a DATE/TIMESTAMP column as is, or from text in any of ``DATE_FORMATS``."""
    if source_type.upper().startswith(("DATE", "TIMESTAMP")):
        return f"CAST({expression} AS DATE)"
    text = f"trim(CAST({expression} AS VARCHAR))"
    tries = ", ".join(f"try_strptime({text}, {literal(f)})" for f in DATE_FORMATS)
    return f"CAST(coalesce({tries}) AS DATE)"


def role_sql(role: str, expression: str, source_type: str, ssn_min_digits: int = 9) -> str:
    """The cleaning expression for one role."""
    if role in ("first_name", "middle_name", "last_name"):
        return name_sql(expression)
    if role == "birth_date":
        return date_sql(expression, source_type)
    if role == "sex":
        return sex_sql(expression)
    if role == "race_ethnicity":
        return race_sql(expression)
    if role == "ssn":
        return ssn_sql(expression, ssn_min_digits)
    if role == "zip":
        return zip_sql(expression)
    if role in ("student_id", "street_number"):
        return code_sql(expression)
    return text_sql(expression)


def standardised_sql(
    source: str,
    id_expression: str,
    dataset_expression: str,
    roles: Mapping[str, str],
    types: Mapping[str, str],
    keep: Sequence[str],
    ssn_min_digits: int = 9,
) -> str:
    """``SELECT`` the canonical columns from ``source``.

    Args:
        source: a table, view or parenthesised query.
        id_expression: SQL for the record's unique id (cast to text).
        dataset_expression: SQL for the record's source dataset name.
        roles: role → source column (see ``map_roles``).
        types: source column → its SQL type (decides how birth dates are parsed).
        keep: every role the output must have; roles the source lacks are typed NULLs, so
            sources with different columns can still be linked together.
    """
    columns = [
        f"CAST({id_expression} AS VARCHAR) AS {UNIQUE_ID}",
        f"CAST({dataset_expression} AS VARCHAR) AS {SOURCE_DATASET}",
    ]
    for role in keep:
        if role in roles:
            column = roles[role]
            cleaned = role_sql(
                role, identifier(column), types.get(column, "VARCHAR"), ssn_min_digits
            )
        else:
            cleaned = f"CAST(NULL AS {ROLES[role]})"
        columns.append(f"{cleaned} AS {role}")
    cleaned_sql = f"SELECT {', '.join(columns)} FROM {source}"
    derived = derived_columns(keep)
    if not derived:
        return cleaned_sql
    return f"SELECT *, {', '.join(derived)} FROM ({cleaned_sql})"


# Columns computed from the cleaned roles, for comparisons that need more than one role.
FULL_NAME = "full_name"  # "first last": term frequencies of whole names
FIRST_NAME_GROUPS = "first_name_groups"  # nickname groups (``nicknames``)


def derived_columns(roles: Sequence[str]) -> list[str]:
    """SQL for the derived columns the roles allow (over the cleaned columns)."""
    derived = []
    if "first_name" in roles:
        derived.append(f"{name_groups_sql('first_name')} AS {FIRST_NAME_GROUPS}")
        if "last_name" in roles:
            derived.append(f"first_name || ' ' || last_name AS {FULL_NAME}")
    return derived
