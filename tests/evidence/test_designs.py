"""The designs against hand calculations, planted samples and an independent pipeline written
here with statsmodels and scikit-learn (not calling backbone.evidence)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors

from backbone.evidence import designs, matching
from backbone.evidence.wwc import Equivalence
from tests.evidence.planted import EFFECT, selected_sample

COVARIATES = ["prior", "disadvantaged"]


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return selected_sample()


def _independent_match(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Greedy 1:1 matching on the logit within 0.2 SD, written from methods §2.2: statsmodels
    for the score, scikit-learn's NearestNeighbors for the neighbours, the treated and the
    comparison units each in the order numpy's generator(seed) permutes them."""
    x = sm.add_constant(frame[COVARIATES].astype(float))
    logit = x @ sm.Logit(frame["treated"], x).fit(disp=0).params
    caliper = 0.2 * logit.std()
    rng = np.random.default_rng(seed)
    t = frame.index[frame["treated"] == 1]
    c = frame.index[frame["treated"] == 0]
    t, c = t[rng.permutation(len(t))], c[rng.permutation(len(c))]
    neighbours = NearestNeighbors().fit(logit[c].to_numpy().reshape(-1, 1))
    distances, positions = neighbours.kneighbors(
        logit[t].to_numpy().reshape(-1, 1), n_neighbors=len(c)
    )
    used: set[int] = set()
    rows = []
    for k, label in enumerate(t):
        for distance, position in zip(distances[k], positions[k], strict=True):
            if position not in used:
                if distance <= caliper:
                    used.add(position)
                    rows += [(label, len(rows) // 2), (c[position], len(rows) // 2)]
                break
    labels, pairs = zip(*rows, strict=True)
    return frame.loc[list(labels)].assign(pair=list(pairs))


def test_matched_estimate_equals_an_independent_pipeline(sample: pd.DataFrame) -> None:
    matched = _independent_match(sample, seed=3)
    x = sm.add_constant(matched[["treated", *COVARIATES]].astype(float))
    fit = sm.OLS(matched["score"], x).fit(cov_type="cluster", cov_kwds={"groups": matched["pair"]})
    result = designs.matched_estimate(sample, "score", COVARIATES, seed=3)
    assert result.n_treated == result.n_comparison == len(matched) // 2
    assert result.effect == pytest.approx(fit.params["treated"], abs=1e-9)
    assert result.se == pytest.approx(fit.bse["treated"], abs=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        tuple(fit.conf_int().loc["treated"]), abs=1e-9
    )
    # The same pairs give the same analytic sample, so the same pooled SD: g by hand.
    y_t = matched.loc[matched["treated"] == 1, "score"]
    y_c = matched.loc[matched["treated"] == 0, "score"]
    n = len(matched)
    spread = np.sqrt(((n / 2 - 1) * y_t.var() + (n / 2 - 1) * y_c.var()) / (n - 2))
    assert result.effect_size == pytest.approx((1 - 3 / (4 * n - 9)) * fit.params["treated"] /
                                               spread)  # fmt: skip


def test_matched_estimate_recovers_the_planted_effect_where_the_naive_one_is_wrong(
    sample: pd.DataFrame,
) -> None:
    result = designs.matched_estimate(sample, "score", COVARIATES)
    assert result.ci_low < EFFECT < result.ci_high
    # Participants are chosen for low priors and disadvantage: the raw gap hides the gain.
    assert result.naive.difference < 0
    assert result.naive.label.startswith("naive difference")
    assert result.label == "quasi-experimental estimate"
    assert result.balance.verdict is not Equivalence.NOT_SATISFIED
    assert result.balance.max_abs_smd() < 0.1


def test_unmatched_sample_fails_baseline_equivalence(sample: pd.DataFrame) -> None:
    before = designs.balance_table(sample, COVARIATES)
    assert before.verdict is Equivalence.NOT_SATISFIED


def test_ipw_effect_is_the_hand_weighted_difference(sample: pd.DataFrame) -> None:
    # The score from scikit-learn, trimmed at its 1st/99th percentiles, odds weights for the
    # comparison group, then two weighted means.
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
    model.fit(sample[COVARIATES], sample["treated"])
    score = pd.Series(model.predict_proba(sample[COVARIATES])[:, 1], index=sample.index)
    score = score.clip(score.quantile(0.01), score.quantile(0.99))
    treated = sample["treated"] == 1
    odds = score / (1 - score)
    hand = sample.loc[treated, "score"].mean() - np.average(
        sample.loc[~treated, "score"], weights=odds[~treated]
    )
    result = designs.ipw_estimate(sample, "score", COVARIATES)
    assert result.effect == pytest.approx(hand, abs=1e-5)
    assert result.ci_low < EFFECT < result.ci_high


def test_ipw_weights_by_hand() -> None:
    # logits 0 and ln 4: scores 0.5 and 0.8; ATT odds 1 and 4; ATE 1/0.5 and 1/0.2.
    logit = pd.Series([0.0, np.log(4), 0.0, np.log(4)])
    treated = pd.Series([1, 1, 0, 0])
    att = matching.ipw_weights(logit, treated, "ATT", trim=(0, 1))
    ate = matching.ipw_weights(logit, treated, "ATE", trim=(0, 1))
    assert att.tolist() == pytest.approx([1, 1, 1, 4])
    assert ate.tolist() == pytest.approx([2, 1.25, 2, 5])
    with pytest.raises(ValueError, match="ATT"):
        matching.ipw_weights(logit, treated, "ATC")


def test_coarsened_exact_weights_by_hand() -> None:
    # Stratum a: 2 treated, 1 comparison; b: 1 and 3; c: comparison only (dropped).
    # m_T = 3, m_C = 4: a comparison weighs 4/3 · 2/1 = 8/3, in b 4/3 · 1/3 = 4/9.
    frame = pd.DataFrame({
        "treated": [1, 1, 0, 1, 0, 0, 0, 0],
        "age": [10, 12, 14, 30, 31, 33, 38, 70],
    })  # fmt: skip
    weights = matching.coarsened_weights(frame, [], {"age": [0, 20, 40, 80]})
    assert weights.tolist() == pytest.approx([1, 1, 8 / 3, 1, 4 / 9, 4 / 9, 4 / 9, 0])


def test_exact_matching_on_the_only_confounder_recovers_the_effect() -> None:
    rng = np.random.default_rng(5)
    group = rng.integers(0, 4, 4000)
    treated = (rng.random(4000) < 0.1 + 0.2 * group).astype(int)
    y = 10 * group + 2.0 * treated + rng.normal(0, 3, 4000)
    frame = pd.DataFrame({"treated": treated, "group": group.astype(str), "y": y})
    result = designs.exact_estimate(frame, "y", ["group"])
    assert result.naive.difference > 5  # confounded upwards
    assert result.ci_low < 2.0 < result.ci_high
    assert result.balance.verdict is Equivalence.SATISFIED


def test_difference_in_differences_removes_a_fixed_gap(sample: pd.DataFrame) -> None:
    frame = sample.assign(before=sample["score"] - EFFECT * sample["treated"] - 3.0)
    frame["after"] = frame["score"] + 1.0  # everyone grows 4 points; participants 5 more
    result = designs.difference_in_differences(frame, "before", "after", COVARIATES)
    assert result.effect == pytest.approx(EFFECT)
    assert result.design.startswith("difference-in-differences")


def test_pre_post_growth_is_a_paired_mean_with_a_t_interval() -> None:
    # Changes 1, 2, 3, 6: mean 3, SD √(14/3); t(3, .975) = 3.182446; half-width 3.4376.
    frame = pd.DataFrame({"treated": [1, 1, 1, 1, 0], "pre": [0, 0, 0, 0, 9],
                          "post": [1, 2, 3, 6, 0]})  # fmt: skip
    growth = designs.pre_post_growth(frame, "pre", "post")
    assert (growth.change, growth.n) == (3.0, 4)
    assert growth.ci_high - growth.change == pytest.approx(3.182446 * np.sqrt(14 / 3) / 2,
                                                          abs=1e-5)  # fmt: skip


def test_dose_response_slope_by_hand() -> None:
    # y = 2 + 0.5·hours exactly among participants; the non-participant is ignored.
    frame = pd.DataFrame({"treated": [1, 1, 1, 0], "hours": [10, 20, 40, 0],
                          "y": [7.0, 12.0, 22.0, 100.0]})  # fmt: skip
    assert designs.dose_response(frame, "y", "hours").slope == pytest.approx(0.5)


def test_binary_outcome_reports_a_cox_index() -> None:
    rng = np.random.default_rng(8)
    group = rng.integers(0, 2, 6000)
    treated = (rng.random(6000) < 0.2 + 0.4 * group).astype(int)
    passed = (rng.random(6000) < 0.6 - 0.3 * group + 0.1 * treated).astype(int)
    frame = pd.DataFrame({"treated": treated, "group": group, "passed": passed})
    result = designs.exact_estimate(frame, "passed", ["group"])
    assert result.effect_size_measure == "Cox index"
    assert result.ci_low < 0.1 < result.ci_high
    assert result.naive.difference < 0


def test_person_clusters_join_pairs_that_share_a_person() -> None:
    # Pairs (a, b), (c, b) and (d, e): a, b and c are one cluster through b; d and e another.
    matched = pd.DataFrame({"person": ["a", "c", "d", "b", "b", "e"], "pair": [0, 1, 2, 0, 1, 2]})
    clusters = designs.person_clusters(matched, "person").tolist()
    assert clusters[0] == clusters[1] == clusters[3] == clusters[4]
    assert clusters[2] == clusters[5] != clusters[0]


def test_person_clustering_widens_the_interval_when_people_repeat() -> None:
    # Each person appears in four periods with a persistent trait: pairs are not independent.
    rng = np.random.default_rng(4)
    people = 400
    trait = np.repeat(rng.normal(0, 3, people), 4)
    prior = np.repeat(rng.normal(0, 1, people), 4)
    treated = (rng.random(people * 4) < 1 / (1 + np.exp(1 + prior))).astype(int)
    frame = pd.DataFrame({
        "person": np.repeat(np.arange(people), 4), "prior": prior, "treated": treated,
        "y": 2 * prior + trait + 1.0 * treated + rng.normal(0, 1, people * 4),
    })  # fmt: skip
    by_pair = designs.matched_estimate(frame, "y", ["prior"])
    by_person = designs.matched_estimate(frame, "y", ["prior"], person="person")
    assert by_person.effect == by_pair.effect
    assert by_person.se > by_pair.se
    assert "person" in by_person.variance
    # The same holds for a weighting design.
    frame["band"] = pd.cut(frame["prior"], [-9, -1, 0, 1, 9]).astype(str)
    hc1 = designs.exact_estimate(frame, "y", ["band"])
    clustered = designs.exact_estimate(frame, "y", ["band"], person="person")
    assert clustered.effect == pytest.approx(hc1.effect)
    assert clustered.se > hc1.se


def _copied_comparisons(seed: int = 4) -> pd.DataFrame:
    """A workforce-style pool: 400 never-trained people copied into two sets of calendar
    quarters ("A", "B"); in B everyone's earnings rose 1,000 for reasons of the calendar. 150
    participants, all measured over A, gain 500."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, 400)
    rows = [{"person": f"c{i}", "anchor": window, "x": x[i], "treated": 0,
             "change": (1000.0 if window == "B" else 0.0) + rng.normal(0, 50)}
            for window in ("A", "B") for i in range(400)]  # fmt: skip
    rows += [{"person": f"t{i}", "anchor": "A", "x": rng.normal(0.3, 1), "treated": 1,
              "change": 500.0 + rng.normal(0, 50)} for i in range(150)]  # fmt: skip
    return pd.DataFrame(rows).assign(before=0.0)


def test_matching_within_the_same_windows_keeps_the_calendar_out_of_the_estimate():
    frame = _copied_comparisons()
    matched = designs.matched_sample(frame, ["x"], exact_on=["anchor"])
    assert (matched.groupby("pair")["anchor"].nunique() == 1).all()
    within = designs.difference_in_differences(frame, "before", "change", ["x"],
                                               exact_on=["anchor"])  # fmt: skip
    assert within.ci_low < 500 < within.ci_high
    # A person's two copies have the same score, so without it about half the participants
    # take a partner measured over B: the calendar's 1,000 leaks in.
    across = designs.difference_in_differences(frame, "before", "change", ["x"])
    assert across.ci_high < 250


def test_a_workforce_study_matches_within_its_windows():
    from backbone.evidence import studies

    study = studies.study_from_dict({
        "slug": "copies", "program": "*", "outcome": "change", "before": "before",
        "covariates": ["x"], "unit": "training_cohorts", "years": [2021, 2021],
        "anchor": "exit", "design": "difference_in_differences",
    })  # fmt: skip
    result = studies.run_flagged(study, _copied_comparisons())
    assert result.ci_low < 500 < result.ci_high
