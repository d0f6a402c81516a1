"""Every CharField that stores text the code writes is long enough for the longest text the
code can write. SQLite never checks ``max_length``; PostgreSQL refused a study run whose design,
"difference-in-differences on a matched sample" (46 characters), met a 40-character column.
The texts are collected by running each design, not copied from the code."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from backbone.evidence import assessments, combinations, designs, doubly_robust, results, staggered
from backbone.evidence import studies as core
from backbone.evidence.models import Study, StudyRun
from backbone.evidence.wwc import Equivalence
from backbone.scorecard import effects
from backbone.scorecard.models import PublishedStudy
from tests.evidence.planted import selected_sample

COVARIATES = ["prior", "disadvantaged"]


def _estimates() -> list[designs.Estimate]:
    """One estimate from every design with every option that changes its words."""
    frame = selected_sample(400).assign(person=lambda f: f.index // 2, before=lambda f: f.prior)
    return [
        designs.matched_estimate(frame, "score", COVARIATES),
        designs.matched_estimate(frame, "score", COVARIATES, person="person"),
        designs.exact_estimate(frame, "score", ["disadvantaged"]),
        designs.exact_estimate(frame, "score", COVARIATES, bins={"prior": [-9, 0, 9]}),
        designs.ipw_estimate(frame, "score", COVARIATES, person="person"),
        designs.difference_in_differences(frame, "before", "score", COVARIATES),
        doubly_robust.aipw_estimate(frame, "score", COVARIATES),
        doubly_robust.aipw_difference_in_differences(frame, "before", "score", COVARIATES),
    ]


def _labels() -> set[str]:
    """Every result's label: the defaults of each ``label`` field in the evidence modules."""
    modules = (designs, assessments, combinations, staggered, results)
    classes = [c for m in modules for c in vars(m).values() if dataclasses.is_dataclass(c)]
    fields = [f for c in classes for f in dataclasses.fields(c) if f.name == "label"]
    return {f.default for f in fields if isinstance(f.default, str)}


def _longest(texts) -> str:
    return max(texts, key=len)


@pytest.fixture(scope="module")
def estimates() -> list[designs.Estimate]:
    return _estimates()


def test_the_designs_collected_include_every_one_a_study_runs(estimates):
    assert len({e.design for e in estimates}) >= len(core.ESTIMATE_DESIGNS)


@pytest.mark.parametrize(
    ("model", "field", "texts"),
    [
        # A run's headline label is its first result's kind: any design's (evidence.results).
        (StudyRun, "label", lambda e: [x.label for x in e] + sorted(_labels())),
        (PublishedStudy, "label", lambda e: [x.label for x in e] + sorted(_labels())),
        (StudyRun, "design", lambda e: [x.design for x in e]),
        (StudyRun, "verdict", lambda e: [v.value for v in Equivalence]),
        (Study, "design", lambda e: list(core.DESIGNS)),
        (Study, "unit", lambda e: list(core.UNITS)),
    ],
)
def test_each_field_holds_the_longest_text_the_code_writes(estimates, model, field, texts):
    longest = _longest(texts(estimates))
    limit = model._meta.get_field(field).max_length
    assert len(longest) <= limit, f"{model.__name__}.{field} ({limit}) < {longest!r}"


def test_the_published_figures_fit_from_pennies_to_a_billion():
    magnitudes = [-1e9, -12_345.678, -0.5, 0.0, 0.004, 987_654.3, 1e9]
    half_widths = [1e-6, 0.05, 3.3, 2_500.0, 4e8]
    shown = [
        effects.shown(e, e - h, e + h, -e) for e, h in itertools.product(magnitudes, half_widths)
    ]
    for field, texts in [
        ("estimate", [s.estimate for s in shown]),
        ("naive", [s.naive for s in shown]),
        ("interval", [s.interval for s in shown]),
    ]:
        longest = _longest(texts)
        assert len(longest) <= PublishedStudy._meta.get_field(field).max_length, longest
