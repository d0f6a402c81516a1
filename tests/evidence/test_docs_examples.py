"""The ``>>>`` examples in docs/evidence.md hold (they are worked by hand in the text)."""

from __future__ import annotations

import doctest

from tests.fixtures import PROJECT_ROOT


def test_evidence_page_examples_hold():
    result = doctest.testfile(
        str(PROJECT_ROOT / "docs" / "evidence.md"), module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
    )  # fmt: skip
    assert result.attempted >= 10 and result.failed == 0
