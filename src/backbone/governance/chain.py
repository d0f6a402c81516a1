"""The audit log's hash chain: canonical serialization, entry hashes and verification.

Each entry's hash covers every recorded field and the previous entry's hash, so changing,
deleting, inserting or reordering a row breaks the chain from that row on. The hash is an
HMAC-SHA-256 under a key the database does not hold: someone who can write to the database but
does not have the key cannot recompute a chain that verifies. Pure Python: the web app, the CLI
and the tests all verify with these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from backbone.disclosure import safe_csv

# The fields an entry's hash covers, in a fixed order. The user foreign key is not among them:
# deleting a user nulls it, and the username in ``actor`` keeps the trail.
FIELDS = ("sequence", "at", "actor", "action", "object_type", "object_id", "purpose", "detail")
GENESIS = "0" * 64  # the previous hash of the first entry
KEY_LABEL = b"backbone.governance.audit-chain"


class Break(NamedTuple):
    """Where and why a chain stops verifying."""

    sequence: int
    reason: str


def canonical_json(value: Any) -> str:
    """``value`` as JSON with sorted keys and no spaces: the same data always gives the same text.

    Dates and other non-JSON values become strings; NaN and infinity are refused.

    >>> canonical_json({"b": 1, "a": [True, None]})
    '{"a":[true,null],"b":1}'
    """
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=str,
    )


def canonical_time(at: dt.datetime) -> str:
    """A timezone-aware moment as UTC ISO 8601 with microseconds, e.g.
    ``2026-01-02T03:04:05.000006+00:00``."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash covers: every field of ``FIELDS``, canonically serialized."""
    missing = [name for name in FIELDS if name not in fields]
    if missing:
        raise KeyError(f"an audit entry needs {', '.join(missing)}")
    values = {name: fields[name] for name in FIELDS}
    values["at"] = canonical_time(values["at"])
    return canonical_json(values).encode()


def derive_key(secret: str | bytes) -> bytes:
    """The chain's HMAC key, derived from a secret (``BACKBONE_AUDIT_KEY`` or ``SECRET_KEY``) so
    that the secret itself is never used for two purposes."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, KEY_LABEL, hashlib.sha256).digest()


def entry_hash(fields: Mapping[str, Any], prev_hash: str, key: bytes) -> str:
    """HMAC-SHA-256 (hex) of ``prev_hash`` and the canonical fields of one entry.

    >>> import datetime as dt
    >>> entry = {"sequence": 1, "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "actor": "ana",
    ...          "action": "read", "object_type": "identity.reviewpair", "object_id": "7",
    ...          "purpose": "clerical review", "detail": {}}
    >>> len(entry_hash(entry, GENESIS, b"key"))
    64
    """
    message = prev_hash.encode() + b"\n" + canonical(fields)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class Verification(NamedTuple):
    """What verifying a chain found: how far it holds, and where it breaks."""

    entries: int  # how many entries verified
    through: int  # the sequence of the last entry that verified (0: none)
    head: str  # the hash of that entry: note it down to detect a cut-off tail later
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def check(
    entries: Iterable[Mapping[str, Any]], key: bytes, start: tuple[int, str] = (1, GENESIS)
) -> Verification:
    """Verify ``entries`` in the order given, stopping at the first one that does not verify.

    ``entries`` are mappings with ``FIELDS``, ``prev_hash`` and ``hash``, ordered by sequence.
    ``start`` is the sequence and previous hash the first entry must have (to verify a tail).
    A missing entry is reported at the sequence that is missing.
    """
    expected, head = start
    count = 0
    for entry in entries:
        problem = _entry_problem(entry, expected, head, key)
        if problem:
            return Verification(count, expected - 1, head, problem)
        count, expected, head = count + 1, expected + 1, entry["hash"]
    return Verification(count, expected - 1, head, None)


def first_break(entries: Iterable[Mapping[str, Any]], key: bytes) -> Break | None:
    """Where and why the chain first breaks, or ``None`` when every entry verifies."""
    return check(entries, key).broken


def _entry_problem(
    entry: Mapping[str, Any], expected: int, prev_hash: str, key: bytes
) -> Break | None:
    sequence = entry["sequence"]
    if sequence > expected:
        return Break(expected, f"entry #{expected} is missing (the next entry is #{sequence})")
    if sequence < expected:
        return Break(expected, f"entry #{sequence} is out of order (expected #{expected})")
    if entry["prev_hash"] != prev_hash:
        return Break(sequence, f"entry #{sequence} does not follow entry #{sequence - 1}")
    if not hmac.compare_digest(entry["hash"], entry_hash(entry, prev_hash, key)):
        return Break(sequence, f"entry #{sequence} was changed after it was written")
    return None


def entries_from_csv(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The entries of a CSV export (columns ``FIELDS``, ``prev_hash``, ``hash``; ``at`` in ISO
    8601 and ``detail`` as JSON), typed as the hash expects them."""
    for row in safe_csv.dict_rows(lines):
        yield {
            **row,
            "sequence": int(row["sequence"]),
            "at": dt.datetime.fromisoformat(row["at"]),
            "detail": json.loads(row["detail"]),
        }


