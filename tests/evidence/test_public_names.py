"""Evidence modules use each other's public names only: a leading underscore means "may change
without notice", so no other module may import it."""

from __future__ import annotations

import ast
from pathlib import Path

import backbone.evidence

PACKAGE = Path(backbone.evidence.__file__).parent


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}: {node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backbone")
        for alias in node.names
        if alias.name.startswith("_")
    ]


def test_no_evidence_module_imports_a_private_name():
    found = [hit for path in sorted(PACKAGE.glob("*.py")) for hit in _private_imports(path)]
    assert found == []


def test_the_check_finds_a_private_import(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("from backbone.evidence.designs import Estimate, _hidden\n")
    assert _private_imports(planted) == ["planted.py: backbone.evidence.designs._hidden"]
