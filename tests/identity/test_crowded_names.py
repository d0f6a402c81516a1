"""The crowded-names stress case (issue 15): a 1,500-student city whose names come from small
pools (``generate_city(..., crowded_names=True)``), so most full names belong to several
people, and whose shelter records carry no child's SSN. Scored against the truth folder."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from itertools import combinations

import pytest

from backbone.demo.city import generate_city
from backbone.identity.linkage import Training, link_identity_records
from backbone.identity.services import REVIEW_BAND
from backbone.warehouse.store import Warehouse
from tests.city_loading import load_city
from tests.identity.test_identity_tier import DISTRICT, HMIS, truth_of

pytestmark = pytest.mark.city


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """The crowded city loaded by the real importers, and its linkage."""
    root = tmp_path_factory.mktemp("crowded")
    city = generate_city(root / "city", students=1500, crowded_names=True)
    warehouse = Warehouse(root / "warehouse")
    load_city(city, warehouse, root / "staging")
    with warehouse.engine("identity") as engine:
        linkage = link_identity_records(
            engine, duplicate_free_sources=[DISTRICT], training=Training(max_pairs=2e6)
        )
        rows = engine.run(
            "SELECT DISTINCT record_id, source_partner, local_id, first_name, last_name, "
            "birth_date FROM identity_record"
        )
    return city, linkage, {r[0]: r[1:] for r in rows}


def test_the_crowded_city_shares_names_and_hides_childrens_ssns(crowded):
    city, _, records = crowded
    with (city.truth_dir / "people.csv").open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    assert len({p["first_name"] for p in people if p["sex"] == "female"}) == 8
    assert len({p["first_name"] for p in people if p["sex"] == "male"}) == 8
    names = Counter((v[2], v[3]) for v in records.values() if v[0] == DISTRICT)
    shared = sum(n for n in names.values() if n >= 3)
    assert shared / sum(names.values()) > 0.9  # nine students in ten share a name with 2+


def test_an_exact_full_name_and_birth_date_never_falls_below_the_review_band(crowded):
    """Pairs of different partners' records agreeing on first name, last name and birth date
    (found here in plain Python) score at least the review band's lower bound, even where
    namesakes who are different people make up most pairs sharing a name."""
    _, linkage, records = crowded
    by_identity: dict[tuple[str, str, object], list[tuple[str, str]]] = defaultdict(list)
    for record_id, (partner, _, first, last, birth) in records.items():
        if first and last and birth:
            key = tuple("".join(filter(str.isalpha, n.lower())) for n in (first, last))
            by_identity[(*key, birth)].append((record_id, partner))
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
    assert len(sure) > 1000
    assert [p for p in sure if best.get(p, 0.0) < REVIEW_BAND[0]] == []


def test_children_in_homeless_services_link_to_their_district_records(crowded):
    """Measured: precision 0.991, recall 0.900 (0.996 / 0.896 before race was compared).
    The issue's goal, 0.97 / 0.95, is not met: the floors guard against going back."""
    city, linkage, records = crowded
    truth = truth_of(city)
    person = {r: truth[(v[0], v[1])] for r, v in records.items()}
    district = {person[r]: r for r, v in records.items() if v[0] == DISTRICT}
    hmis = [r for r, v in records.items() if v[0] == HMIS]
    truly = {(h, district[person[h]]) for h in hmis if person[h] in district}
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster_id in linkage.clusters.items():
        members[cluster_id].append(record_id)
    found = {
        (h, other) for h in hmis for other in members[linkage.clusters[h]]
        if records[other][0] == DISTRICT
    }  # fmt: skip
    hits = len(found & truly)
    precision, recall = hits / len(found), hits / len(truly)
    assert len(truly) > 200
    assert precision >= 0.98 and recall >= 0.88, (precision, recall)
