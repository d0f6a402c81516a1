"""Loading a generated synthetic city through the real importers, for tests that need one."""

from __future__ import annotations

import datetime as dt
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
