"""Charts kept per compute run in the workspace: drawn once, read by every process after; a new
compute run or a changed target draws them again."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission, User

from backbone.indicators import charts, services
from backbone.indicators.models import Baseline, Target
from backbone.indicators.presentation import Point
from tests.indicators.test_compute import HIGH_EARNER, loaded  # noqa: F401  (fixture)

POINTS = [Point("2024", 0.5, "50%"), Point("2025", 0.6, "60%")]
built: list[int] = []


def counted_sparkline(points: list[Point]) -> object:
    built.append(1)
    return charts.sparkline(points)


def forget_this_process() -> None:
    """What a restarted server (or a second worker) starts with: no drawing in memory."""
    charts._drawings.clear()
    charts._svg.cache_clear()


def test_a_drawing_kept_for_a_run_is_read_not_built_again_by_another_process(tmp_path):
    built.clear()
    store = charts.run_folder(tmp_path, 7)
    first = charts.drawing(counted_sparkline, POINTS, store=store)
    forget_this_process()
    again = charts.drawing(counted_sparkline, POINTS, store=store)
    assert again == first and built == [1]
    assert [p.suffix for p in store.iterdir()] == [".svg"]  # no half-written file left


def test_another_runs_folder_starts_empty(tmp_path):
    built.clear()
    charts.drawing(counted_sparkline, POINTS, store=charts.run_folder(tmp_path, 1))
    charts.drawing(counted_sparkline, POINTS, store=charts.run_folder(tmp_path, 2))
    assert built == [1, 1]


def test_prune_keeps_only_the_runs_pages_still_read(tmp_path):
    for run in (1, 2, 3):
        charts.run_folder(tmp_path, run).mkdir()
    gone = charts.prune(tmp_path, {3, 1})
    assert [p.name for p in gone] == ["run-2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-1", "run-3"]


def kept(workspace, run: int) -> set[str]:
    folder = charts.run_folder(workspace.path(services.CHARTS), run)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def charts_of(page: str) -> str:
    """The page's drawn charts only (the page's own text names targets in any case)."""
    return "".join(re.findall(r"<svg.*?</svg>", page, flags=re.S))


@pytest.mark.django_db
def test_a_new_run_or_a_changed_target_draws_the_page_again(client, loaded, workspace):  # noqa: F811
    user = User.objects.create_user("reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="view_registry"))
    client.force_login(user)
    indicator = services.save_indicator(HIGH_EARNER)
    first = services.compute()
    url = f"/indicators/{indicator.slug}/"
    before = client.get(url).content.decode()
    assert len(kept(workspace, first.pk)) == 1  # the trend: this definition has no dimensions
    assert "Target" not in charts_of(before)

    Baseline.objects.create(indicator=indicator, period="2023", value=50.0)
    Target.objects.create(indicator=indicator, method="steady", goal=80.0, goal_year=2026)
    after = client.get(url).content.decode()
    assert "Target" in charts_of(after)  # the new target's line and its legend
    assert len(kept(workspace, first.pk)) == 2

    second = services.compute()
    assert kept(workspace, first.pk) == set()  # no page reads the first run any more
    client.get(url)
    assert len(kept(workspace, second.pk)) == 1
