"""A release protects the latest results of every public indicator under the strictest policy
and keeps the audit record; checked on the planted partnership's hand-made figures."""

from __future__ import annotations

import pytest
from django.test import override_settings

from backbone.indicators.models import ComputeRun, Result
from backbone.scorecard import services
from backbone.scorecard.models import IndicatorPublication, PublishedCell
from tests.scorecard.planted import ECONOMIC, PACIFIC, PROGRAM, RACE, plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted():
    return plant()


def cell(indicator, period, dimension, group) -> PublishedCell:
    return PublishedCell.objects.get(
        indicator=indicator, period=period, dimension=dimension, group_value=group
    )


def test_the_group_of_four_is_suppressed_and_another_group_hides_it_from_subtraction(planted):
    made = services.release()
    reading = planted["reading"]
    four = cell(reading, "2024", RACE, PACIFIC)
    assert (four.numerator, four.denominator, four.value, four.marker) == (None, None, None, "*")
    assert four.threshold == 10 and four.rule.startswith("primary")
    others = [cell(reading, "2024", RACE, g) for g in ("Asian", "White")]
    total = cell(reading, "2024", "overall", "all")
    # 2,655 − 589 − 2,062 would give the 4 back unless something else is withheld too.
    assert total.denominator is None or any(c.denominator is None for c in others)
    assert made.cells.count() == 23  # 20 planted reading results + 3 earnings


def test_overlapping_programs_get_primary_suppression_but_no_partition(planted):
    made = services.release()
    reading = planted["reading"]
    assert cell(reading, "2024", PROGRAM, "Robotics club").marker == "*"  # 6 people
    tutoring = cell(reading, "2024", PROGRAM, "Tutoring")
    assert (tutoring.numerator, tutoring.denominator, tutoring.display) == (412, 733, "56%")
    assert made.dimensions["planted_reading"] == {ECONOMIC: True, PROGRAM: False, RACE: True}
    totals = {(p["period"], p["parts"][0][0]) for p in made.partitions}
    assert totals == {("2023", ECONOMIC), ("2023", RACE), ("2024", ECONOMIC), ("2024", RACE)}
    assert {p["indicator"] for p in made.partitions} == {"planted_reading", "planted_earnings"}


def test_published_percent_is_rounded_from_the_counts(planted):
    services.release()
    white = cell(planted["reading"], "2024", RACE, "White")
    # 1,069 / 2,062 = 51.84…%
    assert (white.value, white.display, white.unit) == (52.0, "52%", "percent")


def test_a_median_of_seven_people_is_withheld_and_shown_in_dollars(planted):
    services.release()
    earnings = planted["earnings"]
    assert cell(earnings, "2024", RACE, "Asian").marker == "*"
    total = cell(earnings, "2024", "overall", "all")
    white = cell(earnings, "2024", RACE, "White")
    assert total.denominator is None or white.denominator is None  # 412 − 405 = 7 otherwise
    shown = [c for c in (total, white) if c.value is not None]
    assert {c.display for c in shown} <= {"$31,235", "$31,300"}  # 31,234.5 rounds half up


def test_policy_is_the_strictest_of_the_setting_and_the_indicator(planted):
    reading = planted["reading"]
    assert services.policy_for(reading).min_n == 10
    with override_settings(DISCLOSURE_MIN_N=12):
        assert services.policy_for(reading).min_n == 12
        IndicatorPublication.objects.create(indicator=reading, min_n=5)
        assert services.policy_for(reading).min_n == 12
    IndicatorPublication.objects.filter(indicator=reading).update(min_n=15)
    assert services.policy_for(reading).min_n == 15
    services.release()
    # 13 people in "missing" 2024 pass 10 but not 15.
    assert cell(reading, "2024", ECONOMIC, "missing").threshold == 15
    assert cell(reading, "2024", ECONOMIC, "missing").denominator is None


def test_an_indicator_withdrawn_from_the_public_is_not_released(planted):
    IndicatorPublication.objects.create(indicator=planted["earnings"], public=False)
    made = services.release()
    assert set(made.cells.values_list("indicator__slug", flat=True)) == {"planted_reading"}


def test_a_release_is_current_until_new_results_or_a_stricter_policy(planted):
    assert services.current_release() is None
    made = services.release()
    assert services.current_release() == made
    IndicatorPublication.objects.create(indicator=planted["reading"], min_n=11)
    assert services.current_release() is None
    again = services.release()
    assert services.current_release() == again
    run = ComputeRun.objects.create()
    Result.objects.create(
        run=run, indicator=planted["earnings"], definition_version=1, period="2025",
        dimension="overall", group_value="all", numerator=500, denominator=700, value=1.0,
    )  # fmt: skip
    assert services.current_release() is None


def test_the_summary_counts_each_kind_of_marker(planted):
    made = services.release()
    counts = services.release_summary(made)
    markers = list(made.cells.values_list("marker", flat=True))
    assert counts["cells"] == 23 == len(markers)
    assert counts["primary"] == markers.count("*") >= 5  # 4, 5, 7, 6 and 7 people at least
    assert counts["complementary"] == markers.count("‡") >= 1
    assert counts["published"] == markers.count("")


def test_every_result_of_the_latest_run_is_published_once_with_its_audit_record(planted):
    made = services.release()
    keys = list(made.cells.values_list("indicator__slug", "period", "dimension", "group_value"))
    assert len(keys) == len(set(keys)) == 23
    assert made.runs == [ComputeRun.objects.get().pk] and made.compute_run_id == made.runs[0]
    assert made.thresholds == {"planted_reading": 10, "planted_earnings": 10}
    assert set(made.cells.values_list("policy_version", flat=True)) == {"backbone-disclosure-1"}
    assert all(c.rule for c in made.cells.all())
