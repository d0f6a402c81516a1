"""Loaded with ``-p``: on PostgreSQL, run only the tests where the database can matter.

``make test`` runs the suite on SQLite, then again on PostgreSQL. A test that never reaches
Django's database (statistics, run-chart rules, linkage on files, disclosure maths…) gives the
same answer on both, so the second pass deselects it. A test is kept when any of these holds:

- it is not a plain test function (doctests, other item kinds);
- it carries the ``django_db`` marker, or asks (directly or through other fixtures) for a
  fixture in ``DATABASE_FIXTURES``;
- the source of the test function, of any project fixture it uses, or of any project function,
  class or module those reach by name, mentions one of ``PROCESS_TOKENS`` — how a test reaches a
  database outside pytest-django's guard (a ``backbone`` subprocess given ``DATABASE_URL``, a
  direct psycopg connection, ``django.db``).

In-process database access without ``db`` fails under pytest-django, so the fixtures catch that
case; the tokens catch the rest. When unsure (source not readable) the test is kept.
``BACKBONE_PG_EVERY_TEST=1`` turns the rule off. See docs/development.md, "Tests".
"""

from __future__ import annotations

import inspect
import os
import types
from collections import Counter
from typing import Any

import pytest

DATABASE_FIXTURES = frozenset(
    {
        "db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
        "django_db_setup", "live_server", "client", "async_client",
        "admin_client", "admin_user", "django_user_model", "django_username_field", "workspace",
    }
)  # fmt: skip
PROCESS_TOKENS = (
    "DATABASE_URL", "subprocess", "Popen", "sys.executable", "psycopg", "django.db",
    "call_command", "CliRunner", "backbone.cli", "os.system",
)  # fmt: skip
PROJECT_PREFIX = "tests"

DROPPED = "deselected: no database fixture or marker, reaches no database process"
_summary: Counter[str] = Counter()


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and not os.environ.get(
        "BACKBONE_PG_EVERY_TEST"
    )


def is_project(obj: Any) -> bool:
    name = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", "")
    return isinstance(name, str) and (name == PROJECT_PREFIX or name.startswith("tests."))


def code_names(code: types.CodeType) -> set[str]:
    """Every global or attribute name a function's code (nested lambdas and comprehensions
    included) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= code_names(const)
    return names


def reaches_a_database(obj: Any, seen: set[int]) -> str | None:
    """The first process token found in ``obj``'s source or in a project object it names."""
    if id(obj) in seen:
        return None
    seen.add(id(obj))
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError):
        return "source unreadable"
    token = next((t for t in PROCESS_TOKENS if t in source), None)
    if token or isinstance(obj, types.ModuleType):
        return token
    for inner in referenced_project_objects(obj):
        found = reaches_a_database(inner, seen)
        if found:
            return found
    return None


def referenced_project_objects(obj: Any) -> list[Any]:
    """Project functions, classes and modules that ``obj`` names (for a class: its methods)."""
    if isinstance(obj, type):
        return [m for m in vars(obj).values() if inspect.isfunction(m)]
    func = inspect.unwrap(obj)
    code = getattr(func, "__code__", None)
    if code is None:
        return []
    scope = getattr(func, "__globals__", {})
    found = [scope[n] for n in code_names(code) if n in scope]
    return [o for o in found if is_project(o) and (callable(o) or inspect.ismodule(o))]


def why_kept(item: pytest.Item) -> str | None:
    """Why ``item`` runs on PostgreSQL too, or None when it cannot reach the database."""
    if not isinstance(item, pytest.Function):
        return "not a plain test function"
    if item.get_closest_marker("django_db"):
        return "django_db marker"
    if set(item.fixturenames) & DATABASE_FIXTURES:
        return "database fixture"
    seen: set[int] = set()
    sources = [item.function]
    for defs in item._fixtureinfo.name2fixturedefs.values():
        sources += [d.func for d in defs if is_project(d.func)]
    # pytest-django's autouse fixtures ask for django_db_blocker; only a test or a project
    # fixture asking for it by name unblocks the database.
    if any("django_db_blocker" in inspect.signature(s).parameters for s in sources):
        return "unblocks the database"
    for source in sources:
        token = reaches_a_database(source, seen)
        if token:
            return f"reaches {token}"
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not on_postgres():
        return
    kept, dropped = [], []
    for item in items:
        reason = why_kept(item)
        (kept if reason else dropped).append(item)
        _summary[f"kept: {reason}" if reason else DROPPED] += 1
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _summary:
        return
    write = terminalreporter.write_line
    write(f"PostgreSQL pass: {_summary[DROPPED]} of {_summary.total()} tests deselected "
          "(tests/pytest_database_pass.py; BACKBONE_PG_EVERY_TEST=1 runs them all):")  # fmt: skip
    for reason, count in sorted(_summary.items(), key=lambda pair: -pair[1]):
        write(f"  {count:5d}  {reason}")
