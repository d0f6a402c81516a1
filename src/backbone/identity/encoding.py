"""Privacy-preserving encodings: keyed Bloom filters (CLKs) that a partner makes on its own machine.

A partner turns each record's identifiers into one fixed-length bit array (a *cryptographic
long-term key*, Schnell, Bachteler & Reiher 2011): every field is normalised and split into
tokens, and every token sets ``bits_per_token`` positions chosen by HMAC-SHA256 under a key
derived from a secret the partners share (and the backbone's analysts never see). Only the
record id and the bit array leave the partner. Similar records set mostly the same bits, so
the linkage unit can compare them by Dice similarity (``backbone.identity.dice``) without the
identifiers; without the secret nobody can recompute an encoding from a guessed name.
Encoding a whole file (reading, checking and writing) is ``backbone.identity.encoded_files``.

The schema (fields, normalisation, weights, filter length, hardening) is data: JSON that both
partners use unchanged. Its fingerprint travels with every encoded file so files made with
different schemas are refused at link time. The privacy limits are in
``docs/privacy-preserving-linkage.md``.

>>> schema = EncodingSchema.default()
>>> encoder = Encoder(schema, derive_keys("a long random secret the partners share", schema))
>>> len(encoder.encode({"given_name": "Ana", "surname": "Ruiz", "date_of_birth": "2011-04-09"}))
128
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FORMAT = "backbone.encoding/1"
FIELD_KINDS = ("name", "text", "date", "code")
MIN_SECRET_LENGTH = 16
# Problems listed per kind before the rest are counted: enough to fix a file, not a flood.
MAX_LISTED = 20
# Keys of the Parquet file metadata, and the first line of a CSV output.
META_FINGERPRINT = b"backbone.encoding.fingerprint"
META_BITS = b"backbone.encoding.bits"
META_SCHEMA = b"backbone.encoding.schema"
CSV_PREAMBLE = "#" + FORMAT
# Uncompressed, so anyone can check with grep that no identifier leaves in clear (a compressed
# page hides text from a byte scan); random bits would not compress anyway.
PARQUET_OPTIONS: dict[str, Any] = {"compression": "none"}
ID_COLUMN = "record_id"
ENCODING_COLUMN = "encoding"


class EncodingError(ValueError):
    """An encoding schema, secret or input file that cannot be used; lists every problem."""

    def __init__(self, problems: list[str], where: str = "encoding"):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in {where}:\n" + "\n".join(problems))


# --- the schema -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One identifier in the encoding: its column, how it is read, and its weight.

    ``kind`` picks normalisation and tokens: ``name`` (letters only, padded bigrams), ``text``
    (letters, digits and single spaces, padded bigrams), ``date`` (digits only, positional
    unigrams; both partners must write dates in the same order, e.g. YYYYMMDD or ISO) and
    ``code`` (letters and digits, positional unigrams: postcodes, house numbers, ids).
    The field's weight is one of two: ``bits_per_token``, how many positions each token sets
    (a long value then sets more bits than a short one), or ``bits_per_field``, how many
    positions the whole value sets, shared among its tokens (clkhash's ``bitsPerFeature``), so
    a long street name weighs no more than a short surname.
    """

    name: str
    kind: str
    bits_per_token: int | None = None
    bits_per_field: int | None = None

    def token_bits(self, count: int) -> int:
        """Positions each of ``count`` tokens sets: at least one.

        >>> FieldSpec("surname", "name", bits_per_field=200).token_bits(8)
        25
        """
        if self.bits_per_token is not None:
            return self.bits_per_token
        return max(1, round((self.bits_per_field or 0) / max(count, 1)))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: only the weight that is set, so old schemas keep their fingerprint."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Hardening:
    """Transformations of the raw filter that make cryptanalysis harder (see the docs page).

    ``xor_fold`` halves the filter by XOR-ing its two halves. ``flip_probability`` flips each
    bit with that probability, deterministically per encoding (keyed by the secret), so the
    same record always gives the same output. ``balance`` appends the complement and permutes
    all bits with a keyed permutation, so every encoding has exactly half its bits set.
    """

    xor_fold: bool = False
    flip_probability: float = 0.0
    balance: bool = False


