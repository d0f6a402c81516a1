"""Hostile files sent through ``backbone ingest`` as a partner would send them (issue 14).

Each runs in its own process, under a 4 GB address-space ceiling so that a regression fails
instead of exhausting the machine, and is measured from outside: wall-clock time and the peak
resident memory of the ``backbone ingest`` process (``RUSAGE_CHILDREN`` of a fresh wrapper).
Each must be refused within 10 s in under 500 MB, naming file, row and field, with no
traceback and the warehouse byte-for-byte as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures import BACKBONE, tree_checksums, workspace
from tests.intake import hostile_files as hostile
from tests.intake.hmis_files import write_hmis_export, zip_export

SECONDS, MEGABYTES = 10, 500

MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    ceiling = 4 * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    started = time.monotonic()
    try:
        done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as stopped:  # killed: a hang must not outlive the test
        done = subprocess.CompletedProcess(stopped.cmd, -9, str(stopped.stdout), "timed out")
    print(json.dumps({
        "seconds": time.monotonic() - started,
        "megabytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
    }))
    """
)
RAISED = {"BACKBONE_INTAKE_MAX_ZIP_RATIO": "100000", "BACKBONE_INTAKE_MAX_SHARED_STRINGS_MB": "512"}


@dataclass
class Measured:
    seconds: float
    megabytes: float
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    with workspace(root) as ws:
        ws.env["BACKBONE_REQUIRE_AGREEMENTS"] = "0"  # the partners' agreements are not at issue
        ws.run("demo", "--build-only", "--students", "0")
        yield ws


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """Every hostile file, written once."""
    folder = tmp_path_factory.mktemp("files")
    hostile.xlsx_claiming_every_cell(folder / "claims.xlsx")
    hostile.xlsx_with_dtd(folder / "laughs.xlsx")
    hostile.xlsx_with_huge_shared_string(folder / "shared.xlsx")  # 256 MiB in 257 KB
    hostile.edfi_zip_with_huge_student_id(folder / "district.zip", 1024**3)  # 1 GiB in 1 MB
    hostile.edfi_zip_with_huge_student_id(folder / "district-128.zip", 128 * 1024**2)
    hostile.edfi_json_zip_with_huge_student_id(folder / "api.zip", 1024**3)  # 1 GiB in 1 MB
    hostile.edfi_json_zip_nested_deeply(folder / "api-deep.zip", 256 * 1024**2)
    roster = b"local_id,program,start_date\nS-0,Chess,2024-09-05\n"
    (folder / "long.csv").write_bytes(roster + b"S-1," + b"x" * 200_000 + b",2024-09-05\n")
    (folder / "latin1.csv").write_bytes(roster + b"S-1,Caf\xe9 club,2024-09-05\n")
    (folder / "nul.csv").write_bytes(roster + b"S-1,Math\x00Club,2024-09-05\n")
    wages = b"ssn,employer_id,year,quarter,wages\n123456789," + b"E" * 200_000 + b",2024,1,9\n"
    (folder / "wages.csv").write_bytes(wages)
    export = write_hmis_export(folder / "export")
    client = export / "Client.csv"
    client.write_bytes(client.read_bytes().replace(b"Lopez", b"L" * 200_000))
    zip_export(export, folder / "hmis.zip")
    return folder


def ingest(ws, contract: str, partner: str, path: Path, env: dict[str, str]) -> Measured:
    command = [*BACKBONE, "ingest", "--contract", contract, "--partner", partner, str(path)]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], env={**ws.env, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Measured(**json.loads(done.stdout))


CBO, DISTRICT = "bright-futures-tutoring", "riverton-public-schools"
CASES = [
    # name, contract, partner, file, extra settings, what the refusal says
    ("xlsx bomb", "program_participation", CBO, "shared.xlsx", {},
     "shared.xlsx: -: xl/sharedStrings.xml in the zip is compressed"),
    ("xlsx huge shared string", "program_participation", CBO, "shared.xlsx", RAISED,
     "shared.xlsx:2: program: the value is longer than 32,767 characters"),
    ("xlsx DTD", "program_participation", CBO, "laughs.xlsx", {},
     "laughs.xlsx:1: -: xl/worksheets/sheet1.xml in the file declares a DTD"),
    ("Ed-Fi 1 GiB zip", "edfi", DISTRICT, "district.zip", {},
     "district.zip: -: Student.xml in the zip is compressed"),
    ("Ed-Fi 1 GiB element", "edfi", DISTRICT, "district.zip", RAISED,
     "Student.xml:4: StudentUniqueId: the value is longer than 4,096 characters"),
    ("Ed-Fi 128 MiB id", "edfi", DISTRICT, "district-128.zip", RAISED,
     "Student.xml:4: StudentUniqueId: the value is longer than 4,096 characters"),
    ("Ed-Fi JSON 1 GiB string", "edfi", DISTRICT, "api.zip", RAISED,
     "students.json:1: studentUniqueId: the value is longer than 4,096 characters"),
    ("Ed-Fi JSON nested 256 Mi deep", "edfi", DISTRICT, "api-deep.zip", RAISED,
     "students.json:1: addresses: values are nested more than 32 deep"),
    ("CSV long field", "program_participation", CBO, "long.csv", {},
     "long.csv:3: program: the value is longer than 32,767 characters"),
    ("CSV not UTF-8", "program_participation", CBO, "latin1.csv", {},
     "latin1.csv:3: program: the value is not UTF-8 (byte 0xE9)"),
    ("CSV NUL byte", "program_participation", CBO, "nul.csv", {},
     "nul.csv:3: program: the value holds a NUL byte"),
    ("wages long field", "ui_wages", "three-rivers-workforce-board", "wages.csv", {},
     "wages.csv:2: employer_id: the value is longer than 1,024 characters"),
    ("HMIS long field", "hmis", "riverton-area-homeless-coalition", "hmis.zip", {},
     "Client.csv:2: LastName: the value is longer than 32,767 characters"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("contract", "partner", "name", "env", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_hostile_file_is_refused_quickly_in_bounded_memory(
    demo, files, contract, partner, name, env, expected
):
    before = tree_checksums(demo.path / "warehouse")
    run = ingest(demo, contract, partner, files / name, env)
    print(
        f"\n{name} {'(limits raised)' if env else ''}: {run.seconds:.1f} s, {run.megabytes:.0f} MB"
    )
    assert run.code == 1, run.stdout + run.stderr
    assert f"{name}: rejected with 1 error(s); nothing was stored" in run.stderr
    assert expected in " ".join(run.stderr.split()), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert run.seconds < SECONDS and run.megabytes < MEGABYTES
    assert tree_checksums(demo.path / "warehouse") == before


def test_sheet_claiming_every_cell_is_read_quickly(demo, files):
    run = ingest(demo, "program_participation", CBO, files / "claims.xlsx", {})
    print(f"\nclaims.xlsx: {run.seconds:.1f} s, {run.megabytes:.0f} MB")
    assert run.code == 0, run.stdout + run.stderr
    assert "claims.xlsx: loaded" in run.stdout and "program_participation 1)" in run.stdout
    assert run.seconds < SECONDS and run.megabytes < MEGABYTES
