"""Person-level outcomes of a partner's own participants, and whether an agreement permits them.

A partner's participants are the people behind the records it submitted. Linkage gives each a
``person_key``; through it, other partners' records tell whether the participant later earned
wages, enrolled in college or graduated. Showing that to the partner discloses the other
partners' data, so each outcome is shown only when, for every partner whose data it reads, an
active data-sharing agreement

- has that partner as its discloser and names the viewing partner among its recipients (the
  parties other than the discloser),
- is signed and in its term today (``coverage.blocker``),
- lists the contract with every field the outcome reads, and
- states a purpose (``purpose_code``) — the purpose the read is audited under; when the viewer
  names a purpose, only agreements for that purpose count.

A partner's own data needs no agreement. An outcome nobody has sent data for is left out.

>>> grant = Grant(Terms("wage-dsa", discloser="workforce", elements={"ui_wages": frozenset()}),
...               recipients=frozenset({"tutoring"}), purpose="program-evaluation")
>>> found = decide("tutoring", {"employed": [Source("workforce", "ui_wages")]}, [grant],
...                dt.date(2026, 1, 5))
>>> found.refused, found.allowed["employed"][0].agreement, found.purposes
(False, 'wage-dsa', ['program-evaluation'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from backbone.governance.coverage import blocker, missing_fields
from backbone.governance.dsa import DSA, Terms


@dataclass(frozen=True)
class Outcome:
    """What a participant's linked records in one table say, e.g. "earned wages"."""

    code: str
    label: str
    table: str
    fields: frozenset[str]  # the canonical fields the outcome reads: what it discloses
    condition: str = "true"  # SQL over the table, aliased ``t``


OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "employed",
        "Earned wages (UI wage records)",
        "wages",
        frozenset({"local_id", "wages", "year", "quarter"}),
        "t.wages > 0",
    ),
    Outcome(
        "enrolled_postsecondary",
        "Enrolled in college",
        "postsecondary",
        frozenset({"local_id", "enrollment_begin"}),
    ),
    Outcome(
        "postsecondary_award",
        "Earned a college award",
        "postsecondary",
        frozenset({"local_id", "award"}),
        "t.award IS NOT NULL",
    ),
    Outcome(
        "graduated",
        "Graduated with a regular diploma",
        "graduation",
        frozenset({"local_id", "status"}),
        "t.status = 'regular diploma'",
    ),
)


@dataclass(frozen=True)
class Source:
    """A partner whose data under a contract holds rows of an outcome's table."""

    discloser: str
    contract: str


@dataclass(frozen=True)
class Grant:
    """One data-sharing agreement as its recipients see it."""

    terms: Terms
    recipients: frozenset[str]
    purpose: str  # the agreement's purpose code; empty when it states none


@dataclass(frozen=True)
class Permit:
    """Why one source of an outcome may be shown: an agreement, or the partner's own data."""

    source: Source
    agreement: str | None  # None: the viewing partner's own data
    purpose: str = ""


@dataclass
class Decision:
    """What the viewing partner may see: the outcomes allowed (with what permits each source)
    and, for the others, why not."""

    recipient: str
    allowed: dict[str, list[Permit]] = field(default_factory=dict)
    withheld: dict[str, list[str]] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)  # no partner has sent the data yet

    @property
    def refused(self) -> bool:
        """Nothing may be shown while some other partner's data is there to be seen."""
        return not self.allowed and bool(self.withheld)

    @property
    def purposes(self) -> list[str]:
        return sorted({p.purpose for permits in self.allowed.values() for p in permits} - {""})

    @property
    def agreements(self) -> list[str]:
        names = {p.agreement for permits in self.allowed.values() for p in permits}
        return sorted(name for name in names if name)

    def explanation(self) -> str:
        """Every reason an outcome is withheld, one sentence per outcome."""
        return " ".join(f"{code}: {'; '.join(r)}." for code, r in self.withheld.items())


def grant_blocker(
    grant: Grant,
    recipient: str,
    source: Source,
    fields: Iterable[str],
    today: dt.date,
    purpose: str | None = None,
) -> str | None:
    """Why ``grant`` does not let ``recipient`` see ``fields`` of ``source`` today; ``None``
    when it does. Only agreements whose discloser is the source's partner are asked."""
    name = f"agreement {grant.terms.slug!r}"
    if recipient not in grant.recipients:
        return f"{name} does not name {recipient} as a recipient"
    reason = blocker(grant.terms, source.contract, today)
    if reason:
        return reason
    missing = missing_fields(grant.terms, source.contract, fields)
    if missing:
        return f"{name} does not list {source.contract} field(s) {', '.join(missing)}"
    if not grant.purpose:
        return f"{name} states no purpose"
    if purpose and grant.purpose != purpose:
        return f"{name} is for the purpose {grant.purpose!r}, not {purpose!r}"
    return None


