"""On the synthetic city: the demo's programs.yaml matches every roster value the city writes,
and take-up per program and school year equals distinct participants counted by pandas from
the raw roster files (CSV, the mentoring partner's XLSX, Eastside's own columns and US dates)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from backbone.demo.city import generate_city
from backbone.demo.services import DEMO_PROGRAMS
from backbone.programs import participation as pp
from backbone.programs.catalog import parse_programs
from backbone.warehouse.store import Warehouse
from tests.city_loading import load_city

pytestmark = pytest.mark.city
ROSTERS = "program_participation"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("programs")
    manifest = generate_city(root / "city", students=600, seed=5, years=3)
    manifest.files = manifest.select(contract=ROSTERS)
    warehouse = Warehouse(root / "warehouse")
    load_city(manifest, warehouse, root / "staging")
    return manifest, warehouse


@pytest.fixture(scope="module")
def matchers():
    parsed = parse_programs(DEMO_PROGRAMS.read_text())
    return [
        pp.Matcher(p.slug, p.partner, tuple(p.aliases), p.dosage.hours, p.dosage.sessions)
        for p in parsed.programs
    ]


def _roster(path: Path, mapping: dict) -> pd.DataFrame:
    """One raw roster file as (local_id, program, start date), read by pandas alone."""
    frame = (pd.read_excel(path, dtype=str) if path.suffix == ".xlsx"
             else pd.read_csv(path, dtype=str, keep_default_na=False))  # fmt: skip
    columns = mapping.get("columns", {})
    frame = frame.rename(columns={v: k for k, v in columns.items()})
    # A spreadsheet's dates are cells of their own type; text dates are in the partner's format.
    how = "ISO8601" if path.suffix == ".xlsx" else mapping.get("date_format", "%Y-%m-%d")
    start = pd.to_datetime(frame["start_date"], format=how)
    return pd.DataFrame({"local_id": frame["local_id"], "program": frame["program"],
                         "start": start})  # fmt: skip


def _expected_take_up(manifest, matchers) -> dict[tuple[str, str], int]:
    slug_of = {(m.partner, alias): m.slug for m in matchers for alias in m.aliases}
    frames = []
    for entry in manifest.files:
        frame = _roster(
            manifest.path(entry), manifest.column_mappings.get((entry.partner, ROSTERS), {})
        )
        frames.append(frame.assign(slug=[slug_of[(entry.partner, v)] for v in frame["program"]]))
    spells = pd.concat(frames)
    # School year July–June, by the spell's start.
    spring = spells["start"].dt.year + (spells["start"].dt.month >= 7).astype(int)
    spells["year"] = [f"{y - 1}-{y % 100:02d}" for y in spring]
    counts = spells.groupby(["slug", "year"])["local_id"].nunique()
    return {key: int(n) for key, n in counts.items()}


def test_the_demo_programs_match_every_value_the_city_writes(city, matchers):
    with city[1].engine() as engine:
        assert pp.unmatched(engine, matchers) == []


def test_take_up_equals_distinct_participants_per_year_from_the_raw_rosters(city, matchers):
    manifest, warehouse = city
    with warehouse.engine() as engine:
        rows = pp.yearly(engine, matchers, dt.date(2030, 1, 1))
    got = {(r["slug"], r["year"]): r["participants"] for r in rows}
    expected = _expected_take_up(manifest, matchers)
    assert len({slug for slug, _ in expected}) == 4 and sum(expected.values()) > 100
    assert got == expected


def test_months_add_up_to_the_rosters_sessions_and_hours(city, matchers):
    with city[1].engine() as engine:
        months = pp.monthly(engine, matchers, dt.date(2030, 1, 1))
        years = pp.yearly(engine, matchers, dt.date(2030, 1, 1))
    assert sum(m["sessions"] for m in months) == pytest.approx(sum(y["sessions"] for y in years))
    assert sum(m["hours"] for m in months) == pytest.approx(sum(y["hours"] for y in years))
