"""The scorecard publishes each indicator under the strictest publication rule of the
data-sharing agreements its data came under."""

from __future__ import annotations

import pytest

from backbone.indicators import services as indicators
from backbone.indicators.library import standard_indicator
from backbone.intake.models import Submission
from backbone.partnership.models import Partner
from backbone.scorecard.services import policy_for
from tests.agreements import covering_agreement

pytestmark = pytest.mark.django_db


def loaded(partner: Partner, contract: str, agreement) -> None:
    Submission.objects.create(
        partner=partner, contract=contract, original_name="f.csv", sha256="0" * 64, size=1,
        archive_path="archive/f.csv", status=Submission.Status.LOADED, agreement=agreement,
    )  # fmt: skip


def test_the_strictest_agreement_behind_an_indicator_sets_its_policy():
    ui = Partner.objects.create(slug="ui", name="UI agency", partner_type="workforce_board")
    college = Partner.objects.create(slug="college", name="College", partner_type="college")
    # UI wages: min n 20 and the top and bottom 2% coded; the college's rule is looser on n but
    # codes the bottom 8%.
    loaded(
        ui,
        "ui_wages",
        covering_agreement(
            ui, "ui_wages", publication_min_n=20, top_code_percent=2.0, bottom_code_percent=2.0
        ),
    )
    loaded(
        college,
        "postsecondary",
        covering_agreement(college, "postsecondary", publication_min_n=11, bottom_code_percent=8.0),
    )
    wages = indicators.save_indicator(standard_indicator("employment_q2_after_exit").definition)
    college_going = indicators.save_indicator(
        standard_indicator("postsecondary_enrollment").definition
    )
    grade3 = indicators.save_indicator(standard_indicator("grade3_reading").definition)

    wage_policy = policy_for(wages)  # reads training and wages: the UI agreement
    assert (wage_policy.min_n, wage_policy.top_code, wage_policy.bottom_code) == (20, 95.0, 5.0)
    college_policy = policy_for(college_going)  # reads the college's table
    assert (college_policy.min_n, college_policy.bottom_code) == (11, 8.0)
    assert policy_for(grade3).min_n == 10  # no agreement behind it: the default
