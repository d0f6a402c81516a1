"""Linking two partners' encodings by Dice similarity, with one-to-one solving.

The linkage unit receives two files made by ``backbone encode`` (``backbone.identity.encoding``)
and never the secret. Every pair is compared by anonlink's native popcount (the reference
implementation of CLK linkage), with file A split across worker processes on every core::

    dice(a, b) = 2 · |a ∧ b| / (|a| + |b|)

Pairs at or above the threshold are then solved greedily: highest Dice first, each record used
at most once (both partners' files are assumed free of duplicates).

Linking two partners' files (the example needs them, so doctest skips it):

>>> links = link_encodings(Path("schools.clk"), Path("housing.clk"))  # doctest: +SKIP
>>> links[0]  # doctest: +SKIP
Link(id_a='S-1042', id_b='H-77', dice=0.97)
"""

from __future__ import annotations

import base64
import csv
import logging
import multiprocessing
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow.parquet as pq
from anonlink.similarities import dice_coefficient_accelerated
from bitarray import bitarray

from backbone.identity.encoding import (
    CSV_PREAMBLE,
    ENCODING_COLUMN,
    ID_COLUMN,
    META_BITS,
    META_FINGERPRINT,
    EncodingError,
)

logger = logging.getLogger(__name__)


class Link(NamedTuple):
    """One accepted pair: a record of file A, a record of file B, and their Dice similarity."""

    id_a: str
    id_b: str
    dice: float


@dataclass(frozen=True)
class EncodedFile:
    """A file of encodings as read back: its schema fingerprint, length, ids and bit arrays."""

    path: Path
    fingerprint: str
    bits: int
    ids: list[str]
    encodings: list[bytes]


# --- reading encoded files ------------------------------------------------------------------


def read_encodings(path: Path) -> EncodedFile:
    """Read a Parquet or CSV file written by ``encode_file``, refusing anything else."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        fingerprint, bits, ids, texts = _read_csv(path)
    else:
        fingerprint, bits, ids, texts = _read_parquet(path)
    encodings = [base64.b64decode(t, validate=True) for t in texts]
    wrong = [i for i, e in zip(ids, encodings, strict=True) if e and len(e) * 8 != bits]
    if wrong:
        raise EncodingError(
            [f"{len(wrong)} encoding(s) are not {bits} bits, e.g. {wrong[0]!r}"], str(path)
        )
    return EncodedFile(path, fingerprint, bits, ids, encodings)


def _read_parquet(path: Path) -> tuple[str, int, list[str], list[str]]:
    table = pq.read_table(path)
    metadata = table.schema.metadata or {}
    if META_FINGERPRINT not in metadata or table.column_names != [ID_COLUMN, ENCODING_COLUMN]:
        raise EncodingError(
            ["not a file written by backbone encode (no schema fingerprint)"], str(path)
        )
    ids = [str(v) for v in table.column(ID_COLUMN).to_pylist()]
    texts = [v or "" for v in table.column(ENCODING_COLUMN).to_pylist()]
    return metadata[META_FINGERPRINT].decode(), int(metadata[META_BITS]), ids, texts


def _read_csv(path: Path) -> tuple[str, int, list[str], list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        preamble = handle.readline().split()
        settings = dict(part.split("=", 1) for part in preamble[1:] if "=" in part)
        if not preamble or preamble[0] != CSV_PREAMBLE or "fingerprint" not in settings:
            raise EncodingError(
                ["not a file written by backbone encode (no schema fingerprint)"], str(path)
            )
        rows = list(csv.reader(handle))
    if not rows or rows[0] != [ID_COLUMN, ENCODING_COLUMN]:
        raise EncodingError([f"the columns must be {ID_COLUMN},{ENCODING_COLUMN}"], str(path))
    return (
        settings["fingerprint"],
        int(settings["bits"]),
        [r[0] for r in rows[1:]],
        [r[1] for r in rows[1:]],
    )


def check_same_schema(a: EncodedFile, b: EncodedFile) -> None:
    """Refuse encodings made under different schemas: their bits mean different things."""
    if a.fingerprint != b.fingerprint or a.bits != b.bits:
        raise EncodingError(
            [
                f"schema fingerprints differ: {a.path.name} has {a.fingerprint[:12]}… "
                f"({a.bits} bits), {b.path.name} has {b.fingerprint[:12]}… ({b.bits} bits); "
                "both partners must encode with the same schema file"
            ],
            "linkage",
        )


# --- Dice with anonlink's popcount, on every core ------------------------------------------


def non_empty(encoded: EncodedFile) -> tuple[list[str], list[bytes]]:
    """Ids and encodings of the records that have one (an empty encoding never links)."""
    kept = [(i, e) for i, e in zip(encoded.ids, encoded.encodings, strict=True) if e]
    return [i for i, _ in kept], [e for _, e in kept]


def as_bitarrays(encodings: Sequence[bytes]) -> list[bitarray]:
    """The encodings as bitarrays, which anonlink compares without copying them again."""
    arrays = []
    for encoding in encodings:
        bits = bitarray(endian="big")
        bits.frombytes(encoding)
        arrays.append(bits)
    return arrays


def row_chunks(rows: int, workers: int) -> list[range]:
    """Slices of file A, a few per worker so a slow core does not hold up the rest.

    >>> row_chunks(10, 2)
    [range(0, 10)]
    >>> [len(c) for c in row_chunks(9000, 2)]
    [1125, 1125, 1125, 1125, 1125, 1125, 1125, 1125]
    """
    size = max(MIN_CHUNK_ROWS, -(-rows // (4 * workers)))
    return [range(start, min(start + size, rows)) for start in range(0, rows, size)]


# A chunk is one task for a worker process; smaller ones cost more in hand-over than they save.
MIN_CHUNK_ROWS = 1000
# Below this many pairs one core finishes (about 0.1 µs a pair) before worker processes start.
PARALLEL_MIN_PAIRS = 200_000_000

Matches = tuple[Sequence[float], Sequence[int], Sequence[int]]
_others: list[bitarray] = []  # file B, once per worker process


def _share(encodings: list[bytes]) -> None:
    _others[:] = as_bitarrays(encodings)


def _compare_with_shared(chunk: list[bytes], threshold: float) -> Matches:
    return compare_chunk(as_bitarrays(chunk), _others, threshold)


def compare_chunk(
    chunk: Sequence[bitarray], others: Sequence[bitarray], threshold: float
) -> Matches:
    """anonlink's native Dice of ``chunk`` × ``others``: similarities and row numbers."""
    sims, (rows_a, rows_b) = dice_coefficient_accelerated([chunk, others], threshold)
    return sims, rows_a, rows_b


