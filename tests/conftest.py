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
