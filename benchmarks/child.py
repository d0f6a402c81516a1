"""Run a benchmark's code in a fresh Python process and measure it, so each side's time and
peak memory are its own and not the driver's.

The peak is the child's own ``VmHWM`` (the kernel's high-water mark of its resident memory),
read from ``/proc`` while it runs: ``ru_maxrss`` would also count what the driver's pages added
to the forked child before it executed Python afresh. A child past the memory limit or the
timeout is stopped, and the run says so instead of failing.

>>> run = run_child("import json; print(json.dumps({'answer': 42}))")
>>> run.result(), run.stopped
({'answer': 42}, '')
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ChildRun:
    output: str  # the child's standard output
    seconds: float  # wall-clock, start to exit, imports included
    peak_mib: float
    stopped: str = ""  # why the child was stopped ("" when it ran to the end)

    def result(self) -> Any:
        """The JSON the child printed on its last line."""
        return json.loads(self.output.strip().splitlines()[-1])


def run_child(
    code: str, *args: str | Path, max_gib: float | None = None, timeout: float | None = None,
    cwd: Path | None = None,
) -> ChildRun:  # fmt: skip
    """Run ``python -c code *args``; raise with the tail of its standard error if it fails."""
    limit_kib = (max_gib or float(os.environ.get("BACKBONE_BENCH_MAX_GIB", "14"))) * 2**20
    timeout = timeout or float(os.environ.get("BACKBONE_BENCH_TIMEOUT", "1800"))
    command = [sys.executable, "-c", code, *map(str, args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as log:
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=out, stderr=log, cwd=cwd)
        status, peak_kib, stopped = _watch(child, started, limit_kib, timeout)
        seconds = time.monotonic() - started
        if not stopped and os.waitstatus_to_exitcode(status):
            log.seek(0)
            raise RuntimeError(f"benchmark child failed:\n{log.read()[-3000:].decode()}")
        out.seek(0)
        return ChildRun(out.read().decode(), seconds, peak_kib / 1024, stopped)


def _watch(
    child: subprocess.Popen, started: float, limit_kib: float, timeout: float
) -> tuple[int, float, str]:
    """Wait for ``child``, following its peak; stop it past the limits."""
    peak = 0.0
    while True:  # wait4, not poll: Popen.poll would reap the child behind our back
        pid, status, _ = os.wait4(child.pid, os.WNOHANG)
        if pid:
            return status, peak, ""
        peak = max(peak, high_water_kib(child.pid))
        elapsed = time.monotonic() - started
        if peak > limit_kib or elapsed > timeout:
            child.kill()
            _, status, _ = os.wait4(child.pid, 0)
            return status, peak, f"stopped at {peak / 2**20:.1f} GiB, {elapsed:.0f} s"
        time.sleep(POLL_SECONDS)


def high_water_kib(pid: int) -> float:
    """The process's peak resident memory so far (KiB); 0 once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def fastest(runs: list[ChildRun]) -> tuple[Any, float]:
    """The result of the run whose own timing (``seconds`` in its JSON) is lowest, and the
    highest peak memory of all the runs."""
    best = min(runs, key=lambda run: run.result()["seconds"])
    return best.result(), max(run.peak_mib for run in runs)
