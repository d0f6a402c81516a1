"""Steward decisions applied to a clustering, and per-source match rates. Pure.

A "same person" decision merges the two records' clusters; a "different people" decision takes
the second record out of a cluster the pair shares (into one of its own), so no later run
puts them together again without a new decision.

>>> apply_decisions({"a": "1", "b": "2"}, same={("a", "b")}, different=set())
{'a': '1', 'b': '1'}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping


def apply_decisions(
    clusters: Mapping[str, str],
    same: Iterable[tuple[str, str]],
    different: Iterable[tuple[str, str]],
) -> dict[str, str]:
    """``clusters`` (record → cluster) with the decisions enforced; records not in the run are
    ignored."""
    result = dict(clusters)
    for a, b in sorted(same):
        if a in result and b in result and result[a] != result[b]:
            old, new = result[b], result[a]
            for record, cluster in result.items():
                if cluster == old:
                    result[record] = new
    for a, b in sorted(different):
        if a in result and b in result and result[a] == result[b]:
            result[b] = f"split:{b}"
    return result


def source_match_rates(
    clusters: Mapping[str, str], sources: Mapping[str, str]
) -> list[dict[str, object]]:
    """For each ordered pair of sources: how many of the first's records belong to a person who
    also has a record at the second, and the rate in percent."""
    people_at: dict[str, set[str]] = defaultdict(set)  # source → clusters with a record there
    records_at: dict[str, list[str]] = defaultdict(list)
    for record, cluster in clusters.items():
        people_at[sources[record]].add(cluster)
        records_at[sources[record]].append(record)
    rows = []
    for source in sorted(records_at):
        for other in sorted(records_at):
            if other == source:
                continue
            matched = sum(clusters[r] in people_at[other] for r in records_at[source])
            total = len(records_at[source])
            rows.append({"source": source, "other": other, "records": total, "matched": matched,
                         "rate": round(100 * matched / total, 1) if total else 0.0})  # fmt: skip
    return rows
