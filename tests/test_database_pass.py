"""The PostgreSQL pass's rule (tests/pytest_database_pass.py): a test reaching a database
process through helpers is kept, a pure one is not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests import pytest_database_pass as rule
from tests.fixtures import workspace


def pure_mean(values: list[int]) -> float:
    return sum(values) / len(values)


def runs_the_cli() -> None:
    subprocess.run([sys.executable, "-m", "backbone", "status"], check=False)


def calls_a_helper_that_runs_the_cli() -> None:
    pure_mean([1])
    runs_the_cli()


def builds_a_workspace(tmp_path) -> None:
    with workspace(tmp_path):
        pass


class Pages:
    def crawl(self) -> None:
        calls_a_helper_that_runs_the_cli()


def makes_a_crawler() -> None:
    Pages().crawl()


@pytest.mark.parametrize(
    ("function", "token"),
    [
        (pure_mean, None),
        (runs_the_cli, "subprocess"),
        (calls_a_helper_that_runs_the_cli, "subprocess"),
        (makes_a_crawler, "subprocess"),
        # tests.fixtures.workspace -> fresh_database_url, which reads DATABASE_URL
        (builds_a_workspace, "DATABASE_URL"),
    ],
)
def test_a_database_process_is_found_through_helpers(function, token):
    assert rule.reaches_a_database(function, set()) == token


def test_the_rule_runs_only_on_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@/backbone?host=/tmp/x")
    assert rule.on_postgres()
    monkeypatch.setenv("BACKBONE_PG_EVERY_TEST", "1")
    assert not rule.on_postgres()
    monkeypatch.delenv("BACKBONE_PG_EVERY_TEST")
    monkeypatch.delenv("DATABASE_URL")
    assert not rule.on_postgres()