def candidate_pairs(
    a: EncodedFile, b: EncodedFile, threshold: float, workers: int | None = None
) -> list[Link]:
    """Every pair of records with Dice ≥ ``threshold``: all pairs compared, on every core.

    anonlink's native popcount compares a pair in a few nanoseconds and skips pairs whose
    popcounts alone rule the threshold out. It holds the GIL, so when there are enough pairs
    to pay for starting them (or ``workers`` asks for it), slices of file A go to worker
    processes that each hold file B once.
    """
    ids_a, encodings_a = non_empty(a)
    ids_b, encodings_b = non_empty(b)
    if not encodings_a or not encodings_b:
        return []
    if workers is None:
        big = len(encodings_a) * len(encodings_b) >= PARALLEL_MIN_PAIRS
        workers = (os.cpu_count() or 1) if big else 1
    chunks = row_chunks(len(encodings_a), workers)
    if workers == 1 or len(chunks) == 1:
        chunks = [range(len(encodings_a))]
        results = [compare_chunk(as_bitarrays(encodings_a), as_bitarrays(encodings_b), threshold)]
    else:
        results = compare_in_processes(encodings_a, encodings_b, chunks, threshold, workers)
    return [
        Link(ids_a[rows.start + i], ids_b[j], float(sim))
        for rows, (sims, rows_a, rows_b) in zip(chunks, results, strict=True)
        for sim, i, j in zip(sims, rows_a, rows_b, strict=True)
    ]


def compare_in_processes(
    encodings_a: list[bytes],
    encodings_b: list[bytes],
    chunks: list[range],
    threshold: float,
    workers: int,
) -> list[Matches]:
    """Each chunk of A against all of B, in ``workers`` fresh processes (spawned, not forked:
    the caller may have threads, such as a progress display, that a fork would copy mid-step)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, context, _share, (encodings_b,)) as pool:
        slices = [encodings_a[rows.start : rows.stop] for rows in chunks]
        return list(pool.map(_compare_with_shared, slices, [threshold] * len(slices)))


# --- one-to-one -----------------------------------------------------------------------------


def greedy_one_to_one(pairs: Iterable[Link]) -> list[Link]:
    """Keep the best pairs so each record is used at most once: highest Dice first.

    Ties are broken by the ids so the result does not depend on the order the chunks finished in.

    >>> greedy_one_to_one([Link("a1", "b1", 0.9), Link("a1", "b2", 0.95), Link("a2", "b2", 0.85)])
    [Link(id_a='a1', id_b='b2', dice=0.95)]
    """
    used_a: set[str] = set()
    used_b: set[str] = set()
    kept = []
    for link in sorted(pairs, key=lambda p: (-p.dice, p.id_a, p.id_b)):
        if link.id_a not in used_a and link.id_b not in used_b:
            kept.append(link)
            used_a.add(link.id_a)
            used_b.add(link.id_b)
    return kept


@dataclass(frozen=True)
class EncodedLinkage:
    """One run of linking two encoded files: what went in, the links, and their quality."""

    file_a: Path
    file_b: Path
    records_a: int
    records_b: int
    fingerprint: str
    threshold: float
    candidates: int
    links: list[Link]
    seconds: float
    quality: LinkQuality | None = None
    comparisons: int = 0  # pairs of non-empty encodings, all compared
    compare_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the pairs themselves go to ``write_links``)."""
        quality = self.quality
        return {
            "files": {"a": str(self.file_a), "b": str(self.file_b)},
            "records": {"a": self.records_a, "b": self.records_b},
            "fingerprint": self.fingerprint,
            "threshold": self.threshold,
            "candidates": self.candidates,
            "linked_pairs": len(self.links),
            "seconds": round(self.seconds, 3),
            "comparisons": self.comparisons,
            "compare_seconds": round(self.compare_seconds, 3),
            "metrics": None if quality is None else quality.to_dict(),
        }


