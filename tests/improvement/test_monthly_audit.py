"""The monthly measure read exact is an audited, person-level read: a planted attendance_monthly
file of three students over two months (figures counted by hand below), read by the data steward
(person-level rights) and by the funder (protected)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backbone.governance.models import AuditEvent
from backbone.improvement import services
from backbone.warehouse.services import warehouse
from backbone.warehouse.store import stored_columns
from backbone.warehouse.tables import TABLES
from tests.fixtures import configured_workspace

pytestmark = pytest.mark.django_db

OBJECT = "improvement.monthly_measure"
# (student, month, days enrolled, days absent)
PLANTED = [("a", "2024-09", 20, 2), ("b", "2024-09", 20, 0), ("c", "2024-09", 10, 1),
           ("a", "2024-10", 22, 1), ("b", "2024-10", 22, 3)]  # fmt: skip


def plant_attendance(tmp_path) -> None:
    values = {
        "record_id": [r[0] for r in PLANTED],
        "month": [r[1] for r in PLANTED],
        "days_enrolled": [float(r[2]) for r in PLANTED],
        "days_absent": [float(r[3]) for r in PLANTED],
        "school_year": [2025] * len(PLANTED),
        "school_id": ["s1"] * len(PLANTED),
        "submission_id": [1] * len(PLANTED),
    }
    types = {"VARCHAR": pa.string(), "DOUBLE": pa.float64(), "INTEGER": pa.int32()}
    types["BIGINT"] = pa.int64()
    columns = {
        name: pa.array(values.get(name, [None] * len(PLANTED)), types.get(kind, pa.string()))
        for name, kind in stored_columns(TABLES["attendance_monthly"])
    }
    staged = tmp_path / "attendance_monthly.parquet"
    pq.write_table(pa.table(columns), staged)
    warehouse().commit(1, {"attendance_monthly": (staged, len(PLANTED))})


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=OBJECT).order_by("sequence"))


def test_an_exact_read_of_the_monthly_measure_is_audited_with_who_and_what(world, tmp_path):
    with configured_workspace(tmp_path / "workspace"):
        plant_attendance(tmp_path)
        before = len(events())
        months = services.absence_months(world.users["steward"])
    # By hand: September 3 absent of 50 enrolled by 3 students; October 4 of 44 by 2.
    assert [(m.label, m.absent, m.enrolled, m.students) for m in months] == [
        ("2024-09", 3, 50, 3), ("2024-10", 4, 44, 2),
    ]  # fmt: skip
    written = events()[before:]
    assert len(written) == 1
    event = written[0]
    assert (event.actor, event.action, event.object_id) == (
        "steward",
        "read",
        "absence_share_monthly",
    )
    assert event.purpose == "exact monthly measure"
    assert event.detail == {"via": "network page", "months": 2}


def test_a_protected_read_of_the_monthly_measure_writes_no_read_event(world, tmp_path):
    with configured_workspace(tmp_path / "workspace"):
        plant_attendance(tmp_path)
        before = len(events())
        months = services.absence_months(world.users["funder"])
    assert months == []  # 2 and 3 students a month: below any minimum group size, withheld
    assert len(events()) == before
