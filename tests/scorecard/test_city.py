"""End to end on a synthetic city: ``backbone demo`` computes and releases, ``backbone publish``
writes the site, and both disclosure checkers find nothing a reader could work out."""

from __future__ import annotations

import csv
import json
import subprocess
import time
from collections import Counter

import pytest

from tests.fixtures import PROJECT_ROOT
from tests.release_attacker import run as run_attack
from tests.scorecard.recoverable import disclosures
from tests.second_checker import Truth, read_results, recoverable

pytestmark = pytest.mark.city

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


def test_publish_then_check_disclosure_pass_on_the_city(city, tmp_path):
    out = tmp_path / "site"
    started = time.monotonic()
    published = city.run("publish", str(out), timeout=600)
    seconds = time.monotonic() - started
    assert "Published release 1" in published.stdout  # the demo build's release is current
    checked = city.run("check-disclosure", str(out), check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert disclosures(out) == []
    with (out / "data" / "results.csv").open(newline="") as handle:
        markers = Counter(row["marker"] for row in csv.DictReader(handle))
    assert markers[""] > 300 and markers["*"] > 0 and markers["‡"] > 0, markers
    print(f"publish took {seconds:.1f} s; cells by marker: {dict(markers)}")


def test_the_city_has_a_page_per_indicator_and_outcome(city_site):
    dimensions = json.loads((city_site / "data" / "dimensions.json").read_text())
    assert "grade3_reading" in dimensions
    assert dimensions["grade3_reading"]["race_ethnicity"]["additive"]
    # Ed-Fi programs and HMIS projects let one person count in two groups.
    assert not all(d["additive"] for dims in dimensions.values() for d in dims.values())
    for slug in dimensions:
        assert (city_site / "indicators" / slug / "index.html").is_file()
        assert (city_site / "embed" / slug / "index.html").is_file()
    assert (city_site / "outcomes" / "grade-3-reading" / "index.html").is_file()


@pytest.mark.browser
def test_the_annual_report_renders_and_its_first_page_is_saved(city_site):
    """Marked browser: it refreshes docs/screenshots/annual-report-page1.png."""
    report = city_site / "annual-report.pdf"
    assert report.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(report)], capture_output=True, text=True, check=True)
    pages = int(next(ln.split()[1] for ln in info.stdout.splitlines() if ln.startswith("Pages:")))
    assert pages >= 10
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "annual-report-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(report),
         str(target)], check=True,
    )  # fmt: skip
    assert target.with_suffix(".png").stat().st_size > 10_000


def test_the_second_checker_finds_no_small_count_recoverable_in_the_city_export(city, city_site):
    """The tests' own checker (tests/second_checker.py), with the true counts from the city's
    database, solves for every withheld small count the export might give away."""
    dumped = city.run("manage", "dumpdata", "indicators.Indicator", "indicators.Result",
                      "scorecard.Release").stdout  # fmt: skip
    objects = json.loads(dumped)
    slugs = {o["pk"]: o["fields"]["slug"] for o in objects if o["model"] == "indicators.indicator"}
    release = max((o for o in objects if o["model"] == "scorecard.release"), key=lambda o: o["pk"])
    runs = set(release["fields"]["runs"]) | {release["fields"]["compute_run"]}
    truth = {
        (slugs[r["indicator"]], r["period"], r["dimension"], r["group_value"]):
            Truth(r["numerator"], r["denominator"])
        for o in objects if o["model"] == "indicators.result" and (r := o["fields"])["run"] in runs
    }  # fmt: skip
    rows = read_results(city_site)
    assert len(rows) > 1000 and all(_key(row) in truth for row in rows)
    assert recoverable(rows, truth) == []


def _key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (row["indicator"], row["period"], row["dimension"], row["group"])


def test_the_release_wide_attacker_finds_nothing_in_the_city_export(city, city_site):
    """tests/release_attacker.py, sharing no code with backbone.disclosure, reads the whole
    export at once (shared populations, overlapping groups, what markers say) and, with the
    true counts from the city's database, narrows no small count to fewer than four values."""
    dumped = city.run("manage", "dumpdata", "indicators.Indicator", "indicators.Result",
                      "scorecard.Release").stdout  # fmt: skip
    objects = json.loads(dumped)
    indicators = {o["pk"]: o["fields"] for o in objects if o["model"] == "indicators.indicator"}
    release = max((o for o in objects if o["model"] == "scorecard.release"), key=lambda o: o["pk"])
    runs = set(release["fields"]["runs"]) | {release["fields"]["compute_run"]}
    truth = {}
    for o in objects:
        if o["model"] != "indicators.result" or (r := o["fields"])["run"] not in runs:
            continue
        indicator = indicators[r["indicator"]]
        median = indicator["unit"] == "median"  # its group is the people with a value
        counts = (None, r["numerator"]) if median else (r["numerator"], r["denominator"])
        truth[(indicator["slug"], r["period"], r["dimension"], r["group_value"])] = counts
    report = run_attack(city_site, truth)
    assert report.findings == [], report.findings[:5]
    assert report.examined >= 50, report  # withheld counts small in truth, each looked at
    print(
        f"attacker: {report.examined} small withheld counts, {report.solves} solves; "
        f"notes: {report.notes}"
    )


def test_the_city_site_shows_the_demo_published_study_and_no_other(city_site):
    html = (city_site / "what-works" / "index.html").read_text()
    assert "Reading Buddies tutoring and days absent" in html  # published: true in the demo
    assert "grade-3 reading" not in html and "earnings" not in html  # not published
    assert "Quasi-experimental estimate" in html or "Not shown: too few people" in html
    assert "impact" not in html.lower()
