"""Encoded linkage at speed: Dice in worker processes, and field weights (issue 15).

Expected values come from Python's own ``int.bit_count`` over every pair, from hand arithmetic,
and from canonical JSON written out here, never from the code under test.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from backbone.identity.dice import EncodedFile, Link, candidate_pairs, row_chunks
from backbone.identity.encoding import (
    Encoder,
    EncodingError,
    EncodingSchema,
    FieldSpec,
    derive_keys,
)

SECRET = "issue-15 encoded linkage secret, long enough"


def random_file(rng: random.Random, name: str, count: int, bits: int = 1024) -> EncodedFile:
    encodings = [rng.getrandbits(bits).to_bytes(bits // 8, "big") for _ in range(count)]
    return EncodedFile(Path(name), "f" * 64, bits, [f"{name}{i}" for i in range(count)], encodings)


def near_copy(rng: random.Random, encoding: bytes, flips: int) -> bytes:
    value = int.from_bytes(encoding, "big")
    for position in rng.sample(range(len(encoding) * 8), flips):
        value ^= 1 << position
    return value.to_bytes(len(encoding), "big")


def brute_force(a: EncodedFile, b: EncodedFile, threshold: float) -> dict[tuple[str, str], float]:
    """Dice of every pair with Python integers: the independent answer."""
    found = {}
    ints_b = [(j, int.from_bytes(e, "big")) for j, e in zip(b.ids, b.encodings, strict=True) if e]
    for i, e in zip(a.ids, a.encodings, strict=True):
        if not e:
            continue
        x = int.from_bytes(e, "big")
        for j, y in ints_b:
            dice = 2 * (x & y).bit_count() / (x.bit_count() + y.bit_count())
            if dice >= threshold:
                found[(i, j)] = dice
    return found


@pytest.fixture(scope="module")
def planted() -> tuple[EncodedFile, EncodedFile]:
    """2,500 random encodings in A (so A is cut into chunks), 300 in B: 200 near copies of A
    records spread over every chunk, 99 strangers and one empty encoding."""
    rng = random.Random(15)
    a = random_file(rng, "a", 2500)
    rows = rng.sample(range(2500), 200)
    copies = [near_copy(rng, a.encodings[r], rng.randint(0, 300)) for r in rows]
    strangers = random_file(rng, "x", 99).encodings
    b = EncodedFile(
        Path("b"),
        a.fingerprint,
        1024,
        [f"b{r}" for r in rows] + [f"x{i}" for i in range(99)] + ["empty"],
        copies + strangers + [b""],
    )
    return a, b


@pytest.mark.parametrize("workers", [None, 1, 2, 3])
def test_worker_processes_find_exactly_the_pairs_every_pair_comparison_finds(planted, workers):
    a, b = planted
    expected = brute_force(a, b, 0.8)
    assert 100 < len(expected) < 200  # the planted copies with few enough flipped bits
    found = candidate_pairs(a, b, 0.8, workers=workers)
    assert {(link.id_a, link.id_b): link.dice for link in found} == pytest.approx(expected)
    assert len(found) == len(expected)  # no pair twice from two chunks


def test_the_chunks_cover_every_row_once():
    assert len(row_chunks(2500, 2)) > 1
    for rows, workers in [(2500, 2), (9001, 2), (1, 8), (100_000, 3)]:
        covered = [i for chunk in row_chunks(rows, workers) for i in chunk]
        assert covered == list(range(rows))


def test_a_file_of_only_empty_encodings_gives_no_pairs(planted):
    a, _ = planted
    empty = EncodedFile(Path("e"), a.fingerprint, 1024, ["e1"], [b""])
    assert candidate_pairs(a, empty, 0.1) == [] == candidate_pairs(empty, a, 0.1)


def test_identical_encodings_have_dice_one(planted):
    a, _ = planted
    same = EncodedFile(Path("s"), a.fingerprint, 1024, ["s1"], [a.encodings[7]])
    assert candidate_pairs(same, a, 0.9) == [Link("s1", "a7", 1.0)]


# --- field weights --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bits_per_field", "tokens", "expected"),
    [(200, 4, 50), (200, 13, 15), (100, 8, 12), (300, 8, 38), (1, 5, 1), (200, 0, 200)],
)
def test_bits_per_field_are_shared_among_the_tokens(bits_per_field, tokens, expected):
    # 100 / 8 = 12.5 rounds to 12 and 300 / 8 = 37.5 to 38 (round half to even)
    spec = FieldSpec("surname", "name", bits_per_field=bits_per_field)
    assert spec.token_bits(tokens) == expected


def test_bits_per_token_stay_fixed_whatever_the_length():
    assert FieldSpec("surname", "name", bits_per_token=30).token_bits(13) == 30


def test_a_long_name_sets_no_more_bits_than_a_short_one_with_bits_per_field():
    """bits per token let a long value outweigh a short one; bits per field do not."""

    def ones(weight: dict[str, int], surname: str) -> int:
        schema = EncodingSchema.from_dict(
            {"filter_bits": 4096, "fields": [{"name": "surname", "kind": "name", **weight}]}
        )
        encoder = Encoder(schema, derive_keys(SECRET, schema))
        return int.from_bytes(encoder.encode({"surname": surname}), "big").bit_count()

    # "li": 3 padded bigrams; "vanderwesthuizen": 17. 4,096 bits keep collisions rare.
    per_token = {"bits_per_token": 30}
    assert ones(per_token, "vanderwesthuizen") > 4 * ones(per_token, "li")
    per_field = {"bits_per_field": 180}  # 60 per bigram of "li", 11 of the long name
    assert 150 <= ones(per_field, "vanderwesthuizen") <= 187
    assert 150 <= ones(per_field, "li") <= 180


def test_a_schema_with_bits_per_token_keeps_its_fingerprint():
    """Adding bits_per_field must not change the fingerprint of schemas written before it."""
    fields = [{"name": "surname", "kind": "name", "bits_per_token": 30}]
    schema = EncodingSchema.from_dict({"fields": fields})
    canonical = json.dumps(
        {
            "fields": fields,
            "filter_bits": 1024,
            "format": "backbone.encoding/1",
            "hardening": {"balance": False, "flip_probability": 0.0, "xor_fold": False},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    assert schema.fingerprint() == hashlib.sha256(canonical.encode()).hexdigest()


def test_the_default_schema_round_trips_with_bits_per_field(tmp_path):
    schema = EncodingSchema.default()
    assert all(f.bits_per_field and f.bits_per_token is None for f in schema.fields)
    (tmp_path / "schema.json").write_text(schema.to_json())
    assert EncodingSchema.load(tmp_path / "schema.json") == schema


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        (
            {"name": "surname", "kind": "name", "bits_per_token": 30, "bits_per_field": 200},
            "fields[0].needs the keys name and kind, and one of bits_per_token and bits_per_field",
        ),
        (
            {"name": "surname", "kind": "name"},
            "fields[0].needs the keys name and kind, and one of bits_per_token and bits_per_field",
        ),
        (
            {"name": "surname", "kind": "name", "bits_per_field": 0},
            "fields[0].bits_per_field: must be a whole number from 1 to 1000, got 0",
        ),
        (
            {"name": "surname", "kind": "name", "bits_per_token": 101},
            "fields[0].bits_per_token: must be a whole number from 1 to 100, got 101",
        ),
    ],
)
def test_a_field_needs_exactly_one_weight(field, problem):
    with pytest.raises(EncodingError) as raised:
        EncodingSchema.from_dict({"fields": [field]})
    assert raised.value.problems == [problem]
