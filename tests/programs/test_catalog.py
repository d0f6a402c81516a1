"""The programs.yaml format: what it accepts and every problem it names, with its line."""

from __future__ import annotations

import pytest

from backbone.governance.registry_file import RegistryFileError
from backbone.programs.catalog import Dosage, parse_programs

GOOD = """\
programs:
  - slug: reading-buddies
    partner: bright-futures-tutoring
    name: Reading Buddies Tutoring
    aliases: [Reading Buddies Tutoring]
    service_type: tutoring
    sites: [Eastside Library]
    target_population:
      tables: [school_enrollment]
      condition: school_enrollment.grade IN ('1', '2', '3')
    dosage: {hours: 20, sessions: 10}
    outcomes: [grade-3-reading]
strategies:
  - outcome: grade-3-reading
    name: Tutoring for early readers
    reach: targeted
    target_group: economically disadvantaged grades 1-3
    programs: [reading-buddies]
"""


def test_a_good_file_is_read_whole():
    parsed = parse_programs(GOOD)
    program = parsed.programs[0]
    assert program.target_population is not None
    assert program.target_population.condition == "school_enrollment.grade IN ('1', '2', '3')"
    assert (program.dosage.hours, program.dosage.sessions) == (20, 10)
    assert parsed.strategies[0].programs == ["reading-buddies"]


def test_an_empty_file_has_no_programs():
    assert parse_programs("").programs == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("school_enrollment.grade IN", "school_enrollment.grayd IN"),
         r"programs\.yaml:9: programs\[0\]\.target_population.*unknown column 'grayd'"),
        (("[school_enrollment]", "[identity_record]"), r"identity tier"),
        (("hours: 20", "hours: -1"), r"programs\[0\]\.dosage\.hours.*greater than 0"),
        (("programs: [reading-buddies]", "programs: [reading-bodies]"),
         r"programs\.yaml:18: strategies\[0\]\.programs\[0\]: no program 'reading-bodies'"),
        (("    reach: targeted\n    target_group: economically disadvantaged grades 1-3\n",
          "    reach: targeted\n"), r"targeted strategy names its target_group"),
        (("    sites:", "    site:"), r"programs\[0\]\.site: unknown field"),
        (("slug: reading-buddies", "slug: Reading Buddies"), r"programs\[0\]\.slug"),
    ],
)  # fmt: skip
def test_each_problem_is_named_with_its_place(change, message):
    with pytest.raises(RegistryFileError, match=message):
        parse_programs(GOOD.replace(*change))


def test_two_programs_of_one_partner_cannot_claim_one_alias():
    second = GOOD.split("strategies:")[0].replace("slug: reading-buddies", "slug: other", 1)
    text = GOOD.split("strategies:")[0] + second.removeprefix("programs:\n")
    with pytest.raises(RegistryFileError, match=r"aliases\[0\]: alias .* is reading-buddies's"):
        parse_programs(text)


def test_not_yaml_is_refused_with_its_line():
    with pytest.raises(RegistryFileError, match=r"programs\.yaml:3: .*not valid YAML"):
        parse_programs("programs:\n  - [unclosed\n")


@pytest.mark.parametrize(
    ("rule", "hours", "sessions", "met"),
    [((20, 10), 20, 0, True), ((20, 10), 19.9, 9, False), ((None, 10), 500, 9, False),
     ((None, None), 500, 500, False), ((20, None), 20, 0, True)],
)  # fmt: skip
def test_dosage_is_met_by_hours_or_sessions(rule, hours, sessions, met):
    assert Dosage(hours=rule[0], sessions=rule[1]).met(hours, sessions) is met
