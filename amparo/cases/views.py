"""Case pages: list with filters over form data and saved filters, open, detail, form answers,
interventions, reclassify/close/reopen, persons involved, CSV export, case type configuration.

Thin: parse → access (selectors) → service → render. Every page that shows cases audits them.
"""

import csv
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.cases import selectors, services
from amparo.cases.choices import CaseStatus, FormPurpose, InvolvementRole, RiskLevel
from amparo.cases.models import Case, CaseType
from amparo.cases.selectors import CaseFilters, FieldFilter
from amparo.cases.services import (
    CaseOpenInput,
    CaseTypeInput,
    FormDataInvalidError,
    NamedInput,
    TypeFormInput,
)
from amparo.common.errors import ApplicationError
from amparo.forms import selectors as forms_selectors
from amparo.forms.choices import FieldType
from amparo.forms.exports import export_columns, export_row
from amparo.forms.rendering import data_from_post, merge_answers, render_display, render_form
from amparo.forms.services import form_files_store
from amparo.registry.selectors import person_get

PAGE_SIZE = 25
VIA = "web"


class AuthenticatedRequest(HttpRequest):
    user: User


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _person_search_url() -> str:
    return reverse("api-persons")


# --- List -----------------------------------------------------------------------------------------


def _field_filters(request: HttpRequest, fields: list[selectors.FilterableField]) -> tuple[FieldFilter, ...]:
    """`f.<form id>.<field>` (option/yes-no/text) and `….from` / `….to` (dates, numbers) from the query."""
    result: list[FieldFilter] = []
    for item in fields:
        key = f"f.{item.key}"
        kind = item.field.type
        if kind in (
            FieldType.DATE,
            FieldType.DATETIME,
            FieldType.INTEGER,
            FieldType.DECIMAL,
            FieldType.CALCULATED,
        ):
            for suffix, operator in ((".from", "gte"), (".to", "lte")):
                raw = request.GET.get(key + suffix, "").strip()
                if not raw:
                    continue
                value: Any = raw
                if kind in (FieldType.INTEGER, FieldType.DECIMAL):
                    try:
                        value = float(raw) if "." in raw else int(raw)
                    except ValueError:
                        continue
                result.append(FieldFilter(item.form_id, item.name, operator, value, kind))
            continue
        raw = request.GET.get(key, "").strip()
        if not raw:
            continue
        if kind == FieldType.SELECT_ONE:
            result.append(FieldFilter(item.form_id, item.name, "eq", raw, kind))
        elif kind == FieldType.SELECT_MULTIPLE:
            result.append(FieldFilter(item.form_id, item.name, "has", raw, kind))
        elif kind == FieldType.YES_NO:
            result.append(FieldFilter(item.form_id, item.name, "eq", raw == "yes", kind))
        else:
            result.append(FieldFilter(item.form_id, item.name, "contains", raw, kind))
    return result and tuple(result) or ()


def _filter_widgets(request: HttpRequest, fields: list[selectors.FilterableField]) -> list[dict[str, Any]]:
    """What the template needs to draw one input (or a from/to pair) per filterable field."""
    language = "en" if (request.LANGUAGE_CODE or "es").startswith("en") else "es"
    widgets = []
    for item in fields:
        key = f"f.{item.key}"
        label = item.field.label.get(language) or item.field.label.get("es") or item.field.name
        if item.path:  # inside a repeat group: "Siblings › Age" (any instance matches)
            group = item.group_label.get(language) or item.group_label.get("es") or item.path.split("/")[0]
            label = f"{group} › {label}"
        widget: dict[str, Any] = {
            "key": key,
            "label": label,
            "form": item.form_title,
            "type": item.field.type,
        }
        if item.field.type in (
            FieldType.DATE,
            FieldType.DATETIME,
            FieldType.INTEGER,
            FieldType.DECIMAL,
            FieldType.CALCULATED,
        ):
            widget["range"] = True
            widget["input"] = "date" if item.field.type in (FieldType.DATE, FieldType.DATETIME) else "number"
            widget["from"] = request.GET.get(key + ".from", "")
            widget["to"] = request.GET.get(key + ".to", "")
        elif item.field.type in (FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE, FieldType.YES_NO):
            widget["options"] = _options(item, language)
            widget["value"] = request.GET.get(key, "")
        else:
            widget["value"] = request.GET.get(key, "")
        widgets.append(widget)
    return widgets


