"""The teeth check on two fixtures written by hand: "grant theatre" (letters only, a generic
curriculum, a volunteer committee, survey outcomes) fails all four features; "teeth" passes
all four. Each single flaw fails only its own feature, with the reason the page shows."""

from __future__ import annotations

import pytest

from backbone.workforce.catalog import parse_workforce
from backbone.workforce.teeth import check

THEATRE = """
partnerships:
  - slug: logistics
    name: Logistics Talent Collaborative
    sector: Logistics
    employers: [meridian-freight, lumenwise-software]
    backbone: {partner: riverton-c2c, funding: volunteer}
    outcomes: {source: survey}
    curricula:
      - {slug: job-readiness, name: Generic job readiness, provider: riverton-community-college}
    commitments:
      - {employer: meridian-freight, kind: hires, level: letter_of_support}
      - {employer: lumenwise-software, kind: interviews, level: letter_of_support}
"""

TEETH = """
partnerships:
  - slug: health
    name: Health Sector Partnership
    sector: Health care
    target_occupations: ["31-9092"]
    employers: [st-brigid-health]
    backbone: {partner: riverton-c2c, funding: line_item, annual_budget: 85000}
    outcomes: {source: ui_wages, years_after_exit: [2, 4]}
    job_roles:
      - {slug: ma, employer: st-brigid-health, title: Medical Assistant, soc: "31-9092"}
    competencies:
      - {slug: vitals, name: Vital signs, employer: st-brigid-health,
         validated_by: Olivia Grant, validated_on: 2024-10-14}
    curricula:
      - {slug: ccma, name: CCMA track, provider: riverton-community-college,
         job_roles: [ma], competencies: [vitals]}
    commitments:
      - {employer: st-brigid-health, kind: interviews, per_completer: 1.0, level: sustained}
"""


def _check(text: str, reporting: set[str]) -> dict[str, tuple[bool, str]]:
    partnership = parse_workforce(text).partnerships[0]
    return {f.feature: (f.passed, f.reason) for f in check(partnership, reporting)}


def test_grant_theatre_fails_all_four_features_with_reasons():
    got = _check(THEATRE, reporting={"meridian-freight"})
    assert got == {
        "commitments": (False, "no commitment with a number (2 letters of support, 2 in all)"),
        "curricula": (False, "not tied to a job role: Generic job readiness"),
        "backbone": (False, "riverton-c2c's backbone work is volunteered, not paid"),
        "outcomes": (False, "outcomes are measured by a participant survey, not UI wage records"),
    }  # fmt: skip


def test_teeth_passes_all_four_features():
    got = _check(TEETH, reporting={"st-brigid-health"})
    assert {feature: passed for feature, (passed, _) in got.items()} == dict.fromkeys(
        ("commitments", "curricula", "backbone", "outcomes"), True
    )
    assert got["backbone"][1] == "riverton-c2c is funded as a line item ($85,000 a year)"


@pytest.mark.parametrize(
    ("old", "new", "feature", "reason"),
    [
        ("per_completer: 1.0, level: sustained", "level: sustained", "commitments",
         "no commitment with a number (0 letters of support, 1 in all)"),
        ("validated_by: Olivia Grant, ", "", "curricula",
         "no employer-validated competency: CCMA track"),
        ("funding: line_item, annual_budget: 85000", "funding: in_kind", "backbone",
         "riverton-c2c's backbone work is in kind, not a budget line"),
        ("years_after_exit: [2, 4]", "years_after_exit: [1]", "outcomes",
         "UI wages are not followed 2 and 4 years after exit"),
    ],
)  # fmt: skip
def test_one_flaw_fails_only_its_feature(old, new, feature, reason):
    assert old in TEETH
    got = _check(TEETH.replace(old, new), reporting={"st-brigid-health"})
    assert got[feature] == (False, reason)
    assert all(passed for name, (passed, _) in got.items() if name != feature)


def test_numbers_without_the_employer_reporting_its_events_fail_on_actuals():
    got = _check(TEETH, reporting=set())
    assert got["commitments"] == (
        False,
        "no actuals: st-brigid-health send no interview, offer or hire records, so their "
        "numbers cannot be checked",
    )
