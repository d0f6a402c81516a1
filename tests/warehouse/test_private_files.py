"""The workspace holds names, birth dates and SSNs: the real commands, run in separate
processes under the operator's usual umask (022) — ``backbone demo`` (the registry), ``backbone
ingest`` of a roster, a wage file with SSNs and a rejected file — leave no file or folder in the
workspace that anyone but its owner may read: the app database, identity-tier Parquet, archives
(0400, read-only) and the problem report. ``backbone status`` warns as soon as one is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import PROJECT_ROOT

ROSTER = "local_id,first_name,last_name,birth_date,program,start_date\n"
FILES = {  # name: (partner, contract, text)
    "roster.csv": ("bright-futures-tutoring", "program_participation",
                   ROSTER + "T1,Ana,Ruiz,2014-03-15,Reading,2025-09-08\n"),
    "bad.csv": ("bright-futures-tutoring", "program_participation",
                ROSTER + "T2,Ben,Oko,2014-03-45,Reading,2025-09-08\n"),
    "wages.csv": ("three-rivers-workforce-board", "ui_wages",
                  "ssn,first_name,last_name,employer_id,year,quarter,wages\n"
                  "123456789,Ana,Ruiz,RIV-1,2025,1,5000.00\n"),
}  # fmt: skip


def backbone(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workspace.parent),
        "PYTHONPATH": str(PROJECT_ROOT / "src"), "BACKBONE_WORKSPACE": str(workspace),
    }  # fmt: skip
    command = [sys.executable, "-m", "backbone", *args]
    # The operator's usual umask: backbone must not rely on a careful one.
    return subprocess.run(
        command, capture_output=True, text=True, env=env, umask=0o022, timeout=900
    )


def modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` with its permission bits, read with plain ``os.stat``."""
    found = {".": oct(root.stat().st_mode & 0o777)}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            found[str(path.relative_to(root))] = oct(path.lstat().st_mode & 0o777)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("private")
    workspace = root / "workspace"
    done = backbone(workspace, "demo", "--build-only", "--students", "0")
    assert done.returncode == 0, done.stderr[-3000:]
    for name, (partner, contract, text) in FILES.items():
        (root / name).write_text(text)
        loaded = backbone(workspace, "ingest", "--partner", partner, "--contract", contract, str(root / name))  # fmt: skip
        assert loaded.returncode == (1 if name == "bad.csv" else 0), loaded.stdout + loaded.stderr
    return workspace


def test_every_file_of_a_real_demo_is_private(demo):
    found = modes(demo)
    kinds = {
        "app database": "backbone.sqlite3",
        "identity-tier Parquet": "warehouse/identity/identity_record/",
        "archived wage file": "wages.csv",
        "problem report": "report-",
    }
    for kind, part in kinds.items():
        assert any(part in path for path in found), f"no {kind} was written"
    assert found["."] == found["warehouse"] == "0o700"
    assert found["backbone.sqlite3"] == "0o600"
    wide = {path: mode for path, mode in found.items() if int(mode, 8) & 0o077}
    assert wide == {}


def test_status_warns_about_a_file_others_can_read(demo):
    quiet = backbone(demo, "status", "--json")
    assert json.loads(quiet.stdout)["wide_modes"] == {"count": 0, "examples": []}
    loose = next(demo.rglob("*.parquet"))
    loose.chmod(0o644)
    try:
        report = backbone(demo, "status")
        shown = backbone(demo, "status", "--json")
    finally:
        loose.chmod(0o600)
    relative = loose.relative_to(demo).as_posix()
    assert json.loads(shown.stdout)["wide_modes"] == {"count": 1, "examples": [f"0644 {relative}"]}
    assert "1 files or folders in the workspace can be read by others" in report.stderr
    assert f"0644 {relative}" in report.stderr


def test_uploaded_documents_are_saved_private(tmp_path):
    """Django would give an upload 0644 whatever the umask (a signed agreement, say)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path / "documents")
    name = storage.save("agreements/signed.pdf", ContentFile(b"%PDF-1.4 signed"))
    assert oct((tmp_path / "documents" / name).stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "documents" / "agreements").stat().st_mode & 0o777) == "0o700"


def test_a_published_site_is_readable_by_everyone(tmp_path):
    from backbone.warehouse.workspace import open_to_readers

    site = tmp_path / "site"
    (site / "data").mkdir(parents=True, mode=0o700)
    (site / "data" / "results.csv").touch(mode=0o600)
    open_to_readers(site)
    assert modes(site) == {".": "0o755", "data": "0o755", "data/results.csv": "0o644"}