def _options(item: selectors.FilterableField, language: str) -> list[tuple[str, str]]:
    if item.field.type == FieldType.YES_NO:
        return [("yes", _("Yes")), ("no", _("No"))]
    option_list = item.definition.option_list(item.field.options)
    return [
        (option.value, option.label.get(language) or option.label.get("es") or option.value)
        for option in option_list.options
    ]


@login_required
@require_http_methods(["GET"])
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.CASE_VIEW))
    case_types = list(selectors.case_types_active())
    case_type = next((item for item in case_types if str(item.pk) == request.GET.get("type")), None)
    fields = (
        selectors.filterable_fields(case_type, clearance=selectors.list_clearance(user)) if case_type else []
    )
    filters = CaseFilters(
        status=request.GET.get("status", "") if request.GET.get("status") in CaseStatus.values else "",
        case_type_id=case_type.pk if case_type else None,
        classification_id=_int(request.GET.get("classification")) if case_type else None,
        owner_id=user.pk if request.GET.get("mine") else None,
        org_unit_id=_int(request.GET.get("unit")),
        risk_level=request.GET.get("risk", "") if request.GET.get("risk") in RiskLevel.values else "",
        number=request.GET.get("number", "")[:40],
        opened_from=_date(request.GET.get("opened_from")),
        opened_to=_date(request.GET.get("opened_to")),
        fields=_field_filters(request, fields),
        sort=request.GET.get("sort", "-opened_on"),
    )
    cases = selectors.case_list(user=user, filters=filters)
    page_number = max(_int(request.GET.get("page")) or 1, 1)
    counts, rows, has_next = selectors.case_list_page(cases, page=page_number, size=PAGE_SIZE)
    services.record_cases_shown(
        actor=user, cases=rows, via=VIA, extra={"page": page_number, "filters": filters.used()}
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": rows,
            "counts": counts,
            "case_types": case_types,
            "case_type": case_type,
            "classifications": selectors.classifications_of(case_type) if case_type else [],
            "units": access.units_visible_to(user, Permission.CASE_VIEW).order_by("name")[:200],
            "statuses": CaseStatus.choices,
            "risks": RiskLevel.choices,
            "sorts": [
                ("-opened_on", _("Newest first")),
                ("opened_on", _("Oldest first")),
                ("number", _("Number")),
                ("-risk_level", _("Risk")),
            ],
            "widgets": _filter_widgets(request, fields),
            "params": request.GET,
            "query": query.urlencode(),
            "page": page_number,
            "has_next": has_next,
            "saved_filters": selectors.saved_filters_of(user),
            "can_create": access.has_permission(user, Permission.CASE_CREATE),
            "can_manage_types": access.has_permission(user, Permission.CASE_TYPE_MANAGE),
        },
    )


@login_required
@require_POST
def saved_filter_save(request: AuthenticatedRequest) -> HttpResponse:
    access.require(access.has_permission(request.user, Permission.CASE_VIEW))
    name = request.POST.get("name", "").strip()
    query = request.POST.get("query", "")
    if name:
        services.saved_filter_save(user=request.user, name=name, query=query)
        messages.success(request, _("Filter saved."))
    return redirect(f"{reverse('cases:case_list')}?{query}")


@login_required
@require_POST
def saved_filter_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    services.saved_filter_delete(user=request.user, saved_filter_id=pk)
    return redirect("cases:case_list")


