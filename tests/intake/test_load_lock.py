"""Which loads wait for which: a load waits for one of the same partner, contract and period,
or of the same file (whatever its period), and for no other. Real locks, held by threads."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from backbone.intake.services import load_lock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("workspace")]

FILE_A, FILE_B = "a" * 64, "b" * 64
FIRST = ("riverton-housing", "ui_wages", "2024-Q1", FILE_A)


class Holder:
    """A thread that takes ``load_lock(*args)`` and holds it until ``leave``."""

    def __init__(self, *args: str):
        self.inside, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._hold, args=args)
        self._thread.start()

    def _hold(self, *args: str) -> None:
        try:
            with load_lock(*args):
                self.inside.set()
                self._release.wait()
        finally:
            connections.close_all()  # this thread's own database connection

    def leave(self) -> None:
        self._release.set()
        self._thread.join(timeout=30)


@pytest.mark.parametrize(
    ("second", "waits"),
    [
        (("riverton-housing", "ui_wages", "2024-Q2", FILE_B), False),  # another period and file
        (("riverton-housing", "ui_wages", "2024-Q1", FILE_B), True),  # the same period
        (("riverton-housing", "ui_wages", "2024-Q2", FILE_A), True),  # the same file
        (("riverton-housing", "hmis", "2024-Q1", FILE_B), False),  # another contract
        (("state-ui", "ui_wages", "2024-Q1", FILE_B), False),  # another partner
    ],
)
def test_a_load_waits_only_for_one_of_its_period_or_its_file(second, waits):
    first = Holder(*FIRST)
    assert first.inside.wait(10)
    other = Holder(*second)
    # A lock that is free is taken at once (10 s allows for a busy machine); one that is held
    # keeps it out for as long as it is held (1 s here).
    got_in_alongside = other.inside.wait(1.0 if waits else 10.0)
    first.leave()
    assert other.inside.wait(10)  # and once the first is done, it always gets in
    other.leave()
    assert got_in_alongside is not waits
