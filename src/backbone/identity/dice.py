"""Linking two partners' encodings by Dice similarity, in DuckDB, with one-to-one solving.

The linkage unit receives two files made by ``backbone encode`` (``backbone.identity.encoding``)
and never the secret. Each encoding is split into 64-bit words so DuckDB compares every pair
with ``bit_count(a & b)`` on plain integers::

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
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from backbone.identity.encoding import (
    CSV_PREAMBLE,
    ENCODING_COLUMN,
    ID_COLUMN,
    META_BITS,
    META_FINGERPRINT,
    EncodingError,
)
from backbone.warehouse.engines import DuckDBEngine

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


# --- Dice in DuckDB -------------------------------------------------------------------------


def fill(encoded: EncodedFile) -> float:
    """Share of bits set, over the file's non-empty encodings."""
    kept = [e for e in encoded.encodings if e]
    ones = sum(int.from_bytes(e, "big").bit_count() for e in kept)
    return ones / (len(kept) * encoded.bits) if kept else 0.0


def words_table(encoded: EncodedFile, complemented: bool = False) -> pa.Table:
    """Ids, popcounts and the encodings as signed 64-bit words; empty encodings left out.

    ``pop`` always counts the set bits of the encoding itself; with ``complemented`` the words
    hold its complement (see ``dice_pairs_sql``).
    """
    count = encoded.bits // 64
    kept = [(i, e) for i, e in zip(encoded.ids, encoded.encodings, strict=True) if e]
    flip = (1 << encoded.bits) - 1 if complemented else 0
    values = [int.from_bytes(e, "big") for _, e in kept]
    size = encoded.bits // 8
    unpacked = [struct.unpack(f">{count}q", (v ^ flip).to_bytes(size, "big")) for v in values]
    columns: dict[str, pa.Array] = {
        "id": pa.array([i for i, _ in kept], pa.string()),
        "pop": pa.array([v.bit_count() for v in values], pa.int32()),
    }
    for w in range(count):
        columns[f"w{w}"] = pa.array([words[w] for words in unpacked], pa.int64())
    return pa.table(columns)


def overlap_sql(words: range) -> str:
    """Set bits shared by ``a`` and ``b`` over some words (``bit_count`` gives a TINYINT)."""
    return " + ".join(f"bit_count(a.w{w} & b.w{w})::INTEGER" for w in words)


def dice_pairs_sql(words: int, threshold: float, complemented: bool = False) -> str:
    """SQL for the pairs of ``enc_a`` × ``enc_b`` with Dice ≥ ``threshold``: (id_a, id_b, dice).

    Every pair is compared; two things keep that to seconds for 25M pairs. DuckDB's
    ``bit_count`` loops once per set bit, so when more than half the bits are set the tables
    hold complements (``complemented``) and ``|a ∧ b| = |a| + |b| − L + |¬a ∧ ¬b|`` counts the
    sparser side. And since Dice ≤ 2·min(|a|, |b|) / (|a| + |b|), pairs whose popcounts differ
    too much are dropped by a cheap filter before any word is compared.

    >>> "bit_count(a.w0 & b.w0)::INTEGER" in dice_pairs_sql(16, 0.8)
    True
    """
    shared = f"({overlap_sql(range(words))})"
    if complemented:
        shared = f"(a.pop + b.pop - {64 * words} + {shared})"
    t = f"CAST({threshold!r} AS DOUBLE)"
    return (
        f"SELECT id_a, id_b, dice FROM (SELECT a.id AS id_a, b.id AS id_b, "
        f"2.0 * {shared} / (a.pop + b.pop) AS dice "
        f'FROM "enc_a" AS a, "enc_b" AS b WHERE 2 * least(a.pop, b.pop) >= {t} * (a.pop + b.pop)) '
        f"WHERE dice >= {t}"
    )


def candidate_pairs(a: EncodedFile, b: EncodedFile, threshold: float) -> list[Link]:
    """Every pair of records with Dice ≥ ``threshold``, compared in an in-memory DuckDB."""
    complemented = fill(a) + fill(b) > 1.0
    engine = DuckDBEngine()
    try:
        for name, encoded in (("enc_a", a), ("enc_b", b)):
            engine.register("words", words_table(encoded, complemented))
            engine.run(f'CREATE TABLE "{name}" AS SELECT * FROM words', label=f"words of {name}")
            engine.drop("words")
        sql = dice_pairs_sql(a.bits // 64, threshold, complemented)
        rows = engine.run(sql, label="pairs at the Dice threshold")
    finally:
        engine.close()
    return [Link(str(i), str(j), float(d)) for i, j, d in rows]


# --- one-to-one -----------------------------------------------------------------------------


def greedy_one_to_one(pairs: Iterable[Link]) -> list[Link]:
    """Keep the best pairs so each record is used at most once: highest Dice first.

    Ties are broken by the ids so the result does not depend on the order DuckDB returned.

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
            "metrics": None if quality is None else quality.to_dict(),
        }


def link_encoded_files(
    a: Path, b: Path, threshold: float = 0.8, labels: Path | None = None
) -> EncodedLinkage:
    """Link two encoded files: Dice ≥ ``threshold`` over all pairs, then greedy one-to-one.

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
    candidates = candidate_pairs(file_a, file_b, threshold)
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
