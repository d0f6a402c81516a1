"""On the synthetic city: each employer's pipeline and events per year equal an independent
pandas count over the raw partner files (training rosters, St. Brigid's event files and the UI
wage files), people joined through the city's truth folder (``truth/persons.csv``). The
warehouse gets the true crosswalk too, so the comparison tests the actuals, not linkage."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from backbone.workforce import actuals, hiring
from tests.indicators.raw_city import truth_people
from tests.indicators.test_library import publish_truth_crosswalk

pytestmark = pytest.mark.city
WORKFORCE, EMPLOYER, ACCOUNT = "three-rivers-workforce-board", "st-brigid-health", "UI-4400017"
HEALTH = actuals.Scope("health", ("Healthcare Career Pathway",), ((EMPLOYER, ACCOUNT),))


@pytest.fixture(scope="module")
def city(tmp_path_factory, loaded_cities):
    manifest, warehouse = loaded_cities(
        tmp_path_factory.mktemp("workforce") / "warehouse",
        contracts=("training", "employer_event", "ui_wages"), students=3000, seed=19, years=4,
    )  # fmt: skip
    publish_truth_crosswalk(manifest.root, warehouse)
    return manifest, warehouse


def _raw(manifest, contract: str) -> pd.DataFrame:
    people = truth_people(manifest.root)
    frames = []
    for entry in manifest.select(contract=contract):
        frame = pd.read_csv(manifest.path(entry), dtype=str, keep_default_na=False)
        local = frame["ssn"] if contract == "ui_wages" else frame["local_id"]
        frames.append(frame.assign(person=[people[(entry.partner, v)] for v in local]))
    return pd.concat(frames, ignore_index=True)


def _expected_pipeline(manifest) -> dict[str, int]:
    training = _raw(manifest, "training")
    training = training[training["program"] == "Healthcare Career Pathway"]
    trainees = training.groupby("person").agg(
        entered=("entry_date", "min"), completed=("completed", lambda s: (s == "true").any())
    )
    events = _raw(manifest, "employer_event")
    first = events.groupby(["person", "event"])["event_date"].min().unstack()
    t = trainees.join(first, how="left")
    done = t["completed"]

    def reached(event: str) -> pd.Series:
        return done & t[event].notna() & (t[event].fillna("") >= t["entered"])

    hired = reached("hire")
    hire_q = pd.to_datetime(t["hire"]).dt.year * 4 + pd.to_datetime(t["hire"]).dt.quarter - 1
    wages = _raw(manifest, "ui_wages")
    wages = wages[(wages["employer_id"] == ACCOUNT) & (wages["wages"].astype(float) > 0)]
    quarter = wages["year"].astype(int) * 4 + wages["quarter"].astype(int) - 1
    paid = set(zip(wages["person"], quarter, strict=True))
    last = max(q for _, q in paid)  # St. Brigid pays someone in the last quarter loaded
    retained = [hired[p] and (p, hire_q[p] + 4) in paid for p in t.index]
    return {
        "enrolled": len(t), "completed": int(done.sum()),
        "interviewed": int(reached("interview").sum()), "offered": int(reached("offer").sum()),
        "hired": int(hired.sum()), "retained": sum(retained),
        "retention_due": int((hired & (hire_q + 4 <= last)).sum()),
    }  # fmt: skip


def test_pipeline_equals_pandas_over_the_raw_files(city):
    manifest, warehouse = city
    with warehouse.engine() as engine:
        [row] = actuals.pipeline(engine, [HEALTH])
    expected = _expected_pipeline(manifest)
    assert expected["hired"] > 20 and 0 < expected["retained"] < expected["hired"]
    assert {k: row[k] for k in expected} == expected
    assert (row["partnership"], row["employer"]) == ("health", EMPLOYER)


def test_employer_events_per_program_year_equal_pandas(city):
    manifest, warehouse = city
    with warehouse.engine() as engine:
        rows = actuals.employer_events(engine)
    events = _raw(manifest, "employer_event")
    first = events.groupby(["person", "event"])["event_date"].min().reset_index()
    day = pd.to_datetime(first["event_date"])
    start = day.dt.year - (day.dt.month < 7).astype(int)
    first["year"] = [f"{y}-{(y + 1) % 100:02d}" for y in start]
    expected = {(EMPLOYER, None): first.groupby("event")["person"].nunique().to_dict()}
    for (year, event), n in first.groupby(["year", "event"])["person"].nunique().items():
        expected.setdefault((EMPLOYER, year), {})[event] = n
    got = {(r["employer"], r["year"]): {"interview": r["interviews"], "offer": r["offers"],
                                         "hire": r["hires"]} for r in rows}  # fmt: skip
    expected = {k: {e: int(v.get(e, 0)) for e in ("interview", "offer", "hire")}
                for k, v in expected.items()}  # fmt: skip
    assert len(expected) > 2 and got == expected


LIVING_WAGE = 19.0  # between the city's hourly offers (17.00 to 22.50): some hires each side


def _expected_hires(manifest, living_wage: float = LIVING_WAGE) -> dict[str, object]:
    training = _raw(manifest, "training")
    training = training[training["program"] == "Healthcare Career Pathway"]
    done = training[training["completed"] == "true"]
    trainees = pd.DataFrame({
        "entered": training.groupby("person")["entry_date"].min(),
        "completed_on": done.groupby("person")["exit_date"].min(),
    }).dropna(subset=["completed_on"])  # fmt: skip
    events = _raw(manifest, "employer_event")
    hire_rows = events[events["event"] == "hire"].sort_values("event_date")
    first = hire_rows.groupby("person").first()[["event_date", "hourly_wage"]]
    t = trainees.join(first, how="inner")
    t = t[t["event_date"] >= t["entered"]]
    wage = pd.to_numeric(t["hourly_wage"].replace("", None))
    days = (pd.to_datetime(t["event_date"]) - pd.to_datetime(t["completed_on"])).dt.days
    return {
        "hired": len(t), "with_wage": int(wage.notna().sum()),
        "at_living_wage": int((wage >= living_wage).sum()), "median_wage": wage.median(),
        "with_exit": len(t), "median_days_to_hire": days.median(),
    }  # fmt: skip


def test_wages_at_hire_and_days_to_hire_equal_pandas(city):
    manifest, warehouse = city
    with warehouse.engine() as engine:
        [row] = hiring.hires(engine, [HEALTH], LIVING_WAGE)
        [pipeline] = actuals.pipeline(engine, [HEALTH])
    expected = _expected_hires(manifest)
    assert 0 < expected["at_living_wage"] < expected["with_wage"]
    assert expected["median_days_to_hire"] > 30  # interview 7-60 days after exit, then offer, hire
    assert row["hired"] == pipeline["hired"] == expected["hired"]
    for key in ("with_wage", "at_living_wage", "with_exit"):
        assert row[key] == expected[key], key
    assert row["median_wage"] == pytest.approx(expected["median_wage"])
    assert row["median_days_to_hire"] == pytest.approx(expected["median_days_to_hire"])


def test_sources_are_current_to_their_latest_dates_as_in_the_raw_files(city):
    manifest, warehouse = city
    with warehouse.engine() as engine:
        rows = hiring.currency(engine)
    events = _raw(manifest, "employer_event")
    training = _raw(manifest, "training")
    wages = _raw(manifest, "ui_wages")
    last = wages.assign(q=wages["year"].astype(int) * 4 + wages["quarter"].astype(int)).q.max()
    year, quarter = divmod(int(last) - 1, 4)
    quarter_end = (pd.Timestamp(year, quarter * 3 + 3, 1) + pd.offsets.MonthEnd(0)).date()
    latest_training = max(training["entry_date"].max(), training["exit_date"].max())
    today = dt.date(2026, 11, 23)
    current = {c.source: c for c in hiring.current_for(rows, EMPLOYER, today)}
    assert str(current["employer_event"].through) == events["event_date"].max()
    assert str(current["training"].through) == latest_training
    assert current["wages"].through == quarter_end
    assert current["wages"].age_days == (today - quarter_end).days
    assert hiring.current_for(rows, "calloway-precision", today)[0].through is None


def _program_year(dates: pd.Series) -> list[str]:
    day = pd.to_datetime(dates)
    start = day.dt.year - (day.dt.month < 7).astype(int)
    return [f"{y}-{(y + 1) % 100:02d}" for y in start]


def _expected_completers_by_year(manifest) -> dict[str, dict[str, int]]:
    training = _raw(manifest, "training")
    training = training[training["program"] == "Healthcare Career Pathway"]
    done = training[training["completed"] == "true"]
    t = pd.DataFrame({
        "entered": training.groupby("person")["entry_date"].min(),
        "completed_on": done.groupby("person")["exit_date"].min(),
    }).dropna()  # fmt: skip
    events = _raw(manifest, "employer_event")
    first = events.groupby(["person", "event"])["event_date"].min().unstack()
    t = t.join(first, how="left")
    t["year"] = _program_year(t["completed_on"])
    t["interviewed"] = t["interview"].fillna("") >= t["entered"]
    t["hired"] = t["hire"].fillna("") >= t["entered"]
    grouped = t.groupby("year").agg(
        completed=("entered", "size"), interviewed=("interviewed", "sum"), hired=("hired", "sum")
    )
    return {y: {k: int(v) for k, v in r.items()} for y, r in grouped.iterrows()}


def test_completers_interviewed_and_hired_per_completion_year_equal_pandas(city):
    manifest, warehouse = city
    with warehouse.engine() as engine:
        rows = actuals.completers_by_year(engine, [HEALTH])
    expected = _expected_completers_by_year(manifest)
    got = {r["year"]: {k: r[k] for k in ("completed", "interviewed", "hired")} for r in rows}
    assert len(expected) >= 3 and got == expected
    assert {r["employer"] for r in rows} == {EMPLOYER}
    assert sum(v["completed"] for v in got.values()) == _expected_pipeline(manifest)["completed"]
