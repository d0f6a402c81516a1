"""Many readers at once: the public scorecard and a signed-in indicator page under load.

Starts ``backbone serve`` on a copy of a demo workspace (on loopback only) and sends locust at
it, headless, three times in one run:

- **one public reader** alone (the scorecard's home and indicator pages), then
- **one signed-in reader** alone (the staff indicator page): the single-user baseline;
- **20 readers** at once for 60 s, half of each kind.

It also times the first ``/scorecard/`` after start and the annual report PDF, then opens every
public indicator page once, so that the reader alone is not charged for rendering them (each is
rendered once per release). Reported per page: requests, failures, p50 and p95 in milliseconds,
requests per second. Goal: p95 under 1 s at 20 readers, no failure; signing in (one Argon2 hash
per reader) p95 under 3 s.

``python -m benchmarks load_scorecard``. The workspace: ``BACKBONE_BENCH_WORKSPACE`` (copied,
never changed), else a demo of ``BACKBONE_BENCH_STUDENTS`` students (20,000) built in a
temporary folder. ``BACKBONE_BENCH_USERS`` and ``BACKBONE_BENCH_SECONDS`` change the crowd.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locust_scorecard.py"
BASELINE_SECONDS = 20
GOAL_P95_MS = 1000
# Signing in is once per reader and Argon2 is slow on purpose (~0.02 s of CPU at OWASP's
# parameters, queued at the hashing gate): it has its own, looser goal.
NOT_PAGES = ("Aggregated", "sign in")
GOAL_SIGN_IN_P95_MS = 3000
console = Console()


def main() -> None:
    users = int(os.environ.get("BACKBONE_BENCH_USERS", "20"))
    seconds = int(os.environ.get("BACKBONE_BENCH_SECONDS", "60"))
    with tempfile.TemporaryDirectory(prefix="backbone-load-") as scratch:
        workspace = prepared_workspace(Path(scratch))
        with served(workspace) as url:
            first = timed_get(f"{url}/scorecard/")
            report = timed_get(f"{url}/scorecard/annual-report.pdf")
            slugs = sorted(json.loads(fetched(f"{url}/scorecard/data/dimensions.json")))
            env = {"BACKBONE_BENCH_SLUGS": ",".join(slugs)}
            for slug in slugs:  # rendered once per release: not a cost of the reader alone
                fetched(f"{url}/scorecard/indicators/{slug}/")
            alone = {
                **crowd(url, Path(scratch) / "public", 1, BASELINE_SECONDS, env, "PublicReader"),
                **crowd(url, Path(scratch) / "staff", 1, BASELINE_SECONDS, env, "StaffReader"),
            }
            many = crowd(url, Path(scratch) / "crowd", users, seconds, env)
    show(alone, many, users, seconds, first, report)


def prepared_workspace(scratch: Path) -> Path:
    """A copy of ``BACKBONE_BENCH_WORKSPACE``, or a freshly built demo."""
    workspace = scratch / "workspace"
    given = os.environ.get("BACKBONE_BENCH_WORKSPACE")
    if given:
        shutil.copytree(given, workspace, symlinks=True)
        return workspace
    students = os.environ.get("BACKBONE_BENCH_STUDENTS", "20000")
    console.print(f"Building a demo of {students} students (takes minutes)…")
    command = [sys.executable, "-m", "backbone", "demo", "--build-only", "--students", students]
    subprocess.run([*command, "--workspace", str(workspace)], check=True, capture_output=True)
    return workspace


@contextmanager
def served(workspace: Path) -> Iterator[str]:
    """``backbone serve`` on a free loopback port, stopped when the block ends."""
    port = free_port()
    env = {**os.environ, "BACKBONE_SECURE_COOKIES": "0"}  # the readers speak plain HTTP
    command = [sys.executable, "-m", "backbone", "serve", "--workspace", str(workspace)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # waitress's queue notes
    server = subprocess.Popen([*command, "--port", str(port)], env=env, **quiet)
    try:
        wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"backbone serve stopped with exit code {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"backbone serve did not listen on port {port} in {timeout:.0f} s")


def fetched(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as answer:
        return bytes(answer.read())


def timed_get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as answer:
        answer.read()
    return time.perf_counter() - start


def crowd(
    url: str, prefix: Path, users: int, seconds: int, env: dict[str, str], *classes: str
) -> dict[str, dict[str, float]]:
    """Run locust headless; per request name: count, failures, p50, p95 (ms), requests/s."""
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", url,
        "--csv", str(prefix), "--loglevel", "ERROR", *classes,
    ]  # fmt: skip
    subprocess.run(command, env={**os.environ, **env}, check=False, capture_output=True)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {row["Name"]: _figures(row) for row in csv.DictReader(handle)}


def _figures(row: dict[str, str]) -> dict[str, float]:
    return {
        "requests": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "rps": float(row["Requests/s"]),
    }


def show(
    alone: dict[str, dict[str, float]],
    many: dict[str, dict[str, float]],
    users: int,
    seconds: int,
    first: float,
    report: float,
) -> None:
    table = Table(
        "page", "alone p50", "alone p95", f"{users} p50", f"{users} p95", "req/s", "failures",
        title=f"Load: {users} readers for {seconds} s against one reader alone (ms)",
    )  # fmt: skip
    for name, figures in many.items():
        single = alone.get(name, {})
        table.add_row(
            name, _ms(single.get("p50")), _ms(single.get("p95")), _ms(figures["p50"]),
            _ms(figures["p95"]), f"{figures['rps']:.1f}", f"{figures['failures']:.0f}",
        )  # fmt: skip
    console.print(table)
    console.print(f"First /scorecard/ after start: {first * 1000:.0f} ms; "
                  f"annual report PDF: {report * 1000:.0f} ms")  # fmt: skip
    pages = {n: f for n, f in many.items() if n not in NOT_PAGES}
    worst = max((f["p95"] for f in pages.values()), default=0)
    failures = sum(f["failures"] for f in many.values() if f is not many.get("Aggregated"))
    verdict = "met" if worst < GOAL_P95_MS and not failures else "NOT met"
    console.print(f"Goal (every page's p95 < {GOAL_P95_MS} ms, no failure): {verdict}")
    sign_in = many.get("sign in", {}).get("p95", 0)
    verdict = "met" if sign_in < GOAL_SIGN_IN_P95_MS else "NOT met"
    console.print(f"Goal (sign-in p95 < {GOAL_SIGN_IN_P95_MS} ms under load): {verdict}")


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    main()