@login_required
def case_export(request: AuthenticatedRequest) -> HttpResponse:
    """CSV of the filtered cases of one type: case columns + each form's fields the viewer may see."""
    user = request.user
    access.require(access.has_permission(user, Permission.CASE_VIEW))
    case_type = selectors.case_types_active().filter(pk=_int(request.GET.get("type")) or 0).first()
    access.require(case_type is not None)
    assert case_type is not None
    clearance = selectors.list_clearance(user)
    fields = selectors.filterable_fields(case_type, clearance=clearance)
    filters = CaseFilters(
        case_type_id=case_type.pk,
        fields=_field_filters(request, fields),
        status=request.GET.get("status", "") if request.GET.get("status") in CaseStatus.values else "",
    )
    cases = list(selectors.case_list(user=user, filters=filters).prefetch_related("form_records")[:5000])
    links = selectors.type_forms(case_type)
    columns = {
        link.form_id: export_columns(forms_selectors.field_catalogue(link.form), clearance=clearance)
        for link in links
    }
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cases-{case_type.code}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [_("Number"), _("Status"), _("Opened on"), _("Risk level")]
        + [column.label for link in links for column in columns[link.form_id]]
    )
    for case in cases:
        records = {record.form_id: record.data for record in case.form_records.all()}
        row = [
            case.number,
            case.get_status_display(),
            case.opened_on.strftime("%d/%m/%Y"),
            case.get_risk_level_display(),
        ]
        for link in links:
            row += export_row(columns[link.form_id], records.get(link.form_id, {}))
        writer.writerow(row)
    audit.record(
        actor=user,
        action=AuditAction.CASE_EXPORTED,
        target_type="cases.case",
        extra={"shown": [case.pk for case in cases], "case_type": case_type.pk, "via": VIA},
    )
    return response


# --- Open a case ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    units = access.units_visible_to(user, Permission.CASE_CREATE).order_by("name")
    access.require(units.exists())
    source = request.POST if request.method == "POST" else request.GET
    case_type = selectors.case_types_active().filter(pk=_int(source.get("type")) or 0).first()
    person = None
    if _int(source.get("person")):
        person = person_get(user=user, person_id=_int(source.get("person")))
    if case_type is None or person is None:
        return render(
            request,
            "cases/case_start.html",
            {
                "case_types": selectors.case_types_active(),
                "person": person,
                "chosen_type": case_type,
                "person_search_url": _person_search_url(),
            },
        )
    registration = next(
        (link for link in selectors.type_forms(case_type) if link.purpose == FormPurpose.REGISTRATION), None
    )
    version = forms_selectors.latest_version(registration.form) if registration else None
    definition = forms_selectors.definition_of(version) if version else None
    errors: dict[str, list[str]] = {}
    field_errors: dict[str, str] = {}
    data: dict[str, Any] | None = None
    if request.method == "POST":
        forms_data = {}
        if definition is not None and registration is not None:
            data = data_from_post(definition, request.POST)
            stored, file_errors = form_files_store(definition=definition, files=request.FILES)
            data = merge_answers(data, stored)
            errors.update(file_errors)
            forms_data[registration.form.identifier] = data
        unit = units.filter(pk=_int(request.POST.get("org_unit")) or 0).first()
        classification = (
            selectors.classifications_of(case_type)
            .filter(pk=_int(request.POST.get("classification")) or 0)
            .first()
        )
        if unit is None:
            field_errors["org_unit"] = _("Choose a unit.")
        risk = request.POST.get("risk_level", RiskLevel.LOW)
        if not errors and not field_errors:
            try:
                case = services.case_open(
                    actor=user,
                    data=CaseOpenInput(
                        case_type=case_type,
                        person=person,
                        org_unit=unit,
                        classification=classification,  # type: ignore[arg-type]
                        risk_level=risk if risk in RiskLevel.values else RiskLevel.LOW,
                        forms=forms_data,
                    ),
                )
            except FormDataInvalidError as error:
                errors = next(iter(error.fields.values()), {})
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/case_create.html",
        {
            "case_type": case_type,
            "person": person,
            "units": units,
            "classifications": selectors.classifications_of(case_type),
            "risks": RiskLevel.choices,
            "values": request.POST
            if request.method == "POST"
            else {"org_unit": str(user.home_unit_id or "")},
            "field_errors": field_errors,
            "error_count": len(errors) + len(field_errors),
            "rendered": render_form(
                definition, data=data, errors=errors, person_search_url=_person_search_url()
            )
            if definition
            else "",
            "registration": registration,
        },
    )


