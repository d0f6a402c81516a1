"""The ``program_assessment`` contract: a CBO's own pre/post scores, with the rules across the
columns of a row (the post-test after the pre-test, its date and score given together)."""

from __future__ import annotations

import datetime as dt

import pytest

from backbone.intake.importers import tabular
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.records import ImportOptions
from backbone.warehouse.store import Warehouse
from tests.fixtures import write_csv

HEADER = ["local_id", "program", "instrument", "domain", "pre_date", "pre_score", "post_date",
          "post_score"]  # fmt: skip
GOOD = [
    ["M1", "Pathways Mentoring", "DESSA", "SEL", "2025-09-22", "44", "2026-05-11", "51"],
    ["M2", "Pathways Mentoring", "DESSA", "SEL", "2025-09-22", "38", "", ""],
]


def _load(tmp_path, rows):
    path = write_csv(tmp_path / "a.csv", HEADER, rows)
    options = ImportOptions(partner="mentoring", target_table="program_assessment")
    request = LoadRequest(1, "mentoring", "k", tmp_path / "staging", today=dt.date(2026, 11, 23))
    warehouse = Warehouse(tmp_path / "warehouse")
    return load(tabular.read(path, options), request, warehouse), warehouse


def test_pre_and_post_load_typed_and_a_missing_post_test_is_allowed(tmp_path):
    result, warehouse = _load(tmp_path, GOOD)
    assert result.loaded and result.problems == []
    rows = warehouse.query(
        "SELECT pre_score, post_score, post_date - pre_date FROM program_assessment ORDER BY 1"
    )
    assert rows == [(38.0, None, None), (44.0, 51.0, 231)]  # 22 Sep 2025 → 11 May 2026


@pytest.mark.parametrize(
    ("bad", "field", "rule"),
    [
        (["2025-09-22", "44", "2025-09-01", "51"], "post_date", "after"),
        (["2025-09-22", "44", "2025-09-22", "51"], "post_date", "after"),
        (["2025-09-22", "44", "", "51"], "post_score", "together"),
        (["2025-09-22", "44", "2026-05-11", ""], "post_score", "together"),
        (["2025-09-22", "-4", "2026-05-11", "51"], "pre_score", "range"),
        (["", "44", "2026-05-11", "51"], "pre_date", "required"),
    ],
)
def test_row_rules_report_the_broken_row(tmp_path, bad, field, rule):
    row = ["M3", "Pathways Mentoring", "DESSA", "SEL", *bad]
    result, _ = _load(tmp_path, [*GOOD, row])
    assert not result.loaded
    assert [(p.row, p.field, p.rule) for p in result.problems] == [(4, field, rule)]


def test_domain_is_sel_or_academic(tmp_path):
    row = ["M3", "Pathways Mentoring", "DESSA", "wellbeing", "2025-09-22", "44", "", ""]
    result, _ = _load(tmp_path, [*GOOD, row])
    assert [(p.field, p.rule) for p in result.problems] == [("domain", "code_list")]
