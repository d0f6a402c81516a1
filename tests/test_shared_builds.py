"""The run-wide builds tests share (tests/conftest.py, docs/development.md): a copy of a built
workspace holds its data and keeps its own changes; a city is generated once per parameters."""

from __future__ import annotations

import json

from tests.fixtures import SMALL_REGISTRY, copy_of, workspace


def partners(ws) -> int:
    return json.loads(ws.run("status", "--json").stdout)["registry"].get("partners", 0)


def test_a_copy_of_a_workspace_holds_its_data_and_keeps_its_changes_to_itself(tmp_path):
    registry = tmp_path / "partnership.yaml"
    registry.write_text(SMALL_REGISTRY)
    bigger = tmp_path / "bigger.yaml"
    bigger.write_text(
        SMALL_REGISTRY.replace(
            "\npeople:\n",
            "\n  - slug: riverton-works\n    name: Riverton Works\n"
            "    type: workforce_board\n    sectors: [workforce]\npeople:\n",
        )
    )
    assert bigger.read_text() != SMALL_REGISTRY
    with workspace(tmp_path, "built") as built:
        built.run("partnership", "import", str(registry))
        with copy_of(built, tmp_path / "copy") as copy:
            assert partners(copy) == 2  # SMALL_REGISTRY's two partners, database copied too
            copy.run("partnership", "import", str(bigger))
            assert partners(copy) == 3
        assert partners(built) == 2


def test_the_same_city_parameters_share_one_build_and_each_caller_gets_its_own_manifest(cities):
    first = cities(students=20, seed=3, years=1)
    first.files.clear()
    again = cities(students=20, seed=3, years=1)
    assert again.root == first.root and again.files != []
    assert cities(students=20, seed=4, years=1).root != first.root
