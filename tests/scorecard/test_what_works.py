"""Published studies on the public scorecard: copied into a release through the disclosure gate.

Each run below is written by hand (effect, interval, naive difference, group sizes), so the
figures the pages must show are worked out here: effect 7.634 with CI [1.02, 14.25] has a
half-width of 6.6, two significant figures reach tenths, so +7.6, "1.0 to 14.2", naive −6.2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from backbone.cli import app
from backbone.demo.services import DEMO_PROGRAMS, DEMO_REGISTRY, DEMO_STUDIES
from backbone.disclosure.check import check_export
from backbone.evidence import services as evidence
from backbone.evidence.models import Study, StudyRun
from backbone.governance.registry import import_registry_file
from backbone.programs.registry import import_programs_file
from backbone.scorecard import services
from backbone.scorecard.models import PublishedStudy
from tests.scorecard.planted import plant

pytestmark = pytest.mark.django_db

READING, ABSENCES, EARNINGS = "tutoring-grade3-reading", "tutoring-absences", "training-earnings"
READING_TITLE = "Reading Buddies tutoring and grade-3 reading"
ABSENCES_TITLE = "Reading Buddies tutoring and days absent"
EARNINGS_TITLE = "Sector training and earnings per employed quarter"


@pytest.fixture
def studies(workspace, settings):
    settings.DISCLOSURE_MIN_N = 10
    plant()
    import_registry_file(DEMO_REGISTRY)
    import_programs_file(DEMO_PROGRAMS)
    evidence.import_studies_file(DEMO_STUDIES)
    Study.objects.update(published=False)
    Study.objects.filter(slug__in=[READING, ABSENCES]).update(published=True)
    _run(READING, effect=7.634, ci_low=1.02, ci_high=14.25, naive_difference=-6.21)
    _run(ABSENCES, effect=-2.917, ci_low=-3.571, ci_high=-2.283, naive_difference=-1.3,
         n_treated=8)  # fmt: skip  # 8 participants: under the minimum of 10
    _run(EARNINGS, effect=1353.4, ci_low=1131.2, ci_high=1575.6, naive_difference=1436.0)


def _run(slug: str, **figures: Any) -> StudyRun:
    sizes = {"n_treated": 133, "n_comparison": 900, "naive_treated": 150, "naive_comparison": 1200}
    values = {**sizes, **figures}
    return StudyRun.objects.create(
        study=Study.objects.get(slug=slug), ran_by="tester", code_version="9.9",
        label="quasi-experimental estimate", design="exact matching", std_error=1.0,
        verdict="satisfied", **values,
    )  # fmt: skip


def _page(path: str = "/scorecard/what-works/") -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_releasable_study_shows_its_figures_to_the_public(studies):
    services.release()
    html = _page()
    assert READING_TITLE in html
    assert "Quasi-experimental estimate" in html and "+7.6" in html and "1.0 to 14.2" in html
    assert "Naive difference (no adjustment for who takes part)" in html and "−6.2" in html
    assert "Did taking part in Reading Buddies Tutoring change grade-3 ELA scale score" in html
    assert "compared with non-participants who share exactly the same" in html  # the design
    assert "matching adjusts only for what the district records" in html  # a caveat
    assert "with backbone 9.9" in html  # lineage
    assert "impact" not in html.lower()


def test_a_published_study_under_the_minimum_shows_no_figure(studies):
    services.release()
    html = _page()
    section = html[html.index(ABSENCES_TITLE) :]
    section = section[: section.index("</section>")]
    assert "Not shown: too few people" in section
    for figure in ("2.9", "3.6", "2.3", "1.3"):
        assert figure not in section


def test_an_unpublished_study_never_appears(studies):
    services.release()
    assert EARNINGS_TITLE not in _page() and EARNINGS_TITLE not in _page("/scorecard/")
    assert "+1,350" not in _page()


def test_the_home_page_links_the_studies(studies):
    services.release()
    html = _page("/scorecard/")
    assert 'href="what-works/"' in html and "+7.6 (1.0 to 14.2)" in html
    assert f"{ABSENCES_TITLE}</a>: not shown: too few people" in html


def test_a_rerun_after_a_release_shows_only_in_the_next_release(studies):
    first = services.release()
    _run(READING, effect=3.04, ci_low=0.51, ci_high=5.56, naive_difference=-6.21)
    assert services.current_release() is None  # `backbone publish` makes a new release
    Client().get("/scorecard/what-works/")  # the page of the first release, as a reader saw it
    kept = PublishedStudy.objects.get(release=first, slug=READING)
    assert (kept.estimate, kept.interval) == ("+7.6", "1.0 to 14.2")
    services.release()
    html = _page()
    assert "+3.0" in html and "0.5 to 5.6" in html and "+7.6" not in html
    kept.refresh_from_db()
    assert kept.estimate == "+7.6"


def test_the_gate_is_applied_again_with_the_minimum_at_release_time(studies, settings):
    run = _run(READING, effect=7.634, ci_low=1.02, ci_high=14.25, naive_difference=-6.21,
               n_treated=25)  # fmt: skip
    assert run.withheld == ""  # the run itself was stored as releasable
    settings.DISCLOSURE_MIN_N = 30  # 25 participants are now too few
    made = services.release()
    kept = PublishedStudy.objects.get(release=made, slug=READING)
    assert kept.withheld and kept.estimate == kept.interval == kept.naive == ""


def test_the_static_site_has_the_page_and_still_passes_the_disclosure_audit(studies, tmp_path):
    out: Path = tmp_path / "site"
    result = CliRunner().invoke(app, ["publish", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "what-works" / "index.html").read_text()
    assert "+7.6" in html and "1.0 to 14.2" in html and "Not shown: too few people" in html
    assert EARNINGS_TITLE not in html and "../static/scorecard/scorecard.css" in html
    assert 'href="what-works/index.html"' in (out / "index.html").read_text()
    assert check_export(out).findings == []


def test_a_published_growth_study_shows_growth_and_no_naive_difference(studies):
    # A pre/post study has no comparison group: n_comparison and the naive difference are empty,
    # and its headline says it is growth, not an effect (evidence.results.GROWTH_LABEL).
    Study.objects.filter(slug="mentoring-sel-growth").update(published=True)
    StudyRun.objects.create(
        study=Study.objects.get(slug="mentoring-sel-growth"), ran_by="tester", code_version="9.9",
        label="growth, not an effect: no comparison group", design="pre/post growth",
        effect=4.36, std_error=0.28, ci_low=3.81, ci_high=4.91, n_treated=322,
    )  # fmt: skip
    services.release()
    html = _page()
    # half-width (4.91 - 3.81) / 2 = 0.55: two significant figures reach hundredths
    assert "Growth, not an effect: no comparison group" in html and "+4.36" in html
    assert "3.81 to 4.91" in html
    assert html.count("Naive difference") == 1  # the reading study's row only


def test_a_run_withheld_when_it_ran_stays_withheld_in_the_release(studies):
    # The run's own reason (a contrast's rule, or one group of a combination) is kept even when
    # the headline groups would pass today's minimum.
    run = Study.objects.get(slug=READING).latest_run()
    run.withheld = "withheld: participants in the analytic sample (9 < 10)"
    run.save()
    services.release()
    assert "+7.6" not in _page()
    assert PublishedStudy.objects.get(slug=READING).withheld