@dataclass(frozen=True)
class EncodingSchema:
    """Which fields are encoded and how: the agreement both partners encode with."""

    fields: tuple[FieldSpec, ...]
    filter_bits: int = 1024
    hardening: Hardening = field(default_factory=Hardening)
    format: str = FORMAT

    @classmethod
    def default(cls) -> EncodingSchema:
        """Names, birth date and address, weighted for person records (FEBRL column names)."""
        return cls.from_dict(DEFAULT_SCHEMA)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EncodingSchema:
        """Build a schema from its JSON form, raising ``EncodingError`` with every problem."""
        problems = schema_problems(data)
        if problems:
            raise EncodingError(problems, "encoding schema")
        return cls(
            fields=tuple(FieldSpec(**f) for f in data["fields"]),
            filter_bits=int(data.get("filter_bits", 1024)),
            hardening=Hardening(**data.get("hardening", {})),
            format=data.get("format", FORMAT),
        )

    @classmethod
    def load(cls, path: Path) -> EncodingSchema:
        """Read a schema from a JSON file."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``from_dict(schema.to_dict()) == schema``."""
        data = asdict(self)
        data["fields"] = [f.to_dict() for f in self.fields]
        return data

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): what the fingerprint is taken of."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON: equal fingerprints mean comparable encodings."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    @property
    def output_bits(self) -> int:
        """Length of the encoding as written, after folding and balancing."""
        bits = self.filter_bits // 2 if self.hardening.xor_fold else self.filter_bits
        return bits * 2 if self.hardening.balance else bits


DEFAULT_SCHEMA: dict[str, Any] = {
    "format": FORMAT,
    "filter_bits": 1024,
    # Bits per field, not per token: with bits per token a long street name set more bits
    # than a whole surname and outweighed it, which cost FEBRL4 recall at Dice 0.8 (F1 0.989;
    # measured in docs/privacy-preserving-linkage.md). The birth date weighs most: one wrong
    # digit costs an eighth of it, while no two strangers are likely to share all eight.
    "fields": [
        {"name": "given_name", "kind": "name", "bits_per_field": 200},
        {"name": "surname", "kind": "name", "bits_per_field": 200},
        {"name": "date_of_birth", "kind": "date", "bits_per_field": 300},
        {"name": "street_number", "kind": "code", "bits_per_field": 100},
        {"name": "address_1", "kind": "text", "bits_per_field": 100},
        {"name": "address_2", "kind": "text", "bits_per_field": 100},
        {"name": "suburb", "kind": "text", "bits_per_field": 100},
        {"name": "postcode", "kind": "code", "bits_per_field": 100},
        {"name": "state", "kind": "text", "bits_per_field": 100},
    ],
    # Field keys (a per-field salt) always apply; the hardening below costs recall at the
    # default threshold, so it is opt-in (measured in docs/privacy-preserving-linkage.md).
    "hardening": {"xor_fold": False, "flip_probability": 0.0, "balance": False},
}


def schema_problems(data: Mapping[str, Any]) -> list[str]:
    """Everything wrong with a schema's JSON form, each with where it is (empty if none)."""
    problems = []
    if data.get("format", FORMAT) != FORMAT:
        problems.append(f"format: expected {FORMAT!r}, got {data.get('format')!r}")
    bits = data.get("filter_bits", 1024)
    if not isinstance(bits, int) or bits < 128 or bits % 128:
        problems.append(f"filter_bits: must be a multiple of 128 (at least 128), got {bits!r}")
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        return [*problems, "fields: must be a non-empty list"]
    for i, spec in enumerate(fields):
        problems += [f"fields[{i}].{p}" for p in field_problems(spec)]
    names = [str(f.get("name")) for f in fields if isinstance(f, dict)]
    repeated = sorted({n for n in names if names.count(n) > 1})
    problems += [f"fields: {n!r} appears twice" for n in repeated]
    return problems + hardening_problems(data.get("hardening", {}))


def field_problems(spec: Any) -> list[str]:
    """What is wrong with one field entry of a schema."""
    weights = set(spec) - {"name", "kind"} if isinstance(spec, dict) else set()
    if (
        not isinstance(spec, dict)
        or not {"name", "kind"} <= set(spec)
        or weights not in ({"bits_per_token"}, {"bits_per_field"})
    ):
        return ["needs the keys name and kind, and one of bits_per_token and bits_per_field"]
    problems = []
    if not isinstance(spec["name"], str) or not spec["name"]:
        problems.append("name: must be a non-empty string")
    if spec["kind"] not in FIELD_KINDS:
        problems.append(f"kind: must be one of {', '.join(FIELD_KINDS)}, got {spec['kind']!r}")
    (weight,) = weights
    k, most = spec[weight], 100 if weight == "bits_per_token" else 1000
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= most:
        problems.append(f"{weight}: must be a whole number from 1 to {most}, got {k!r}")
    return problems


