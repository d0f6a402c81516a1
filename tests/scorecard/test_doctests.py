"""The examples in the scorecard's pure modules' docstrings are true."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["cells", "export", "figures", "labels", "links"])
def test_docstring_examples_hold(name):
    module = importlib.import_module(f"backbone.scorecard.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
