"""Person pages: list and search, person page, register, edit, archive, documents/contacts/addresses."""

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission, Sensitivity
from amparo.accounts.models import OrgUnit
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.dates import years_before
from amparo.common.errors import ApplicationError, ConflictError
from amparo.registry import selectors, services
from amparo.registry.forms import (
    AddressForm,
    ArchiveForm,
    AreaForm,
    ContactForm,
    DocumentForm,
    PersonForm,
    PersonSearchForm,
)
from amparo.registry.models import Person
from amparo.registry.views.pages import (
    AuthenticatedRequest,
    apply_errors,
    is_partial,
    mark_saved_values,
    paginate,
    rebind,
    vary_on_htmx,
)

AREA_PREFIXES = {"", "address"}
DETAIL_KINDS = ("documents", "contacts", "addresses")


# --- Person list and search -----------------------------------------------------------------------


@login_required
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.PERSON_VIEW))
    form = PersonSearchForm(request.GET or None, units=access.units_visible_to(user, Permission.PERSON_VIEW))
    form.is_valid()
    filters = form.filters()
    page = paginate(request, selectors.person_list(user=user, filters=filters))
    used = PersonSearchForm.used_filters(filters)
    services.record_persons_shown(
        actor=user,
        persons=page.rows,
        action=AuditAction.PERSON_SEARCHED if used else AuditAction.PERSON_LISTED,
        extra={"page": page.number, "filters": used},
    )
    context = {
        "form": form,
        "page": page,
        "searching": bool(used),
        "filters_open": bool(set(used) - {"query"}),
        "can_create": access.has_permission(user, Permission.PERSON_CREATE),
    }
    template = "registry/person_list.html#results" if is_partial(request) else "registry/person_list.html"
    return vary_on_htmx(render(request, template, context))


# --- Person page ----------------------------------------------------------------------------------


def _age(person: Person) -> int | None:
    if person.date_of_birth is None:
        return None
    today = timezone.localdate()
    years = today.year - person.date_of_birth.year
    return years - 1 if years_before(today, years) < person.date_of_birth else years


def _person_context(request: AuthenticatedRequest, person: Person, **forms: Form) -> dict[str, Any]:
    user = request.user
    field_access = selectors.person_field_access(user=user, person=person)
    memberships = list(person.household_memberships.all())
    visible_households = set(
        selectors.households_visible_to(user)
        .filter(pk__in=[m.household_id for m in memberships])
        .values_list("pk", flat=True)
    )
    editing = field_access.can_edit and field_access.restricted
    address_initial = {"country": str(person.nationality) or getattr(person.org_unit, "country_code", "")}
    context: dict[str, Any] = {
        "person": person,
        "age": _age(person),
        "field_access": field_access,
        "memberships": [
            (membership, membership.household_id in visible_households) for membership in memberships
        ],
        "can_edit_details": editing,
    }
    if editing:
        context["document_form"] = forms.get("document_form") or DocumentForm(prefix="document")
        context["contact_form"] = forms.get("contact_form") or ContactForm(prefix="contact")
        context["address_form"] = forms.get("address_form") or AddressForm(
            prefix="address", sensitive=field_access.sensitive, initial=address_initial
        )
    return context


@login_required
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=pk)
    services.record_person_viewed(actor=request.user, person=person, via="web")
    return render(request, "registry/person_detail.html", _person_context(request, person))


