"""Locks and limits for loading files: the plain-Python half of the intake worker.

``file_lock`` serialises loads across processes on one machine (SQLite deployments);
``lock_key`` turns a load's identity into the 64-bit number a PostgreSQL advisory lock takes.
``run_limited`` runs one job in a child process with a wall-clock limit, and
``limit_memory`` is what that child calls first to cap its own address space, so a hostile
file ends one job, not the worker or the server.

>>> lock_key("load", "state-ui", "ui_wages") == lock_key("load", "state-ui", "ui_wages")
True
>>> -(2**63) <= lock_key("load", "a", "b") < 2**63
True
>>> JobEnd(returncode=1, stderr="MemoryError\\n").out_of_memory
True
"""

from __future__ import annotations

import fcntl
import hashlib
import resource
import subprocess
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
    """How a child process ended."""

    returncode: int
    timed_out: bool = False
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def out_of_memory(self) -> bool:
        return not self.timed_out and (
            self.returncode == -6 or any(sign in self.stderr for sign in OUT_OF_MEMORY_SIGNS)
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


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` (``RLIMIT_AS``): past it, allocations
    fail (``MemoryError``) instead of the machine swapping or the OOM killer choosing a victim."""
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def run_limited(argv: Sequence[str], limits: JobLimits, env: dict[str, str]) -> JobEnd:
    """Run ``argv`` and wait at most ``limits.seconds``; kill it when time is up. The child is
    expected to call ``limit_memory`` itself (it knows when its imports are done)."""
    try:
        done = subprocess.run(
            list(argv), env=env, capture_output=True, text=True, timeout=limits.seconds
        )
    except subprocess.TimeoutExpired as expired:
        return JobEnd(returncode=-9, timed_out=True, stderr=_text(expired.stderr))
    return JobEnd(returncode=done.returncode, stderr=done.stderr[-STDERR_KEPT:])


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return (value or "")[-STDERR_KEPT:]
