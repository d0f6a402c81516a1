"""Locks and limits of the intake worker, with real child processes (``backbone.intake.jobs``)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from backbone.intake import jobs

PYTHON = [sys.executable, "-c"]
ENV = {"PATH": "/usr/bin:/bin"}
# Grows by 20 MB every 20 ms up to 4 GB, touching every page so it is resident.
GROWING = (
    "import time\nheld = []\n"
    "for _ in range(200):\n    held.append(bytearray(20 * 2**20))\n    time.sleep(0.02)\n"
)


def test_a_job_within_its_limits_ends_normally():
    end = jobs.run_limited([*PYTHON, "print('done')"], jobs.JobLimits(10, 500), ENV)
    assert end.ok and (end.returncode, end.timed_out, end.over_memory) == (0, False, False)


def test_a_job_over_its_time_is_killed_at_the_limit():
    end = jobs.run_limited([*PYTHON, "import time; time.sleep(60)"], jobs.JobLimits(1, 500), ENV)
    assert (end.ok, end.timed_out, end.out_of_memory, end.returncode) == (False, True, False, -9)
    assert 1.0 <= end.seconds < 3.0


def test_a_job_over_its_memory_is_killed_soon_after_passing_it():
    end = jobs.run_limited([*PYTHON, GROWING], jobs.JobLimits(60, 200), ENV)
    assert (end.ok, end.over_memory, end.out_of_memory, end.returncode) == (False, True, True, -9)
    # Seen every 50 ms while growing 1 GB/s: killed before 200 MB + a few steps of 20 MB.
    assert 200 < end.peak_rss_mb < 400 and end.seconds < 5


def test_the_address_space_backstop_fails_one_huge_allocation_at_once():
    code = (
        "from backbone.intake.jobs import limit_memory\n"
        "limit_memory(300)\nblob = bytearray(2 * 2**30)\n"
    )
    env = {**ENV, "PYTHONPATH": ":".join(sys.path)}
    end = jobs.run_limited([*PYTHON, code], jobs.JobLimits(60, 2000), env)
    assert (end.ok, end.over_memory, end.out_of_memory) == (False, False, True)
    assert "MemoryError" in end.stderr and end.peak_rss_mb < 300


def test_a_crash_is_neither_a_timeout_nor_memory():
    end = jobs.run_limited([*PYTHON, "raise ValueError('bad')"], jobs.JobLimits(10, 500), ENV)
    assert (end.ok, end.timed_out, end.out_of_memory, end.returncode) == (False, False, False, 1)
    assert "ValueError: bad" in end.stderr


def test_a_file_lock_holds_off_another_process_until_released(tmp_path):
    lock = tmp_path / "locks" / "load.lock"
    holder = (
        "import sys, time\nfrom pathlib import Path\nfrom backbone.intake.jobs import file_lock\n"
        f"with file_lock(Path({str(lock)!r})):\n    print('held', flush=True)\n    time.sleep(1.5)\n"
    )
    env = {**ENV, "PYTHONPATH": ":".join(sys.path)}
    child = subprocess.Popen([*PYTHON, holder], env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "held\n"
    asked = time.monotonic()
    with jobs.file_lock(lock):
        waited = time.monotonic() - asked
    child.wait(timeout=10)
    assert 1.0 < waited < 5.0


@pytest.mark.parametrize(
    ("parts", "other"),
    [(("load", "a", "b"), ("load", "a", "c")), (("load", "ab", "c"), ("load", "a", "bc"))],
)
def test_lock_keys_differ_for_different_loads(parts, other):
    assert jobs.lock_key(*parts) != jobs.lock_key(*other)
