"""Engine adapters: the only modules that import DuckDB or PySpark.

``Engine`` (in ``base``) is the interface; ``DuckDBEngine`` the embedded default;
``SparkEngine`` (in ``spark_engine``, imported on use: PySpark is optional) the one for a
partnership that outgrows one machine.
"""

from backbone.warehouse.engines.base import SCRATCH_PREFIX, Engine, Rows, Scratch, WarehouseError
from backbone.warehouse.engines.duckdb_engine import DuckDBEngine

__all__ = ["SCRATCH_PREFIX", "DuckDBEngine", "Engine", "Rows", "Scratch", "WarehouseError"]
