"""A crowd signing in at once: Django's default Argon2 against backbone's, and the pages meanwhile.

Ten sign-ins start together (each one password check, as ``/login/`` does) while one thread
keeps serving a "page" (a fixed piece of pure-Python work, like rendering). Measured twice in
one run:

- **Django's default**: ``Argon2PasswordHasher`` (100 MiB, 2 passes, 8 lanes), every check at once;
- **OWASP's parameters, not gated**: what the lighter hash alone buys;
- **backbone**: ``BoundedArgon2Hasher`` (OWASP's 19 MiB, 2 passes, 1 lane) behind the hashing
  gate (``BACKBONE_PASSWORD_HASH_CONCURRENCY``, default half the cores).

The baseline is the page alone, in the same run: the page's p95 during each crowd is reported
as a multiple of it, with the sign-ins' p50 and p95. ``python -m benchmarks sign_in_crowd``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

PASSWORD = "riverton-demo"
SIGN_INS = 10
PAGE_WORK = 150_000
console = Console()


def page() -> None:
    sum(i * i for i in range(PAGE_WORK))


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def pages_while(busy: threading.Event) -> list[float]:
    """Serve pages one after another for as long as ``busy`` is set; their times."""
    times = [timed(page)]
    while busy.is_set():
        times.append(timed(page))
    return times


def crowd(verify: Callable[[str], bool]) -> tuple[list[float], list[float]]:
    """Start ``SIGN_INS`` checks at once beside a page thread; (sign-in times, page times)."""
    busy, start = threading.Event(), threading.Barrier(SIGN_INS + 1)
    sign_ins: list[float] = []
    pages: list[float] = []

    def sign_in() -> None:
        start.wait()
        began = time.perf_counter()
        assert verify(PASSWORD)
        sign_ins.append(time.perf_counter() - began)

    def serve() -> None:
        start.wait()
        pages.extend(pages_while(busy))

    busy.set()
    threads = [threading.Thread(target=sign_in) for _ in range(SIGN_INS)]
    server = threading.Thread(target=serve)
    for thread in [*threads, server]:
        thread.start()
    for thread in threads:
        thread.join()
    busy.clear()
    server.join()
    return sign_ins, pages


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="backbone-sign-in-") as scratch:
        os.environ.setdefault("BACKBONE_WORKSPACE", scratch)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backbone.config.settings")
        import django

        django.setup()
        from django.contrib.auth.hashers import Argon2PasswordHasher

        from backbone.governance import passwords
        from backbone.governance.hashers import BoundedArgon2Hasher, gate

        class Ungated(Argon2PasswordHasher):
            memory_cost, parallelism = passwords.MEMORY_KIB, passwords.PARALLELISM

        alone = [timed(page) for _ in range(50)]
        rows = []
        for name, hasher in [("Django's default", Argon2PasswordHasher()),
                             ("OWASP, not gated", Ungated()),
                             ("backbone (OWASP, gated)", BoundedArgon2Hasher())]:  # fmt: skip
            stored = hasher.encode(PASSWORD, hasher.salt())
            sign_ins, pages = crowd(lambda password, h=hasher, s=stored: h.verify(password, s))
            rows.append((name, sign_ins, pages))
    show(alone, rows, gate().size)


def show(alone: list[float], rows: list[tuple[str, list[float], list[float]]], places: int) -> None:
    page_p95 = p95(alone)
    table = Table(
        "hasher", "sign-in p50", "sign-in p95", "page p95", "page p95 / alone",
        title=f"{SIGN_INS} sign-ins at once beside a page (ms); page alone: p50 "
        f"{statistics.median(alone) * 1000:.0f}, p95 {page_p95 * 1000:.0f}; gate {places}",
    )  # fmt: skip
    for name, sign_ins, pages in rows:
        table.add_row(
            name, f"{statistics.median(sign_ins) * 1000:.0f}", f"{p95(sign_ins) * 1000:.0f}",
            f"{p95(pages) * 1000:.0f}", f"{p95(pages) / page_p95:.1f}×",
        )  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    main()
