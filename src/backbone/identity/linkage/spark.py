"""Linkage on Spark: a trained model's settings in Spark's SQL dialect, and ``link_on_spark``.

Splink runs the same settings and model on DuckDB or Spark; only the engine differs. The
session, Splink's ``SparkAPI`` and typed tables belong to the warehouse's Spark adapter
(``backbone.warehouse.engines.spark_engine``); this module adds what is about linkage:
``link_on_spark`` runs ``link_standardised`` on a Spark engine for tables standardised in
DuckDB (``link_files`` and ``link_identity_records`` given a ``SparkEngine``).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from backbone.identity.linkage.scoring import Linkage, Stopwatch, link_standardised
from backbone.identity.linkage.settings import LinkageModel, LinkType, linkage_settings
from backbone.warehouse.engines import Engine

if TYPE_CHECKING:
    from splink import SettingsCreator

logger = logging.getLogger(__name__)


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
    source: Engine,
    tables: Sequence[str],
    roles: Sequence[str],
    link_type: LinkType,
    *,
    spark: Engine,
    model: LinkageModel | None = None,
    **options: Any,
) -> Linkage:
    """``link_standardised`` on ``spark``, for tables standardised on ``source`` (DuckDB).

    Args:
        source: the engine holding ``tables``.
        tables: standardised tables (``unique_id``, ``source_dataset``, role columns).
        roles, link_type, options: as for ``link_standardised``.
        spark: the engine to link on (a ``SparkEngine``); the tables move there, typed, for
            the run and are dropped after.
        model: a saved model, from either engine (its SQL is rewritten for ``spark``).

    >>> tables = ["people_a", "people_b"]
    >>> link_on_spark(warehouse_engine, tables, roles, "link_only", spark=spark)  # doctest: +SKIP
    """
    watch = Stopwatch()
    with spark.scratch() as scratch:
        with watch.step("to spark"):
            moved = []
            for table in tables:
                moved.append(scratch.name("linkage_input"))
                rows = source.arrow(f"SELECT * FROM {source.identifier(table)}", label=table)
                spark.register(moved[-1], rows)
        if model is not None:
            model = model_for_dialect(model, roles, link_type, spark.dialect)
        linkage = link_standardised(spark, moved, roles, link_type, model=model, **options)
    linkage.timings = {**watch.timings, **linkage.timings}
    return linkage
