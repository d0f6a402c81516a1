"""Steward decisions applied to clusters, and match rates, worked out by hand."""

from backbone.identity.decisions import apply_decisions, source_match_rates


def test_same_person_merges_the_two_clusters():
    clusters = {"a": "1", "b": "1", "c": "2", "d": "3"}
    assert apply_decisions(clusters, same={("b", "c")}, different=set()) == {
        "a": "1",
        "b": "1",
        "c": "1",
        "d": "3",
    }


def test_different_people_takes_the_second_record_out():
    result = apply_decisions({"a": "1", "b": "1", "c": "1"}, same=set(), different={("a", "b")})
    assert result["a"] == result["c"] == "1" and result["b"] not in {"1"}


def test_decisions_about_records_not_in_the_run_are_ignored():
    assert apply_decisions({"a": "1"}, same={("a", "zz")}, different={("a", "yy")}) == {"a": "1"}


def test_source_match_rates():
    clusters = {"d1": "p1", "d2": "p2", "d3": "p3", "c1": "p1", "c2": "p9"}
    sources = {"d1": "district", "d2": "district", "d3": "district", "c1": "cbo", "c2": "cbo"}
    rows = {
        (r["source"], r["other"]): (r["records"], r["matched"], r["rate"])
        for r in source_match_rates(clusters, sources)
    }
    # 1 of 2 CBO records is a district student; 1 of 3 district students was at the CBO.
    assert rows == {("cbo", "district"): (2, 1, 50.0), ("district", "cbo"): (3, 1, 33.3)}
