"""Whether indicators that join partners wait for linkage is decided on the records the consent
gate lets through: a partner whose every record is held back counts as absent."""

from __future__ import annotations

import pytest

from backbone.indicators import services
from backbone.indicators.definitions import Join
from tests.agreements import covering_agreement
from tests.identity.test_consent import PEOPLE, SHELTERED, _consent, _partner, _send

pytestmark = pytest.mark.django_db

# The shelter roster joined to the same people's records at other partners.
JOINED = SHELTERED.model_copy(
    update={
        "slug": "sheltered_elsewhere",
        "denominator": "program_participation.start_date IS NOT NULL",
        "numerator": "program_participation.program = 'Shelter'",
        "period": SHELTERED.period.model_copy(
            update={"column": "program_participation.start_date"}
        ),
        "joins": (Join(table="program_participation", alias="elsewhere", on="person_key"),),
    }
)


@pytest.fixture
def two_partners(tmp_path, workspace):
    """Tutoring (no consent needed) and a shelter whose agreement needs written consent, with
    none on file: every shelter record is held back."""
    tutoring = _partner("tutoring", "community_organization")
    shelter = _partner("shelter", "homeless_service_provider")
    covering_agreement(tutoring, "program_participation")
    needs = covering_agreement(
        shelter, "program_participation", needs_consent=True, legal_basis="consent"
    )
    _send(tmp_path, tutoring, "T", "Tutoring", PEOPLE)
    _send(tmp_path, shelter, "S", "Shelter", PEOPLE)
    return shelter, needs


def test_a_partner_whose_records_are_all_held_back_is_absent(two_partners):
    indicator = services.save_indicator(JOINED)
    assert services.waiting_for_linkage([indicator]) == []  # one partner left: own records
    services.compute()  # and it computes, instead of asking for `backbone link`


def test_with_one_consent_in_force_the_second_partner_counts(two_partners):
    shelter, needs = two_partners
    _consent(shelter, "S0", needs)
    indicator = services.save_indicator(JOINED)
    assert services.waiting_for_linkage([indicator]) == [indicator]
    with pytest.raises(services.LinkageMissing, match="run `backbone link` first"):
        services.compute()
