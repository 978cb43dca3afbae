"""Registry pages: persons and households, server-rendered with htmx partials.

Parse → access → service/selector → render. Every page that shows personal data writes its
audit row; objects come only through the selectors (404 for missing and forbidden alike).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import RoleAssignment
from amparo.registry import selectors
from amparo.registry.views.pages import AuthenticatedRequest


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    persons = selectors.persons_visible_to(user).filter(is_archived=False)
    households = selectors.households_visible_to(user).filter(is_archived=False)
    can_persons = access.has_permission(user, Permission.PERSON_VIEW)
    can_households = access.has_permission(user, Permission.HOUSEHOLD_VIEW)
    context = {
        "persons_visible": persons.count() if can_persons else None,
        "persons_mine": persons.filter(created_by=user).count() if can_persons else None,
        "households_visible": households.count() if can_households else None,
        "can_create_person": access.has_permission(user, Permission.PERSON_CREATE),
        "grants": RoleAssignment.objects.active().filter(user=user).select_related("role", "org_unit"),
    }
    return render(request, "registry/home.html", context)