def link_encoded_files(
    a: Path,
    b: Path,
    threshold: float = 0.8,
    labels: Path | None = None,
    workers: int | None = None,
) -> EncodedLinkage:
    """Link two encoded files: Dice ≥ ``threshold`` over all pairs, then greedy one-to-one.

    ``workers`` threads compare (default: one per core).

    With ``labels`` (a CSV of true pairs, an id of ``a`` then one of ``b``) the result carries
    precision, recall and F1. Raises ``EncodingError`` naming the file if either was not made
    by ``backbone encode`` or the two were encoded under different schemas.
    """
    if not 0 < threshold <= 1:
        raise EncodingError(
            [f"threshold must be above 0 and at most 1, got {threshold!r}"], "linkage"
        )
    started = time.perf_counter()
    file_a, file_b = read_encodings(a), read_encodings(b)
    check_same_schema(file_a, file_b)
    compare_started = time.perf_counter()
    candidates = candidate_pairs(file_a, file_b, threshold, workers)
    compare_seconds = time.perf_counter() - compare_started
    links = greedy_one_to_one(candidates)
    seconds = time.perf_counter() - started
    logger.info(
        "linked %s (%d) and %s (%d): %d candidates, %d links in %.2f s",
        file_a.path.name, len(file_a.ids), file_b.path.name, len(file_b.ids),
        len(candidates), len(links), seconds,
    )  # fmt: skip
    quality = evaluate_links(links, read_true_pairs(labels)) if labels else None
    return EncodedLinkage(
        file_a=file_a.path,
        file_b=file_b.path,
        records_a=len(file_a.ids),
        records_b=len(file_b.ids),
        fingerprint=file_a.fingerprint,
        threshold=threshold,
        candidates=len(candidates),
        links=links,
        seconds=seconds,
        quality=quality,
        comparisons=sum(map(bool, file_a.encodings)) * sum(map(bool, file_b.encodings)),
        compare_seconds=compare_seconds,
    )


def link_encodings(a: Path, b: Path, threshold: float = 0.8) -> list[Link]:
    """The links of ``link_encoded_files``, best first; see there."""
    return link_encoded_files(a, b, threshold).links


def write_links(target: Path, links: Iterable[Link]) -> None:
    """Write the pairs as ``id_a,id_b,dice`` CSV.

    UTF-8 with a byte-order mark, because without one Excel reads non-ASCII ids as Latin-1.
    """
    with Path(target).open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id_a", "id_b", "dice"])
        writer.writerows((_cell(link.id_a), _cell(link.id_b), f"{link.dice:.4f}") for link in links)


def _cell(value: str) -> str:
    """An id a spreadsheet will show as text, never run as a formula (=, +, -, @ first)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# --- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkQuality:
    """Precision, recall and F1 of a set of links against the true pairs."""

    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "true_positives": self.true_positives,
            "predicted": self.predicted,
            "actual": self.actual,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def read_true_pairs(path: Path) -> set[tuple[str, str]]:
    """The true pairs from a labels CSV: its first two columns are the ids in A and in B."""
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    return {(row[0].strip(), row[1].strip()) for row in rows[1:] if len(row) >= 2}


def evaluate_links(links: Iterable[Link], true_pairs: set[tuple[str, str]]) -> LinkQuality:
    """Score links against the true pairs (e.g. ``read_true_pairs("febrl4_links.csv")``)."""
    predicted = {(link.id_a, link.id_b) for link in links}
    return LinkQuality(len(predicted & true_pairs), len(predicted), len(true_pairs))
