"""Validating ``partnership.yaml`` with line tracking and references, against a plain baseline.

Baseline: ``yaml.safe_load`` followed by pydantic validation of the same models — what a simpler
importer would do, without line numbers or cross-reference checks. The ratio is the price of
errors that name their line and field.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from backbone.governance.registry_file import RegistryFile, dump_registry, parse_registry
from benchmarks.timing import best_of

SCALES = [50, 500, 5000]


def synthetic_registry(partners: int) -> str:
    """A registry with ``partners`` partners, twice as many people and a body per ten partners."""
    data = {
        "partnership": {"name": "Benchmark City"},
        "partners": [
            {
                "slug": f"partner-{i}",
                "name": f"Partner {i}",
                "type": "community_organization",
                "sectors": ["education", "health"],
            }
            for i in range(partners)
        ],
        "people": [
            {"slug": f"person-{i}", "name": f"Person {i}", "partner": f"partner-{i // 2}"}
            for i in range(2 * partners)
        ],
        "bodies": [
            {
                "slug": f"body-{b}",
                "name": f"Body {b}",
                "kind": "action_network",
                "members": [
                    {
                        "person": f"person-{b * 20 + j}",
                        "representing": f"partner-{(b * 20 + j) // 2}",
                        "start": "2024-01-01",
                    }
                    for j in range(20)
                ],
            }
            for b in range(partners // 10)
        ],
    }
    return dump_registry(RegistryFile.model_validate(data))


def main() -> None:
    import yaml

    table = Table(
        "partners",
        "file KiB",
        "baseline s",
        "backbone s",
        "ratio",
        title="partnership.yaml validation",
    )
    for scale in SCALES:
        text = synthetic_registry(scale)
        baseline = best_of(lambda text=text: RegistryFile.model_validate(yaml.safe_load(text)))
        ours = best_of(lambda text=text: parse_registry(text))
        table.add_row(
            str(scale),
            f"{len(text) / 1024:.0f}",
            f"{baseline:.3f}",
            f"{ours:.3f}",
            f"{ours / baseline:.2f}x",
        )
    Console().print(table)
