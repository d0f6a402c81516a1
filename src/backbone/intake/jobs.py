"""Locks and limits for loading files: the plain-Python half of the intake worker.

``file_lock`` serialises loads across processes on one machine (SQLite deployments);
``lock_key`` turns a load's identity into the 64-bit number a PostgreSQL advisory lock takes.
``run_limited`` runs one job in a child process, watching its wall-clock time and resident
memory and killing it past either limit, so a hostile file ends one job, not the worker or the
server. The child also calls ``limit_memory`` with ``address_space_mb`` as a backstop: a single
huge allocation then fails at once instead of being made before the next look at its memory.

>>> lock_key("load", "state-ui", "ui_wages") == lock_key("load", "state-ui", "ui_wages")
True
>>> -(2**63) <= lock_key("load", "a", "b") < 2**63
True
>>> JobEnd(returncode=1, stderr="MemoryError\\n").out_of_memory
True
>>> address_space_mb(1024)
4096
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import resource
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# What a child says (or how it dies) when it reached its address-space limit: Python's
# MemoryError, DuckDB's and Arrow's own out-of-memory errors, or C++'s bad_alloc (SIGABRT).
OUT_OF_MEMORY_SIGNS = (
    "MemoryError", "Out of Memory", "OutOfMemory", "bad_alloc", "Cannot allocate",
)  # fmt: skip
STDERR_KEPT = 4000


@dataclass(frozen=True)
class JobLimits:
    """How long one job may run and how much memory its process may map."""

    seconds: float
    memory_mb: int


@dataclass(frozen=True)
class JobEnd:
    """How a child process ended, and the most resident memory it was seen to use."""

    returncode: int
    timed_out: bool = False
    over_memory: bool = False
    stderr: str = ""
    peak_rss_mb: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not (self.timed_out or self.over_memory)

    @property
    def out_of_memory(self) -> bool:
        """Killed over its memory limit, or failed at its address-space backstop."""
        return self.over_memory or (
            not self.timed_out
            and (self.returncode == -6 or any(s in self.stderr for s in OUT_OF_MEMORY_SIGNS))
        )


def lock_key(*parts: str) -> int:
    """A signed 64-bit number naming ``parts``, stable across processes and Python versions."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) while the block runs. The
    kernel releases it if the process dies, so a killed load never leaves a stale lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def address_space_mb(memory_mb: int) -> int:
    """The address-space backstop for a job allowed ``memory_mb`` of resident memory: twice
    that plus 2 GiB, because Python, DuckDB and Arrow reserve far more address space than they
    touch (about 2 GiB after a first Parquet write, with 300 MB resident)."""
    return 2 * memory_mb + 2048


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` (``RLIMIT_AS``): past it, allocations
    fail (``MemoryError``) instead of the machine swapping or the OOM killer choosing a victim."""
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def run_limited(
    argv: Sequence[str], limits: JobLimits, env: dict[str, str], every: float = 0.05
) -> JobEnd:
    """Run ``argv``, looking every ``every`` seconds at its resident memory (Linux ``/proc``);
    kill it past ``limits.memory_mb`` or ``limits.seconds``."""
    started = time.monotonic()
    peak, over, timed_out = 0.0, False, False
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(list(argv), env=env, stdout=subprocess.DEVNULL, stderr=errors)
        while child.poll() is None:
            peak = max(peak, resident_mb(child.pid))
            over = peak > limits.memory_mb
            timed_out = time.monotonic() - started > limits.seconds
            if over or timed_out:
                child.kill()
                child.wait()
                break
            time.sleep(every)
        errors.seek(0)
        stderr = errors.read()[-STDERR_KEPT:]
    return JobEnd(
        child.returncode, timed_out and not over, over, stderr, peak, time.monotonic() - started
    )


def resident_mb(pid: int) -> float:
    """The resident memory of process ``pid`` in MB (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0
