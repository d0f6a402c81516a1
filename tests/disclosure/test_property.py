"""Property: after protect, nothing small that is withheld can be recovered from what is shown.

The check is tests/disclosure/independent.py (linear programming with scipy), which shares no
code with the module's own derivation, so the module is not graded by its own reasoning.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backbone.disclosure import Policy, protect
from tests.disclosure.independent import recoverable
from tests.disclosure.tables import TableSpec, build

specs = st.builds(
    TableSpec,
    seed=st.integers(0, 2**32),
    dimension_sizes=st.lists(st.integers(2, 8), min_size=2, max_size=4).map(tuple),
    schools=st.sampled_from([0, 0, 2, 3]),
    people=st.integers(0, 300),
    outcome_rate=st.sampled_from([0.02, 0.3, 0.5, 0.9, 0.98]),
    unit=st.sampled_from(["percent", "count"]),
)
policies = st.builds(
    Policy,
    min_n=st.sampled_from([3, 5, 10, 11]),
    percent_only_below=st.sampled_from([None, 25]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs, policy=policies)
def test_no_small_withheld_figure_is_recoverable(spec, policy):
    cells, partitions = build(spec)
    published = protect(cells, partitions, policy)
    assert recoverable(cells, partitions, published, policy.min_n) == []


@settings(max_examples=100, deadline=None)
@given(spec=specs, policy=policies)
def test_shown_figures_are_never_small(spec, policy):
    cells, partitions = build(spec)
    for cell in protect(cells, partitions, policy).values():
        shown = [cell.numerator, cell.denominator]
        if None not in shown:
            shown.append(cell.denominator - cell.numerator)  # type: ignore[operator]
        assert not [x for x in shown if x is not None and 0 < x < policy.min_n], cell
