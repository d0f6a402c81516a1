"""Publication rules set by data-sharing agreements, and the strictest of several.

An agreement may set a minimum cell size (``min_n``, 3–30) and top or bottom coding (the percent
of highest or lowest values published only as "at or above" / "at or below" a threshold). A
figure built from several partners' data must honour every governing agreement at once, so the
strictest rule wins: the largest minimum cell size and the largest coding percents. A rule an
agreement leaves unset does not loosen another's.

>>> strictest_publication_rule([PublicationRule(10, 1.0, None), PublicationRule(20, None, 5.0)])
PublicationRule(min_n=20, top_code=1.0, bottom_code=5.0)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol, TypeVar

N = TypeVar("N", int, float)


class PublicationRule(NamedTuple):
    """A minimum cell size and coding percents; ``None`` where no agreement sets one."""

    min_n: int | None = None
    top_code: float | None = None
    bottom_code: float | None = None


class HasPublicationRule(Protocol):
    """Anything with an agreement's publication fields, e.g. a ``governance.Agreement``."""

    @property
    def publication_min_n(self) -> int | None: ...
    @property
    def top_code_percent(self) -> float | None: ...
    @property
    def bottom_code_percent(self) -> float | None: ...


def rule_of(agreement: HasPublicationRule) -> PublicationRule:
    """The publication rule an agreement sets."""
    return PublicationRule(
        agreement.publication_min_n, agreement.top_code_percent, agreement.bottom_code_percent
    )


def strictest_publication_rule(
    agreements: Iterable[PublicationRule | HasPublicationRule],
) -> PublicationRule:
    """The rule satisfying every one of ``agreements`` (rules, or agreements that carry one).

    >>> strictest_publication_rule([])
    PublicationRule(min_n=None, top_code=None, bottom_code=None)
    """
    rules = [a if isinstance(a, PublicationRule) else rule_of(a) for a in agreements]
    return PublicationRule(
        _largest(r.min_n for r in rules),
        _largest(r.top_code for r in rules),
        _largest(r.bottom_code for r in rules),
    )


def _largest(values: Iterable[N | None]) -> N | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
