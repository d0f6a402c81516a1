"""One synthetic city, built through the real CLI, for the scorecard's end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import Workspace, workspace

CITY_STUDENTS = 1500


@pytest.fixture(scope="session")
def city(tmp_path_factory) -> Iterator[Workspace]:
    """``backbone demo --build-only`` at 1,500 students: generated, ingested, linked, computed
    and released (the demo build makes the first release)."""
    with workspace(tmp_path_factory.mktemp("scorecard-city")) as ws:
        ws.run("demo", "--build-only", "--students", str(CITY_STUDENTS), timeout=1200)
        yield ws


@pytest.fixture(scope="session")
def city_site(city, tmp_path_factory) -> Path:
    """The city's scorecard published as a static site."""
    out = tmp_path_factory.mktemp("scorecard-site") / "site"
    city.run("publish", str(out), timeout=600)
    return out
