"""Shared test set-up: every run gets its own workspace so nothing touches ./backbone-data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before Django reads its settings: a throwaway workspace for this test run.
os.environ["BACKBONE_WORKSPACE"] = tempfile.mkdtemp(prefix="backbone-test-")

import pytest  # noqa: E402

from tests.fixtures import PROJECT_ROOT  # noqa: E402


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
