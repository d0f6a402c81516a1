"""Blocking at scale: candidate pairs per person stay bounded however many people share a ZIP.

Planted data: 200 people, every one in the same ZIP, each with names no one else has; birth
years cycle through 20 years (10 people a year) and name initials through 200 combinations (one
person each). File B is file A again under other ids, so every true pair agrees on everything.
Counted by hand: ZIP alone pairs everyone (200 × 200 = 40,000); ZIP and birth year pairs the 10
people of a year with each other (20 × 10 × 10 = 2,000); every name rule and the birth date pair
only a person with themself (200, all inside those 2,000); ZIP with both initials, 200.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from string import ascii_lowercase

import pyarrow as pa
import pytest
from splink import block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from backbone.identity.linkage import blocking_rules, em_rules
from backbone.identity.standardise import map_roles, standardised_sql
from backbone.warehouse.engines import DuckDBEngine

PEOPLE = 200
ROLES = ["first_name", "last_name", "birth_date", "zip"]


def letters(number: int) -> str:
    """A number written in letters (names must be letters): 0 → a, 27 → bb."""
    word = ""
    while True:
        word = ascii_lowercase[number % 26] + word
        number //= 26
        if number == 0:
            return word + "b"


def planted_people() -> dict[str, list[object]]:
    return {
        "given_name": [ascii_lowercase[i % 10] + "x" + letters(i) for i in range(PEOPLE)],
        "surname": [ascii_lowercase[i // 10] + "y" + letters(i) for i in range(PEOPLE)],
        "date_of_birth": [dt.date(1990 + i % 20, 1 + i % 12, 1 + i // 20) for i in range(PEOPLE)],
        "postcode": ["4223"] * PEOPLE,
    }


def johns() -> dict[str, list[object]]:
    """200 Johns, surnames all starting with s, unique otherwise; birth years cycle (i % 20)
    and ZIPs run in tens (i // 10): by hand, first name and surname initial pair everyone
    (40,000); with the birth year, 20 × 10 × 10 = 2,000; with the ZIP, 2,000; a pair shares
    both only with itself (200), so together 3,800 — every other rule pairs only a person with
    themself."""
    return {
        "given_name": ["john"] * PEOPLE,
        "surname": ["s" + letters(i) for i in range(PEOPLE)],
        "date_of_birth": [dt.date(1990 + i % 20, 1 + i % 12, 1 + i // 20) for i in range(PEOPLE)],
        "postcode": [f"{4000 + (i // 10) % 20}" for i in range(PEOPLE)],
    }


def twins_of_a_day() -> dict[str, list[object]]:
    """200 people born the same day on the same street of one state, each with names no one
    else has; first initials cycle through 10 letters (i % 10, 20 people each), surname
    initials through 20 (i // 10, 10 each), both together through 200 (one person each); the
    ZIP, (i // 10 + i % 10) % 20, puts 10 people in each of 20 ZIPs, no two of them sharing an
    initial; street numbers all differ. By hand: the birth date alone or the state and street
    pair everyone (40,000 each); the birth date with the first initial 10 × 20 × 20 = 4,000,
    with the surname initial 20 × 10 × 10 = 2,000, both 200, so 5,800 together; the street
    with the ZIP (or, as all share a birth year, the ZIP with it) 20 × 10 × 10 = 2,000, of
    which only the 200 self-pairs share an initial: 7,600 in all."""
    return {
        "given_name": [ascii_lowercase[i % 10] + "x" + letters(i) for i in range(PEOPLE)],
        "surname": [ascii_lowercase[i // 10] + "y" + letters(i) for i in range(PEOPLE)],
        "date_of_birth": [dt.date(2001, 5, 17)] * PEOPLE,
        "postcode": [f"{4000 + (i // 10 + i % 10) % 20}" for i in range(PEOPLE)],
        "address_1": ["main street"] * PEOPLE,
        "street_number": [str(i + 1) for i in range(PEOPLE)],
        "state": ["qld"] * PEOPLE,
    }


def linkage_frames(engine: DuckDBEngine, people: dict[str, list[object]]) -> list[object]:
    """Splink frames of files A and B, both holding ``people`` (under other ids)."""
    columns = {"rec_id": "VARCHAR"}
    columns |= {k: "DATE" if k == "date_of_birth" else "VARCHAR" for k in people}
    roles = map_roles([c for c in columns if c != "rec_id"], {})
    db_api, frames = engine.splink_api(), []
    for side in ("a", "b"):
        ids = [f"{side}{i}" for i in range(PEOPLE)]
        engine.register(f"raw_{side}", pa.table({"rec_id": ids, **people}))
        sql = standardised_sql(f"raw_{side}", "rec_id", f"'{side}'", roles, columns, list(roles))
        engine.run(f"CREATE TABLE {side} AS {sql}")
        frames.append(db_api.register(side))
    return frames


@pytest.fixture(scope="module", params=[planted_people, johns])
def planted(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[object]]]:
    engine = DuckDBEngine()
    yield request.param.__name__, linkage_frames(engine, request.param())
    engine.close()


def candidate_pairs(frames: list[object], rules: list[object]) -> int:
    counted = count_comparisons_from_blocking_rules(
        frames, blocking_rules=rules, link_type="link_only", record_sample_proportion=1.0
    )
    return counted[-1]["cumulative_comparison_count"]


def test_the_planted_people_have_the_shape_counted_by_hand():
    people = planted_people()
    assert len(set(people["given_name"])) == len(set(people["surname"])) == PEOPLE
    initials = {(f[0], s[0]) for f, s in zip(people["given_name"], people["surname"], strict=True)}
    assert len(initials) == PEOPLE
    years = [d.year for d in people["date_of_birth"]]
    assert {years.count(y) for y in set(years)} == {10} and len(set(years)) == 20


def test_prediction_rules_pair_a_zip_by_birth_year_and_a_name_slip_narrowed(planted):
    people, frames = planted
    expected = 2_000 if people == "planted_people" else 3_800  # un-narrowed: 40,000 each
    assert candidate_pairs(frames, blocking_rules(ROLES)) == expected


def test_the_second_training_session_blocks_on_the_full_name_not_zip_alone(planted):
    _, frames = planted
    # Every full name is unique in both sets (the Johns' surnames are), so the name session
    # pairs each person with themself only; ZIP alone would give 40,000 and 4,000.
    assert candidate_pairs(frames, em_rules(ROLES)[1:]) == PEOPLE


def test_a_shared_birth_date_or_street_pairs_only_people_with_a_name_initial_or_zip_too():
    engine = DuckDBEngine()
    roles = ["first_name", "last_name", "birth_date", "street_number", "street_address", "zip"]
    frames = linkage_frames(engine, twins_of_a_day())
    assert candidate_pairs(frames, [block_on("birth_date")]) == 40_000  # what was capped
    assert candidate_pairs(frames, blocking_rules([*roles, "state"])) == 7_600
    assert candidate_pairs(frames, [block_on("state", "street_address")]) == 40_000
    assert candidate_pairs(frames, blocking_rules(["street_address", "zip", "state"])) == 2_000
    engine.close()


def test_the_street_is_narrowed_by_the_state_only_when_there_is_no_zip():
    rules = blocking_rules(["street_address", "state"])
    assert [r.get_blocking_rule("duckdb").blocking_rule_sql for r in rules] == [
        '(l."street_address" = r."street_address") AND (l."state" = r."state")'
    ]
    assert [
        r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules(["birth_date"])
    ] == ['l."birth_date" = r."birth_date"']
