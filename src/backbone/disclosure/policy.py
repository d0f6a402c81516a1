"""The publication policy: minimum cell size, percent coding and the percent-only band.

Defaults follow docs/disclosure.md (standards.md §4.3): ``min_n = 10`` is the modal state minimum
(NCES 2011-603, PTAC); 34 CFR 200.17(a) caps it at 30 and PTAC calls 3 the absolute minimum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MIN_N_RANGE = (3, 30)


@dataclass(frozen=True)
class Policy:
    """How published aggregates are protected; one per data-sharing agreement or release.

    Example: ``Policy(min_n=11, version="dsa-health-2025")`` for CMS-derived data.
    """

    min_n: int = 10
    top_code: float = 95.0
    bottom_code: float = 5.0
    percent_only_below: int | None = None
    version: str = "backbone-disclosure-1"

    def __post_init__(self) -> None:
        problems = policy_problems(self)
        if problems:
            raise ValueError("Invalid disclosure policy: " + "; ".join(problems))

    @classmethod
    def strictest(cls, policies: Iterable[Policy]) -> Policy:
        """The policy that satisfies every one of ``policies`` (e.g. all DSAs behind a number)."""
        chosen = list(policies)
        if not chosen:
            return cls()
        bands = [p.percent_only_below for p in chosen if p.percent_only_below is not None]
        versions = sorted({p.version for p in chosen})
        return cls(
            min_n=max(p.min_n for p in chosen),
            top_code=min(p.top_code for p in chosen),
            bottom_code=max(p.bottom_code for p in chosen),
            percent_only_below=max(bands) if bands else None,
            version=versions[0] if len(versions) == 1 else "strictest(" + ",".join(versions) + ")",
        )


def policy_problems(policy: Policy) -> list[str]:
    """Every reason ``policy`` cannot be used, so one error can list them all."""
    low, high = MIN_N_RANGE
    problems = []
    if not low <= policy.min_n <= high:
        problems.append(f"min_n must be between {low} and {high}, got {policy.min_n}")
    if not 0 <= policy.bottom_code < policy.top_code <= 100:
        problems.append(
            "need 0 <= bottom_code < top_code <= 100, "
            f"got bottom_code={policy.bottom_code}, top_code={policy.top_code}"
        )
    band = policy.percent_only_below
    if band is not None and band <= policy.min_n:
        problems.append(f"percent_only_below ({band}) must be greater than min_n ({policy.min_n})")
    if not policy.version:
        problems.append("version must not be empty")
    return problems
