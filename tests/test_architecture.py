"""The house rules that keep the codebase navigable, checked rather than hoped for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.architecture import PACKAGE, pure_modules


def test_there_are_pure_modules_to_check():
    assert "backbone.governance.registry_file" in pure_modules()
    assert "backbone.warehouse.workspace" in pure_modules()


@pytest.mark.parametrize("module", pure_modules())
def test_pure_module_imports_without_django(module):
    code = (
        "import sys, importlib; importlib.import_module(sys.argv[1]); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'typer'}); "
        "sys.exit(f'{sys.argv[1]} pulls in {bad}' if bad else 0)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PACKAGE.parent)}
    result = subprocess.run(
        [sys.executable, "-c", code, module], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr


def url_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("urls.py") if p.parent.name != "config"]


@pytest.mark.parametrize("path", url_modules(), ids=lambda p: p.parent.name)
def test_app_urls_have_app_name_and_snake_case_names(path):
    tree = ast.parse(path.read_text())
    assigned = {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    assert "app_name" in assigned
    names = [
        kw.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "name"
    ]
    assert names and all(name.islower() and " " not in name and "-" not in name for name in names)


def test_no_print_outside_the_cli():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "__main__.py" or "cli" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text())
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
        ]
        offenders += [f"{path.relative_to(PACKAGE)}:{c.lineno}" for c in calls]
    assert offenders == []
