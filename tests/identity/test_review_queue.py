"""The review queue at scale: a count, pages, filters by partner pair and score band, the most
uncertain pairs first; and each pair with the records' context (as of, age, programs)."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.contrib.auth.models import Permission, User

from backbone.identity.models import LinkageRun, ReviewPair
from tests.identity.test_views import pair  # noqa: F401  (the fixture: two tutoring records)

pytestmark = pytest.mark.django_db
QUEUE = "/linkage/review/"
SOURCES = ["district", "shelter", "tutoring"]


@pytest.fixture
def steward(client):
    user = User.objects.create_user("steward", password="a long test password")
    user.user_permissions.add(Permission.objects.get(codename="review_matches"))
    client.force_login(user)
    return client


@pytest.fixture
def planted() -> list[tuple[int, str, str, float]]:
    """130 pending pairs with seeded scores and partner pairs, and 7 already decided."""
    rng = random.Random(14)
    run = LinkageRun.objects.create(model_version="test")
    made = []
    for i in range(137):
        a, b = rng.choice(SOURCES), rng.choice(SOURCES)
        p = round(rng.uniform(0.3, 0.95), 4)
        decision = "same" if i >= 130 else "pending"
        made_pair = ReviewPair.objects.create(
            run=run, record_a=f"a{i}", record_b=f"b{i}", source_a=a, source_b=b,
            match_probability=p, decision=decision,
        )  # fmt: skip
        if decision == "pending":
            made.append((made_pair.pk, a, b, p))
    return made


def shown(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<a href="/linkage/review/(\d+)/">', page)]


def test_the_queue_counts_and_pages_the_most_uncertain_first(steward, planted):
    by_hand = [pk for pk, _, _, p in sorted(planted, key=lambda r: (abs(r[3] - 0.5), r[0]))]
    first = steward.get(QUEUE).content.decode()
    assert '<strong id="pair-count">130</strong> pairs waiting' in first
    assert shown(first) == by_hand[:50] and "Page 1 of 3" in first
    last = steward.get(QUEUE, {"page": 3}).content.decode()
    assert shown(last) == by_hand[100:]
    pages = [shown(steward.get(QUEUE, {"page": n}).content.decode()) for n in (1, 2, 3)]
    assert sorted(pk for page in pages for pk in page) == sorted(by_hand)  # every pair once


def test_filters_by_partner_pair_and_score_band(steward, planted):
    expected = sorted(
        (abs(p - 0.5), pk) for pk, a, b, p in planted
        if {a, b} == {"district", "shelter"} and 0.6 <= p <= 0.8
    )  # fmt: skip
    query = {"sources": "district~shelter", "low": "0.6", "high": "0.8"}
    page = steward.get(QUEUE, query).content.decode()
    assert f'<strong id="pair-count">{len(expected)}</strong>' in page
    assert shown(page) == [pk for _, pk in expected][:50]
    by_score = steward.get(QUEUE, {**query, "order": "high"}).content.decode()
    assert shown(by_score) == [pk for pk, *_ in sorted(
        ((pk, p) for pk, a, b, p in planted
         if {a, b} == {"district", "shelter"} and 0.6 <= p <= 0.8),
        key=lambda r: (-r[1], r[0]),
    )][:50]  # fmt: skip


def test_nonsense_filters_fall_back_instead_of_failing(steward, planted):
    page = steward.get(QUEUE, {"decision": "x", "low": "abc", "order": "sideways"})
    assert (
        page.status_code == 200 and '<strong id="pair-count">130</strong>' in page.content.decode()
    )


def test_each_record_comes_with_its_date_age_and_programs(steward, pair):  # noqa: F811
    """Both records were sent today with no period, born 2014-03-15, in the Reading program."""
    today = dt.date.today()
    age = today.year - 2014 - ((today.month, today.day) < (3, 15))
    page = steward.get(pair.get_absolute_url()).content.decode()
    row = page[page.index('<th scope="row">Age then</th>') :].split("</tr>")[0]
    assert row.count(f"<td>{age}</td>") == 2
    programs = page[page.index('<th scope="row">Programs</th>') :].split("</tr>")[0]
    assert programs.count("<td>Reading</td>") == 2
    assert 'data-key="s"' in page and "backbone/review.js" in page
