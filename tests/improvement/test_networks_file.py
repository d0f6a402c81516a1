"""networks.yaml: the demo's file imports into the demo registry, again without change; a file
with problems is refused whole, every problem named with where it is."""

from __future__ import annotations

import pytest
import yaml

from backbone.demo.services import DEMO_NETWORKS, DEMO_REGISTRY
from backbone.governance.registry import import_registry_file
from backbone.improvement.models import ActionItem, Charter, Measure, PdsaCycle, PolicyBarrier
from backbone.improvement.networks_file import NetworksFileError, parse_networks
from backbone.improvement.registry import import_networks_file

pytestmark = pytest.mark.django_db

GOOD_CHARTER = """
    charter:
      aim: Raise reading from 58% to 70% by June 2027
      indicator: grade3_reading
      baseline: {value: 58, period: "2024"}
      target: {value: 70, date: 2027-06-30}
"""


@pytest.fixture
def registry():
    import_registry_file(DEMO_REGISTRY)


def counts() -> dict[str, int]:
    return {
        "charters": Charter.objects.count(), "measures": Measure.objects.count(),
        "actions": ActionItem.objects.count(), "cycles": PdsaCycle.objects.count(),
        "barriers": PolicyBarrier.objects.count(),
    }  # fmt: skip


def test_the_demo_file_imports_everything_it_holds_once(registry):
    raw = yaml.safe_load(DEMO_NETWORKS.read_text())["networks"]
    expected = {
        "charters": sum(1 for n in raw if "charter" in n),
        "measures": sum(len(n["charter"].get("measures", [])) for n in raw if "charter" in n),
        "actions": sum(len(n.get("actions", [])) for n in raw),
        "cycles": sum(len(s["cycles"]) for n in raw for s in n.get("pdsa", [])),
        "barriers": sum(len(n.get("barriers", [])) for n in raw),
    }
    assert import_networks_file(DEMO_NETWORKS) == 4
    assert counts() == expected == {
        "charters": 4, "measures": 9, "actions": 4, "cycles": 5, "barriers": 2,
    }  # fmt: skip
    import_networks_file(DEMO_NETWORKS)
    assert counts() == expected


def test_cycles_are_numbered_in_their_series_and_closed_with_a_decision(registry):
    import_networks_file(DEMO_NETWORKS)
    series = PdsaCycle.objects.filter(change_idea="Text parents a weekly reading tip")
    assert [(c.number, c.decision) for c in series] == [(1, "adapt"), (2, "adopt")]
    tutoring = PdsaCycle.objects.get(change_idea="Tutor in the school day, not after it")
    assert (tutoring.number, tutoring.is_open, tutoring.measure.indicator) == (
        1, True, "chronic_absence",
    )  # fmt: skip


def test_a_vague_aim_is_refused_with_what_is_missing():
    text = (
        f"networks:\n  - network: x\n{GOOD_CHARTER.replace('from 58% to 70% by June 2027', 'soon')}"
    )
    with pytest.raises(NetworksFileError) as refused:
        parse_networks(text)
    assert refused.value.problems == [
        ("networks[0].charter",
         "The aim has no number: say how much (e.g. 'from 58% to 70%'); 'some' is not a number."),
        ("networks[0].charter",
         "The aim has no date: say by when (e.g. 'by June 2027'); 'soon' is not a time."),
    ]  # fmt: skip


def test_unknown_names_are_all_listed_and_nothing_is_written(registry, tmp_path):
    path = tmp_path / "networks.yaml"
    path.write_text(
        "networks:\n  - network: no-such-network\n" + GOOD_CHARTER
        + "  - network: grade-3-reading-network\n" + GOOD_CHARTER
        + "    actions:\n      - {title: T, owner: nobody, due: 2025-01-01}\n"
        + "    barriers:\n      - {title: B, description: D, level: state, partner: nope,"
        + " raised_on: 2025-01-01}\n"
    )  # fmt: skip
    with pytest.raises(NetworksFileError) as refused:
        import_networks_file(path)
    assert refused.value.problems == [
        ("networks[0].network", "no action network 'no-such-network'"),
        ("networks[1].actions[0].owner", "no person 'nobody'"),
        ("networks[1].barriers[0].partner", "no partner 'nope'"),
    ]
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_misspelt_field_and_a_bad_decision_are_named():
    text = (
        "networks:\n  - network: x\n    pdsa:\n      - change_idea: C\n        cycles:\n"
        "          - {objective: O, question: Q, prediction: P, planned_start: 2025-01-01,"
        " planned_end: 2025-02-01, decision: keep, owner_name: x}\n"
    )
    with pytest.raises(NetworksFileError) as refused:
        parse_networks(text)
    where = [w for w, _ in refused.value.problems]
    assert where == ["networks[0].pdsa[0].cycles[0].decision",
                     "networks[0].pdsa[0].cycles[0].owner_name"]  # fmt: skip
