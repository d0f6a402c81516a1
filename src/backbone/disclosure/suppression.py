"""``protect``: turn computed statistics into what may be published, with the audit record."""

from __future__ import annotations

from collections.abc import Sequence

from backbone.disclosure.cells import Cell, Partition, PublishedCell, connected_groups
from backbone.disclosure.complementary import Table, complete
from backbone.disclosure.policy import Policy
from backbone.disclosure.primary import Exposure, input_problems, primary_exposure, published_cell


def protect(
    cells: Sequence[Cell], partitions: Sequence[Partition], policy: Policy
) -> dict[str, PublishedCell]:
    """Apply primary suppression, coding and complementary suppression to ``cells``.

    ``partitions`` lists every additive grouping a reader could subtract within (groups of one
    dimension in a total, schools in a district, quarters in a year). Returns the published form
    of every cell by key. Raises ValueError listing every problem with the input.

    Example::

        cells = [Cell("all", 30, 60, 50.0, "percent"), Cell("a", 2, 5, 40.0, "percent"),
                 Cell("b", 28, 55, 50.9, "percent")]
        protect(cells, [Partition("all", ("a", "b"))], Policy())["b"].marker  # "‡"
    """
    exposures = protected_exposures(cells, partitions, policy)
    return {cell.key: published_cell(cell, exposures[cell.key], policy) for cell in cells}


def protected_exposures(
    cells: Sequence[Cell], partitions: Sequence[Partition], policy: Policy
) -> dict[str, Exposure]:
    """What :func:`protect` shows of each cell, by key, before it is formatted."""
    problems = input_problems(cells, partitions)
    if problems:
        raise ValueError("Cannot protect these cells: " + "; ".join(problems))
    by_key = {cell.key: cell for cell in cells}
    exposures = {cell.key: primary_exposure(cell, policy) for cell in cells}
    for keys, linked in connected_groups([cell.key for cell in cells], partitions):
        # Cells no partition links cannot help derive each other: protect each group alone.
        group_exposures = {k: exposures[k] for k in keys}
        complete(Table({k: by_key[k] for k in keys}, linked, group_exposures, policy))
    return exposures
