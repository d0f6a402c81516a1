"""The data-sharing agreement record's rules: completeness, ending, destruction, publication."""

from __future__ import annotations

import datetime as dt

import pytest

from backbone.governance.dsa import Terms, destruction_due, ended_on, has_ended, term_problems
from backbone.governance.publication import PublicationRule, strictest_publication_rule

END = dt.date(2026, 6, 30)
DEADLINE = dt.date(2026, 12, 31)


def terms(**values) -> Terms:
    return Terms("dsa", **{"end": END, "destruction_deadline": DEADLINE, **values})


@pytest.mark.parametrize(
    ("agreement", "today", "ended", "due"),
    [
        (terms(), dt.date(2026, 6, 30), False, False),  # the last day of the term
        (terms(), dt.date(2026, 7, 1), True, False),
        (terms(), dt.date(2026, 12, 30), True, False),
        (terms(), dt.date(2026, 12, 31), True, True),  # destroyed on the deadline day
        (terms(status="ended"), dt.date(2025, 1, 1), True, False),  # ended early
        (terms(end=None, destruction_deadline=None), dt.date(2099, 1, 1), False, False),
    ],
)
def test_ending_and_destruction_follow_the_dates(agreement, today, ended, due):
    assert (has_ended(agreement, today), destruction_due(agreement, today)) == (ended, due)


def test_an_agreement_ended_early_ended_on_the_day_it_was_found_ended():
    assert ended_on(terms(status="ended"), dt.date(2025, 1, 1)) == dt.date(2025, 1, 1)
    assert ended_on(terms(), dt.date(2026, 9, 1)) == END


def test_a_signed_dsa_must_state_discloser_basis_end_and_deadline():
    assert term_problems("dsa", "signed", None, "", None, None) == {
        "discloser": "a signed data-sharing agreement needs a discloser",
        "legal_basis": "a signed data-sharing agreement needs a legal basis",
        "end": "a signed data-sharing agreement needs an end",
        "destruction_deadline": "a signed data-sharing agreement needs a destruction deadline",
    }


@pytest.mark.parametrize(
    ("kind", "status"), [("dsa", "draft"), ("dsa", "under_review"), ("mou", "signed")]
)
def test_drafts_and_mous_need_no_data_terms(kind, status):
    assert term_problems(kind, status, None, "", None, None) == {}


def test_the_deadline_may_not_come_before_the_end():
    assert term_problems("mou", "draft", None, "", END, dt.date(2026, 1, 1)) == {
        "destruction_deadline": "the destruction deadline 2026-01-01 is before the end 2026-06-30"
    }


def test_the_strictest_publication_rule_takes_the_largest_of_each_part():
    rules = [
        PublicationRule(10, None, None),
        PublicationRule(11, 1.0, None),
        PublicationRule(None, 0.5, 2.5),
    ]
    assert strictest_publication_rule(rules) == (11, 1.0, 2.5)


class Agreement:
    publication_min_n, top_code_percent, bottom_code_percent = 20, None, None


def test_the_strictest_rule_reads_agreements_too():
    assert strictest_publication_rule([Agreement(), PublicationRule(5, 1.0, None)]) == (
        20,
        1.0,
        None,
    )
