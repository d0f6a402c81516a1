"""One contract for every engine adapter: the same calls give the same answers on DuckDB and
Spark (Django runs one session test mixin over every backend; Splink runs each test per dialect).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backbone.warehouse.engines import DuckDBEngine, Engine, WarehouseError

PEOPLE = pa.table(
    {
        "person": ["a", "b", "c"],
        "born": [date(2001, 2, 3), date(1999, 12, 31), None],
        "wages": pa.array([Decimal("100.50"), Decimal("0.00"), None], pa.decimal128(12, 2)),
    }
)


@pytest.fixture(scope="module")
def spark_session_for_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17+ on PATH")
    from backbone.warehouse.engines.spark_engine import spark_session

    with spark_session("backbone-engine-tests", scratch_parent=tmp_path_factory.mktemp("s")) as s:
        yield s


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "duckdb":
        duck = DuckDBEngine()
        yield duck
        duck.close()
        return
    from backbone.warehouse.engines.spark_engine import SparkEngine

    yield SparkEngine(request.getfixturevalue("spark_session_for_module"))


def test_run_takes_parameters_and_returns_tuples(engine):
    assert engine.run("SELECT ? + 1 AS n, ? AS word", [41, "hello"]) == [(42, "hello")]


def test_registered_rows_keep_their_types(engine):
    engine.register("people", PEOPLE)
    rows = engine.run("SELECT person, born, wages FROM people ORDER BY person")
    assert rows == [
        ("a", date(2001, 2, 3), Decimal("100.50")),
        ("b", date(1999, 12, 31), Decimal("0.00")),
        ("c", None, None),
    ]
    result = engine.arrow("SELECT born FROM people WHERE person = 'a'")
    assert result.schema.field("born").type == pa.date32()


def test_parquet_files_read_as_one_view(engine, tmp_path):
    first, second = tmp_path / "1.parquet", tmp_path / "it's 2.parquet"
    pq.write_table(PEOPLE.slice(0, 2), first)
    pq.write_table(PEOPLE.slice(2), second)
    engine.register_parquet("loaded", [first, second])
    assert engine.run("SELECT count(*), count(born) FROM loaded") == [(3, 2)]


def test_a_failing_query_names_its_label_and_the_engines_first_line(engine, caplog):
    with pytest.raises(WarehouseError, match=r"^chronic absence: .*") as raised:
        engine.run("SELECT no_such_column FROM (SELECT 1 AS x)", label="chronic absence")
    assert raised.value.label == "chronic absence"
    assert "\n" not in str(raised.value)


def test_queries_are_logged_with_their_label(engine, caplog):
    with caplog.at_level(logging.DEBUG, logger="backbone.warehouse.engines.base"):
        engine.run("SELECT 1", label="heartbeat")
    assert any("heartbeat" in r.getMessage() for r in caplog.records)


def test_scratch_tables_share_a_prefix_and_are_dropped(engine):
    with engine.scratch() as scratch:
        pairs = scratch.name("pairs")
        engine.run(f"CREATE OR REPLACE TEMPORARY VIEW {engine.identifier(pairs)} AS SELECT 1 AS a")
        assert pairs.startswith("scratch_")
        assert engine.run(f"SELECT a FROM {pairs}") == [(1,)]
    with pytest.raises(WarehouseError):
        engine.run(f"SELECT a FROM {pairs}")


def test_a_duckdb_engine_takes_a_memory_limit_and_a_spill_directory(tmp_path):
    engine = DuckDBEngine(memory_limit="512MB", temp_directory=str(tmp_path / "spill"))
    try:
        limit, spill = engine.run(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        )[0]
        # 512 MB as DuckDB reports it (10^6 bytes read, 2^20 bytes written): 488.2 MiB
        assert (limit, spill) == ("488.2 MiB", str(tmp_path / "spill"))
    finally:
        engine.close()


def test_a_bounded_duckdb_engine_takes_its_limit_and_spill_folder_from_the_environment(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("BACKBONE_DUCKDB_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("BACKBONE_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    engine = DuckDBEngine.bounded()
    try:
        settings = "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        # 300 × 10^6 bytes = 286.1 MiB
        assert engine.run(settings)[0] == ("286.1 MiB", str(tmp_path / "spill"))
    finally:
        engine.close()


def test_a_bounded_duckdb_engine_defaults_to_two_fifths_of_the_machine(monkeypatch):
    monkeypatch.delenv("BACKBONE_DUCKDB_MEMORY_LIMIT", raising=False)
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    engine = DuckDBEngine.bounded()
    try:
        value = engine.run("SELECT current_setting('memory_limit')")[0][0]
    finally:
        engine.close()
    number, unit = value.split()
    limit = float(number) * {"MiB": 2**20, "GiB": 2**30}[unit]
    assert limit == pytest.approx(0.4 * total_kib * 1024, rel=0.01)
