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
    """What a participant's linked records in one table say, e.g. "graduated": yes, no or not
    yet. SQL fragments may name the table's rows ``t``, the participant's own facts ``me``
    (``birth_date``, ``exit_quarter``: year × 4 + quarter of leaving the partner's program),
    ``{latest}`` (the outcome's ``latest`` over every permitted row), ``{o}`` (the person's
    aggregates ``yes`` and ``settled``) and ``{today}``."""

    code: str
    label: str
    table: str
    fields: frozenset[str]  # the canonical fields the outcome reads: what it discloses
    yes: str  # aggregate over the person's rows in ``scope``: true means "yes"
    eligible: str  # over ``{o}``, ``me``, ``{latest}``: true turns a missing "yes" into "no"
    rule: str  # the eligibility rule in words: when "no" is final rather than "not yet"
    scope: str = "true"  # which rows of the table count at all
    settled: str = "false"  # aggregate over the person's rows, read by ``eligible``
    latest: str = ""  # aggregate over all permitted rows, e.g. the last quarter loaded


_ADULT = "me.birth_date <= {today} - INTERVAL 18 YEAR"
_LATEST_YEAR = "t.school_year = {latest}"
_ENROLLED = f"sum(t.days_enrolled) FILTER (WHERE {_LATEST_YEAR})"
_ABSENT = f"sum(t.days_absent) FILTER (WHERE {_LATEST_YEAR})"

OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "employed",
        "Earned wages in the 2nd quarter after leaving the program",
        "wages",
        frozenset({"local_id", "wages", "year", "quarter"}),
        "bool_or(t.wages > 0 AND t.year * 4 + t.quarter = me.exit_quarter + 2)",
        "me.exit_quarter + 2 <= {latest}",
        "left your program (every roster spell has an end date) and wage records are loaded "
        "through the 2nd quarter after the exit quarter",
        latest="max(t.year * 4 + t.quarter)",
    ),
    Outcome(
        "enrolled_postsecondary",
        "Enrolled in college",
        "postsecondary",
        frozenset({"local_id", "enrollment_begin"}),
        "count(*) > 0",
        _ADULT,
        "18 or older by the birth date on your own record",
    ),
    Outcome(
        "postsecondary_award",
        "Earned a college award",
        "postsecondary",
        frozenset({"local_id", "award"}),
        "bool_or(t.award IS NOT NULL)",
        _ADULT,
        "18 or older by the birth date on your own record",
    ),
    Outcome(
        "graduated",
        "Graduated with a regular diploma",
        "graduation",
        frozenset({"local_id", "status", "cohort_year"}),
        "bool_or(t.status = 'regular diploma')",
        "coalesce({o}.settled, false)",
        "in a graduation cohort whose year has passed (August 31 of the cohort year)",
        settled="bool_or(make_date(t.cohort_year, 8, 31) < {today})",
    ),
    Outcome(
        "chronically_absent",
        "Chronically absent in the latest school year",
        "attendance",
        frozenset({"local_id", "school_year", "days_enrolled", "days_absent"}),
        f"{_ENROLLED} >= 10 AND {_ABSENT} >= 0.1 * {_ENROLLED}",
        "coalesce({o}.settled, false)",
        "enrolled 10 days or more in the latest school year loaded (days summed over schools)",
        settled=f"{_ENROLLED} >= 10",
        latest="max(t.school_year)",
    ),
    Outcome(
        "grade3_reading_proficient",
        "Proficient in grade 3 reading",
        "assessment",
        frozenset({"local_id", "grade", "subject", "proficient"}),
        "coalesce(bool_or(t.proficient), false)",
        "coalesce({o}.settled, false)",
        "took the grade 3 reading / English language arts test",
        scope="t.grade = '3' AND t.subject IN ('English Language Arts', 'Reading')",
        settled="count(*) > 0",
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
    recipient: str,
    allowed: Mapping[str, Sequence[Permit]],
    today: dt.date,
    outcomes: Sequence[Outcome] = OUTCOMES,
) -> tuple[str, list[str]]:
    """The DuckDB query (and its parameters, then ``LIMIT ? OFFSET ?`` to bind) listing each
    participant of ``recipient`` by the partner's own person id, with one column per allowed
    outcome: true (yes), false (no) or null (not yet: the outcome's eligibility rule is not
    met). Rows are read only from the permitted partners, so data loaded after the decision
    cannot slip in. Reads the identity tier for the partner's own ids and birth dates only."""
    chosen = [o for o in outcomes if o.code in allowed]
    ctes, parameters = _own_ctes(), [recipient] * 3
    columns, joins = ["own.local_id"], ["JOIN me ON own.person_key = me.person_key"]
    for outcome in chosen:
        partners = sorted({p.source.discloser for p in allowed[outcome.code]})
        found, bound = _outcome_ctes(outcome, partners, today)
        ctes += found
        parameters += bound
        code = outcome.code
        eligible = _fill(outcome.eligible, outcome, today)
        columns.append(f"CASE WHEN {code}.yes THEN true WHEN {eligible} THEN false END AS {code}")
        joins.append(f"LEFT JOIN {code} ON own.person_key = {code}.person_key")
        if outcome.latest:
            joins.append(f"CROSS JOIN {code}_latest")
    sql = (
        f"WITH {', '.join(ctes)} SELECT {', '.join(columns)} FROM own {' '.join(joins)} "
        "ORDER BY own.local_id LIMIT ? OFFSET ?"
    )
    return sql, parameters