def hardening_problems(data: Any) -> list[str]:
    """What is wrong with a schema's ``hardening`` entry."""
    if not isinstance(data, dict) or not set(data) <= {"xor_fold", "flip_probability", "balance"}:
        return ["hardening: only xor_fold, flip_probability and balance are allowed"]
    p = data.get("flip_probability", 0.0)
    if not isinstance(p, int | float) or not 0 <= p < 0.5:
        return [f"hardening.flip_probability: must be at least 0 and below 0.5, got {p!r}"]
    return []


# --- normalising and tokenising -------------------------------------------------------------


def strip_accents(value: str) -> str:
    """``"Zoë Núñez"`` → ``"zoe nunez"``: decompose, drop combining marks, case-fold."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise(value: str | None, kind: str) -> str:
    """The comparable form of a value; empty when the value is missing.

    >>> normalise(" O'Brien-Núñez ", "name"), normalise("1951-11-07", "date")
    ('obriennunez', '19511107')
    """
    text = strip_accents(value or "")
    if kind == "name":
        return "".join(c for c in text if c.isalpha())
    if kind == "text":
        return " ".join("".join(c if c.isalnum() else " " for c in text).split())
    if kind == "date":
        return normalise_date(text)
    return "".join(c for c in text if c.isalnum())


def normalise_date(text: str) -> str:
    """Year-first dates as ``YYYYMMDD``: ``2011-4-9``, ``2011/04/09 00:00`` → ``20110409``.

    A time part (spreadsheet exports add one) is dropped and month and day are zero-padded, so
    partners writing the same date differently still produce the same tokens. Other orders
    are left as digits and reported by ``value_problem``.
    """
    parts = re.findall(r"\d+", re.split(r"[ t]", text.strip(), maxsplit=1)[0])
    if len(parts) == 3 and len(parts[0]) == 4 and all(len(p) <= 2 for p in parts[1:]):
        return parts[0] + parts[1].zfill(2) + parts[2].zfill(2)
    return "".join(parts)


def value_problem(normalised: str, kind: str) -> str | None:
    """Why a normalised value cannot be encoded comparably, or None.

    Only dates are checked: ``03/04/2011`` means two different days to two partners, and
    day-first digits would never meet year-first ones. Typos inside a year-first date (month
    13) are accepted: tolerating them is what the encoding is for.
    """
    if kind == "date" and normalised and not re.fullmatch(r"(18|19|20)\d{6}", normalised):
        return "not a date written year first (YYYY-MM-DD or YYYYMMDD)"
    return None


def tokens(value: str, kind: str) -> list[str]:
    """Padded bigrams for names and text, positional unigrams for dates and codes.

    Padding makes the first and last letters count as much as the middle ones; positions keep
    ``1951`` and ``1519`` apart, which bigrams of digits would not.

    >>> tokens("ana", "name"), tokens("42", "code")
    ([' a', 'an', 'na', 'a '], ['0:4', '1:2'])
    """
    if not value:
        return []
    if kind in ("name", "text"):
        padded = f" {value} "
        return [padded[i : i + 2] for i in range(len(padded) - 1)]
    return [f"{i}:{c}" for i, c in enumerate(value)]


# --- keys and hashing -----------------------------------------------------------------------


def hkdf(secret: bytes, info: bytes, salt: bytes = FORMAT.encode(), length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) from the standard library: one independent key per ``info``."""
    prk = hmac.digest(salt, secret, "sha256")
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), "sha256")
        out, counter = out + block, counter + 1
    return out[:length]


@dataclass(frozen=True)
class Keys:
    """Keys derived from the shared secret: one per field, and two for hardening."""

    fields: dict[str, bytes]
    flip: bytes
    permutation: bytes


def check_secret(secret: str) -> bytes:
    """The secret as bytes, refusing one short enough to guess."""
    if len(secret.strip()) < MIN_SECRET_LENGTH:
        raise EncodingError(
            [f"the secret must have at least {MIN_SECRET_LENGTH} characters; use a random one"],
            "secret",
        )
    return secret.strip().encode("utf-8")


def derive_keys(secret: str, schema: EncodingSchema) -> Keys:
    """Per-field keys, so the same bigram in two fields sets unrelated bits (a field salt)."""
    raw = check_secret(secret)
    fields = {f.name: hkdf(raw, b"field:" + f.name.encode("utf-8")) for f in schema.fields}
    return Keys(fields, hkdf(raw, b"hardening:flip"), hkdf(raw, b"hardening:permutation"))


