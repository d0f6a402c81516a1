"""Linking the warehouse's identity tier: the synthetic city loaded through the real importers,
linked across all partners, and scored against the city's truth folder (``truth/persons.csv``)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from itertools import combinations

import pytest

from backbone.demo.city import generate_city
from backbone.identity.linkage import IdentityLinkage, Training, link_identity_records
from backbone.warehouse.engines import DuckDBEngine
from backbone.warehouse.store import Warehouse
from tests.city_loading import load_city

pytestmark = pytest.mark.city

DISTRICT = "riverton-public-schools"
Pair = tuple[str, str]


@pytest.fixture(scope="module")
def city_warehouse(tmp_path_factory):
    """Every file of a 1,500-student city, loaded by the real importers into a warehouse."""
    root = tmp_path_factory.mktemp("identity")
    city = generate_city(root / "city", students=1500)
    warehouse = Warehouse(root / "warehouse")
    load_city(city, warehouse, root / "staging")
    return city, warehouse


@pytest.fixture(scope="module")
def linked(city_warehouse) -> tuple[IdentityLinkage, dict[str, tuple[str, str, bool]]]:
    """The linkage, and per record_id: (partner, local_id, has a name)."""
    _, warehouse = city_warehouse
    with warehouse.engine("identity") as engine:
        linkage = link_identity_records(
            engine, "identity_record", duplicate_free_sources=[DISTRICT],
            training=Training(max_pairs=2e6),
        )  # fmt: skip
        rows = engine.run(
            "SELECT DISTINCT record_id, source_partner, local_id, "
            "first_name IS NOT NULL OR last_name IS NOT NULL FROM identity_record"
        )
    return linkage, {r[0]: (r[1], r[2], r[3]) for r in rows}


def pairs_of(groups: dict[str, list[str]]) -> set[Pair]:
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}


def person_pairs(city, records) -> set[Pair]:
    """Pairs of records that are truly the same person, from the truth folder."""
    with (city.truth_dir / "persons.csv").open(encoding="utf-8", newline="") as handle:
        truth = {(r["partner"], r["local_id"]): r["person_id"] for r in csv.DictReader(handle)}
    people: dict[str, list[str]] = defaultdict(list)
    for record_id, (partner, local_id, _) in records.items():
        people[truth[(partner, local_id)]].append(record_id)
    return pairs_of(people)


def precision_recall(found: set[Pair], truth: set[Pair]) -> tuple[float, float]:
    hits = len(found & truth)
    return hits / len(found), hits / len(truth)


def test_every_record_gets_a_cluster_and_district_records_are_never_merged(linked):
    linkage, records = linked
    assert set(linkage.clusters) == set(records)
    district_clusters = [linkage.clusters[r] for r, v in records.items() if v[0] == DISTRICT]
    assert len(district_clusters) == len(set(district_clusters))
    assert linkage.model.version.startswith("identity-")
    json.dumps(linkage.to_dict())


def test_person_level_precision_and_recall_against_the_truth(city_warehouse, linked):
    city, _ = city_warehouse
    linkage, records = linked
    clusters: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster_id in linkage.clusters.items():
        clusters[cluster_id].append(record_id)
    found, truth = pairs_of(clusters), person_pairs(city, records)
    precision, recall = precision_recall(found, truth)
    # Measured: 1,500 students 0.994 / 0.991; 5,000 students 0.988 / 0.980.
    assert precision >= 0.98 and recall >= 0.98, (precision, recall)


def test_same_ssn_links_records_whose_names_differ(linked):
    """Scored with the city's trained model (eight rows are too few to train one)."""
    engine = DuckDBEngine()
    engine.run(
        """CREATE TABLE people AS SELECT * FROM (VALUES
        ('r1', 'shelter', 'Jo', 'Smith', DATE '1990-01-02', '123-45-6780'),
        ('r2', 'wages', NULL, NULL, NULL, '123456780'),
        ('r3', 'training', 'Joanna', 'Okafor', DATE '1991-05-06', '123456780'),
        ('r4', 'shelter', 'Ann', 'Lee', DATE '1985-03-04', 'a3f9c2'),
        ('r5', 'training', 'Bo', 'Diaz', DATE '1970-07-08', '987650001'),
        ('r6', 'wages', NULL, NULL, NULL, '555443333'),
        ('r7', 'shelter', 'Cy', 'Park', DATE '2001-09-10', '555443333'),
        ('r8', 'training', 'Di', 'Wu', DATE '1999-11-12', NULL)
        ) AS t(record_id, source_partner, first_name, last_name, birth_date, ssn)"""
    )
    linkage = link_identity_records(engine, "people", model=linked[0].model)
    assert linkage.model == linked[0].model
    clusters = linkage.clusters
    assert clusters["r1"] == clusters["r2"] == clusters["r3"]
    assert clusters["r6"] == clusters["r7"]
    assert len({clusters[r] for r in ("r1", "r4", "r5", "r6", "r8")}) == 5
    assert linkage.match_probability["r2"] == 1.0


