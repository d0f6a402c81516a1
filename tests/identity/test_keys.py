"""Stable person keys, on small cases worked out by hand."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from backbone.identity.keys import KEY_PREFIX, assign_person_keys, changed_records

SECRET = "test-secret"


def test_first_run_gives_one_new_key_per_cluster():
    keys = assign_person_keys({"a": "1", "b": "1", "c": "2"}, {}, SECRET)
    assert keys["a"] == keys["b"] != keys["c"]
    assert all(k.startswith(KEY_PREFIX) and len(k) == 17 for k in keys.values())


def test_same_input_gives_same_keys_and_the_secret_matters():
    clusters = {"a": "1", "b": "1", "c": "2"}
    assert assign_person_keys(clusters, {}, SECRET) == assign_person_keys(clusters, {}, SECRET)
    assert (
        assign_person_keys(clusters, {}, "other")["a"]
        != assign_person_keys(clusters, {}, SECRET)["a"]
    )


def test_records_added_to_a_person_keep_the_persons_key():
    before = {"a": "P1", "b": "P1", "c": "P2"}
    after = assign_person_keys(
        {"a": "x", "b": "x", "new": "x", "c": "y", "other": "z"}, before, SECRET
    )
    assert (after["a"], after["b"], after["new"], after["c"]) == ("P1", "P1", "P1", "P2")
    assert after["other"] not in {"P1", "P2"}


def test_a_merge_keeps_the_larger_persons_key():
    before = {"a": "P1", "b": "P1", "c": "P2"}
    after = assign_person_keys({"a": "m", "b": "m", "c": "m"}, before, SECRET)
    assert set(after.values()) == {"P1"}


def test_a_split_keeps_the_key_on_the_larger_part_and_mints_one_for_the_rest():
    before = {"a": "P1", "b": "P1", "c": "P1"}
    after = assign_person_keys({"a": "x", "b": "x", "c": "y"}, before, SECRET)
    assert after["a"] == after["b"] == "P1" and after["c"] not in {"P1"}


def test_retired_keys_are_never_reissued():
    first = assign_person_keys({"a": "1"}, {}, SECRET)
    again = assign_person_keys({"a": "1"}, {}, SECRET, retired=set(first.values()))
    assert again["a"] != first["a"]


def test_changed_records_lists_only_records_whose_key_moved():
    assert changed_records({"a": "P1", "b": "P2", "gone": "P3"}, {"a": "P1", "b": "P9"}) == {"b"}


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=10),
    st.randoms(use_true_random=False),
)
def test_adding_new_records_to_existing_people_never_renumbers_anyone(
    people, newcomers, rng: random.Random
):
    records = {f"r{i}": f"c{rng.randrange(people)}" for i in range(people * 2)}
    before = assign_person_keys(records, {}, SECRET)
    grown = dict(records)
    for j in range(newcomers):  # new records join existing clusters or start new ones
        grown[f"n{j}"] = f"c{rng.randrange(people + 3)}"
    after = assign_person_keys(grown, before, SECRET)
    assert changed_records(before, after) == set()
