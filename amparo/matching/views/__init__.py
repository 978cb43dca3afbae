"""Matching pages: the hub, the duplicate check fragment, search, review, jobs, settings."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.matching import selectors
from amparo.matching.choices import PairStatus
from amparo.matching.views.common import AuthenticatedRequest, can_configure


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    can_search = access.has_permission(user, Permission.PERSON_VIEW)
    can_review = access.has_permission(user, Permission.MATCHING_REVIEW)
    can_merge = access.has_permission(user, Permission.PERSON_MERGE)
    access.require(can_search or can_review or can_merge)
    counts = selectors.pair_counts(user=user) if can_review else {}
    context = {
        "can_search": can_search,
        "can_review": can_review,
        "can_merge": can_merge,
        "can_configure": can_configure(user),
        "pending": counts.get(PairStatus.PENDING, 0),
        "postponed": counts.get(PairStatus.POSTPONED, 0),
    }
    return render(request, "matching/index.html", context)