HMIS = "riverton-area-homeless-coalition"


def truth_of(city) -> dict[tuple[str, str], str]:
    with (city.truth_dir / "persons.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["partner"], r["local_id"]): r["person_id"] for r in csv.DictReader(handle)}


def test_children_in_homeless_services_link_to_their_district_records(city_warehouse, linked):
    """Counted from the truth folder: each HMIS record of a person the district also holds
    should share a cluster with that district record, and with no other."""
    city, _ = city_warehouse
    linkage, records = linked
    truth = truth_of(city)
    person = {r: truth[(partner, local)] for r, (partner, local, _) in records.items()}
    district_record = {person[r]: r for r, v in records.items() if v[0] == DISTRICT}
    hmis = [r for r, v in records.items() if v[0] == HMIS]
    truly = {(h, district_record[person[h]]) for h in hmis if person[h] in district_record}
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster_id in linkage.clusters.items():
        members[cluster_id].append(record_id)
    found = {
        (h, other) for h in hmis for other in members[linkage.clusters[h]]
        if records[other][0] == DISTRICT
    }  # fmt: skip
    assert len(truly) > 150  # the city has children in shelters to find
    hits = len(found & truly)
    precision, recall = hits / len(found), hits / len(truly)
    # Measured (1,500 students): 1.000 / 1.000 before and after issue 15's changes.
    assert recall >= 0.95 and precision >= 0.97, (precision, recall)


def test_the_same_files_give_the_same_crosswalk_under_any_pseudonym_key(city_warehouse):
    """A record_id is a keyed hash of the partner's local id, so five keys are five views
    of the identity tier whose record_ids differ; the crosswalk, read back in the partners'
    own ids, must not."""
    _, warehouse = city_warehouse
    crosswalks, versions = set(), set()
    with warehouse.engine("identity") as engine:
        for key in ("k1", "k2", "k3", "k4", "k5"):
            engine.run(
                f"CREATE OR REPLACE TEMP VIEW keyed AS SELECT * REPLACE "
                f"(sha256('{key}' || record_id) AS record_id) FROM identity_record"
            )
            linkage = link_identity_records(
                engine, "keyed", duplicate_free_sources=[DISTRICT],
                training=Training(max_pairs=2e6),
            )  # fmt: skip
            rows = engine.run("SELECT DISTINCT record_id, source_partner, local_id FROM keyed")
            local = {r[0]: (r[1], r[2]) for r in rows}
            members: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for record_id, cluster_id in linkage.clusters.items():
                members[cluster_id].append(local[record_id])
            crosswalks.add(frozenset(pairs_of(members)))
            versions.add(linkage.model.version)
    assert len(crosswalks) == 1
    assert len(versions) == 1  # the same model too


def test_the_same_full_name_and_birth_date_never_falls_below_the_review_band(
    city_warehouse, linked
):
    """Every two records of different partners that agree exactly on first name, last name
    and birth date (compared here in plain Python, letters only) are linked, or at least
    scored into the review band (p ≥ 0.5): the issue found such a pair at p = 0.469."""
    _, warehouse = city_warehouse
    linkage, _ = linked
    with warehouse.engine("identity") as engine:
        rows = engine.run(
            "SELECT DISTINCT record_id, source_partner, first_name, last_name, birth_date "
            "FROM identity_record WHERE birth_date IS NOT NULL"
        )
    by_identity: dict[tuple[str, str, object], list[tuple[str, str]]] = defaultdict(list)
    for record_id, partner, first, last, birth in rows:
        if first and last:
            key = (
                "".join(filter(str.isalpha, first.lower())),
                "".join(filter(str.isalpha, last.lower())),
                birth,
            )
            by_identity[key].append((record_id, partner))
    sure = {
        tuple(sorted((a, b)))
        for group in by_identity.values()
        for (a, pa), (b, pb) in combinations(group, 2)
        if pa != pb
    }
    best: dict[tuple[str, str], float] = {}
    for a, b, probability in linkage.pairs:
        key = tuple(sorted((a, b)))
        best[key] = max(best.get(key, 0.0), probability)
    assert len(sure) > 500  # the city has many
    low = sorted(pair for pair in sure if best.get(pair, 0.0) < 0.5)
    assert low == [], len(low)