@login_required
def person_photo(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The photo, never as public media: only for viewers cleared for sensitive fields, audited."""
    user = request.user
    person = selectors.person_get(user=user, person_id=pk)
    if not selectors.person_field_access(user=user, person=person).sensitive:
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            target=person,
            extra={"permission": str(Permission.PERSON_VIEW), "field": "photo"},
        )
        raise Http404
    if not person.photo:
        raise Http404
    audit.record(actor=user, action=AuditAction.PERSON_PHOTO_VIEWED, target=person)
    content_type = mimetypes.guess_type(person.photo.name or "")[0] or "application/octet-stream"
    response = FileResponse(person.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Register and edit ----------------------------------------------------------------------------


def _may_see_at(request: AuthenticatedRequest, unit: OrgUnit, sensitivity: Sensitivity) -> bool:
    probe = Person(org_unit=unit, created_by_id=request.user.pk)
    return access.may_see_field(request.user, probe, sensitivity, Permission.PERSON_VIEW)


@login_required
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    units = access.units_visible_to(user, Permission.PERSON_CREATE)
    access.require(units.exists())
    home_unit_id = user.home_unit_id
    default_unit = (units.filter(pk=home_unit_id).first() if home_unit_id else None) or units.first()
    posted_unit = request.POST.get("org_unit", "")
    unit = (units.filter(pk=posted_unit).first() if posted_unit.isdigit() else None) or default_unit
    assert unit is not None
    sensitive = _may_see_at(request, unit, Sensitivity.SENSITIVE)
    restricted = _may_see_at(request, unit, Sensitivity.RESTRICTED)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    home_country = getattr(user.home_unit, "country_code", "") or ""
    form = PersonForm(
        data, files, units=units, sensitive=sensitive, initial={"org_unit": unit, "nationality": home_country}
    )
    optional: dict[str, Any] = {"empty_permitted": True, "use_required_attribute": False}
    details: dict[str, Form] = {}
    if restricted:
        details = {
            "document_form": DocumentForm(data, prefix="document", **optional),
            "contact_form": ContactForm(data, prefix="contact", **optional),
            "address_form": AddressForm(
                data,
                prefix="address",
                sensitive=sensitive,
                with_current=False,
                initial={"country": home_country},
                **optional,
            ),
        }
    if data is not None and all([form.is_valid(), *(detail.is_valid() for detail in details.values())]):
        person_input = _person_input(form, details)
        try:
            person = services.person_create(
                actor=user,
                org_unit=form.cleaned_data["org_unit"],
                data=person_input,
                photo=form.cleaned_data.get("photo") or None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s was registered with Amparo ID %(id)s.")
                % {"name": person.full_name, "id": person.amparo_id},
            )
            return redirect("registry:person_detail", pk=person.pk)
    has_errors = any(bound.is_bound and bool(bound.errors) for bound in (form, *details.values()))
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "creating": True, "has_errors": has_errors, **details},
    )


def _person_input(form: PersonForm, details: dict[str, Form]) -> services.PersonInput:
    data = form.cleaned_data
    person_input = services.PersonInput(
        given_names=data["given_names"],
        first_surname=data["first_surname"],
        second_surname=data["second_surname"],
        sex=data["sex"],
        gender_identity=data.get("gender_identity") or "",
        date_of_birth=data.get("date_of_birth"),
        age_years=data.get("age_years"),
        nationality=data.get("nationality") or "",
    )
    document, contact, address = (
        details.get(name) for name in ("document_form", "contact_form", "address_form")
    )
    if document is not None and document.has_changed():
        person_input.documents.append(services.DocumentInput(**document.cleaned_data))
    if contact is not None and contact.has_changed():
        person_input.contacts.append(services.ContactInput(**contact.cleaned_data))
    if isinstance(address, AddressForm) and address.has_changed():
        person_input.addresses.append(_address_input(address))
    return person_input


def _address_input(form: AddressForm) -> services.AddressInput:
    data = form.cleaned_data
    return services.AddressInput(
        country=data["country"],
        department_id=data["department"].pk if data.get("department") else None,
        municipality_id=data["municipality"].pk if data.get("municipality") else None,
        line=data.get("line") or "",
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        is_current=data.get("is_current", True),
    )


def _person_initial(person: Person) -> dict[str, Any]:
    return {
        "given_names": person.given_names,
        "first_surname": person.first_surname,
        "second_surname": person.second_surname,
        "sex": person.sex,
        "gender_identity": person.gender_identity,
        "date_of_birth": person.date_of_birth,
        "nationality": str(person.nationality or ""),
        "version": person.version,
    }


@login_required
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    person = selectors.person_get(user=user, person_id=pk, permission=Permission.PERSON_EDIT)
    if person.is_archived:
        messages.error(request, _("This person is archived and cannot be changed."))
        return redirect("registry:person_detail", pk=person.pk)
    field_access = selectors.person_field_access(user=user, person=person)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = PersonForm(
        data, files, person=person, sensitive=field_access.sensitive, initial=_person_initial(person)
    )
    conflict = False
    if data is not None and form.is_valid():
        try:
            services.person_update(
                actor=user,
                person=person,
                expected_version=form.cleaned_data["version"],
                changes=form.person_changes(),
                photo=form.cleaned_data.get("photo") or None,
            )
        except ConflictError as error:
            conflict = True
            current = selectors.person_get(user=user, person_id=pk, permission=Permission.PERSON_EDIT)
            form = PersonForm(
                rebind(form, version=current.version),
                files,
                person=current,
                sensitive=field_access.sensitive,
                initial=_person_initial(current),
            )
            form.is_valid()
            form.add_error(None, error.message)
            mark_saved_values(form, _person_initial(current))
            person = current
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:person_detail", pk=person.pk)
    if data is None or conflict:
        services.record_person_viewed(actor=user, person=person, via="web_edit")
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "person": person, "creating": False, "conflict": conflict},
    )


@login_required
def person_archive(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    person = selectors.person_get(user=user, person_id=pk, permission=Permission.PERSON_ARCHIVE)
    if person.is_archived:
        return redirect("registry:person_detail", pk=person.pk)
    form = ArchiveForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.person_archive(actor=user, person=person, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("The record was archived."))
            return redirect("registry:person_detail", pk=person.pk)
    services.record_person_viewed(actor=user, person=person, via="web_archive")
    return render(
        request,
        "registry/archive_confirm.html",
        {
            "form": form,
            "record": person,
            "title": person.full_name,
            "identifier": person.amparo_id,
            "cancel_url": reverse("registry:person_detail", args=[person.pk]),
            "question": _("Archive this person's record?"),
            "explanation": _(
                "An archived record is kept with its history. Lists and searches show it only "
                "when you ask for archived records, and it can no longer be changed."
            ),
        },
    )


# --- Documents, contacts and addresses on the person page -----------------------------------------


def _detail_target(request: AuthenticatedRequest, pk: int) -> Person:
    person = selectors.person_get(user=request.user, person_id=pk, permission=Permission.PERSON_EDIT)
    access.require(selectors.person_field_access(user=request.user, person=person).restricted)
    return person


def _detail_response(
    request: AuthenticatedRequest, pk: int, section: str, saved: bool, **forms: Form
) -> HttpResponse:
    """htmx: the section again (a fresh form once saved). Without JS: back to the page, or it with errors."""
    if saved and not is_partial(request):
        return redirect("registry:person_detail", pk=pk)
    person = selectors.person_get(user=request.user, person_id=pk)
    services.record_person_viewed(actor=request.user, person=person, via="web_section")
    context = _person_context(request, person, **({} if saved else forms))
    if is_partial(request):
        return vary_on_htmx(render(request, f"registry/person_detail.html#{section}", context))
    return render(request, "registry/person_detail.html", context)


@login_required
@require_POST
def person_document_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _detail_target(request, pk)
    form = DocumentForm(request.POST, prefix="document")
    saved = False
    if form.is_valid():
        try:
            services.person_document_add(
                actor=request.user, person=person, data=services.DocumentInput(**form.cleaned_data)
            )
            saved = True
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
    return _detail_response(request, pk, "documents", saved, document_form=form)


@login_required
@require_POST
def person_contact_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _detail_target(request, pk)
    form = ContactForm(request.POST, prefix="contact")
    saved = False
    if form.is_valid():
        try:
            services.person_contact_add(
                actor=request.user, person=person, data=services.ContactInput(**form.cleaned_data)
            )
            saved = True
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
    return _detail_response(request, pk, "contacts", saved, contact_form=form)


@login_required
@require_POST
def person_address_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _detail_target(request, pk)
    sensitive = selectors.person_field_access(user=request.user, person=person).sensitive
    form = AddressForm(request.POST, prefix="address", sensitive=sensitive)
    saved = False
    if form.is_valid():
        try:
            services.person_address_add(actor=request.user, person=person, data=_address_input(form))
            saved = True
        except ValidationError as error:
            apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
    return _detail_response(request, pk, "addresses", saved, address_form=form)


@login_required
@require_POST
def person_detail_remove(request: AuthenticatedRequest, pk: int, kind: str, item_id: int) -> HttpResponse:
    access.require(kind in DETAIL_KINDS)
    person = _detail_target(request, pk)
    try:
        services.person_detail_remove(actor=request.user, person=person, kind=kind, item_id=item_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    return _detail_response(request, pk, kind, True)


@login_required
def area_fields(request: AuthenticatedRequest) -> HttpResponse:
    """The country → department → municipality selects again, each listing the areas of the level above."""
    prefix = request.GET.get("prefix", "")
    access.require(prefix in AREA_PREFIXES)
    form = AreaForm(
        prefix=prefix or None,
        initial={
            name: request.GET.get(f"{prefix}-{name}" if prefix else name, "")
            for name in ("country", "department", "municipality")
        },
    )
    return render(
        request, "registry/_area_fields.html", {"form": form, "prefix": prefix, "show_errors": False}
    )