# --- Detail and changes ---------------------------------------------------------------------------


def _form_blocks(user: User, case: Case) -> list[dict[str, Any]]:
    clearance = selectors.case_clearance(user, case)
    records = {record.form_id: record for record in case.form_records.all()}
    blocks = []
    for link in selectors.type_forms(case.case_type):
        record = records.get(link.form_id)
        display = ""
        if record is not None:
            definition = forms_selectors.definition_of(record.form_version)
            display = render_display(
                definition,
                record.data,
                clearance=clearance,
                catalogue=forms_selectors.field_catalogue(record.form),
            )
        blocks.append({"link": link, "record": record, "display": display})
    return blocks


def _intervention_blocks(user: User, case: Case) -> list[dict[str, Any]]:
    clearance = selectors.case_clearance(user, case)
    blocks = []
    for intervention in selectors.interventions_of(case):
        display = ""
        if intervention.form_version is not None:
            definition = forms_selectors.definition_of(intervention.form_version)
            display = render_display(definition, intervention.data, clearance=clearance)
        blocks.append({"intervention": intervention, "display": display})
    return blocks


@login_required
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get(user=user, case_id=pk)
    services.record_case_viewed(actor=user, case=case, via=VIA)
    can_edit = access.can(user, Permission.CASE_EDIT, case) and not case.is_closed
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "forms": _form_blocks(user, case),
            "interventions": _intervention_blocks(user, case),
            "history": selectors.history_of(case),
            "can_edit": can_edit,
            "can_close": access.can(user, Permission.CASE_CLOSE, case),
            "classifications": selectors.classifications_of(case.case_type).exclude(
                pk=case.classification_id or 0
            ),
            "intervention_types": selectors.intervention_types_of(case.case_type),
            "roles": InvolvementRole.choices,
            "person_search_url": _person_search_url(),
        },
    )


def _edit_target(
    request: AuthenticatedRequest, pk: int, permission: Permission = Permission.CASE_EDIT
) -> Case:
    return selectors.case_get(user=request.user, case_id=pk, permission=permission)


