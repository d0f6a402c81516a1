"""Shared fixtures. The per-run workspace is set by ``tests/pytest_workspace.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import PROJECT_ROOT


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
