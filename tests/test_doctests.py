"""The examples in every pure module's docstrings are true (``pure_modules()`` in
``tests/architecture.py`` says which modules are pure)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from tests.architecture import pure_modules

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


# The layer checker's own examples run too.
@pytest.mark.parametrize("name", [*pure_modules(), "tests.architecture"])
def test_docstring_examples_hold(name, capsys):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.failed == 0, f"{name}:\n{capsys.readouterr().out}"


@pytest.mark.parametrize(
    "name",
    ["backbone.scorecard.cells", "backbone.scorecard.figures", "backbone.warehouse.workspace"],
)
def test_modules_with_examples_are_found(name):
    """A module whose examples doctest cannot find would pass unnoticed."""
    assert doctest.testmod(importlib.import_module(name), optionflags=FLAGS).attempted > 0
