"""How passwords are stored: Argon2id at OWASP's parameters, and a gate that lets only a few
hashes run at once.

Argon2 is slow on purpose. Django's default (100 MiB, 2 passes, 8 lanes) costs about 0.2 s of
CPU per hash and 8 threads; twenty readers signing in together on a two-core server took every
core for seconds, and the pages waited behind them. OWASP's Password Storage Cheat Sheet
(2025) gives argon2id with 19 MiB, 2 passes and 1 lane as its minimum, equal in strength to
its heavier configurations; one such hash costs about a tenth of Django's default. The gate
then queues hashes instead of running them all at once, so the rest of the server keeps a core.

>>> MEMORY_KIB, TIME_COST, PARALLELISM
(19456, 2, 1)
>>> gate = Gate(1)
>>> with gate.held():
...     gate.inside
1
>>> gate.inside, gate.peak
(0, 1)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


def default_concurrency() -> int:
    """Half the machine's cores (at least one): the other half stay with the pages."""
    return max(1, (os.cpu_count() or 1) // 2)


class Gate:
    """Lets at most ``size`` threads inside at once; the others wait for a place. ``peak``
    is the most that were ever inside together."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"a gate needs at least one place, not {size}")
        self.size = size
        self.inside = 0
        self.peak = 0
        self._places = threading.BoundedSemaphore(size)
        self._count = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._places:
            self._enter(1)
            try:
                yield
            finally:
                self._enter(-1)

    def _enter(self, step: int) -> None:
        with self._count:
            self.inside += step
            self.peak = max(self.peak, self.inside)
