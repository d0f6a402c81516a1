"""Shared fixtures. The per-run workspace is set by ``tests/pytest_workspace.py``; a test that
needs a workspace of its own asks for ``workspace``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backbone.warehouse.workspace import Workspace
from tests.fixtures import PROJECT_ROOT, configured_workspace


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty workspace for one test, made the configured one (``settings.WORKSPACE``)."""
    with configured_workspace(tmp_path / "workspace") as made:
        yield made


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
