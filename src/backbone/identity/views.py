"""Linkage pages: the overview, the review queue, and one pair side by side."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backbone.governance.services import record
from backbone.governance.views import second_factor_for_stewards
from backbone.identity import services
from backbone.identity.models import ReviewPair

REVIEW = "identity.review_matches"
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
    decision = request.GET.get("decision", ReviewPair.Decision.PENDING)
    pairs = ReviewPair.objects.filter(decision=decision)[:300]
    context = {"pairs": pairs, "decision": decision, "decisions": ReviewPair.Decision.choices}
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
    context = {"pair": pair, "comparisons": services.pair_comparison(pair), "error": error}
    record(request.user, "read", "identity.reviewpair", pair.pk, PURPOSE)
    return render(request, "identity/review_pair.html", context, status=400 if error else 200)
