"""An Ed-Fi export's XML files given to ``backbone ingest`` together are one submission: one
zip of their unchanged bytes in the archive, loaded as the export it is."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from backbone.demo.city import generate_city
from backbone.demo.services import DEMO_REGISTRY
from backbone.intake import bundles
from tests.fixtures import workspace

DISTRICT = "riverton-public-schools"


def test_loose_edfi_files_are_one_submission_and_other_paths_their_own():
    xml = [Path("Student.xml"), Path("StudentEnrollment.XML")]
    assert bundles.submissions(xml, "edfi") == [xml]
    assert bundles.submissions([Path("2024-25.zip"), Path("2025-26.zip")], "edfi") == [
        [Path("2024-25.zip")], [Path("2025-26.zip")],
    ]  # fmt: skip
    assert bundles.submissions([Path("Student.xml")], "edfi") == [[Path("Student.xml")]]
    assert bundles.submissions(xml, "ui_wages") == [[xml[0]], [xml[1]]]


def test_loose_files_with_a_zip_are_refused_saying_what_to_do():
    paths = [Path("Student.xml"), Path("StudentEnrollment.xml"), Path("2024-25.zip")]
    with pytest.raises(bundles.MixedBundle, match=r"2024-25\.zip cannot join them\. Send them"):
        bundles.submissions(paths, "edfi")


def test_two_files_of_one_name_are_two_exports():
    paths = [Path("a/Student.xml"), Path("b/Student.xml")]
    with pytest.raises(bundles.MixedBundle, match=r"two files are called Student\.xml"):
        bundles.submissions(paths, "edfi")


@pytest.fixture
def export(tmp_path) -> Path:
    """One school year's Ed-Fi export from the synthetic city, unzipped: its interchange files."""
    city = tmp_path / "city"
    generate_city(city, students=200, years=1, seed=3)
    folder = tmp_path / "export"
    with zipfile.ZipFile(city / DISTRICT / "edfi" / "2020-21.zip") as zipped:
        zipped.extractall(folder)
    return folder


def test_ingest_of_an_exports_xml_files_loads_them_as_one_zip_of_their_bytes(tmp_path, export):
    files = sorted(export.glob("*.xml"))
    assert len(files) > 3 and any(f.name == "StudentSchoolAttendance.xml" for f in files)
    with workspace(tmp_path) as ws:
        ws.run("partnership", "import", str(DEMO_REGISTRY))
        args = ["ingest", "--partner", DISTRICT, "--contract", "edfi", "--period", "2020-21"]
        done = ws.run(*args, *map(str, files))
        assert f"edfi-{len(files)}-files: loaded as submission 1" in done.stdout, done.stdout
        assert "error" not in done.stdout + done.stderr
        [archived] = (ws.path / "archive" / DISTRICT).glob("*/*.zip")
        assert archived.name == f"edfi-{len(files)}-files.zip"
        with zipfile.ZipFile(archived) as zipped:
            assert {name: zipped.read(name) for name in zipped.namelist()} == {
                f.name: f.read_bytes() for f in files
            }
        again = ws.run(*args, str(export))  # the same files as a folder: the same bytes
        assert re.search(r"already loaded as submission 1\b", again.stdout), again.stdout


def test_ingest_refuses_loose_files_mixed_with_a_zip(tmp_path, export):
    with workspace(tmp_path) as ws:
        ws.run("partnership", "import", str(DEMO_REGISTRY))
        zipped = tmp_path / "2021-22.zip"
        zipped.write_bytes(b"PK")
        args = ["ingest", "--partner", DISTRICT, "--contract", "edfi"]
        refused = ws.run(*args, *map(str, sorted(export.glob("*.xml"))), str(zipped), check=False)
        assert refused.returncode == 2
        assert "2021-22.zip cannot join them" in " ".join(refused.stderr.split())
        assert not (ws.path / "archive" / DISTRICT).exists()
