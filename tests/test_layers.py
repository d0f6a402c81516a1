"""The one-way house: each app imports only from its own layer or below (``tests/architecture.py``
states the layers), only the warehouse's engines open DuckDB or Spark, no import cycle joins two
apps and no module grows past 600 lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests import architecture
from tests.architecture import DOORS, LAYERS, PACKAGE, STANDALONE

MODULES = architecture.modules()


def test_every_app_has_a_place_in_the_house():
    apps = {module.app for module in MODULES} - {architecture.ROOT}
    assert apps - {*LAYERS, *STANDALONE, *DOORS} == set()


def test_no_module_imports_from_a_layer_above():
    problems = architecture.upward_imports(MODULES)
    assert problems == [], "\n".join(problems)


def test_only_the_warehouse_engines_import_duckdb_or_pyspark():
    problems = architecture.engine_imports(MODULES)
    assert problems == [], "\n".join(problems)


def test_no_import_cycle_joins_two_apps():
    cycles = architecture.cross_app_cycles(MODULES)
    assert cycles == [], "\n".join(cycles)


def test_no_module_is_over_600_lines():
    offenders = architecture.oversized(MODULES)
    assert offenders == [], "\n".join(offenders)


def test_the_report_lists_app_dependencies_and_the_largest_modules():
    text = architecture.report()
    assert "scorecard -> disclosure  " in text
    assert "largest modules:" in text


# The checker itself, on small fake packages: each rule is shown to fail when broken.


def write_package(root: Path, files: dict[str, str]) -> Path:
    """Write a fake ``backbone`` package under ``root`` (every folder a package) and return it."""
    package = root / "backbone"
    for relative, source in {"__init__.py": "", **files}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in [path.parent, *path.parent.parents]:
            if folder == root:
                break
            (folder / "__init__.py").touch()
        path.write_text(textwrap.dedent(source))
    return package


def test_a_lazy_upward_import_is_reported(tmp_path):
    package = write_package(
        tmp_path,
        {
            "warehouse/x.py": """
                def load():
                    from backbone.scorecard.y import figure

                    return figure
            """,
            "scorecard/y.py": "figure = 1\n",
        },
    )
    found = architecture.modules(package)
    assert architecture.upward_imports(found) == [
        "backbone.warehouse.x:3 imports backbone.scorecard.y (layer scorecard above warehouse)"
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ..scorecard import y\n", "backbone.scorecard.y"),
        ("from .. import scorecard\n", "backbone.scorecard"),
        ("import backbone.scorecard.y as y\n", "backbone.scorecard.y"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from backbone.scorecard.y import z\n",
            "backbone.scorecard.y",
        ),
    ],
    ids=["relative-module", "relative-package", "absolute", "type-checking"],
)
def test_relative_and_type_checking_imports_are_resolved(tmp_path, source, expected):
    package = write_package(tmp_path, {"warehouse/x.py": source, "scorecard/y.py": "z = 1\n"})
    [problem] = architecture.upward_imports(architecture.modules(package))
    assert f" imports {expected} (layer scorecard above warehouse)" in problem


def test_downward_imports_and_doors_pass(tmp_path):
    package = write_package(
        tmp_path,
        {
            "scorecard/y.py": "from backbone.warehouse import x\nfrom backbone.disclosure import d\n",
            "warehouse/x.py": "import os\n",
            "disclosure/d.py": "import math\nfrom . import e\n",
            "disclosure/e.py": "",
            "cli.py": "from backbone.scorecard import y\n",
        },
    )
    assert architecture.upward_imports(architecture.modules(package)) == []


def test_disclosure_imports_no_other_app_and_no_layer_imports_a_door(tmp_path):
    package = write_package(
        tmp_path,
        {
            "disclosure/d.py": "from backbone.warehouse import x\n",
            "warehouse/x.py": "def f():\n    import backbone.cli\n",
            "cli.py": "",
        },
    )
    assert architecture.upward_imports(architecture.modules(package)) == [
        "backbone.disclosure.d:1 imports backbone.warehouse.x (disclosure is standalone)",
        "backbone.warehouse.x:2 imports backbone.cli (door cli above warehouse)",
    ]


def test_a_stray_duckdb_import_is_reported_and_the_engines_may_import_it(tmp_path):
    package = write_package(
        tmp_path,
        {
            "intake/loading.py": "import duckdb\n",
            "identity/spark.py": "def session():\n    from pyspark.sql import SparkSession\n",
            "warehouse/engines/duck.py": "import duckdb\nfrom pyspark import sql\n",
        },
    )
    assert architecture.engine_imports(architecture.modules(package), package) == [
        "backbone.identity.spark:2 imports pyspark.sql",
        "backbone.intake.loading:1 imports duckdb",
    ]


def test_a_cycle_between_apps_is_reported_and_one_inside_an_app_is_not(tmp_path):
    package = write_package(
        tmp_path,
        {
            "cli.py": "from backbone.demo import city\n",
            "demo/city.py": "def build():\n    from backbone import cli\n",
            "intake/a.py": "from backbone.intake import b\n",
            "intake/b.py": "from backbone.intake import a\n",
        },
    )
    found = architecture.modules(package)
    assert architecture.cross_app_cycles(found) == ["backbone.cli <-> backbone.demo.city"]


def test_a_long_module_is_reported(tmp_path):
    package = write_package(tmp_path, {"intake/edfi.py": "x = 1\n" * 601, "intake/ok.py": ""})
    assert architecture.oversized(architecture.modules(package), package) == ["intake/edfi.py: 601"]


def test_the_package_is_the_one_under_src():
    assert (PACKAGE / "warehouse" / "workspace.py").exists()
