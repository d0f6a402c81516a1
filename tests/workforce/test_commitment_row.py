"""A commitment's overall row on /workforce/: when the target counts people (every completer
interviewed), the people short of it are a count too, protected with the target and the actual
as the per-program-year rows are. By hand: 30 completers, 28 interviewed, 2 short (< 10)."""

from __future__ import annotations

from backbone.disclosure import Policy
from backbone.workforce import services
from backbone.workforce.catalog import Commitment

TEN = Policy(min_n=10)
EVERY_COMPLETER = Commitment(employer="e", kind="interviews", per_completer=1.0, level="deep")


def _row(completed: int, interviewed: int, policy: Policy | None = TEN):
    pipeline = {"completed": completed, "interviewed": interviewed, "hired": 0}
    return services.commitment_row(EVERY_COMPLETER, pipeline, [], [], policy)


def test_a_small_shortfall_is_not_left_to_subtraction():
    row = _row(30, 28)
    shown = (row["target"], row["actual"])
    assert shown != ("30", "28")  # 30 − 28 would give away the 2 not interviewed
    assert "‡" in shown and row["status"] == "withheld"


def test_a_large_shortfall_shows_target_and_actual():
    row = _row(30, 12)  # 18 short, 12 interviewed: both at least 10
    assert (row["target"], row["actual"], row["status"]) == ("30", "12", "not met")


def test_an_exact_reader_sees_the_counts():
    assert (_row(30, 28, None)["target"], _row(30, 28, None)["actual"]) == ("30", "28")
