"""Linkage pages: the overview, the review queue, and one pair side by side."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Abs
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render

from backbone.governance.services import record
from backbone.governance.views import second_factor_for_stewards
from backbone.identity import services
from backbone.identity.models import ReviewPair
from backbone.partnership.pages import Attention

REVIEW = "identity.review_matches"
PAGE_SIZE = 50
ORDERS = {
    "uncertain": "Most uncertain first",
    "high": "Highest score first",
    "low": "Lowest score first",
}


@dataclass(frozen=True)
class ReviewFilter:
    """The queue's filters, read from the query string; unknown values fall back to defaults."""

    decision: str = ReviewPair.Decision.PENDING
    sources: str = ""  # "partner-a~partner-b", either order
    low: float = 0.0
    high: float = 1.0
    order: str = "uncertain"

    @classmethod
    def from_query(cls, query: QueryDict) -> ReviewFilter:
        decision = query.get("decision", cls.decision)
        order = query.get("order", cls.order)
        return cls(
            decision if decision in ReviewPair.Decision.values else cls.decision,
            query.get("sources", ""),
            _probability(query.get("low"), cls.low),
            _probability(query.get("high"), cls.high),
            order if order in ORDERS else cls.order,
        )

    def apply(self, pairs: QuerySet[ReviewPair]) -> QuerySet[ReviewPair]:
        pairs = pairs.filter(
            decision=self.decision, match_probability__gte=self.low,
            match_probability__lte=self.high,
        )  # fmt: skip
        if "~" in self.sources:
            a, b = self.sources.split("~", 1)
            pairs = pairs.filter(Q(source_a=a, source_b=b) | Q(source_a=b, source_b=a))
        if self.order == "uncertain":  # nearest an even chance first
            distance = Abs(F("match_probability") - Value(0.5))
            return pairs.annotate(distance=distance).order_by("distance", "pk")
        return pairs.order_by(
            "-match_probability" if self.order == "high" else "match_probability", "pk"
        )

    def query(self) -> str:
        """The filters as a query string, for the pages' links."""
        return urlencode({
            "decision": self.decision, "sources": self.sources, "low": self.low,
            "high": self.high, "order": self.order,
        })  # fmt: skip


def _probability(text: str | None, default: float) -> float:
    try:
        value = float(text) if text not in (None, "") else default
    except ValueError:
        return default
    return min(max(value, 0.0), 1.0)


PURPOSE = "clerical review of a possible match"  # recorded in the audit log


@login_required
@permission_required(REVIEW, raise_exception=True)
@second_factor_for_stewards
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/overview.html", services.linkage_overview())


@login_required
@permission_required(REVIEW, raise_exception=True)
@second_factor_for_stewards
def review_queue(request: HttpRequest) -> HttpResponse:
    """The pairs, filtered by decision, partner pair and score band, most uncertain first (or
    by score), 50 a page with the total count."""
    chosen = ReviewFilter.from_query(request.GET)
    pairs = chosen.apply(ReviewPair.objects.all())
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "count": page.paginator.count,
        "chosen": chosen,
        "query": chosen.query(),
        "decisions": ReviewPair.Decision.choices,
        "sources": services.review_sources(),
        "orders": ORDERS,
    }
    return render(request, "identity/review_queue.html", context)


@login_required
@permission_required(REVIEW, raise_exception=True)
@second_factor_for_stewards
def review_pair(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(ReviewPair, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.decide(
                pair, request.POST.get("decision", ""), request.user, request.POST.get("note", "")
            )
        except ValueError as refused:  # a hand-made post: say so rather than fail with a 500
            error = str(refused)
        else:
            decision = {"decision": pair.decision}
            record(request.user, "change", "identity.reviewpair", pair.pk, PURPOSE, decision)
            following = services.next_pending(after=pair)
            return redirect(following.get_absolute_url() if following else "identity:review_queue")
    found = services.record_context([pair.record_a, pair.record_b])
    context = {
        "pair": pair,
        "comparisons": services.pair_comparison(pair),
        "context_a": found.get(pair.record_a),
        "context_b": found.get(pair.record_b),
        "error": error,
    }
    record(request.user, "read", "identity.reviewpair", pair.pk, PURPOSE)
    return render(request, "identity/review_pair.html", context, status=400 if error else 200)


# Added to the home page's attention list in ``IdentityConfig.ready``.
HOME_ATTENTION = (
    Attention(
        "review_pairs",
        "match pairs waiting for review",
        (REVIEW,),
        "identity:review_queue",
        lambda user, today: ReviewPair.objects.filter(decision=ReviewPair.Decision.PENDING).count(),
        singular="match pair waiting for review",
    ),
)
