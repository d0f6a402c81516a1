"""The quick start in ``docs/index.md`` runs as written, from an empty workspace to a published
scorecard, and the figures it promises are the ones a hand count of its example files gives."""

from __future__ import annotations

import csv
import json
import re
import shlex

import yaml

from tests.fixtures import PROJECT_ROOT, workspace

INDEX = PROJECT_ROOT / "docs" / "index.md"
EXAMPLES = PROJECT_ROOT / "docs" / "examples" / "quickstart"
LEAVE_COHORT = {"transferred out", "emigrated", "deceased"}


def quick_start_commands() -> list[list[str]]:
    """The ``backbone`` lines of the quick start's shell block, as arguments."""
    text = INDEX.read_text()
    section = text[text.index("## Quick start") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the quick start has a shell block"
    lines = block.group(1).splitlines()
    assert "export BACKBONE_WORKSPACE=$PWD/riverton" in lines
    return [shlex.split(line)[1:] for line in lines if line.startswith("backbone ")]


def graduation_by_hand() -> tuple[int, int]:
    """Graduates and cohort size from the example file, with the csv module: a diploma dated by
    31 August of the cohort year counts; transfers out, emigrants and deaths leave the cohort."""
    with (EXAMPLES / "graduation.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    cohort = [r for r in rows if r["status"] not in LEAVE_COHORT]
    graduates = [
        r for r in cohort
        if r["status"] == "regular diploma" and r["diploma_date"] <= f"{r['cohort_year']}-08-31"
    ]  # fmt: skip
    return len(graduates), len(cohort)


def test_the_quick_start_runs_as_written_and_shows_the_hand_counted_rate(tmp_path):
    (tmp_path / "docs").symlink_to(PROJECT_ROOT / "docs")  # the commands' relative paths
    graduates, cohort = graduation_by_hand()
    percent = f"{int(100 * graduates / cohort + 0.5)}%"  # rounded half up, as published
    assert f"({graduates} of {cohort}, {percent})" in " ".join(INDEX.read_text().split())
    with workspace(tmp_path, "riverton") as ws:
        outputs = {" ".join(args[:1]): ws.run(*args) for args in quick_start_commands()}
        assert "nobody to link" in outputs["link"].stdout
        assert percent in outputs["results"].stdout
        assert (tmp_path / "scorecard-site" / "index.html").exists()
        shown = json.loads(
            ws.run("results", "--indicator", "graduation_rate_4yr", "--format", "json").stdout
        )
    overall = next(r for r in shown if r["dimension"] == "overall")
    assert (overall["numerator"], overall["denominator"]) == (graduates, cohort)
    groups = [r for r in shown if r["dimension"] != "overall"]
    assert groups and all(r["denominator"] is None or r["denominator"] >= 10 for r in groups)


COLLEGE = """\
format: backbone.partnership/1
partnership:
  name: Riverton Cradle to Career
  place: Riverton
partners:
  - slug: riverton-c2c
    name: Riverton Cradle to Career
    type: backbone
    sectors: [community]
  - slug: riverton-college
    name: Riverton Community College
    type: college
    sectors: [education]
agreements:
  - slug: college-dsa
    title: Riverton Community College Data-Sharing Agreement
    kind: dsa
    status: signed
    legal_basis: studies
    discloser: riverton-college
    purpose_code: program-evaluation
    purpose: Follow graduates into college.
    start: 2024-07-01
    end: 2029-06-30
    data_elements:
      - contract: postsecondary
    destruction:
      deadline: 2029-12-31
      method: Delete the files.
    parties:
      - partner: riverton-college
      - partner: riverton-c2c
"""


def test_a_second_partner_before_linkage_names_what_waits_and_why_link_cannot_run(tmp_path):
    (tmp_path / "docs").symlink_to(PROJECT_ROOT / "docs")
    (tmp_path / "college.yaml").write_text(COLLEGE)
    with workspace(tmp_path, "riverton") as ws:
        for args in quick_start_commands()[:4]:  # init, import, the district's two files
            ws.run(*args)
        ws.run("partnership", "import", "college.yaml")
        ws.run(
            "ingest", "--partner", "riverton-college", "--contract", "postsecondary",
            "--period", "2025-26", "docs/examples/postsecondary.csv",
        )  # fmt: skip
        ws.run("indicators", "library")
        joined = ws.run("compute")
        waiting = re.search(r"Waiting for linkage \((\d+)\): ([\w, ]+)\.", joined.stdout)
        assert waiting, joined.stdout
        # every library indicator that joins partners on person_key, read from its definition
        expected = sorted(
            path.stem
            for path in (PROJECT_ROOT / "src/backbone/indicators/library").glob("*.yaml")
            if any(
                j.get("on") == "person_key"
                for j in yaml.safe_load(path.read_text()).get("joins", [])
            )
        )
        assert waiting.group(2).split(", ") == expected
        computed = int(re.search(r"Computed (\d+) indicators", joined.stdout).group(1))
        library = len(list((PROJECT_ROOT / "src/backbone/indicators/library").glob("*.yaml")))
        assert computed == library - len(expected)
        # the district's file carries no names or birth dates to compare with the college's
        link = ws.run("link", check=False)
        assert link.returncode == 1 and "share no identifier" in link.stderr, link
        assert "Traceback" not in link.stderr
