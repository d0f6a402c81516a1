"""Stable person keys: relinking must not renumber people whose links did not change.

Each linkage run clusters records afresh. ``assign_person_keys`` gives every new cluster the
previous ``person_key`` it overlaps most, each key going to at most one cluster (the one holding
most of its old records); clusters with no previous key get a new one. So a person to whom new
records were added keeps their key; when two people merge, the larger keeps its key and the other
key retires; when one splits, the larger part keeps the key and the rest gets a new one.

New keys are a keyed hash of the cluster's smallest record id: the same run gives the same keys,
and without the secret nobody can recompute which record a key started from.

>>> assign_person_keys({"r1": "c1", "r2": "c1", "r3": "c2"}, {"r1": "P-old"}, secret="s")["r2"]
'P-old'
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Mapping

KEY_PREFIX = "P"
KEY_HEX_DIGITS = 16


def new_key(seed: str, secret: str, taken: set[str]) -> str:
    """A fresh key derived from ``seed``, avoiding every key in ``taken``."""
    attempt = 0
    while True:
        message = f"{seed}:{attempt}".encode()
        digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        key = f"{KEY_PREFIX}{digest[:KEY_HEX_DIGITS]}"
        if key not in taken:
            return key
        attempt += 1


def _members(clusters: Mapping[str, str]) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for record, cluster in clusters.items():
        members[cluster].append(record)
    return members


Overlaps = Counter[tuple[str, str]]  # (cluster, previous key) → records in common


def _overlaps(members: dict[str, list[str]], previous: Mapping[str, str]) -> Overlaps:
    """How many of each cluster's records held each previous key."""
    overlaps: Counter[tuple[str, str]] = Counter()
    for cluster, records in members.items():
        for record in records:
            if record in previous:
                overlaps[(cluster, previous[record])] += 1
    return overlaps


def assign_person_keys(
    clusters: Mapping[str, str],
    previous: Mapping[str, str],
    secret: str,
    retired: set[str] | None = None,
) -> dict[str, str]:
    """``record_id → person_key`` for this run's ``clusters`` (``record_id → cluster_id``),
    reusing ``previous`` (``record_id → person_key``) as far as the clusters allow.

    Keys in ``retired`` (used in earlier runs) are never handed out again as new keys.
    """
    members = _members(clusters)
    overlaps = _overlaps(members, previous)
    kept: dict[str, str] = {}
    used: set[str] = set()
    # Largest overlap first; ties go to the smaller key, then cluster, so the result is stable.
    ranked = sorted(overlaps.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
    for (cluster, key), _count in ranked:
        if cluster not in kept and key not in used:
            kept[cluster] = key
            used.add(key)
    taken = used | set(previous.values()) | (retired or set())
    keys: dict[str, str] = {}
    for cluster, records in sorted(members.items(), key=lambda item: min(item[1])):
        if cluster not in kept:
            kept[cluster] = new_key(min(records), secret, taken)
            taken.add(kept[cluster])
        for record in records:
            keys[record] = kept[cluster]
    return keys


def changed_records(before: Mapping[str, str], after: Mapping[str, str]) -> set[str]:
    """Records present in both runs whose person key differs."""
    return {record for record, key in before.items() if record in after and after[record] != key}
