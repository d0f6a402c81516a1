"""Helpers that make real files, databases and processes for tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import backbone.warehouse.workspace as places

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
DEMO_REGISTRY = PROJECT_ROOT / "src" / "backbone" / "demo" / "partnership.yaml"
BACKBONE = [sys.executable, "-m", "backbone"]

# A small but complete registry; tests derive broken variants from it by text replacement.
SMALL_REGISTRY = textwrap.dedent(
    """\
    format: backbone.partnership/1
    partnership:
      name: Riverton Cradle to Career
      place: Riverton
    sector_goals:
      - slug: housing-goal
        sector: housing
        statement: Provide affordable housing for families with school-age children.
    shared_outcomes:
      - slug: housed-students-thrive
        name: Housed students thrive
        sector_goals: [housing-goal]
    partners:
      - slug: riverton-schools
        name: Riverton Public Schools
        type: school_district
        sectors: [education]
      - slug: riverton-housing
        name: Riverton Housing Authority
        type: housing_authority
        sectors: [housing, government]
    people:
      - slug: ana-ruiz
        name: Ana Ruiz
        partner: riverton-schools
    bodies:
      - slug: leadership-table
        name: Leadership Table
        kind: leadership_table
        outcomes: [housed-students-thrive]
        members:
          - person: ana-ruiz
            role: chair
            representing: riverton-schools
            start: 2024-01-15
    roles:
      - role: data_measurement_director
        person: ana-ruiz
    agreements:
      - slug: housed-mou
        title: HousED MOU
        status: signed
        start: 2024-07-01
        end: 2026-06-30
        parties:
          - partner: riverton-housing
            commitments: Host two after-school sites.
          - partner: riverton-schools
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database_url(template: str | None = None) -> Iterator[str | None]:
    """A new, empty database for a CLI process: a new PostgreSQL database when the suite runs on
    PostgreSQL (dropped afterwards), otherwise ``None`` so the workspace's SQLite file is used.
    ``template`` (a URL this function gave) makes the new database a copy of that one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    name = f"cli_{uuid.uuid4().hex[:12]}"
    admin_url = url.replace("/backbone?", "/postgres?")
    copied = f' TEMPLATE "{database_name(template)}"' if template else ""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copied}')
    try:
        yield url.replace("/backbone?", f"/{name}?")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def database_name(url: str) -> str:
    """``postgres://postgres@/cli_ab12?host=/tmp/x`` → ``cli_ab12``."""
    return url.split("?")[0].rsplit("/", 1)[1]


class Workspace:
    """A workspace directory with its own database, driven through the real ``backbone`` CLI."""

    def __init__(self, path: Path, database_url: str | None):
        self.path = path
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["BACKBONE_WORKSPACE"] = str(path)
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(
        self, *args: str, check: bool = True, timeout: int = 300
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*BACKBONE, *args], env=self.env, capture_output=True, text=True, timeout=timeout,
            cwd=self.path.parent,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(
                f"backbone {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    @contextmanager
    def serving(self, *args: str) -> Iterator[str]:
        """Run ``backbone <args> --port N`` in the background until it answers; yield its URL."""
        port = free_port()
        process = subprocess.Popen(
            [*BACKBONE, *args, "--port", str(port)], env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"server exited with {process.returncode}:\n{output}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


@contextmanager
def workspace(tmp_path: Path, name: str = "workspace") -> Iterator[Workspace]:
    with fresh_database_url() as url:
        yield Workspace(tmp_path / name, url)


@contextmanager
def copy_of(built: Workspace, destination: Path) -> Iterator[Workspace]:
    """A copy of a built workspace — its directory and its database — for a test that writes:
    copying takes seconds where building (``backbone demo``) takes minutes. The workspace keeps
    paths relative to itself, so the copy stands on its own."""
    shutil.copytree(built.path, destination, symlinks=True)
    template = built.env.get("DATABASE_URL")
    with fresh_database_url(template) as url:
        yield Workspace(destination, url)


@contextmanager
def configured_workspace(root: Path) -> Iterator[places.Workspace]:
    """Make ``root`` the configured workspace (``settings.WORKSPACE``, its documents the media
    root) while the block runs, so services read and write there instead of the run's own."""
    from django.test import override_settings

    made = places.Workspace(places.ensure_workspace(root))
    with override_settings(WORKSPACE=made.root, MEDIA_ROOT=made.documents):
        yield made


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A real CSV file, written with the csv module."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


WAGE_HEADER = ["ssn", "employer_id", "year", "quarter", "wages"]


def write_wage_file(path: Path, people: int, quarters: int = 4, start_year: int = 2023) -> Path:
    """A large but predictable UI wage file: person i earns 1000 + i dollars every quarter at
    employer ``E{i % 7}``. Streams row by row so it can be millions of rows."""
    import csv

    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(WAGE_HEADER)
        for i in range(people):
            ssn = f"{100000000 + i:09d}"
            for q in range(quarters):
                writer.writerow(
                    [ssn, f"E{i % 7}", start_year + q // 4, q % 4 + 1, f"{1000 + i}.00"]
                )
    return path


def tree_checksums(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under ``directory``: compare before and after to prove nothing moved."""
    import hashlib

    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }
