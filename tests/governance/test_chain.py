"""The hash chain on its own: plain dictionaries, no database."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io

import pytest

from backbone.governance import chain

KEY = chain.derive_key("test secret")
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def build(count: int = 5, key: bytes = KEY) -> list[dict]:
    """A valid chain of ``count`` entries, built by hand with ``entry_hash``."""
    entries, prev = [], chain.GENESIS
    for sequence in range(1, count + 1):
        entry = {
            "sequence": sequence,
            "at": T0 + dt.timedelta(minutes=sequence, microseconds=sequence),
            "actor": f"steward{sequence % 2}",
            "action": "read",
            "object_type": "identity.reviewpair",
            "object_id": str(100 + sequence),
            "purpose": "clerical review",
            "detail": {"decision": "same", "rows": sequence},
            "prev_hash": prev,
        }
        entry["hash"] = prev = chain.entry_hash(entry, prev, key)
        entries.append(entry)
    return entries


CHANGES = {
    "sequence": 99,
    "at": T0 - dt.timedelta(days=1),
    "actor": "mallory",
    "action": "export",
    "object_type": "intake.submission",
    "object_id": "999",
    "purpose": "curiosity",
    "detail": {"decision": "different", "rows": 1},
    "prev_hash": "f" * 64,
    "hash": "e" * 64,
}


def test_an_untouched_chain_verifies():
    entries = build()
    assert chain.verify(entries, KEY) is None
    result = chain.check(entries, KEY)
    assert (result.entries, result.through, result.head) == (5, 5, entries[-1]["hash"])


def test_the_hash_is_hmac_sha256_of_the_previous_hash_and_sorted_compact_json():
    entry = build(1)[0]
    message = (
        chain.GENESIS + "\n"
        '{"action":"read","actor":"steward1","at":"2026-03-01T09:01:00.000001+00:00",'
        '"detail":{"decision":"same","rows":1},"object_id":"101",'
        '"object_type":"identity.reviewpair","purpose":"clerical review","sequence":1}'
    )
    assert entry["hash"] == hmac.new(KEY, message.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("field", sorted(CHANGES))
@pytest.mark.parametrize("row", [1, 3, 5])
def test_changing_any_field_of_any_row_breaks_the_chain_at_that_row(field, row):
    entries = build()
    entries[row - 1][field] = CHANGES[field]
    assert chain.verify(entries, KEY) == row


def test_a_deleted_row_is_reported_at_the_missing_sequence():
    entries = build()
    del entries[2]
    found = chain.first_break(entries, KEY)
    assert found == (3, "entry #3 is missing (the next entry is #4)")


def test_a_deleted_first_row_is_reported():
    assert chain.verify(build()[1:], KEY) == 1


def test_swapped_rows_are_reported_where_the_order_breaks():
    entries = build()
    entries[1], entries[2] = entries[2], entries[1]
    assert chain.verify(entries, KEY) == 2


def test_swapping_the_contents_of_two_rows_but_keeping_their_sequences_is_reported():
    entries = build()
    for name in ("actor", "object_id", "detail"):
        entries[1][name], entries[2][name] = entries[2][name], entries[1][name]
    assert chain.verify(entries, KEY) == 2


def test_an_inserted_row_is_reported_even_with_a_correct_looking_hash():
    entries = build()
    forged = {**entries[2], "actor": "mallory", "prev_hash": entries[1]["hash"]}
    forged["hash"] = chain.entry_hash(forged, entries[1]["hash"], chain.derive_key("a guess"))
    renumbered = [{**e, "sequence": e["sequence"] + 1} for e in entries[2:]]
    assert chain.verify([*entries[:2], forged, *renumbered], KEY) == 3


def test_a_chain_recomputed_without_the_key_does_not_verify():
    assert chain.verify(build(key=chain.derive_key("someone else's key")), KEY) == 1


def test_a_hash_recomputed_with_the_key_hides_the_row_change_but_not_the_next_row():
    entries = build()
    entries[1]["actor"] = "mallory"
    entries[1]["hash"] = chain.entry_hash(entries[1], entries[1]["prev_hash"], KEY)
    assert chain.verify(entries, KEY) == 3  # only rewriting every later row hides it


def test_a_tail_verifies_from_its_own_start():
    entries = build()
    start = (3, entries[2]["prev_hash"])
    assert chain.check(entries[2:], KEY, start=start).ok
    assert chain.check(entries[2:], KEY).broken == (1, "entry #1 is missing (the next entry is #3)")


def test_times_are_utc_with_microseconds_whatever_their_zone():
    chicago = dt.timezone(dt.timedelta(hours=-6))
    moment = dt.datetime(2026, 3, 1, 3, 0, 0, 5, tzinfo=chicago)
    assert chain.canonical_time(moment) == "2026-03-01T09:00:00.000005+00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        chain.canonical_time(dt.datetime(2026, 3, 1))


def test_canonical_json_ignores_key_order_and_refuses_nan():
    assert chain.canonical_json({"b": [1, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'
    with pytest.raises(ValueError):
        chain.canonical_json({"x": float("nan")})


def test_an_entry_without_every_field_is_refused():
    entry = build(1)[0]
    del entry["purpose"]
    with pytest.raises(KeyError, match="needs purpose"):
        chain.canonical(entry)


def test_the_key_is_derived_not_the_secret_itself():
    assert chain.derive_key("s") == hmac.new(b"s", chain.KEY_LABEL, hashlib.sha256).digest()
    assert chain.derive_key("s") != chain.derive_key("t")


def test_entries_read_back_from_csv_verify():
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow([*chain.FIELDS, "prev_hash", "hash"])
    for e in build():
        row = {
            **e,
            "at": chain.canonical_time(e["at"]),
            "detail": chain.canonical_json(e["detail"]),
        }
        writer.writerow([row[name] for name in (*chain.FIELDS, "prev_hash", "hash")])
    handle.seek(0)
    assert chain.verify(chain.entries_from_csv(handle), KEY) is None
