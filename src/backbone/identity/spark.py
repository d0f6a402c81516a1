"""The Spark engine adapter: a local Spark session configured for this machine, and typed tables.

Splink runs the same settings and model on DuckDB or Spark; only the ``db_api`` differs. This
module owns everything Spark needs that DuckDB does not: the session (local cores, Splink's
similarity UDF jar, a scratch folder for checkpoints, no network, UTC), Splink's ``SparkAPI``,
moving typed tables (DATE stays DATE) from Arrow or DuckDB into Spark, a trained model's
settings rewritten in Spark's SQL dialect, and ``link_on_spark``, which runs
``link_standardised`` on Spark for tables standardised in DuckDB (``link_files(engine="spark")``).

PySpark is an optional dependency (``pip install backbone[spark]``), so it is imported only when
a function here is called.

>>> with spark_session(cores=2) as spark:  # doctest: +SKIP
...     db_api = spark_db_api(spark)
...     people = arrow_to_spark(spark, pa.table({"born": [date(2001, 2, 3)]}))
"""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from backbone.identity.linkage import (
    Linkage,
    LinkageModel,
    LinkType,
    Stopwatch,
    link_standardised,
    linkage_settings,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from splink import SettingsCreator
    from splink.backends.spark import SparkAPI

logger = logging.getLogger(__name__)

DEFAULT_DRIVER_MEMORY = "2g"
JVM_EXIT_SECONDS = 30


def session_config(cores: int, scratch: Path, driver_memory: str) -> dict[str, str]:
    """The Spark settings for a local session whose files all live under ``scratch``.

    >>> session_config(2, Path("/s"), "2g")["spark.master"]
    'local[2]'
    """
    from splink.backends.spark import similarity_jar_location

    return {
        "spark.master": f"local[{cores}]",
        # Splink's fuzzy comparisons (Jaro-Winkler, Damerau-Levenshtein) are Scala UDFs shipped
        # in the Splink wheel, so no download is needed.
        "spark.jars": similarity_jar_location(),
        # The default of 200 partitions makes small linkages slow on a few cores.
        "spark.sql.shuffle.partitions": str(2 * cores),
        "spark.driver.memory": driver_memory,
        # Bind to loopback only: nothing listens on, or reaches out to, the network.
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Dates and timestamps must mean the same as in DuckDB, whatever the machine's zone.
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Workers (if any Python runs) use this interpreter, not whatever `python3` is on PATH.
        "spark.pyspark.python": sys.executable,
        # Keep every file Spark writes inside the scratch folder, which is removed afterwards;
        # spill and shuffle files go to the JVM's temporary folder (spark.local.dir's default).
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        # No Hive metastore: otherwise Derby writes metastore_db/ and derby.log into the cwd.
        "spark.sql.catalogImplementation": "in-memory",
        "spark.driver.extraJavaOptions": (
            f"-Djava.io.tmpdir={scratch / 'tmp'} -Dderby.system.home={scratch / 'derby'}"
        ),
    }


@contextmanager
def spark_session(
    app_name: str = "backbone",
    cores: int = 2,
    *,
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
    scratch_parent: Path | None = None,
) -> Iterator[SparkSession]:
    """A local Spark session for linkage, stopped (JVM included) and its files removed on exit.

    Args:
        app_name: the Spark application name, shown in Spark's logs.
        cores: how many local cores Spark uses (``local[cores]``).
        driver_memory: the JVM heap, e.g. ``"2g"``.
        scratch_parent: where to make the scratch folder (checkpoints, spill, warehouse);
            the system temporary folder when not given.

    Yields:
        The session, with a checkpoint directory set (Splink breaks lineage through it).

    Raises:
        RuntimeError: a Spark session is already running in this process; its settings (the
            jar, the scratch folder) cannot be changed, and stopping it is not ours to do.
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._active_spark_context is not None:
        raise RuntimeError("a Spark session is already running in this process; stop it first")
    # Spark otherwise resolves the host name to a network address and warns that it did.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="backbone-spark-", dir=scratch_parent) as folder:
        scratch = Path(folder)
        (scratch / "tmp").mkdir()
        builder = SparkSession.builder.appName(app_name)
        for key, value in session_config(cores, scratch, driver_memory).items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        try:
            session.sparkContext.setLogLevel("WARN")
            session.sparkContext.setCheckpointDir(str(scratch / "checkpoints"))
            yield session
        finally:
            session.stop()
            _stop_jvm()


def _stop_jvm() -> None:
    """End the JVM PySpark started, so no Java process outlives the session.

    ``SparkSession.stop`` leaves the JVM running for reuse, but its launch settings (driver
    memory, temporary folder) would then leak into the next session. PySpark keeps the gateway
    on ``SparkContext`` and has no public call to end it; the JVM exits when its stdin closes.
    """
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None:
        return
    process = getattr(gateway, "proc", None)
    gateway.shutdown()
    SparkContext._gateway = None
    SparkContext._jvm = None
    if process is None:  # a gateway someone else launched (PYSPARK_GATEWAY_PORT)
        return
    process.stdin.close()
    try:
        process.wait(timeout=JVM_EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        logger.warning("Spark's JVM did not exit within %s s; killing it", JVM_EXIT_SECONDS)
        process.kill()
        process.wait()


def spark_db_api(session: SparkSession, break_lineage_method: str = "checkpoint") -> SparkAPI:
    """Splink's database API on ``session``: pass it wherever Splink takes a ``db_api``.

    Splink cuts Spark's query plans after each step by writing the step's result to the
    session's checkpoint directory (``spark_session`` sets it and removes it). ``checkpoint``
    rather than Splink's default ``parquet``: on FEBRL4 it took predict + one-to-one clustering
    from about 53 s to 29 s here; ``persist`` (memory only) never cuts the plan, and the
    iterative clustering slowed to 95 s.
    """
    from splink.backends.spark import SparkAPI

    return SparkAPI(spark_session=session, break_lineage_method=break_lineage_method)


def arrow_to_spark(session: SparkSession, table: pa.Table) -> DataFrame:
    """A Spark DataFrame with ``table``'s rows and column types (DATE stays DATE).

    Timestamps without a zone become Spark's ``TIMESTAMP_NTZ``, so they are not shifted.

    >>> arrow_to_spark(spark, pa.table({"born": [date(2001, 2, 3)]})).dtypes  # doctest: +SKIP
    [('born', 'date')]
    """
    import pyspark
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = from_arrow_schema(table.schema, prefer_timestamp_ntz=True)
    if int(pyspark.__version__.split(".")[0]) < 4:
        # Spark 3.5 cannot read an Arrow table directly; rows with an explicit schema keep types.
        return session.createDataFrame(table.to_pylist(), schema=schema)
    return session.createDataFrame(table, schema=schema)


def duckdb_to_spark(session: SparkSession, relation: duckdb.DuckDBPyRelation) -> DataFrame:
    """A Spark DataFrame with a DuckDB relation's rows and column types, by way of Arrow.

    >>> duckdb_to_spark(spark, duckdb.sql("SELECT DATE '2001-02-03' AS born"))  # doctest: +SKIP
    DataFrame[born: date]
    """
    return arrow_to_spark(session, relation.to_arrow_table())


def settings_for_dialect(
    trained: Mapping[str, Any], settings: SettingsCreator, dialect: str = "spark"
) -> dict[str, Any]:
    """A trained model's settings with its SQL written for another engine, numbers unchanged.

    Splink saves a model with SQL in the dialect it was trained on (DuckDB quotes identifiers
    as ``"x"``, which Spark reads as a string; DuckDB says ``jaro_winkler_similarity``, Spark's
    jar ``jaro_winkler``) and does not translate it when loaded elsewhere. So the SQL is taken
    from ``settings`` generated for ``dialect``, and every trained number from ``trained``.

    Args:
        trained: the trained model (Splink's ``save_model_to_json`` dict).
        settings: settings with (at least) the model's comparisons, matched by output column;
            their blocking rules replace the model's.
        dialect: Splink's name of the target dialect (``"spark"``, ``"duckdb"``…).

    Raises:
        ValueError: ``settings`` lacks one of the model's comparisons, or its levels differ.
    """
    target = settings.create_settings_dict(dialect)
    regenerated = {c["output_column_name"]: c for c in target["comparisons"]}
    _check_same_levels(trained["comparisons"], regenerated)
    result = copy.deepcopy(dict(trained))
    result["sql_dialect"] = dialect
    result["blocking_rules_to_generate_predictions"] = target[
        "blocking_rules_to_generate_predictions"
    ]
    for comparison in result["comparisons"]:
        new_levels = regenerated[comparison["output_column_name"]]["comparison_levels"]
        for level, new_level in zip(comparison["comparison_levels"], new_levels, strict=True):
            level["sql_condition"] = new_level["sql_condition"]
    return result


def _level_labels(comparison: Mapping[str, Any]) -> list[str]:
    return [level["label_for_charts"] for level in comparison["comparison_levels"]]


def _check_same_levels(
    trained: list[dict[str, Any]], regenerated: Mapping[str, Mapping[str, Any]]
) -> None:
    """Raise when a trained comparison has no namesake with the same levels (the numbers would
    then land on the wrong SQL)."""
    problems = []
    for comparison in trained:
        name = comparison["output_column_name"]
        levels = _level_labels(comparison)
        target = _level_labels(regenerated[name]) if name in regenerated else None
        if levels != target:
            problems.append(f"{name}: model has {levels}, settings have {target}")
    if problems:
        raise ValueError(
            "the settings do not match the trained model's comparisons: " + "; ".join(problems)
        )


# --- linking on Spark ---------------------------------------------------------------------------


def model_for_dialect(
    model: LinkageModel, roles: Sequence[str], link_type: LinkType, dialect: str = "spark"
) -> LinkageModel:
    """``model`` with its SQL in ``dialect`` (the same version: the numbers are unchanged).

    The SQL is regenerated from ``linkage_settings`` for ``roles`` (its blocking rules, and
    the comparisons the model has); a model already in ``dialect`` is returned as it is.
    """
    if model.settings.get("sql_dialect") == dialect:
        return model
    settings = linkage_settings(roles, link_type)  # every comparison; the model's are picked
    return LinkageModel(model.version, settings_for_dialect(model.settings, settings, dialect))


def link_on_spark(
    connection: duckdb.DuckDBPyConnection,
    tables: Sequence[str],
    roles: Sequence[str],
    link_type: LinkType,
    *,
    session: SparkSession | None = None,
    model: LinkageModel | None = None,
    **options: Any,
) -> Linkage:
    """``link_standardised`` on Spark, for tables standardised in DuckDB.

    Args:
        connection: the DuckDB connection holding ``tables``.
        tables: standardised tables (``unique_id``, ``source_dataset``, role columns).
        roles, link_type, options: as for ``link_standardised``.
        session: the Spark session to use; a local one is started (and stopped) when None.
        model: a saved model, from either engine (its SQL is rewritten for Spark).

    >>> link_on_spark(connection, ["people_a", "people_b"], roles, "link_only")  # doctest: +SKIP
    """
    if session is None:
        started = time.perf_counter()
        with spark_session() as own:
            startup = round(time.perf_counter() - started, 3)
            linkage = link_on_spark(
                connection, tables, roles, link_type, session=own, model=model, **options
            )
        linkage.timings = {"spark session": startup, **linkage.timings}
        return linkage
    watch = Stopwatch()
    with watch.step("to spark"):
        frames = [duckdb_to_spark(session, connection.table(table)) for table in tables]
    if model is not None:
        model = model_for_dialect(model, roles, link_type)
    linkage = link_standardised(
        spark_db_api(session), frames, roles, link_type, model=model, **options
    )
    linkage.timings = {**watch.timings, **linkage.timings}
    return linkage
