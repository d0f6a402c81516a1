"""workforce.yaml: the demo file parses, and a wrong file is refused with every problem."""

from __future__ import annotations

import pytest

from backbone.demo.services import DEMO_DIR
from backbone.governance.registry_file import RegistryFileError
from backbone.workforce.catalog import parse_workforce


def test_the_demo_file_holds_the_compacts_commitments_as_numbers():
    parsed = parse_workforce((DEMO_DIR / "workforce.yaml").read_text())
    health = {p.slug: p for p in parsed.partnerships}["healthcare-career-pathway"]
    interviews = [c for c in health.commitments if c.kind == "interviews"]
    assert [(c.employer, c.per_completer) for c in interviews] == [("st-brigid-health", 1.0)]
    assert {r.title for r in health.job_roles} >= {"Medical Assistant"}


BROKEN = """
partnerships:
  - slug: health
    name: Health
    sector: Health care
    target_occupations: [nurse]
    employers: [st-brigid-health]
    job_roles:
      - {slug: ma, employer: calloway-precision, title: MA, soc: "31-9092", hiring_months: [13]}
    commitments:
      - {employer: st-brigid-health, kind: promises, level: sustained}
"""


def test_every_problem_is_listed_with_its_line():
    with pytest.raises(RegistryFileError) as error:
        parse_workforce(BROKEN)
    text = str(error.value)
    assert (
        "workforce.yaml:6: partnerships[0].target_occupations[0]: String should match pattern"
        in text
    )
    assert "workforce.yaml:9: partnerships[0].job_roles[0]: hiring_months are month numbers" in text
    assert "workforce.yaml:11: partnerships[0].commitments[0].kind: Input should be" in text


def test_a_curriculum_naming_an_unknown_job_role_is_refused():
    text = BROKEN.replace("[nurse]", '["31-9092"]').replace("[13]", "[1]")
    text = text.replace("promises", "hires") + (
        "    curricula:\n      - {slug: c, name: C, provider: x, job_roles: [rn]}\n"
    )
    with pytest.raises(RegistryFileError, match=r"curricula\[0\]\.job_roles: no job role 'rn'"):
        parse_workforce(text)
    with pytest.raises(RegistryFileError, match=r"job_roles\[0\]\.employer: not one of its"):
        parse_workforce(text)


def test_the_docs_example_is_a_valid_file():
    text = (DEMO_DIR.parents[2] / "docs" / "workforce.md").read_text()
    example = text.split("```yaml\n")[1].split("```")[0]
    [health] = parse_workforce(example).partnerships
    assert (health.commitments[0].per_completer, health.curricula[0].job_roles) == (1.0, ["ma"])
