"""The one executor of warehouse SQL: what every engine adapter offers.

Every query the warehouse runs goes through ``Engine.run`` (or ``Engine.arrow`` for columnar
results), which times it, logs it under a label that says what it is for, and turns the
engine's own exception into ``WarehouseError`` naming that label — so no caller needs to know
which engine answered, and no caller imports DuckDB or PySpark. Temporary tables live in a
``scratch()`` block and share one prefix, so they are easy to spot and always dropped.
"""

from __future__ import annotations

import itertools
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from backbone.warehouse.sql import identifier

logger = logging.getLogger(__name__)

SCRATCH_PREFIX = "scratch_"
Rows = list[tuple[Any, ...]]
_scratch_numbers = itertools.count(1)


class WarehouseError(Exception):
    """A warehouse query failed. ``label`` says which; the message is the engine's first line.

    >>> str(WarehouseError("kindergarten readiness", "Binder Error: column x not found\\nLINE 1"))
    'kindergarten readiness: Binder Error: column x not found'
    """

    def __init__(self, label: str, message: str):
        self.label = label
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        self.detail = lines[0] if lines else ""
        super().__init__(f"{label}: {self.detail}" if label else self.detail)


class Scratch:
    """Names for temporary tables of one ``Engine.scratch()`` block; dropped when it ends.

    >>> names = Scratch()
    >>> names.name("pairs").startswith("scratch_") and names.name("pairs").endswith("_pairs")
    True
    """

    def __init__(self) -> None:
        self.names: list[str] = []

    def name(self, stem: str) -> str:
        name = f"{SCRATCH_PREFIX}{next(_scratch_numbers)}_{stem}"
        self.names.append(name)
        return name


class Engine(ABC):
    """An engine adapter: DuckDB (embedded, the default) or Spark (a partnership's cluster)."""

    dialect: ClassVar[str]  # sqlglot's and Splink's name for the engine's SQL dialect
    errors: ClassVar[tuple[type[BaseException], ...]] = ()

    def run(self, sql: str, params: Sequence[Any] | None = None, label: str = "") -> Rows:
        """Run one statement and return its rows (an empty list for statements without any)."""
        return self._timed(self._rows, sql, params, label)

    def arrow(self, sql: str, params: Sequence[Any] | None = None, label: str = "") -> pa.Table:
        """Run one query and return its result as an Arrow table (types kept: DATE stays DATE)."""
        return self._timed(self._arrow, sql, params, label)  # type: ignore[no-any-return]

    def _timed(self, how: Any, sql: str, params: Sequence[Any] | None, label: str) -> Any:
        start = time.perf_counter()
        try:
            result = how(sql, list(params or []))
        except self.errors as error:
            logger.debug("failed (%s): %s", label, sql)
            raise WarehouseError(label, str(error)) from error
        logger.debug("%.3fs %s: %s", time.perf_counter() - start, label or "query", sql)
        return result

    def register_parquet(self, name: str, paths: Sequence[Path | str]) -> None:
        """A view ``name`` over Parquet files (which must exist; see ``register`` for rows)."""
        self.run(
            f"CREATE OR REPLACE TEMPORARY VIEW {self.identifier(name)} AS "
            f"SELECT * FROM {self.parquet_reader([str(p) for p in paths])}",
            label=f"register {name}",
        )

    def identifier(self, name: str) -> str:
        """``name`` quoted as an identifier in this engine's dialect."""
        return identifier(name)

    @contextmanager
    def scratch(self) -> Iterator[Scratch]:
        """A block whose temporary tables and views (named by ``Scratch.name``) are dropped."""
        names = Scratch()
        try:
            yield names
        finally:
            for name in reversed(names.names):
                self.drop(name)

    @abstractmethod
    def _rows(self, sql: str, params: list[Any]) -> Rows: ...

    @abstractmethod
    def _arrow(self, sql: str, params: list[Any]) -> pa.Table: ...

    @abstractmethod
    def register(self, name: str, rows: pa.Table) -> None:
        """Make ``rows`` queryable as ``name`` for the rest of this engine's life."""

    @abstractmethod
    def parquet_reader(self, paths: Sequence[str]) -> str:
        """The FROM item that reads these Parquet files as one relation."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Drop a temporary table or view, if it exists."""

    @abstractmethod
    def splink_api(self) -> Any:
        """Splink's database API over this engine, for ``Linker(..., db_api=...)``."""

    def close(self) -> None:  # noqa: B027 - adapters without resources need not override it
        """Release what the engine holds (a connection); the engine is unusable after."""
