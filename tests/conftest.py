"""Shared fixtures. The per-run workspace is set by ``tests/pytest_workspace.py``; a test that
needs a workspace of its own asks for ``workspace``."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backbone.warehouse.workspace import Workspace
from tests import fixtures as made
from tests.fixtures import PROJECT_ROOT, configured_workspace

DEMO_STUDENTS = 300


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty workspace for one test, made the configured one (``settings.WORKSPACE``)."""
    with configured_workspace(tmp_path / "workspace") as made:
        yield made


@dataclass(frozen=True)
class DemoBuild:
    """A workspace ``backbone demo --build-only`` built, and what the command printed."""

    workspace: made.Workspace
    stdout: str


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoBuild]:
    """``backbone demo --build-only --students 300``, built once per run (it takes minutes) and
    never changed: a test serves or writes to ``made.copy_of(demo_build.workspace, ...)``."""
    with made.workspace(tmp_path_factory.mktemp("demo-build")) as ws:
        result = ws.run("demo", "--build-only", "--students", str(DEMO_STUDENTS))
        yield DemoBuild(ws, result.stdout)


class Cities:
    """``generate_city`` once per run for each set of parameters: modules asking for the same
    city share its files. The folder is shared, so a test must not write into it; the manifest
    is a fresh copy each time (tests narrow ``manifest.files``)."""

    def __init__(self, folders: pytest.TempPathFactory):
        self.folders = folders
        self.made: dict[tuple[int, int, int, bool], Any] = {}

    def __call__(
        self, *, students: int, seed: int = 7, years: int = 6, crowded_names: bool = False
    ) -> Any:
        from backbone.demo.city.generate import generate_city

        key = (students, seed, years, crowded_names)
        if key not in self.made:
            folder = self.folders.mktemp(f"city-{students}-{seed}-{years}")
            self.made[key] = generate_city(
                folder / "city", students=students, seed=seed, years=years,
                crowded_names=crowded_names,
            )  # fmt: skip
        return copy.deepcopy(self.made[key])


@pytest.fixture(scope="session")
def cities(tmp_path_factory: pytest.TempPathFactory) -> Cities:
    """``cities(students=1000, seed=11)``: a generated synthetic city, shared for the run."""
    return Cities(tmp_path_factory)


@pytest.fixture(scope="session")
def loaded_cities(cities: Cities, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``loaded_cities(folder, students=1000, seed=11)``: a city loaded into a warehouse once
    per run, copied to ``folder`` for each caller (tests/city_loading.py)."""
    from tests.city_loading import LoadedCities

    return LoadedCities(cities, tmp_path_factory)


@pytest.fixture(autouse=True)
def cache_is_empty_for_each_test() -> Iterator[None]:
    """Public pages are cached per release, and a rolled-back release's id comes back in the
    next test: no test may read another's pages."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def actor_is_reset_after_each_test() -> Iterator[None]:
    """A command run in-process names the terminal's user as the actor for the rest of the
    process (``act_from_command_line``); a test must not pass that on to the next one."""
    from backbone.governance.actor import SYSTEM, acting_as

    with acting_as(SYSTEM):
        yield
