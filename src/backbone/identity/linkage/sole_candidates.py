"""Joining a person known only without a birth date to the one person they could be.

A record without a birth date is scored on its name alone, which never reaches the threshold;
``join_sole_candidates`` joins it when exactly one person known with a birth date is a
plausible match and nothing contradicts it. Pure Python over the scored pairs, so it runs the
same whichever engine scored them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# The least probability of a pair that makes a person without a birth date a candidate.
SOLE_CANDIDATE_FLOOR = 0.05
# How many times likelier than any rival a person must be to count as the sole candidate.
SOLE_CANDIDATE_DOMINANCE = 3.0


@dataclass(frozen=True)
class RecordFacts:
    """What ``join_sole_candidates`` needs to know of a record besides its scores."""

    source: str
    birth_year: int | None
    ssn: str | None
    sex: str | None

    @property
    def has_birth_date(self) -> bool:
        return self.birth_year is not None


class AgeProfile:
    """How plausible a birth year is for a source, from the birth years its own records give:
    a college's students are adults, a summer programme's are children. Used only to choose
    between namesakes for a record that has no birth date."""

    MIN_DATED = 30  # fewer dated records than this: every year is as plausible

    def __init__(self, facts: dict[str, RecordFacts]) -> None:
        self.years: dict[str, Counter[int]] = {}
        for fact in facts.values():
            if fact.birth_year is not None:
                self.years.setdefault(fact.source, Counter())[fact.birth_year] += 1

    def plausibility(self, source: str, year: int | None) -> float:
        """Share of the source's dated records born within a year of ``year`` (smoothed)."""
        years = self.years.get(source, Counter())
        total = sum(years.values())
        if year is None or total < self.MIN_DATED:
            return 1.0
        return (sum(years[y] for y in (year - 1, year, year + 1)) + 1) / (total + 1)


def join_sole_candidates(
    clusters: dict[str, str],
    pairs: Sequence[tuple[str, str, float]],
    facts: dict[str, RecordFacts],
    duplicate_free: set[str],
) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """Join a person known only without a birth date to the one person they could be.

    A record with no birth date can only be scored on its name, which alone never reaches the
    threshold. When its person (every record of its cluster lacks a birth date) has scored
    pairs with exactly one person known with a birth date, and nothing contradicts it (a
    duplicate-free source on both sides, different SSNs, different sexes), the two are joined.
    Returns the clusters and the joins made (for clerical review).

    >>> facts = {r: RecordFacts(s, y, None, None) for r, s, y in
    ...          [("t1", "tutoring", None), ("d1", "district", 2012), ("d2", "district", 2013)]}
    >>> join_sole_candidates({"t1": "a", "d1": "b", "d2": "c"}, [("t1", "d1", 0.2)], facts,
    ...                      {"district"})[0]["t1"]
    'b'
    """
    result = dict(clusters)
    members: dict[str, set[str]] = {}
    for record, cluster in result.items():
        members.setdefault(cluster, set()).add(record)
    ages = AgeProfile(facts)
    scored: dict[str, list[tuple[str, float]]] = {}
    for left, right, probability in pairs:
        if probability < SOLE_CANDIDATE_FLOOR:
            continue
        scored.setdefault(left, []).append((right, probability))
        scored.setdefault(right, []).append((left, probability))
    for candidates in scored.values():
        candidates.sort()  # the same joins whatever order the engine returned pairs in
    joined = []
    for record in sorted(scored):
        own = result[record]
        if _dated(members[own], facts):
            continue
        other = _sole_candidate(record, scored[record], result, members, facts, ages)
        if other is None or other == own:
            continue
        if _contradict(members[own], members[other], facts, duplicate_free):
            continue
        mate, probability = max(
            ((o, p) for o, p in scored[record] if result[o] == other), key=lambda x: (x[1], x[0])
        )
        for member in members[own]:
            result[member] = other
        members[other] |= members.pop(own)
        joined.append((record, mate, probability))
    return result, joined


def _sole_candidate(
    record: str,
    scored: list[tuple[str, float]],
    clusters: dict[str, str],
    members: dict[str, set[str]],
    facts: dict[str, RecordFacts],
    ages: AgeProfile,
) -> str | None:
    """The one person known with a birth date that ``record`` could be, if there is one: the
    only such person it scored with, or one ``SOLE_CANDIDATE_DOMINANCE`` times likelier than
    any rival, by match probability times how plausible their age is at ``record``'s source.
    Persons known only without a birth date are no rivals (they may join the same one)."""
    own = clusters[record]
    best: dict[str, float] = {}
    for other, probability in scored:
        cluster = clusters[other]
        if cluster != own and _dated(members[cluster], facts):
            year = facts[other].birth_year or next(
                facts[m].birth_year for m in members[cluster] if facts[m].birth_year
            )
            weight = probability * ages.plausibility(facts[record].source, year)
            best[cluster] = max(best.get(cluster, 0.0), weight)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return None
    if len(ranked) > 1 and ranked[0][1] < SOLE_CANDIDATE_DOMINANCE * ranked[1][1]:
        return None
    return ranked[0][0]


def _dated(records: set[str], facts: dict[str, RecordFacts]) -> bool:
    return any(facts[r].has_birth_date for r in records)


def _contradict(
    a: set[str], b: set[str], facts: dict[str, RecordFacts], duplicate_free: set[str]
) -> bool:
    """True when two persons cannot be one: a duplicate-free source on both sides, or SSNs
    or sexes that both sides have and that differ."""
    if {facts[r].source for r in a} & {facts[r].source for r in b} & duplicate_free:
        return True
    for attribute in ("ssn", "sex"):
        values_a = {getattr(facts[r], attribute) for r in a} - {None}
        values_b = {getattr(facts[r], attribute) for r in b} - {None}
        if values_a and values_b and not values_a & values_b:
            return True
    return False
