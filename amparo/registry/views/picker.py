"""The person picker: search-as-you-type for other apps' forms (a case's persons involved, the
person a case is opened for). Served as an htmx fragment of radio options; the form that holds
the picker posts the chosen person's id, and its own service checks access again."""

import re

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amparo.accounts import access
from amparo.accounts.choices import Permission, Sensitivity
from amparo.accounts.models import User
from amparo.audit.choices import AuditAction
from amparo.registry import selectors, services
from amparo.registry.models import IdentityDocument, Person
from amparo.registry.selectors import PersonFilters
from amparo.registry.views.pages import AuthenticatedRequest, vary_on_htmx

PICKER_SIZE = 8
FIELD_NAME = re.compile(r"^[a-z_]{1,40}$")


@login_required
@require_GET
def person_picker(request: AuthenticatedRequest) -> HttpResponse:
    """Up to PICKER_SIZE persons the user may see matching `q`, as radio options named `field`
    (name, date of birth, first document and unit tell namesakes apart). Audited as a search."""
    user = request.user
    access.require(access.has_permission(user, Permission.PERSON_VIEW))
    query = request.GET.get("q", "").strip()
    field = request.GET.get("field", "person")
    field = field if FIELD_NAME.match(field) else "person"
    persons = []
    if len(query) >= 2:
        persons = list(
            selectors.person_list(user=user, filters=PersonFilters(query=query)).prefetch_related(
                Prefetch("documents", queryset=IdentityDocument.objects.order_by("id"))
            )[:PICKER_SIZE]
        )
        services.record_persons_shown(
            actor=user, persons=persons, action=AuditAction.PERSON_SEARCHED, extra={"via": "person_picker"}
        )
    # Documents are restricted: shown only where the viewer's clearance reaches them, as on the person page.
    options = [
        (person, next(iter(person.documents.all()), None) if _documents_shown(user, person) else None)
        for person in persons
    ]
    context = {"options": options, "query": query, "field": field, "short": 0 < len(query) < 2}
    return vary_on_htmx(render(request, "registry/_person_picker_results.html", context))


def _documents_shown(user: User, person: Person) -> bool:
    return access.may_see_field(user, person, Sensitivity.RESTRICTED, Permission.PERSON_VIEW)
