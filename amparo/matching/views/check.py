"""The duplicate check embedded in the registration form, and the similarity search page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.matching import selectors
from amparo.matching.forms import SimilaritySearchForm, candidate_from_query
from amparo.matching.views.common import AuthenticatedRequest, is_partial


@login_required
def person_check(request: AuthenticatedRequest) -> HttpResponse:
    """An HTML fragment for the registration form: likely existing persons as the worker types."""
    access.require(access.has_permission(request.user, Permission.PERSON_CREATE))
    exclude = request.GET.get("person", "")
    check = selectors.check_new_person(
        user=request.user,
        candidate=candidate_from_query(request.GET),
        exclude_person_id=int(exclude) if exclude.isdigit() else None,
    )
    response = render(request, "matching/_person_check.html", {"check": check})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    access.require(access.has_permission(request.user, Permission.PERSON_VIEW))
    form = SimilaritySearchForm(request.GET or None)
    query = form.query() if form.is_bound else None
    results = selectors.person_similarity_search(user=request.user, query=query) if query else []
    context = {"form": form, "results": results, "searched": bool(query and query.is_searchable)}
    template = "matching/search.html#results" if is_partial(request) else "matching/search.html"
    return render(request, template, context)
