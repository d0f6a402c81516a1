"""The gate that queues password hashes: never more inside than its places, the rest wait."""

from __future__ import annotations

import threading
import time

import pytest

from backbone.governance.passwords import Gate


def crowd_through(gate: Gate, people: int, stay: float) -> list[float]:
    """``people`` threads go through ``gate`` together, each staying ``stay`` seconds; the
    moment each got in, from the start."""
    start, entered = time.monotonic(), []
    ready = threading.Barrier(people)

    def one() -> None:
        ready.wait()
        with gate.held():
            entered.append(time.monotonic() - start)
            time.sleep(stay)

    threads = [threading.Thread(target=one) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(entered)


@pytest.mark.parametrize("places", [1, 2])
def test_no_more_than_the_gates_places_are_inside_at_once(places):
    gate = Gate(places)
    entered = crowd_through(gate, 6, 0.1)
    assert gate.peak == places and gate.inside == 0
    # Six people, `places` at a time, 0.1 s each: the last gets in after 6 / places - 1 turns.
    assert entered[-1] >= (6 / places - 1) * 0.1 - 0.02


def test_a_gate_without_places_is_refused():
    with pytest.raises(ValueError, match="at least one place, not 0"):
        Gate(0)
