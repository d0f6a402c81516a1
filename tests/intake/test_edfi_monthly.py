"""``attendance_monthly``: Ed-Fi attendance per student-month, worked out by hand on a small
district and counted with pandas from the Grand Bend XML; the months add up to the year."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest

from tests.intake.test_edfi import (
    GRAND_BEND,
    NS52,
    SEOA_52,
    attendance_event,
    calendar_date,
    code,
    enrollment,
    entities,
    interchange,
    run,
    same_dates,
    tables_of,
)


def two_month_district(folder):
    """Instructional days Sep 29, 30 and Oct 1, 4, 5 (Oct 2-3 a weekend, not listed).
    S1 enters Sep 30: 1 day in September, 3 in October; absent half of Sep 30 and all of Oct 4.
    S2 is enrolled throughout (2 + 3 days) and never absent."""
    folder.mkdir()
    days = ["2021-09-29", "2021-09-30", "2021-10-01", "2021-10-04", "2021-10-05"]
    files = {
        "b.xml": interchange("EducationOrgCalendar",
                             "".join(calendar_date(day, "Instructional day") for day in days)),
        "c.xml": interchange("StudentEnrollment",
                             enrollment("S1", "2021-09-30") + enrollment("S2", "2021-09-01")
                             + SEOA_52),
        "d.xml": interchange("StudentAttendance",
                             attendance_event("S1", "2021-09-30", "Excused Absence", "0.5")
                             + attendance_event("S1", "2021-10-04", "Unexcused Absence")),
    }  # fmt: skip
    for name, text in files.items():
        (folder / name).write_text(text)
    return same_dates(folder)


def test_months_worked_out_by_hand(tmp_path):
    batches, _ = run(two_month_district(tmp_path / "district"))
    rows = tables_of(batches)
    monthly = {(r["local_id"], r["month"]): (r["days_enrolled"], r["days_absent"])
               for r in rows["attendance_monthly"]}  # fmt: skip
    assert monthly == {
        ("S1", "2021-09"): ("1", "0.5"),
        ("S1", "2021-10"): ("3", "1"),
        ("S2", "2021-09"): ("2", "0"),
        ("S2", "2021-10"): ("3", "0"),
    }
    yearly = {r["local_id"]: (r["days_enrolled"], r["days_absent"]) for r in rows["attendance"]}
    assert yearly == {"S1": ("4", "1.5"), "S2": ("5", "0")}


@pytest.fixture(scope="module")
def grand_bend_tables():
    if not (GRAND_BEND / "Student.xml").is_file():
        pytest.fail(f"the Grand Bend Ed-Fi sample is missing: expected it in {GRAND_BEND}")
    return tables_of(run(GRAND_BEND)[0])


def test_grand_bend_months_add_up_to_the_year_exactly(grand_bend_tables):
    yearly = {(r["local_id"], r["school_id"]): r for r in grand_bend_tables["attendance"]}
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in grand_bend_tables["attendance_monthly"]:
        sums[(r["local_id"], r["school_id"])][0] += float(r["days_enrolled"])
        sums[(r["local_id"], r["school_id"])][1] += float(r["days_absent"])
    assert sums.keys() == yearly.keys()
    for key, (enrolled, absent) in sums.items():
        assert (enrolled, absent) == (
            float(yearly[key]["days_enrolled"]),
            float(yearly[key]["days_absent"]),
        ), key


def test_grand_bend_monthly_absences_equal_pandas_from_the_xml(grand_bend_tables):
    events = entities("StudentSchoolAttendance.xml", "StudentSchoolAttendanceEvent")
    raw = pd.DataFrame(
        {
            "local_id": e.findtext(f".//{NS52}StudentUniqueId"),
            "day": e.findtext(f"{NS52}AttendanceEvent/{NS52}EventDate"),
            "category": code(e.findtext(f"{NS52}AttendanceEvent/{NS52}AttendanceEventCategory")),
            "duration": float(e.findtext(f"{NS52}AttendanceEvent/{NS52}EventDuration") or 1),
        }
        for e in events
    )
    absent = raw[raw["category"].isin(["Excused Absence", "Unexcused Absence"])]
    expected = absent.groupby([absent["local_id"], absent["day"].str[:7]])["duration"].sum()
    got = pd.DataFrame(grand_bend_tables["attendance_monthly"])
    got["days_absent"] = got["days_absent"].astype(float)
    got = got[got["days_absent"] > 0].groupby(["local_id", "month"])["days_absent"].sum()
    pd.testing.assert_series_equal(
        got.sort_index(), expected.rename_axis(["local_id", "month"]).sort_index(),
        check_names=False,
    )  # fmt: skip
    assert len(expected) > 227  # more student-months than students: months really split


def test_grand_bend_enrolled_days_share_the_sessions_by_weekdays(grand_bend_tables):
    # Grand Bend's calendar lists two dates, so the year's days come from its Sessions and are
    # shared out over the months: whole days, every month of the sessions present.
    for rows in [grand_bend_tables["attendance_monthly"][:50]]:
        for r in rows:
            assert float(r["days_enrolled"]).is_integer()
            assert 0 <= float(r["days_enrolled"]) <= 23  # at most 23 weekdays in a month
