"""Loading a generated synthetic city through the real importers, for tests that need one."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from backbone.intake.loading import LoadRequest, load
from backbone.warehouse import contracts
from backbone.warehouse.records import ImportOptions
from backbone.warehouse.store import Warehouse

TODAY = dt.date(2026, 11, 23)


def options_for(city: Any, entry: Any) -> ImportOptions:
    """The import options the partner's column mapping (in the city manifest) gives a file."""
    contract = contracts.contract(entry.contract)
    mapping = city.column_mappings.get((entry.partner, entry.contract), {})
    return ImportOptions(
        partner=entry.partner,
        target_table=contract.target_table,
        column_mapping=mapping.get("columns", {}),
        value_crosswalks=mapping.get("value_crosswalks", {}),
        date_format=mapping.get("date_format", "%Y-%m-%d"),
    )


def load_city(city: Any, warehouse: Warehouse, staging: Path) -> None:
    """Load every file of ``city`` into ``warehouse``, asserting each one loads."""
    for number, entry in enumerate(city.files, 1):
        importer = contracts.contract(entry.contract).importer()
        request = LoadRequest(number, entry.partner, "key", staging, today=TODAY)
        result = load(importer(city.path(entry), options_for(city, entry)), request, warehouse)
        assert result.loaded, entry.path


class LoadedCities:
    """A generated city loaded by the real importers, once per run for each set of parameters;
    every caller gets its own copy of the loaded warehouse folder (callers publish crosswalks
    into it), which takes a moment where loading takes many seconds."""

    def __init__(self, cities: Any, folders: Any):
        self.cities, self.folders = cities, folders
        self.loaded: dict[tuple[Any, ...], Path] = {}

    def __call__(
        self, destination: Path, *, contracts: tuple[str, ...] | None = None, **city: Any
    ) -> tuple[Any, Warehouse]:
        """(the manifest narrowed to ``contracts``, a ``Warehouse`` at ``destination`` holding
        its files); ``city`` are ``generate_city``'s parameters."""
        manifest = self.cities(**city)
        if contracts is not None:
            manifest.files = [e for e in manifest.files if e.contract in contracts]
        key = (contracts, *sorted(city.items()))
        if key not in self.loaded:
            root = self.folders.mktemp("loaded-city")
            load_city(manifest, Warehouse(root / "warehouse"), root / "staging")
            self.loaded[key] = root / "warehouse"
        shutil.copytree(self.loaded[key], destination, dirs_exist_ok=True)
        return manifest, Warehouse(destination)
