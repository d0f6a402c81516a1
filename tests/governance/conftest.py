"""The seeded partnership (``seeded.py``), built once per test module in its own workspace and
rolled back after it; each test runs inside it and rolls back its own changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.fixtures import configured_workspace
from tests.governance.seeded import World, seed


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("governance-world")
    files = root / "files"
    files.mkdir()
    isolated = configured_workspace(root / "workspace")
    with django_db_blocker.unblock(), isolated, transaction.atomic():
        built = seed(files)
        yield built
        transaction.set_rollback(True)