def _own_ctes() -> list[str]:
    """The partner's participants (``own``) and their facts from its own data (``me``); three
    ``?`` for the partner."""
    return [
        "own AS (SELECT DISTINCT i.local_id, c.person_key FROM identity_record i "
        "JOIN crosswalk c ON i.record_id = c.record_id WHERE c.source_partner = ?)",
        "born AS (SELECT c.person_key, max(i.birth_date) AS birth_date FROM identity_record i "
        "JOIN crosswalk c ON i.record_id = c.record_id WHERE c.source_partner = ? "
        "GROUP BY c.person_key)",
        # An open spell (no end date) means the participant has not left.
        "exits AS (SELECT x.person_key, CASE WHEN bool_or(p.end_date IS NULL) THEN NULL "
        "ELSE max(p.end_date) END AS exit_date FROM program_participation p "
        "JOIN crosswalk x ON p.record_id = x.record_id WHERE p.source_partner = ? "
        "GROUP BY x.person_key)",
        "me AS (SELECT born.person_key, born.birth_date, "
        "year(exits.exit_date) * 4 + quarter(exits.exit_date) AS exit_quarter "
        "FROM born LEFT JOIN exits ON born.person_key = exits.person_key)",
    ]


def _outcome_ctes(
    outcome: Outcome, partners: Sequence[str], today: dt.date
) -> tuple[list[str], list[str]]:
    """Each person's aggregates for ``outcome`` (and its ``latest``), reading only
    ``partners``' rows; with the parameters in the order they appear."""
    code, marks = outcome.code, ", ".join("?" for _ in partners)
    rows = f"{outcome.table} t WHERE t.source_partner IN ({marks}) AND ({outcome.scope})"
    ctes: list[str] = []
    parameters: list[str] = []
    span = ""
    if outcome.latest:
        ctes.append(f"{code}_latest AS (SELECT {outcome.latest} AS latest FROM {rows})")
        parameters += partners
        span = f" CROSS JOIN {code}_latest"
    ctes.append(
        f"{code} AS (SELECT x.person_key, {_fill(outcome.yes, outcome, today)} AS yes, "
        f"{_fill(outcome.settled, outcome, today)} AS settled "
        f"FROM {outcome.table} t JOIN crosswalk x ON t.record_id = x.record_id "
        f"JOIN me ON x.person_key = me.person_key{span} "
        f"WHERE t.source_partner IN ({marks}) AND ({outcome.scope}) GROUP BY x.person_key)"
    )
    return ctes, parameters + list(partners)


def _fill(fragment: str, outcome: Outcome, today: dt.date) -> str:
    """``fragment`` with its outcome's aliases and today's date (a ``date``: safe to inline)."""
    return fragment.format(
        o=outcome.code, latest=f"{outcome.code}_latest.latest", today=f"DATE '{today.isoformat()}'"
    )


def participant_count_sql() -> str:
    """How many participants ``?`` (a partner) has: its linked records' distinct person ids."""
    return (
        "SELECT count(DISTINCT i.local_id) FROM identity_record i "
        "JOIN crosswalk c ON i.record_id = c.record_id WHERE c.source_partner = ?"
    )