def permit_for(
    grants: Sequence[Grant],
    recipient: str,
    source: Source,
    fields: Iterable[str],
    today: dt.date,
    purpose: str | None = None,
) -> Permit | list[str]:
    """The permit for one source, or the reasons no agreement gives one."""
    if source.discloser == recipient:
        return Permit(source, None)
    own = [g for g in grants if g.terms.kind == DSA and g.terms.discloser == source.discloser]
    reasons = []
    for grant in sorted(own, key=lambda g: g.terms.slug):
        reason = grant_blocker(grant, recipient, source, fields, today, purpose)
        if reason is None:
            return Permit(source, grant.terms.slug, grant.purpose)
        reasons.append(reason)
    lead = (
        f"no active data-sharing agreement lets {recipient} receive {source.contract} data "
        f"from {source.discloser}"
    )
    return [lead + (f" ({'; '.join(reasons)})" if reasons else "")]


def decide(
    recipient: str,
    sources: Mapping[str, Sequence[Source]],
    grants: Sequence[Grant],
    today: dt.date,
    purpose: str | None = None,
    outcomes: Sequence[Outcome] = OUTCOMES,
) -> Decision:
    """Which ``outcomes`` ``recipient`` may see, given the partners whose data holds each
    (``sources``, by outcome code) and every data-sharing agreement (``grants``). An outcome is
    shown only when every one of its sources is permitted: leaving a source out would turn
    "not seen" into a false "no"."""
    decision = Decision(recipient)
    for outcome in outcomes:
        found = sorted(set(sources.get(outcome.code, ())), key=lambda s: (s.discloser, s.contract))
        if not found:
            decision.unavailable.append(outcome.code)
            continue
        answers = [permit_for(grants, recipient, s, outcome.fields, today, purpose) for s in found]
        reasons = [r for answer in answers if isinstance(answer, list) for r in answer]
        if reasons:
            decision.withheld[outcome.code] = reasons
        else:
            decision.allowed[outcome.code] = [a for a in answers if isinstance(a, Permit)]
    return decision


# --- the query ----------------------------------------------------------------------------------


def outcomes_sql(
    recipient: str, allowed: Mapping[str, Sequence[Permit]], outcomes: Sequence[Outcome] = OUTCOMES
) -> tuple[str, list[str]]:
    """The DuckDB query (and its parameters, then ``LIMIT ? OFFSET ?`` to bind) listing each
    participant of ``recipient`` by the partner's own person id, with one boolean column per
    allowed outcome. Rows are read only from the permitted partners, so data loaded after the
    decision cannot slip in. Reads the identity tier for the partner's own ids only."""
    chosen = [o for o in outcomes if o.code in allowed]
    ctes, columns, joins, parameters = [], [], [], [recipient]
    for outcome in chosen:
        partners = sorted({p.source.discloser for p in allowed[outcome.code]})
        marks = ", ".join("?" for _ in partners)
        ctes.append(
            f"{outcome.code} AS (SELECT DISTINCT x.person_key FROM {outcome.table} t "
            f"JOIN crosswalk x ON t.record_id = x.record_id "
            f"WHERE ({outcome.condition}) AND t.source_partner IN ({marks}))"
        )
        parameters += partners
        columns.append(f"{outcome.code}.person_key IS NOT NULL AS {outcome.code}")
        joins.append(f"LEFT JOIN {outcome.code} ON own.person_key = {outcome.code}.person_key")
    own = (
        "own AS (SELECT DISTINCT i.local_id, c.person_key FROM identity_record i "
        "JOIN crosswalk c ON i.record_id = c.record_id WHERE c.source_partner = ?)"
    )
    sql = (
        f"WITH {', '.join([own, *ctes])} "
        f"SELECT {', '.join(['own.local_id', *columns])} FROM own {' '.join(joins)} "
        "ORDER BY own.local_id LIMIT ? OFFSET ?"
    )
    return sql, parameters


def participant_count_sql() -> str:
    """How many participants ``?`` (a partner) has: its linked records' distinct person ids."""
    return (
        "SELECT count(DISTINCT i.local_id) FROM identity_record i "
        "JOIN crosswalk c ON i.record_id = c.record_id WHERE c.source_partner = ?"
    )
