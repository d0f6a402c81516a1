"""On the synthetic city: each employer's pipeline and events per year equal an independent
pandas count over the raw partner files (training rosters, St. Brigid's event files and the UI
wage files), people joined through the city's truth folder (``truth/persons.csv``). The
warehouse gets the true crosswalk too, so the comparison tests the actuals, not linkage."""

from __future__ import annotations

import pandas as pd
import pytest

from backbone.workforce import actuals
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