@login_required
@require_http_methods(["GET", "POST"])
def case_form_edit(request: AuthenticatedRequest, pk: int, form_id: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get(user=user, case_id=pk, permission=Permission.CASE_EDIT, with_involved=False)
    link = next((item for item in selectors.type_forms(case.case_type) if item.form_id == form_id), None)
    access.require(link is not None)
    assert link is not None
    version = forms_selectors.latest_version(link.form, with_definition=False)
    access.require(version is not None)
    assert version is not None
    definition = forms_selectors.definition_of(version)
    record = next((item for item in case.form_records.all() if item.form_id == form_id), None)
    data: dict[str, Any] | None = record.data if record else None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = data_from_post(definition, request.POST)
        stored, file_errors = form_files_store(definition=definition, files=request.FILES)
        data = merge_answers(data, stored)
        errors.update(file_errors)
        if not errors:
            try:
                services.case_form_save(
                    actor=user,
                    case=case,
                    form=link.form,
                    data=data,
                    expected_version=_int(request.POST.get("version")) or 0,
                )
            except FormDataInvalidError as error:
                errors = next(iter(error.fields.values()), {})
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("cases:case_detail", pk=case.pk)
    clearance = selectors.case_clearance(user, case)
    if data and record and request.method == "GET":
        # A viewer below a field's sensitivity never gets its answer in the page; the service keeps
        # the stored answer of such fields when saving.
        data = forms_selectors.redact(data, definition, clearance)
    services.record_case_viewed(actor=user, case=case, via=VIA)
    return render(
        request,
        "cases/case_form_edit.html",
        {
            "case": case,
            "link": link,
            "version": version,
            "error_count": len(errors),
            "rendered": render_form(
                definition, data=data, errors=errors, person_search_url=_person_search_url()
            ),
        },
    )


def _after(request: AuthenticatedRequest, case_id: int, call: Any) -> HttpResponse:
    try:
        call()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("cases:case_detail", pk=case_id)


@login_required
@require_POST
def case_reclassify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _edit_target(request, pk)
    classification = (
        selectors.classifications_of(case.case_type)
        .filter(pk=_int(request.POST.get("classification")) or 0)
        .first()
    )
    if classification is None:
        messages.error(request, _("Choose a classification."))
        return redirect("cases:case_detail", pk=case.pk)
    return _after(
        request,
        case.pk,
        lambda: services.case_reclassify(
            actor=request.user,
            case=case,
            classification=classification,
            reason=request.POST.get("reason", ""),
            expected_version=_int(request.POST.get("version")) or 0,
        ),
    )


@login_required
@require_POST
def case_status(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    access.require(action in ("close", "reopen"))
    case = _edit_target(request, pk, Permission.CASE_CLOSE)
    service = services.case_close if action == "close" else services.case_reopen
    return _after(
        request,
        case.pk,
        lambda: service(
            actor=request.user,
            case=case,
            reason=request.POST.get("reason", ""),
            expected_version=_int(request.POST.get("version")) or 0,
        ),
    )


@login_required
@require_POST
def case_person_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _edit_target(request, pk)
    person_id = _int(request.POST.get("person"))
    if person_id is None:
        messages.error(request, _("Choose a person."))
        return redirect("cases:case_detail", pk=case.pk)
    try:
        person = person_get(user=request.user, person_id=person_id)
    except Http404:
        messages.error(request, _("No person with that id among those you may see."))
        return redirect("cases:case_detail", pk=case.pk)
    return _after(
        request,
        case.pk,
        lambda: services.case_person_add(
            actor=request.user, case=case, person=person, role=request.POST.get("role", "")
        ),
    )


@login_required
@require_POST
def case_person_remove(request: AuthenticatedRequest, pk: int, involvement_id: int) -> HttpResponse:
    case = _edit_target(request, pk)
    return _after(
        request,
        case.pk,
        lambda: services.case_person_remove(actor=request.user, case=case, involvement_id=involvement_id),
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    case = _edit_target(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    intervention_type = (
        selectors.intervention_types_of(case.case_type).filter(pk=_int(source.get("type")) or 0).first()
    )
    access.require(intervention_type is not None)
    assert intervention_type is not None
    version = forms_selectors.latest_version(intervention_type.form) if intervention_type.form else None
    definition = forms_selectors.definition_of(version) if version else None
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] | None = None
    occurred = (
        request.POST.get("occurred_on", "") if request.method == "POST" else timezone.localdate().isoformat()
    )
    if request.method == "POST":
        if definition is not None:
            data = data_from_post(definition, request.POST)
            stored, file_errors = form_files_store(definition=definition, files=request.FILES)
            data = merge_answers(data, stored)
            errors.update(file_errors)
        occurred_on = _date(occurred)
        if occurred_on is None:
            errors["occurred_on"] = [_("Enter a valid date.")]
        if not errors and occurred_on is not None:
            try:
                services.intervention_record(
                    actor=user,
                    case=case,
                    intervention_type=intervention_type,
                    occurred_on=occurred_on,
                    data=data,
                )
            except FormDataInvalidError as error:
                errors = next(iter(error.fields.values()), {})
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Intervention recorded."))
                return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/intervention_create.html",
        {
            "case": case,
            "intervention_type": intervention_type,
            "occurred_on": occurred,
            "error_count": len(errors),
            "date_error": errors.get("occurred_on"),
            "rendered": render_form(
                definition, data=data, errors=errors, person_search_url=_person_search_url()
            )
            if definition
            else "",
        },
    )


# --- Case types -----------------------------------------------------------------------------------


def _require_type_manager(request: AuthenticatedRequest) -> None:
    access.require(access.has_permission(request.user, Permission.CASE_TYPE_MANAGE))


@login_required
def case_type_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_type_manager(request)
    return render(request, "cases/case_type_list.html", {"case_types": selectors.case_type_list()})


def _lines(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in text.splitlines() if line.strip()]


@login_required
@require_http_methods(["GET", "POST"])
def case_type_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    """One page for a type: names, prefix, forms by purpose, classifications and intervention types
    as "code | nombre | name [| form identifier]" lines."""
    _require_type_manager(request)
    case_type: CaseType | None = None
    if pk is not None:
        try:
            case_type = selectors.case_type_get(pk)
        except ObjectDoesNotExist as error:
            raise Http404 from error
    published = list(forms_selectors.published_forms())
    by_identifier = {form.identifier: form for form in published}
    problems: list[str] = []
    if request.method == "POST":
        post = request.POST
        forms_input = []
        for purpose in FormPurpose:
            for identifier in post.getlist(f"forms_{purpose.value}"):
                if identifier in by_identifier:
                    forms_input.append(TypeFormInput(form=by_identifier[identifier], purpose=purpose))
        classifications = [
            NamedInput(
                code=parts[0],
                name_es=parts[1] if len(parts) > 1 else parts[0],
                name_en=parts[2] if len(parts) > 2 else "",
            )
            for parts in _lines(post.get("classifications", ""))
        ]
        interventions = []
        for parts in _lines(post.get("intervention_types", "")):
            form = by_identifier.get(parts[3]) if len(parts) > 3 and parts[3] else None
            if len(parts) > 3 and parts[3] and form is None:
                problems.append(_("Unknown or unpublished form: %(identifier)s") % {"identifier": parts[3]})
            interventions.append(
                NamedInput(
                    code=parts[0],
                    name_es=parts[1] if len(parts) > 1 else parts[0],
                    name_en=parts[2] if len(parts) > 2 else "",
                    form=form,
                )
            )
        if not problems:
            try:
                services.case_type_save(
                    actor=request.user,
                    case_type=case_type,
                    data=CaseTypeInput(
                        code=post.get("code", "").strip(),
                        name_es=post.get("name_es", ""),
                        name_en=post.get("name_en", ""),
                        number_prefix=post.get("number_prefix", ""),
                        is_active=bool(post.get("is_active")),
                        forms=forms_input,
                        classifications=classifications,
                        intervention_types=interventions,
                    ),
                )
            except ApplicationError as error:
                problems.append(error.message)
            except Exception as error:  # noqa: BLE001 — full_clean's ValidationError, shown to the admin
                problems.extend(getattr(error, "messages", [str(error)]))
            else:
                messages.success(request, _("Case type saved."))
                return redirect("cases:case_type_list")
    chosen = {purpose.value: [] for purpose in FormPurpose}
    if case_type is not None:
        for link in selectors.type_forms(case_type):
            chosen[link.purpose].append(link.form.identifier)
    values = (
        request.POST
        if request.method == "POST"
        else {
            "code": case_type.code if case_type else "",
            "name_es": case_type.name_es if case_type else "",
            "name_en": case_type.name_en if case_type else "",
            "number_prefix": case_type.number_prefix if case_type else "",
            "is_active": case_type.is_active if case_type else True,
            "classifications": "\n".join(
                f"{row.code} | {row.name_es} | {row.name_en}"
                for row in selectors.classifications_of(case_type)
            )
            if case_type
            else "",
            "intervention_types": "\n".join(
                f"{row.code} | {row.name_es} | {row.name_en} | {row.form.identifier if row.form else ''}"
                for row in selectors.intervention_types_of(case_type)
            )
            if case_type
            else "",
        }
    )
    if request.method == "POST":
        chosen = {purpose.value: request.POST.getlist(f"forms_{purpose.value}") for purpose in FormPurpose}
    return render(
        request,
        "cases/case_type_edit.html",
        {
            "case_type": case_type,
            "values": values,
            "problems": problems,
            "published": published,
            "purposes": [(purpose.value, purpose.label, chosen[purpose.value]) for purpose in FormPurpose],
        },
    )


@login_required
def person_cases(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person page's Cases section (loaded by htmx): the person's cases and interventions the viewer
    may see — the person is the unit — audited."""
    user = request.user
    access.require(access.has_permission(user, Permission.CASE_VIEW))
    person = person_get(user=user, person_id=person_id)
    shown = selectors.person_cases(user=user, person=person)
    if shown.cases:
        services.record_cases_shown(actor=user, cases=shown.cases, via="person_page")
    return render(request, "cases/_person_cases.html", {"person": person, "shown": shown})
