"""Commitment actuals (the employer pipeline) in SQL, against the same counts by pandas.

A synthetic workforce is generated inside DuckDB (deterministic: ``hash`` of the row number):
trainees in two programs (72% complete), employer events for 70% of completers (interview,
then 60% offered, 85% of those hired), and eight quarters of UI wages per person from one of
50 accounts, the hiring employer's after a hire. Every record is linked through a crosswalk.

Timed, best of three:

- **baseline**: the pipeline by pandas from the same tables as Arrow (the test's method);
- **backbone**: ``actuals.pipeline`` on the engine;
- **employer view**: what the employer's page runs besides the pipeline (``hiring.hires``,
  ``actuals.completers_by_year``, ``hiring.currency``), as a ratio to the pipeline alone.

The counts must agree (and the view's hires equal the pipeline's). Run ``python -m benchmarks
workforce_actuals`` (20,000 and 200,000 trainees; set ``BACKBONE_BENCH_TRAINEES`` to one size
for a quick run).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from backbone.warehouse.engines import DuckDBEngine
from backbone.workforce import actuals, hiring

SCALES = (20_000, 200_000)
VARIABLE = "BACKBONE_BENCH_TRAINEES"
SCOPE = actuals.Scope("health", ("health", "trades"), (("emp", "UI-1"),))
STAGES = (*actuals.STAGES, "retention_due")


def _u(salt: str, column: str = "i") -> str:
    """A deterministic uniform draw in [0, 1) per row."""
    return f"(hash({column}, '{salt}') % 1000000) / 1000000.0"


def plant(engine: DuckDBEngine, n: int) -> None:
    engine.run(
        "CREATE TABLE training AS SELECT 't' || i AS record_id, "
        f"CASE WHEN {_u('p')} < 0.5 THEN 'health' ELSE 'trades' END AS program, "
        f"DATE '2021-07-01' + CAST(floor({_u('d')} * 700) AS INTEGER) AS entry_date, "
        f"{_u('c')} < 0.72 AS completed, 'provider' AS source_partner, i FROM range({n}) r(i)"
    )
    engine.run(
        "CREATE TABLE steps AS SELECT i, entry_date + 200 AS interview, "
        f"{_u('o')} < 0.6 AS offered, {_u('h')} < 0.85 AS hired FROM training "
        f"WHERE completed AND {_u('x')} < 0.7"
    )
    engine.run(
        "CREATE TABLE employer_event AS "
        "SELECT 'e' || i AS record_id, 'emp' AS source_partner, 'interview' AS event, "
        "interview AS event_date, NULL::DECIMAL(10,2) AS hourly_wage FROM steps UNION ALL "
        f"SELECT 'e' || i, 'emp', 'offer', interview + 10, 17 + 5 * {_u('w')} FROM steps "
        "WHERE offered UNION ALL "
        f"SELECT 'e' || i, 'emp', 'hire', interview + 30, 17 + 5 * {_u('w')} FROM steps "
        "WHERE offered AND hired"
    )
    hire_q = "year(interview + 30) * 4 + quarter(interview + 30) - 1"
    engine.run(
        "CREATE TABLE wages AS SELECT 'w' || t.i AS record_id, q // 4 AS year, "
        "q % 4 + 1 AS quarter, "
        f"CASE WHEN s.hired AND s.offered AND q >= {hire_q} AND {_u('r', 't.i * 100 + q')} < 0.9 "
        f"THEN 'UI-1' ELSE 'UI-' || (2 + hash(t.i) % 49) END AS employer_id, 1000.0 AS wages, "
        "'ui' AS source_partner "
        "FROM training t LEFT JOIN steps s USING (i), range(8087, 8100) q(q) "
        f"WHERE {_u('y', 't.i * 100 + q')} < 0.8"
    )
    engine.run("ALTER TABLE training ADD COLUMN exit_date DATE")
    engine.run("UPDATE training SET exit_date = entry_date + 150")
    engine.run(
        "CREATE TABLE crosswalk AS SELECT p || i AS record_id, 'P' || i AS person_key "
        "FROM training, (VALUES ('t'), ('e'), ('w')) v(p)"
    )


def baseline(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """The pipeline by pandas, the way tests/workforce/test_city.py counts it."""
    people = tables["crosswalk"].set_index("record_id")["person_key"]
    t = tables["training"].assign(person=lambda f: f["record_id"].map(people))
    t = (
        t[t["program"].isin(SCOPE.programs)]
        .groupby("person")
        .agg(entered=("entry_date", "min"), completed=("completed", "any"))
    )
    e = tables["employer_event"].assign(person=lambda f: f["record_id"].map(people))
    t = t.join(e.groupby(["person", "event"])["event_date"].min().unstack(), how="left")

    def reached(event: str) -> pd.Series:
        return t["completed"] & (t[event] >= t["entered"])

    hired = reached("hire")
    hire_q = pd.to_datetime(t["hire"]).dt.year * 4 + pd.to_datetime(t["hire"]).dt.quarter - 1
    w = tables["wages"].assign(person=lambda f: f["record_id"].map(people))
    w = w[(w["employer_id"] == "UI-1") & (w["wages"] > 0)]
    paid = pd.MultiIndex.from_arrays([w["person"], w["year"] * 4 + w["quarter"] - 1])
    due = hire_q + 4
    last = int((tables["wages"]["year"] * 4 + tables["wages"]["quarter"] - 1).max())
    retained = hired & pd.Series(pd.MultiIndex.from_arrays([t.index, due]).isin(paid), t.index)
    return {"enrolled": len(t), "completed": int(t["completed"].sum()),
            "interviewed": int(reached("interview").sum()), "offered": int(reached("offer").sum()),
            "hired": int(hired.sum()), "retained": int(retained.sum()),
            "retention_due": int((hired & (due <= last)).sum())}  # fmt: skip


def best(function: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def employer_view(engine: DuckDBEngine) -> list[dict[str, Any]]:
    """The employer page's queries besides the pipeline; returns the hires rows."""
    rows = hiring.hires(engine, [SCOPE], 17.50)
    actuals.completers_by_year(engine, [SCOPE])
    hiring.currency(engine)
    return rows


def main() -> None:
    chosen = os.environ.get(VARIABLE)
    table = Table("trainees", "hired", "baseline s", "backbone s", "ratio", "equal",
                  "employer view s", "view / pipeline",
                  title="Workforce pipeline: SQL against pandas (best of 3)")  # fmt: skip
    for n in (int(chosen),) if chosen else SCALES:
        engine = DuckDBEngine()
        plant(engine, n)
        names = ("training", "employer_event", "wages", "crosswalk")
        frames = {name: engine.arrow(f"SELECT * FROM {name}").to_pandas() for name in names}
        base_s, expected = best(lambda: baseline(frames))  # noqa: B023
        ours_s, rows = best(lambda: actuals.pipeline(engine, [SCOPE]))  # noqa: B023
        got = {k: rows[0][k] for k in STAGES}
        view_s, view = best(lambda: employer_view(engine))  # noqa: B023
        same = got == expected and view[0]["hired"] == got["hired"]
        table.add_row(f"{n:,}", f"{got['hired']:,}", f"{base_s:.3f}", f"{ours_s:.3f}",
                      f"{ours_s / base_s:.2f}", str(same), f"{view_s:.3f}",
                      f"{view_s / ours_s:.2f}")  # fmt: skip
        engine.close()
    Console().print(table)


if __name__ == "__main__":
    main()
