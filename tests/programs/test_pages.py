"""The program pages over the seeded partnership: what each reader sees, withheld or exact."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from backbone.governance.models import AuditEvent
from backbone.governance.registry_file import RegistryFileError
from backbone.programs.models import Program
from backbone.programs.registry import confirm_program, import_programs_file
from backbone.programs.services import proposals

pytestmark = pytest.mark.django_db


def page(world, username: str, url: str) -> str:
    client = Client()
    client.force_login(world.users[username])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_network_member_sees_small_counts_withheld_and_nothing_is_audited(world):
    before = AuditEvent.objects.filter(object_type="programs.participation").count()
    html = page(world, "network", "/programs/homework-help/")
    # 2023-24: two participants, under the minimum of 10: withheld with sessions and hours.
    assert '<td>2023-24</td><td class="num">*</td>' in html
    assert '<td>2024-01</td><td class="num">*</td><td class="num">*</td>' in html
    assert '<td class="num">2</td>' not in html
    assert AuditEvent.objects.filter(object_type="programs.participation").count() == before


def test_the_steward_sees_exact_take_up_and_the_view_is_audited(world):
    html = page(world, "steward", "/programs/homework-help/")
    assert '<td>2023-24</td><td class="num">2</td>' in html  # T-1 and T-2
    assert '<td>2025-26</td><td class="num">1</td>' in html  # T-3
    event = AuditEvent.objects.filter(object_type="programs.participation").latest("sequence")
    assert (event.object_id, event.purpose) == ("homework-help", "exact program participation")


def test_the_inventory_flags_an_outcome_no_program_aims_at(world):
    html = page(world, "network", "/programs/")
    assert "Homework Help" in html and "tutoring" in html.lower()
    assert "Gap: no program aims at this outcome" in html


def test_sync_proposes_unmatched_values_and_confirming_one_makes_an_alias(world):
    found = {(p["partner"], p["value"]): p["participants"] for p in proposals()}
    assert found == {("mentoring", "Big Sibs"): 2}
    program = confirm_program("mentoring", "Big Sibs", "big-sibs")
    assert (program.name, program.aliases, program.partner.slug) == (
        "Big Sibs",
        ["Big Sibs"],
        "mentoring",
    )
    assert proposals() == []


def test_a_value_cannot_join_another_partners_program(world):
    with pytest.raises(ValueError, match="program 'homework-help' is tutoring's, not mentoring's"):
        confirm_program("mentoring", "Big Sibs", "homework-help")


def test_a_program_with_a_bad_target_population_is_refused_when_saved(world):
    program = Program(slug="bad", partner=world.partners["tutoring"], name="Bad",
                      population_tables=["school_enrollment"],
                      population_condition="school_enrollment.grayd = '3'")  # fmt: skip
    with pytest.raises(ValidationError, match="unknown column 'grayd'"):
        program.save()
    assert not Program.objects.filter(slug="bad").exists()


FILE = """\
programs:
  - slug: homework-help
    partner: tutoring
    name: Homework Help
    aliases: [Homework Help, HW Help]
    dosage: {sessions: 12}
strategies:
  - outcome: planted-outcome
    name: Help with homework
    programs: [homework-help]
"""


def test_import_updates_a_program_by_slug(world, tmp_path):
    outcome = world_outcome()
    path = tmp_path / "programs.yaml"
    path.write_text(FILE.replace("planted-outcome", outcome))
    assert import_programs_file(path) == "1 programs, 1 strategies"
    program = Program.objects.get(slug="homework-help")
    assert (program.aliases, program.min_sessions) == (["Homework Help", "HW Help"], 12)
    assert [s.name for s in program.strategies.all()] == ["Help with homework"]


def test_import_names_an_unknown_partner_and_outcome_with_their_lines(world, tmp_path):
    path = tmp_path / "programs.yaml"
    path.write_text(FILE.replace("partner: tutoring", "partner: tutorin"))
    with pytest.raises(RegistryFileError) as refused:
        import_programs_file(path)
    assert [p.describe("programs.yaml") for p in refused.value.problems] == [
        "programs.yaml:3: programs[0].partner: no partner 'tutorin' in the registry",
        "programs.yaml:8: strategies[0].outcome: no shared outcome 'planted-outcome' in the registry",
    ]
    assert Program.objects.get(slug="homework-help").aliases == ["Homework Help"]


def world_outcome() -> str:
    from backbone.partnership.models import SharedOutcome

    return SharedOutcome.objects.values_list("slug", flat=True)[0]
