"""Household pages: list, page, create, edit, members (with a person picker), archive."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission, Sensitivity
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError, ConflictError
from amparo.registry import selectors, services
from amparo.registry.forms import (
    ArchiveForm,
    HouseholdForm,
    HouseholdSearchForm,
    MemberAddForm,
    MemberLeaveForm,
)
from amparo.registry.models import Household, Person
from amparo.registry.selectors import PersonFilters
from amparo.registry.views.pages import (
    AuthenticatedRequest,
    apply_errors,
    is_partial,
    mark_saved_values,
    paginate,
    rebind,
    vary_on_htmx,
)

PICKER_SIZE = 10


@login_required
def household_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.HOUSEHOLD_VIEW))
    form = HouseholdSearchForm(request.GET or None)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    households = selectors.household_list(
        user=user, query=cleaned.get("q") or "", archived=cleaned.get("status") or "active"
    )
    households = households.annotate(
        member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
    )
    page = paginate(request, households)
    audit.record(
        actor=user,
        action=AuditAction.HOUSEHOLD_LISTED,
        target_type="registry.household",
        extra={
            "shown": [household.pk for household in page.rows],
            "page": page.number,
            "searched": bool(cleaned.get("q")),
        },
    )
    context = {
        "form": form,
        "page": page,
        "can_create": access.has_permission(user, Permission.HOUSEHOLD_EDIT),
    }
    template = (
        "registry/household_list.html#results" if is_partial(request) else "registry/household_list.html"
    )
    return vary_on_htmx(render(request, template, context))


def _household_access(request: AuthenticatedRequest, household: Household) -> dict[str, bool]:
    user = request.user
    return {
        "restricted": access.may_see_field(
            user, household, Sensitivity.RESTRICTED, Permission.HOUSEHOLD_VIEW
        ),
        "sensitive": access.may_see_field(user, household, Sensitivity.SENSITIVE, Permission.HOUSEHOLD_VIEW),
        "can_edit": access.can(user, Permission.HOUSEHOLD_EDIT, household) and not household.is_archived,
    }


@login_required
def household_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    household = selectors.household_get(user=user, household_id=pk)
    members = selectors.household_members(user=user, household=household, include_past=True)
    shown = [membership.person_id for membership, visible in members if visible]
    audit.record(actor=user, action=AuditAction.HOUSEHOLD_VIEWED, target=household, extra={"shown": shown})
    household_access = _household_access(request, household)
    context = {
        "household": household,
        "current_members": [(m, visible) for m, visible in members if m.left_on is None],
        "past_members": [(m, visible) for m, visible in members if m.left_on is not None],
        "household_access": household_access,
        "leave_form": MemberLeaveForm(),
    }
    return render(request, "registry/household_detail.html", context)


@login_required
def household_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    units = access.units_visible_to(user, Permission.HOUSEHOLD_EDIT)
    access.require(units.exists())
    home_unit_id = user.home_unit_id
    default_unit = (units.filter(pk=home_unit_id).first() if home_unit_id else None) or units.first()
    home_country = getattr(user.home_unit, "country_code", "") or ""
    form = HouseholdForm(
        request.POST if request.method == "POST" else None,
        units=units,
        initial={"org_unit": default_unit, "country": home_country},
    )
    if form.is_bound and form.is_valid():
        try:
            household = services.household_create(
                actor=user, org_unit=form.cleaned_data["org_unit"], **form.household_values()
            )
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Household %(code)s created.") % {"code": household.code})
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "creating": True})


def _household_initial(household: Household) -> dict[str, Any]:
    return {
        "name": household.name,
        "country": str(household.country),
        "department": household.department_id,
        "municipality": household.municipality_id,
        "address_line": household.address_line,
        "latitude": household.latitude,
        "longitude": household.longitude,
        "version": household.version,
    }


@login_required
def household_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    household = selectors.household_get(user=user, household_id=pk, permission=Permission.HOUSEHOLD_EDIT)
    if household.is_archived:
        messages.error(request, _("This household is archived and cannot be changed."))
        return redirect("registry:household_detail", pk=household.pk)
    flags = _household_access(request, household)
    form = HouseholdForm(
        request.POST if request.method == "POST" else None,
        restricted=flags["restricted"],
        sensitive=flags["sensitive"],
        initial=_household_initial(household),
    )
    conflict = False
    if form.is_bound and form.is_valid():
        try:
            services.household_update(
                actor=user,
                household=household,
                expected_version=form.cleaned_data["version"],
                changes=form.household_values(),
            )
        except ConflictError as error:
            conflict = True
            current = selectors.household_get(
                user=user, household_id=pk, permission=Permission.HOUSEHOLD_EDIT
            )
            form = HouseholdForm(
                rebind(form, version=current.version),
                restricted=flags["restricted"],
                sensitive=flags["sensitive"],
                initial=_household_initial(current),
            )
            form.is_valid()
            form.add_error(None, error.message)
            saved = _household_initial(current)
            saved.update(department=current.department, municipality=current.municipality)
            mark_saved_values(form, saved)
            household = current
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "household": household, "creating": False, "conflict": conflict},
    )


def _picker_results(
    request: AuthenticatedRequest, household: Household, query: str
) -> list[tuple[Person, bool]]:
    """Persons the user may see matching `query`, flagged when already current members (audited)."""
    if not query.strip():
        return []
    persons = list(selectors.person_list(user=request.user, filters=PersonFilters(query=query))[:PICKER_SIZE])
    services.record_persons_shown(
        actor=request.user,
        persons=persons,
        action=AuditAction.PERSON_SEARCHED,
        extra={"via": "household_picker", "household": household.pk},
    )
    members = set(household.memberships.filter(left_on__isnull=True).values_list("person_id", flat=True))
    return [(person, person.pk in members) for person in persons]


@login_required
def household_member_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    household = selectors.household_get(user=user, household_id=pk, permission=Permission.HOUSEHOLD_EDIT)
    access.require(not household.is_archived)
    query = request.GET.get("q") or request.POST.get("q", "")
    if is_partial(request) and request.method == "GET":
        context = {
            "household": household,
            "results": _picker_results(request, household, query),
            "query": query,
        }
        return vary_on_htmx(render(request, "registry/household_member_form.html#picker", context))
    form = MemberAddForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        person = selectors.person_get(user=user, person_id=form.cleaned_data["person"])
        try:
            services.household_member_add(
                actor=user,
                household=household,
                person=person,
                relationship=form.cleaned_data["relationship"],
                joined_on=form.cleaned_data.get("joined_on"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s was added to the household.") % {"name": person.full_name})
            return redirect("registry:household_detail", pk=household.pk)
    context = {
        "household": household,
        "form": form,
        "query": query,
        "results": _picker_results(request, household, query),
    }
    return render(request, "registry/household_member_form.html", context)


@login_required
@require_POST
def household_member_leave(request: AuthenticatedRequest, pk: int, membership_id: int) -> HttpResponse:
    user = request.user
    household = selectors.household_get(user=user, household_id=pk, permission=Permission.HOUSEHOLD_EDIT)
    access.require(not household.is_archived)
    membership = get_object_or_404(household.memberships.filter(left_on__isnull=True), pk=membership_id)
    form = MemberLeaveForm(request.POST)
    if form.is_valid():
        services.household_member_remove(
            actor=user, membership=membership, left_on=form.cleaned_data.get("left_on")
        )
        messages.success(request, _("The member's departure was recorded."))
    else:
        messages.error(request, "; ".join(str(error) for error in form.errors.get("left_on", [])))
    return redirect("registry:household_detail", pk=household.pk)


@login_required
def household_archive(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    household = selectors.household_get(user=user, household_id=pk, permission=Permission.HOUSEHOLD_EDIT)
    if household.is_archived:
        return redirect("registry:household_detail", pk=household.pk)
    form = ArchiveForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.household_archive(actor=user, household=household, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("The household was archived."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/archive_confirm.html",
        {
            "form": form,
            "record": household,
            "title": str(household),
            "identifier": household.code,
            "cancel_url": reverse("registry:household_detail", args=[household.pk]),
            "question": _("Archive this household?"),
            "explanation": _(
                "An archived household is kept with its members' history but can no longer be changed."
            ),
        },
    )
