"""Whether a data-sharing agreement covers a submission: the decision as plain data.

A partner's file for a contract is covered on a day when an agreement

- is a data-sharing agreement (kind ``dsa``) with status ``signed``,
- holds that day in its term (start ≤ today ≤ end; a missing date leaves that side open),
- names the partner as its discloser, and
- lists a data element for the contract whose fields include every field the file delivers (an
  element with no fields covers all of the contract's fields).

Ingest asks twice. ``FieldCheck.start`` answers for the contract alone, before the file is read;
``FieldCheck.add`` notes the fields the importer delivers, and once the whole file is read (still
before anything is stored) ``FieldCheck.governing()`` picks the agreement that lists them all. A
refusal (``NotCovered``) names, for every agreement that might have covered the file, what it
lacks:

>>> ended = Terms("district-dsa-2024", discloser="riverton-public-schools",
...               end=dt.date(2025, 6, 30), elements={"edfi": frozenset()})
>>> FieldCheck.start([ended], "riverton-public-schools", "edfi", dt.date(2025, 9, 1))
Traceback (most recent call last):
...
backbone.governance.coverage.NotCovered: no active data-sharing agreement covers \
riverton-public-schools submitting edfi: agreement 'district-dsa-2024' ended on 2025-06-30
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from backbone.governance.dsa import ACTIVE, DSA, ENDED_STATUSES, Terms, ended_on
from backbone.warehouse.contracts import CONTRACTS
from backbone.warehouse.records import RowBatch, StagedRows
from backbone.warehouse.tables import TABLES

LINEAGE = "source_row"  # where a row came from in the file, not a field of the person
NOT_SIGNED = {"draft": "is a draft, not signed", "under_review": "is under review, not signed"}


class NotCovered(Exception):
    """No active agreement covers a submission; the message names what is missing."""


def contract_fields(contract: str) -> frozenset[str]:
    """Every canonical column a contract's files may deliver, across all its tables.

    >>> sorted(contract_fields("ui_wages"))[:4]
    ['birth_date', 'city', 'dob_quality', 'employer_id']
    """
    tables = CONTRACTS[contract].tables
    return frozenset(column for table in tables for column in TABLES[table].column_names)


def element_problems(contract: str, fields: Iterable[str]) -> list[str]:
    """Why ``contract`` with ``fields`` is not a valid data element: an unknown contract, or
    fields no table of the contract has."""
    if contract not in CONTRACTS:
        return [f"unknown contract {contract!r}; expected one of: {', '.join(CONTRACTS)}"]
    unknown = sorted(set(fields) - contract_fields(contract))
    return [f"{contract} has no field(s) {', '.join(unknown)}"] if unknown else []


def batch_fields(batch: RowBatch | StagedRows) -> set[str]:
    """The canonical fields a batch actually delivers: columns with at least one value.

    An importer may name a column it has no values for; sending nothing discloses nothing.
    """
    if isinstance(batch, StagedRows):
        return set(batch.fields) - {LINEAGE}
    columns = batch.columns
    if columns is None:
        found = {name for row in batch.rows for name, value in row.items() if value is not None}
    else:
        found = {name for name, values in columns.items() if any(v is not None for v in values)}
    return found - {LINEAGE}


def blocker(terms: Terms, contract: str, today: dt.date) -> str | None:
    """Why ``terms`` cannot cover a file of ``contract`` on ``today`` whatever its fields; ``None``
    when it can (its discloser is checked by the caller)."""
    name = f"agreement {terms.slug!r}"
    if terms.status == "destroyed":
        return f"{name} has ended and its data was destroyed"
    if terms.status in ENDED_STATUSES or (terms.end and terms.end < today):
        return f"{name} ended on {ended_on(terms, today)}" if terms.end else f"{name} has ended"
    if terms.status != ACTIVE:
        return f"{name} {NOT_SIGNED.get(terms.status, f'has status {terms.status}')}"
    if terms.start and today < terms.start:
        return f"{name} starts on {terms.start}"
    if contract not in terms.elements:
        return f"{name} does not list the {contract} contract"
    return None


def missing_fields(terms: Terms, contract: str, fields: Iterable[str]) -> list[str]:
    """The fields of ``fields`` that ``terms`` does not let its discloser send for ``contract``."""
    allowed = terms.elements[contract] or contract_fields(contract)
    return sorted(set(fields) - allowed)


def _preference(terms: Terms) -> tuple[dt.date, str]:
    # Of several covering agreements, the one running longest governs (then by slug).
    return (terms.end or dt.date.max, terms.slug)


class FieldCheck:
    """The agreements that may cover one submission, and the fields it was seen to deliver."""

    def __init__(self, partner: str, contract: str, candidates: list[Terms]):
        self.partner, self.contract = partner, contract
        self.candidates = sorted(candidates, key=_preference, reverse=True)
        self.seen: set[str] = set()

    @classmethod
    def start(
        cls, agreements: Iterable[Terms], partner: str, contract: str, today: dt.date
    ) -> FieldCheck:
        """The check for ``partner`` sending ``contract`` on ``today``; raises ``NotCovered`` when
        no agreement can cover it whatever the fields."""
        own = [t for t in agreements if t.kind == DSA and t.discloser == partner]
        reasons = {t.slug: blocker(t, contract, today) for t in own}
        candidates = [t for t in own if reasons[t.slug] is None]
        if not own:
            raise NotCovered(
                refusal(
                    partner, contract, [f"no data-sharing agreement names {partner} as discloser"]
                )
            )
        if not candidates:
            raise NotCovered(refusal(partner, contract, [r for r in reasons.values() if r]))
        return cls(partner, contract, candidates)

    def add(self, fields: Iterable[str]) -> None:
        """Note fields the file delivers."""
        self.seen.update(fields)

    def governing(self) -> Terms:
        """The agreement that admits the submission: the preferred candidate that lists every
        field seen. ``NotCovered`` names, per candidate, every field it lacks."""
        for terms in self.candidates:
            if not missing_fields(terms, self.contract, self.seen):
                return terms
        reasons = [
            f"agreement {t.slug!r} does not list field(s) "
            f"{', '.join(missing_fields(t, self.contract, self.seen))}"
            for t in self.candidates
        ]
        raise NotCovered(refusal(self.partner, self.contract, reasons))


def refusal(partner: str, contract: str, reasons: list[str]) -> str:
    """The refusal message: who, what, and why each agreement does not cover it."""
    return f"no active data-sharing agreement covers {partner} submitting {contract}: " + "; ".join(
        reasons
    )


def covering_agreement(
    agreements: Iterable[Terms],
    partner: str,
    contract: str,
    fields: Iterable[str],
    today: dt.date,
) -> Terms:
    """The agreement that covers ``partner`` sending ``fields`` of ``contract`` on ``today``, or
    ``NotCovered`` naming what is missing (both checks at once, for callers that know the fields).
    """
    check = FieldCheck.start(agreements, partner, contract, today)
    check.add(fields)
    return check.governing()
