import pytest

from backbone.disclosure import MARKERS, Policy


def test_defaults_follow_the_modal_state_rule():
    policy = Policy()
    assert (policy.min_n, policy.top_code, policy.bottom_code) == (10, 95.0, 5.0)
    assert policy.percent_only_below is None


@pytest.mark.parametrize("min_n", [2, 31, 0])
def test_min_n_outside_3_to_30_is_refused(min_n):
    with pytest.raises(ValueError, match=f"min_n must be between 3 and 30, got {min_n}"):
        Policy(min_n=min_n)


@pytest.mark.parametrize("min_n", [3, 30])
def test_min_n_bounds_are_allowed(min_n):
    assert Policy(min_n=min_n).min_n == min_n


def test_every_problem_is_listed_in_one_error():
    with pytest.raises(
        ValueError, match=r"min_n must be.*bottom_code < top_code.*percent_only_below"
    ):
        Policy(min_n=40, top_code=3, bottom_code=5, percent_only_below=20)


def test_strictest_takes_the_tightest_of_each_parameter():
    school = Policy(min_n=10, top_code=95, bottom_code=5, version="dsa-school-2025")
    health = Policy(
        min_n=11, top_code=97, bottom_code=3, percent_only_below=21, version="dsa-health"
    )
    mcps = Policy(
        min_n=10, top_code=95, bottom_code=5, percent_only_below=20, version="dsa-school-2025"
    )
    strictest = Policy.strictest([school, health, mcps])
    assert strictest == Policy(
        min_n=11,
        top_code=95,
        bottom_code=5,
        percent_only_below=21,
        version="strictest(dsa-health,dsa-school-2025)",
    )


def test_strictest_of_one_version_keeps_it():
    assert Policy.strictest([Policy(min_n=5, version="v"), Policy(version="v")]).version == "v"


def test_markers_are_distinct_and_explained():
    assert set(MARKERS) == {"*", "‡", ">=95%", "<=5%"}
    assert all(len(text) > 40 for text in MARKERS.values())