def verify(entries: Iterable[Mapping[str, Any]], key: bytes) -> int | None:
    """The sequence number where the chain first breaks, or ``None`` when every entry verifies."""
    found = first_break(entries, key)
    return found.sequence if found else None


# Checkpoints and anchors ------------------------------------------------------------------------
#
# A checkpoint says "the chain verified through #N, whose hash is H" so that the next check
# starts after N. An anchor is the same statement written outside the workspace: a log whose
# event #N no longer exists, or no longer has hash H, has lost its tail or been rewritten.


def signature(kind: str, through: int, head: str, at: dt.datetime, key: bytes) -> str:
    """HMAC-SHA-256 (hex) of a checkpoint or anchor: who holds the key can make one, nobody
    else can change one unnoticed."""
    message = canonical_json([kind, through, head, canonical_time(at)]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor(through: int, head: str, at: dt.datetime, key: bytes) -> dict[str, Any]:
    """The chain's head as a signed record for ``backbone audit anchor`` (one JSON line).

    >>> import datetime as dt
    >>> found = anchor(7, "ab" * 32, dt.datetime(2026, 1, 2, tzinfo=dt.UTC), b"key")
    >>> sorted(found), found["sequence"]
    (['at', 'hash', 'sequence', 'signature'], 7)
    >>> anchor_problem(found, b"key", lambda sequence: "ab" * 32) is None
    True
    """
    signed = signature("anchor", through, head, at, key)
    return {"sequence": through, "hash": head, "at": canonical_time(at), "signature": signed}


def anchors_from_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """The anchors of a file ``backbone audit anchor --output`` appended to (one JSON object a
    line; blank lines skipped). Raises ``ValueError`` naming the line that is not an anchor."""
    found = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            dt.datetime.fromisoformat(record["at"])
            int(record["sequence"]), str(record["hash"]), str(record["signature"])
            found.append(record)
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"line {number} is not an anchor: {error}") from None
    return found


def anchor_problem(
    record: Mapping[str, Any], key: bytes, hash_at: Callable[[int], str | None]
) -> str | None:
    """Why the log no longer agrees with ``record`` (an anchor), or ``None`` when it does.
    ``hash_at(sequence)`` is the hash of that event in the log, ``None`` when it has none."""
    sequence, head = int(record["sequence"]), str(record["hash"])
    at = (
        record["at"]
        if isinstance(record["at"], dt.datetime)
        else dt.datetime.fromisoformat(record["at"])
    )
    expected = signature("anchor", sequence, head, at, key)
    if not hmac.compare_digest(str(record["signature"]), expected):
        return f"the anchor of #{sequence} ({canonical_time(at)}) is not signed with this key"
    found = hash_at(sequence)
    if found is None:
        return (
            f"the log has no event #{sequence}, which the anchor of {canonical_time(at)} "
            "names: events were cut off its end"
        )
    if not hmac.compare_digest(found, head):
        return f"event #{sequence} no longer has the hash its anchor of {canonical_time(at)} names"
    return None


def window(at: dt.datetime, minutes: int) -> tuple[dt.datetime, dt.datetime]:
    """The window of ``minutes`` that ``at`` falls in, aligned on the hour's multiples of it.

    >>> import datetime as dt
    >>> start, end = window(dt.datetime(2026, 1, 1, 9, 47, tzinfo=dt.UTC), 15)
    >>> start.time(), end.time()
    (datetime.time(9, 45), datetime.time(10, 0))
    """
    length = dt.timedelta(minutes=minutes)
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    start = epoch + (at - epoch) // length * length
    return start, start + length
