"""An independent checker of a published export: can a reader work out a withheld small count?

Written from the export contract alone (no ``backbone.disclosure`` import). It knows every
published count, then repeats until nothing new is learnt: in each partition (declared in
``partitions.json``, or a dimension ``dimensions.json`` calls additive), a count known for all
cells but one gives the last by subtraction; within a cell, two of numerator, size and complement
give the third; a published whole percent and size that admit only one numerator give it. A
derived count x with 0 < x < threshold that was withheld is a disclosure.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

Key = tuple[str, str, str, str]  # indicator, period, dimension, group
FIELDS = ("numerator", "denominator", "complement")


def read_export(out: Path) -> tuple[dict[Key, dict[str, str]], list[tuple[Key, list[Key]]]]:
    """Rows by key, and every partition (total, parts) a reader may subtract in."""
    with (out / "data" / "results.csv").open(encoding="utf-8", newline="") as handle:
        rows = {_key(r): r for r in csv.DictReader(handle)}
    partitions = []
    for p in json.loads((out / "data" / "partitions.json").read_text()):
        total = (p["indicator"], p["period"], *p["total"])
        partitions.append((total, [(p["indicator"], p["period"], *part) for part in p["parts"]]))
    return rows, partitions + _additive(rows, out)


def _key(row: dict[str, str]) -> Key:
    return (row["indicator"], row["period"], row["dimension"], row["group"])


def _additive(rows: dict[Key, dict[str, str]], out: Path) -> list[tuple[Key, list[Key]]]:
    dimensions = json.loads((out / "data" / "dimensions.json").read_text())
    groups: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for key in rows:
        if key[2] != "overall" and dimensions.get(key[0], {}).get(key[2], {}).get("additive"):
            groups[key[:3]].append(key)
    return [
        ((indicator, period, "overall", "all"), parts)
        for (indicator, period, _), parts in groups.items()
        if (indicator, period, "overall", "all") in rows
    ]


def disclosures(out: Path) -> list[str]:
    """Every withheld count under its row's threshold that a reader can work out."""
    rows, partitions = read_export(out)
    known = _published(rows)
    published = set(known)
    while _learn(rows, partitions, known):
        pass
    found = []
    for (key, field), value in sorted(known.items()):
        threshold = int(rows[key]["threshold"])
        if (key, field) not in published and 0 < value < threshold:
            found.append(f"{'/'.join(key)}: {field} {value} can be worked out")
    return found


def _published(rows: dict[Key, dict[str, str]]) -> dict[tuple[Key, str], int]:
    known = {}
    for key, row in rows.items():
        for field in ("numerator", "denominator"):
            if row[field] != "":
                known[(key, field)] = int(row[field])
        if row["numerator"] != "" and row["denominator"] != "":
            known[(key, "complement")] = int(row["denominator"]) - int(row["numerator"])
    return known


def _learn(
    rows: dict[Key, dict[str, str]],
    partitions: list[tuple[Key, list[Key]]],
    known: dict[tuple[Key, str], int],
) -> bool:
    before = len(known)
    for total, parts in partitions:
        for field in FIELDS:
            _subtract(total, parts, field, known)
    for key, row in rows.items():
        _within_cell(key, known)
        _from_percent(key, row, known)
    return len(known) > before


def _subtract(total: Key, parts: list[Key], field: str, known: dict[tuple[Key, str], int]) -> None:
    unknown = [k for k in [total, *parts] if (k, field) not in known]
    if len(unknown) != 1:
        return
    sum_parts = sum(known.get((k, field), 0) for k in parts)
    if unknown[0] == total:
        known[(total, field)] = sum_parts
    else:
        known[(unknown[0], field)] = known[(total, field)] - sum_parts


def _within_cell(key: Key, known: dict[tuple[Key, str], int]) -> None:
    n, d, c = (known.get((key, f)) for f in FIELDS)
    if n is not None and d is not None:
        known[(key, "complement")] = d - n
    elif n is not None and c is not None:
        known[(key, "denominator")] = n + c
    elif d is not None and c is not None:
        known[(key, "numerator")] = d - c


def _from_percent(key: Key, row: dict[str, str], known: dict[tuple[Key, str], int]) -> None:
    """A whole percent p of d people leaves the numerators n with round(100·n/d) = p."""
    d = known.get((key, "denominator"))
    if row["unit"] != "percent" or row["value"] == "" or d is None or (key, "numerator") in known:
        return
    percent = float(row["value"])
    fits = [n for n in range(d + 1) if math.floor(Fraction(100 * n, d) + Fraction(1, 2)) == percent]
    if len(fits) == 1:
        known[(key, "numerator")] = fits[0]
