"""``backbone compute``: indicators computed from a real warehouse, stored with their lineage,
and the same numbers on DuckDB and Spark."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backbone.cli import app
from backbone.indicators import services
from backbone.indicators.completeness import Awaited, CompleteWhen
from backbone.indicators.definitions import IndicatorDefinition, Period
from backbone.indicators.models import ComputeRun, Indicator, Result
from backbone.intake import services as intake
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement

pytestmark = pytest.mark.django_db

HIGH_EARNER = IndicatorDefinition(
    slug="high_quarterly_wages",
    name="Workers with a quarter of at least $1,030",
    table="wages",
    denominator="wages >= 0",
    numerator="wages >= 1030",
    period=Period(column="year"),
)

# The same, complete once the wage records reach the end of each calendar year.
CALENDAR_WAGES = HIGH_EARNER.model_copy(
    update={
        "complete_when": CompleteWhen(
            integer_period="calendar_year", waits_for=(Awaited(table="wages", through="quarter"),)
        )
    }
)


def wage_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def expected_by_year(rows: list[dict[str, str]]) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) per year, by hand: persons with any quarter ≥ 1030 / persons."""
    workers, high = defaultdict(set), defaultdict(set)
    for row in rows:
        workers[row["year"]].add(row["ssn"])
        if float(row["wages"]) >= 1030:
            high[row["year"]].add(row["ssn"])
    return {year: (len(high[year]), len(workers[year])) for year in workers}


@pytest.fixture
def loaded(tmp_path, workspace) -> Path:
    partner = Partner.objects.create(
        slug="state-ui", name="State UI", partner_type="workforce_board"
    )
    covering_agreement(partner, "ui_wages")
    path = tmp_path / "wages.csv"
    with path.open("w", newline="") as handle:  # 60 workers; worker i earns 1000 + i a quarter
        writer = csv.writer(handle)
        writer.writerow(["ssn", "employer_id", "year", "quarter", "wages"])
        for i in range(60):
            for year, quarters in ((2023, 4), (2024, 2 if i % 3 else 0)):
                for quarter in range(1, quarters + 1):
                    writer.writerow([f"{200000000 + i:09d}", "E1", year, quarter, 1000 + i])
    assert intake.ingest(path, partner, "ui_wages", "2024").submission.status == "loaded"
    return path


def stored(run: ComputeRun) -> dict[tuple[str, str, str], tuple[int, int, float | None]]:
    return {
        (r.period, r.dimension, r.group_value): (r.numerator, r.denominator, r.value)
        for r in Result.objects.filter(run=run)
    }


def test_compute_stores_hand_checked_results_with_lineage(loaded):
    indicator = services.save_indicator(HIGH_EARNER)
    run = services.compute()
    expected = expected_by_year(wage_rows(loaded))
    results = stored(run)
    assert set(results) == {(year, "overall", "all") for year in expected}
    for year, (numerator, denominator) in expected.items():
        assert results[(year, "overall", "all")] == (
            numerator, denominator, pytest.approx(100 * numerator / denominator)
        )  # fmt: skip
    assert run.submissions == sorted(intake.warehouse().submissions())
    assert Result.objects.filter(run=run).first().definition_version == indicator.version == 1


def test_compute_stores_which_periods_are_complete_and_how_far_the_data_reach(loaded):
    services.save_indicator(CALENDAR_WAGES)
    run = services.compute()
    flags = {r.period: (r.complete, r.data_through) for r in Result.objects.filter(run=run)}
    # The file's last quarter is 2024-Q2: 2023 is over, 2024 has only two of its quarters.
    assert flags == {
        "2023": (True, dt.date(2024, 6, 30)),
        "2024": (False, dt.date(2024, 6, 30)),
    }


def test_without_a_rule_every_result_is_complete_with_no_data_through(loaded):
    services.save_indicator(HIGH_EARNER)
    run = services.compute()
    assert set(Result.objects.filter(run=run).values_list("complete", "data_through")) == {
        (True, None)
    }


def test_changing_a_definition_bumps_its_version_and_a_bad_one_stores_nothing(loaded):
    services.save_indicator(HIGH_EARNER)
    changed = HIGH_EARNER.model_copy(update={"numerator": "wages >= 1050"})
    assert services.save_indicator(changed).version == 2
    assert services.save_indicator(changed).version == 2  # unchanged: same version
    Indicator.objects.filter(slug=HIGH_EARNER.slug).update(
        definition={**changed.model_dump(mode="json"), "numerator": "wagez > 1"}
    )
    with pytest.raises(ValueError, match="wagez"):
        services.compute()
    assert not ComputeRun.objects.exists() and not Result.objects.exists()


def test_the_cli_computes_and_reports(loaded):
    services.save_indicator(HIGH_EARNER)
    result = CliRunner().invoke(app, ["compute"])
    assert result.exit_code == 0, result.output
    assert "Computed 1 indicators" in result.output
    assert Result.objects.count() == len(expected_by_year(wage_rows(loaded)))


@pytest.mark.spark
def test_spark_gives_the_same_results_as_duckdb(loaded):
    services.save_indicator(HIGH_EARNER)
    on_duckdb = stored(services.compute("duckdb"))
    on_spark = stored(services.compute("spark"))
    assert on_spark == on_duckdb and on_duckdb
