"""`backbone link` over a real workspace: the crosswalk, the review queue, and stable keys when
a new submission arrives (scored with the saved model)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from backbone.demo.city import generate_city
from backbone.identity.models import LinkageRun, ReviewPair
from backbone.identity.services import run_linkage
from backbone.intake import services as intake
from backbone.intake.models import ColumnMapping
from backbone.partnership.models import Partner
from tests.agreements import covering_agreement

pytestmark = [pytest.mark.django_db, pytest.mark.city]

HELD_BACK = ("bright-futures-tutoring", "program_participation")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return generate_city(tmp_path_factory.mktemp("city") / "riverton", students=400, seed=11)


def partner(slug: str, contract: str = "") -> Partner:
    kind = "school_district" if slug == "riverton-public-schools" else "community_organization"
    found = Partner.objects.get_or_create(
        slug=slug, defaults={"name": slug, "partner_type": kind, "sectors": ["education"]}
    )[0]
    if (
        contract
        and not found.disclosing_agreements.filter(data_elements__contract=contract).exists()
    ):
        covering_agreement(found, contract)
    return found


def ingest(city, entries) -> None:
    for (slug, contract), mapping in city.column_mappings.items():
        ColumnMapping.objects.get_or_create(
            partner=partner(slug), contract=contract,
            defaults={k: mapping[k] for k in ("columns", "value_crosswalks", "date_format") if k in mapping},
        )  # fmt: skip
    for entry in entries:
        outcome = intake.ingest(
            city.path(entry), partner(entry.partner, entry.contract), entry.contract, entry.period
        )
        assert outcome.submission.status == "loaded", (entry.path, outcome.result.problems[:3])


def crosswalk() -> dict[str, str]:
    return dict(intake.warehouse().query("SELECT record_id, person_key FROM crosswalk"))


def mates(keys: dict[str, str], records: set[str]) -> dict[str, frozenset[str]]:
    """Each record's fellow records (among ``records``) under the same key."""
    groups: dict[str, set[str]] = defaultdict(set)
    for record in records:
        groups[keys[record]].add(record)
    return {record: frozenset(groups[keys[record]]) for record in records}


def test_relinking_after_a_new_submission_keeps_every_unchanged_persons_key(city, workspace):
    first_files = [
        e for e in city.files if (e.partner, e.contract) != HELD_BACK and e.contract != "ui_wages"
    ]
    ingest(city, first_files)
    first = run_linkage(retrain=True)
    before = crosswalk()
    assert first.records == len(before) > 0 and first.persons > 0
    assert LinkageRun.objects.get(pk=first.pk).model_json["version"] == first.model_version

    ingest(city, city.select(*HELD_BACK))
    second = run_linkage()  # scores with the saved model
    after = crosswalk()
    assert second.model_version == first.model_version
    assert set(before) < set(after)  # the new records are linked too
    old = set(before)
    unchanged = {r for r, m in mates(before, old).items() if mates(after, old)[r] == m}
    renumbered = {r for r in unchanged if after[r] != before[r]}
    assert unchanged and renumbered == set()
    assert second.keys_kept > 0

    # Uncertain pairs wait for review once, however often linkage runs.
    pending = ReviewPair.objects.filter(decision="pending")
    assert pending.exists() and all(p.match_probability < 0.95 for p in pending)
    count = pending.count()
    run_linkage()
    assert ReviewPair.objects.filter(decision="pending").count() == count

    # The overview counts records whose person has no other record, from the crosswalk.
    from collections import Counter

    from backbone.identity.services import linkage_overview

    sizes = Counter(crosswalk().values())
    overview = linkage_overview()
    assert overview["alone"] == sum(1 for n in sizes.values() if n == 1) > 0
    assert overview["unlinked"] == 0
