"""Scoring a linkage against known true pairs: precision, recall and F1, by our own arithmetic.

Splink can score itself (``accuracy_analysis_from_labels_column``), but a check written by the
code under test is weak evidence; these functions count pairs from plain Python sets, so the
numbers in a ``LinkReport`` do not depend on Splink's SQL being right.

A pair is two record keys in sorted order, so ``(a, b)`` and ``(b, a)`` are the same pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

Pair = tuple[str, str]

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)


def pair(left: str, right: str) -> Pair:
    """The pair of two record keys, order-free."""
    return (left, right) if left <= right else (right, left)


def pairs_from_clusters(clusters: Mapping[str, str]) -> set[Pair]:
    """Every pair of records that share a cluster (``record → cluster``)."""
    members: dict[str, list[str]] = defaultdict(list)
    for record, cluster in clusters.items():
        members[cluster].append(record)
    return {pair(a, b) for group in members.values() for a, b in combinations(group, 2)}


@dataclass(frozen=True)
class Score:
    """How well predicted pairs agree with the true pairs (``threshold`` when one applies)."""

    predicted: int
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    threshold: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(
    predicted: Iterable[Pair], truth: Iterable[Pair], threshold: float | None = None
) -> Score:
    """Precision, recall and F1 of ``predicted`` against ``truth`` (both sets of pairs).

    >>> score({("a", "b"), ("a", "c")}, {("a", "b"), ("d", "e")}).f1
    0.5
    """
    found, true = {pair(*p) for p in predicted}, {pair(*p) for p in truth}
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(
        len(found), hits, len(found) - hits, len(true) - hits, precision, recall, f1, threshold
    )


def threshold_table(
    scored: Sequence[tuple[str, str, float]],
    truth: Iterable[Pair],
    thresholds: Sequence[float] = THRESHOLDS,
) -> list[Score]:
    """One ``Score`` per threshold, counting the pairs whose probability reaches it."""
    true = {pair(*p) for p in truth}
    return [
        score({pair(a, b) for a, b, p in scored if p >= threshold}, true, threshold)
        for threshold in thresholds
    ]
