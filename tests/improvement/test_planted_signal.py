"""The demo's planted signal: the synthetic city drops absences from the month its
housing-education network put a change into practice (``effects.json``), and the network's
monthly process measure — the share of enrolled days absent, read from ``attendance_monthly``
through the engine — shows it on its Laney p′ chart, frozen on the months before.

Expected months come from the truth folder's planted month, never from the chart; the measure's
yearly sums are checked against the truth folder's student-years.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import yaml
from django.test import Client

from backbone.demo.city import generate_city
from backbone.improvement import monthly
from backbone.improvement.models import Charter, Measure, PdsaCycle
from backbone.partnership.models import GovernanceBody
from backbone.warehouse import workspace as places
from tests.city_loading import load_city
from tests.fixtures import configured_workspace

pytestmark = pytest.mark.city

NETWORKS = Path(__file__).parents[2] / "src/backbone/demo/networks.yaml"
OUTSIDE, SHIFT = "Outside the control limits", "Shift"


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Path, Path, list[monthly.Month]]:
    """(the city, its workspace, the measure's months) for an 800-student city."""
    root = tmp_path_factory.mktemp("signal")
    manifest = generate_city(root / "city", students=800, seed=11)
    place = places.Workspace(places.ensure_workspace(root / "workspace"))
    load_city(manifest, place.warehouse(), root / "staging")
    with place.warehouse().engine() as engine:
        months = monthly.absence_share(engine)
    return manifest.root, place.root, months


def planted_month(city_root: Path) -> str:
    effects = json.loads((city_root / "truth" / "effects.json").read_text())
    return effects["attendance_change"]["from"][:7]  # YYYY-MM


def school_year(month: str) -> int:
    """The spring year of the school year ``month`` (YYYY-MM) falls in."""
    year, number = int(month[:4]), int(month[5:])
    return year + (number >= 7)


def test_the_measure_adds_up_to_the_truth_folders_school_years(city):
    truth = pd.read_csv(city[0] / "truth" / "student_years.csv")
    expected = truth.groupby("school_year")[["days_absent", "days_enrolled"]].sum()
    measured: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for m in city[2]:
        measured[school_year(m.label)][0] += m.absent
        measured[school_year(m.label)][1] += m.enrolled
    assert sorted(measured) == sorted(expected.index)
    for year, (absent, enrolled) in measured.items():
        assert (absent, enrolled) == (
            expected.loc[year, "days_absent"], expected.loc[year, "days_enrolled"],
        )  # fmt: skip


def test_points_fall_outside_the_limits_exactly_from_the_planted_month(city):
    change = planted_month(city[0])
    chart = monthly.absence_chart(city[2], change)
    after = [i for i, label in enumerate(chart.labels) if label >= change]
    assert after and after[0] > 24  # two school years of baseline at least
    outside = [s for s in chart.signals if s.rule == OUTSIDE]
    assert [list(s.points) for s in outside] == [after]
    assert all(chart.values[i] < chart.lower[i] for i in after)  # below: absences fell


def test_no_rule_fires_before_the_change_except_a_shift_that_runs_into_it(city):
    change = planted_month(city[0])
    chart = monthly.absence_chart(city[2], change)
    first = chart.labels.index(next(label for label in chart.labels if label >= change))
    shifts = [s.points for s in chart.signals if s.rule == SHIFT]
    into_change = {i for points in shifts if first in points for i in points}
    assert set(range(first, len(chart.labels))) <= into_change
    for i, rules in enumerate(chart.point_signals()[:first]):
        assert rules == () or (rules == (SHIFT,) and i in into_change), chart.labels[i]


def test_the_planted_month_is_when_the_demo_network_put_its_change_into_practice(city):
    networks = yaml.safe_load(NETWORKS.read_text())["networks"]
    housing = next(n for n in networks if n["network"] == "housing-education-network")
    cycles = [c for s in housing["pdsa"] for c in s["cycles"] if c["purpose"] == "implement"]
    started = min(c.get("actual_start") or c["planned_start"] for c in cycles)
    assert f"{started:%Y-%m}" == planted_month(city[0])


@pytest.mark.django_db
def test_the_network_page_draws_the_measure_with_the_change_marked(city, world):
    body = GovernanceBody.objects.get(slug="reading-network")
    charter = Charter.objects.get(body=body)
    Measure.objects.create(charter=charter, kind="process", indicator=monthly.ABSENCE_SHARE)
    PdsaCycle.objects.create(
        body=body, change_idea="First-day calls", number=1, purpose="implement",
        objective="o", question="q", prediction="p",
        planned_start=dt.date(2025, 1, 6), planned_end=dt.date(2025, 6, 13),
    )  # fmt: skip
    client = Client()
    client.force_login(world.users["network"])
    with configured_workspace(city[1]):
        page = client.get("/networks/reading-network/").content.decode()
    figure = page.split('id="measure-chart"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in figure and "Share of enrolled days absent" in figure
    assert "First-day calls #1 (open)" in figure
