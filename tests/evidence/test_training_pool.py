"""The evidence service reads a workforce study's pool with the partnership's own CPI file when
``BACKBONE_CPI_FILE`` names one (a made-up table, so the doubling below is by construction)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from backbone.evidence import services, studies
from backbone.warehouse.engines.duckdb_engine import DuckDBEngine

D = dt.date


def test_the_cpi_file_setting_replaces_the_shipped_table(settings, tmp_path):
    path = tmp_path / "our-cpi.csv"
    path.write_text("year,cpi\n2020,100\n2021,100\n2022,100\n2023,100\n2024,200\n")
    settings.EVIDENCE_CPI_FILE = str(path)
    engine = DuckDBEngine()
    engine.register("training", pa.table({
        "record_id": ["w-1"], "program": ["Welding"], "entry_date": [D(2021, 10, 1)],
        "exit_date": [D(2022, 2, 15)],
    }))  # fmt: skip
    engine.register("wages", pa.table({
        "record_id": ["u-2", "u-2", "u-3"], "year": [2020, 2023, 2024], "quarter": [1, 2, 1],
        "wages": [1.0, 1000.0, 1.0], "employer_id": ["E"] * 3,
    }))  # fmt: skip
    engine.register("crosswalk", pa.table({"record_id": ["x"], "person_key": ["X"]}))
    study = studies.study_from_dict({
        "slug": "s", "program": "*", "unit": "training_cohorts", "years": [2021, 2021],
        "anchor": "exit", "outcome": "year2_earnings", "covariates": ["pre_earnings"],
        "cpi_base_year": 2024,
    })  # fmt: skip
    pool = services._training_pool(engine, study)
    # u-2's $1,000 of 2023Q2 falls in year 2 (2023Q1-Q4) and is worth 200 / 100 of it in 2024.
    assert pool.loc[pool["person"] == "u-2", "year2_earnings"].tolist() == [2000.0]
    engine.close()
