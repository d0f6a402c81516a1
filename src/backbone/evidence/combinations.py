"""Practice combinations ("tutoring + mentoring"): units flagged by the set of programs they
took, and the combination compared with each program alone and with neither.

Each contrast keeps only the two arms it compares and runs a design from ``designs`` on them
(exact matching by default: the combination's participants against comparison units weighted to
their covariate mix), so every contrast has its own estimate, interval and balance table.

>>> import pandas as pd
>>> pool = pd.DataFrame({"person": ["a", "b", "c", "d"], "period": [2025] * 4})
>>> took = pd.DataFrame({"person": ["a", "a", "b"], "period": [2025] * 3,
...                      "program": ["Tutoring", "Mentoring", "Tutoring"]})
>>> program_sets(pool, took, ["Tutoring", "Mentoring"])["arm"].tolist()
['Mentoring + Tutoring', 'Tutoring', 'neither', 'neither']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from backbone.evidence import designs
from backbone.evidence.designs import Estimate
from backbone.evidence.matching import TREATED

ARM = "arm"
NEITHER = "neither"
DESIGNS = ("exact", "matched", "ipw")


def arm_name(programs: Sequence[str]) -> str:
    """The label of a set of programs: sorted, joined by " + "; "neither" for none."""
    return " + ".join(sorted(programs)) or NEITHER


def program_sets(
    pool: pd.DataFrame, participation: pd.DataFrame, programs: Sequence[str],
    keys: Sequence[str] = ("person", "period"),
) -> pd.DataFrame:  # fmt: skip
    """The pool with ``arm``: which of ``programs`` each unit took, as a set (other programs in
    the participation rows are ignored)."""
    rows = participation[participation["program"].isin(programs)]
    sets = rows.groupby(list(keys))["program"].agg(lambda p: arm_name(sorted(set(p))))
    merged = pool.merge(sets.rename(ARM).reset_index(), on=list(keys), how="left",
                        validate="one_to_one")  # fmt: skip
    merged[ARM] = merged[ARM].fillna(NEITHER)
    return merged


@dataclass(frozen=True)
class Contrast:
    """One arm against another: ``estimate`` is the effect of being in ``arm`` rather than in
    ``against``, on the units of ``arm`` (ATT)."""

    arm: str
    against: str
    estimate: Estimate


def default_contrasts(programs: Sequence[str]) -> list[tuple[str, str]]:
    """The combination of all ``programs`` against each program alone and against neither."""
    combination = arm_name(programs)
    return [(combination, arm_name([p])) for p in sorted(programs)] + [(combination, NEITHER)]


def combination_contrasts(
    frame: pd.DataFrame, outcome: str, covariates: Sequence[str], programs: Sequence[str], *,
    design: str = "exact", bins: Mapping[str, Sequence[float]] | None = None,
    contrasts: Sequence[tuple[str, str]] | None = None, person: str | None = None,
) -> list[Contrast]:  # fmt: skip
    """Each contrast (by default: the combination against each single program and against
    neither) estimated with ``design`` ("exact", with ``bins`` for coarsened exact matching;
    "matched"; "ipw") on the units of its two arms.

    Args:
        frame: one row per unit with ``arm`` (``program_sets``), the outcome and covariates.
    """
    if design not in DESIGNS:
        raise ValueError(f"design {design!r} is not one of {', '.join(DESIGNS)}")
    chosen = contrasts if contrasts is not None else default_contrasts(programs)
    return [_contrast(frame, outcome, covariates, arm, against, design, bins, person)
            for arm, against in chosen]  # fmt: skip


def _contrast(
    frame: pd.DataFrame, outcome: str, covariates: Sequence[str], arm: str, against: str,
    design: str, bins: Mapping[str, Sequence[float]] | None, person: str | None,
) -> Contrast:  # fmt: skip
    rows = frame[frame[ARM].isin([arm, against])]
    counts = rows[ARM].value_counts()
    missing = [name for name in (arm, against) if counts.get(name, 0) == 0]
    if missing:
        raise ValueError(f"no units in {' or '.join(repr(m) for m in missing)}")
    rows = rows.assign(**{TREATED: (rows[ARM] == arm).astype(int)}).reset_index(drop=True)
    if design == "exact":
        estimate = designs.exact_estimate(rows, outcome, covariates, bins, person)
    elif design == "ipw":
        estimate = designs.ipw_estimate(rows, outcome, covariates, person=person)
    else:
        estimate = designs.matched_estimate(rows, outcome, covariates, person=person)
    return Contrast(arm, against, estimate)