def token_mask(key: bytes, token: str, k: int, bits: int) -> int:
    """The filter positions a token sets, as an int bit mask: keyed double hashing.

    Both hash values come from one HMAC-SHA256 of the token, so without the key the
    positions cannot be recomputed; ``h2`` is odd so its multiples cycle over every position.
    """
    digest = hmac.digest(key, token.encode("utf-8"), "sha256")
    h1 = int.from_bytes(digest[:8], "big")
    h2 = int.from_bytes(digest[8:16], "big") | 1
    mask = 0
    for i in range(k):
        mask |= 1 << ((h1 + i * h2) % bits)
    return mask


# --- hardening ------------------------------------------------------------------------------


def xor_fold(filter_: int, bits: int) -> int:
    """XOR the top half onto the bottom half: half the length, each bit mixing two positions."""
    half = bits // 2
    return (filter_ >> half) ^ (filter_ & ((1 << half) - 1))


def flip_bits(filter_: int, bits: int, key: bytes, probability: float) -> int:
    """Flip each bit with ``probability``, the coin tosses keyed by the secret and the filter.

    Seeding with the filter itself keeps the output deterministic (an identical record gives
    an identical encoding), so repeated encodings cannot be averaged to remove the noise.
    """
    if probability <= 0:
        return filter_
    seed = key + filter_.to_bytes(bits // 8, "big")
    stream = hashlib.shake_256(seed).digest(2 * bits)
    cutoff = int(probability * 65536)
    for i in range(bits):
        if int.from_bytes(stream[2 * i : 2 * i + 2], "big") < cutoff:
            filter_ ^= 1 << i
    return filter_


def keyed_permutation(key: bytes, size: int) -> list[int]:
    """A Fisher-Yates shuffle of ``range(size)`` driven by HMAC, the same for every record."""
    order = list(range(size))
    for i in range(size - 1, 0, -1):
        draw = hmac.digest(key, i.to_bytes(4, "big"), "sha256")
        j = int.from_bytes(draw[:8], "big") % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def balance(filter_: int, bits: int, permutation: list[int]) -> int:
    """Append the complement and permute: every encoding then has exactly ``bits`` ones.

    Constant weight removes the number of set bits (which grows with name length) as a
    signal; the keyed permutation hides which position is the complement of which.
    """
    doubled = (filter_ << bits) | (~filter_ & ((1 << bits) - 1))
    text = format(doubled, f"0{2 * bits}b")
    return int("".join(itemgetter(*permutation)(text)), 2)


# --- encoding records -----------------------------------------------------------------------


class Encoder:
    """Encodes records under one schema and set of keys, caching each token's positions."""

    def __init__(self, schema: EncodingSchema, keys: Keys):
        self.schema = schema
        self.keys = keys
        self._masks: dict[tuple[str, str, int], int] = {}
        folded = schema.filter_bits // 2 if schema.hardening.xor_fold else schema.filter_bits
        # One permutation for every record: it must be the same on both partners' machines.
        self._permutation = (
            keyed_permutation(keys.permutation, 2 * folded) if schema.hardening.balance else []
        )

    def raw_filter(self, values: Mapping[str, str | None]) -> int:
        """The un-hardened Bloom filter: the OR of every token's mask; missing fields add none."""
        filter_ = 0
        for spec in self.schema.fields:
            found = tokens(normalise(values.get(spec.name), spec.kind), spec.kind)
            k = spec.token_bits(len(found))
            for token in found:
                filter_ |= self._mask(spec, token, k)
        return filter_

    def _mask(self, spec: FieldSpec, token: str, k: int) -> int:
        cached = self._masks.get((spec.name, token, k))
        if cached is None:
            key = self.keys.fields[spec.name]
            cached = token_mask(key, token, k, self.schema.filter_bits)
            self._masks[(spec.name, token, k)] = cached
        return cached

    def encode(self, values: Mapping[str, str | None]) -> bytes:
        """One record's encoding (``schema.output_bits`` long), or ``b""`` if it has no values.

        A record with no identifier at all gets no encoding rather than a constant one, which
        after balancing or flipping would make every such record "match" every other.

        >>> schema = EncodingSchema.default()
        >>> encoder = Encoder(schema, derive_keys("correct horse battery staple", schema))
        >>> len(encoder.encode({"given_name": "Ana", "surname": "Ruiz"})), encoder.encode({})
        (128, b'')
        """
        hardening, bits = self.schema.hardening, self.schema.filter_bits
        filter_ = self.raw_filter(values)
        if not filter_:
            return b""
        if hardening.xor_fold:
            filter_, bits = xor_fold(filter_, bits), bits // 2
        filter_ = flip_bits(filter_, bits, self.keys.flip, hardening.flip_probability)
        if hardening.balance:
            filter_, bits = balance(filter_, bits, self._permutation), bits * 2
        return filter_.to_bytes(bits // 8, "big")
