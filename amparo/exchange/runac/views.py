"""Pages of the RUNac national node. Thin: parse → access → service/selector → render."""

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError
from amparo.exchange.runac import indicators, selectors, services, spec
from amparo.exchange.runac.choices import Breakdown, DeliveryStatus
from amparo.exchange.runac.equivalences import write_equivalence_csv
from amparo.exchange.runac.exports import indicators_csv, indicators_workbook
from amparo.exchange.runac.forms import (
    CorrectionForm,
    DeliveryFilterForm,
    DeliveryUploadForm,
    EquivalenceEntryForm,
    EquivalenceUploadForm,
    IndicatorForm,
    JurisdictionUnitForm,
)
from amparo.exchange.runac.models import CategoryCorrection, Delivery, EquivalenceEntry, Jurisdiction
from amparo.exchange.runac.reading import Source
from amparo.exchange.runac.reports import report_workbook
from amparo.exchange.runac.tables import rows_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUES_SHOWN = 200
PAGE_SIZE = 50


def _require(request: HttpRequest, permission: Permission = Permission.RUNAC_VIEW) -> None:
    access.require(access.has_permission(request.user, permission))


def _download(content: bytes | str, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _require(request)
    user = request.user
    jurisdictions = list(selectors.jurisdictions_visible_to(user))
    latest = selectors.latest_deliveries(user=user)
    context = {
        "rows": [{"jurisdiction": item, "delivery": latest.get(item.pk)} for item in jurisdictions],
        "recent": selectors.delivery_list(user=user)[:8],
        "pending_corrections": selectors.corrections_to_acknowledge(user).count(),
        "can_import": access.has_permission(user, Permission.RUNAC_IMPORT),
        "can_manage": selectors.is_national(user, Permission.RUNAC_MANAGE),
        "is_national": selectors.is_national(user, Permission.RUNAC_VIEW),
    }
    return render(request, "exchange/runac/home.html", context)


# --- Deliveries ----------------------------------------------------------------------------------


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = DeliveryFilterForm(
        request.GET or None,
        jurisdictions=list(selectors.jurisdictions_visible_to(request.user)),
        statuses=list(DeliveryStatus.choices),
    )
    filters = selectors.DeliveryFilters()
    if form.is_valid():
        filters = selectors.DeliveryFilters(
            jurisdiction=form.cleaned_data["jurisdiction"], status=form.cleaned_data["status"]
        )
    page = Paginator(selectors.delivery_list(user=request.user, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exchange/runac/delivery_list.html",
        {
            "form": form,
            "page": page,
            "can_import": access.has_permission(request.user, Permission.RUNAC_IMPORT),
        },
    )


@login_required
def delivery_upload(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.RUNAC_IMPORT)
    form = DeliveryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        delivery = services.delivery_upload(
            actor=request.user,
            files=form.cleaned_data["delivery_files"],
            equivalence_file=form.cleaned_data["equivalence_file"],
        )
        return redirect("exchange:delivery_detail", pk=delivery.pk)
    return render(request, "exchange/runac/delivery_upload.html", {"form": form})


def _delivery_context(request: HttpRequest, delivery: Delivery) -> dict[str, Any]:
    severity = request.GET.get("severity", "")
    issues = [item for item in delivery.issues if not severity or item["severity"] == severity]
    return {
        "delivery": delivery,
        "issues": issues[:ISSUES_SHOWN],
        "issues_hidden": max(len(issues) - ISSUES_SHOWN, 0),
        "severity": severity,
        "history": selectors.period_history(delivery),
        "units": [unit.value for unit in spec.Unit if delivery.counts.get(unit.value)],
        "is_running": delivery.status in (DeliveryStatus.RECEIVED, DeliveryStatus.PROCESSING),
        "corrections": delivery.corrections.count(),
    }


@login_required
@require_GET
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    return render(request, "exchange/runac/delivery_detail.html", _delivery_context(request, delivery))


@login_required
@require_GET
def delivery_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled while a delivery is being checked; asks the page to reload once it is done."""
    _require(request)
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    response = render(
        request,
        "exchange/runac/_delivery_status.html",
        {
            "delivery": delivery,
            "is_running": delivery.status in (DeliveryStatus.RECEIVED, DeliveryStatus.PROCESSING),
        },
    )
    if delivery.status not in (DeliveryStatus.RECEIVED, DeliveryStatus.PROCESSING):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def delivery_report(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    code = delivery.jurisdiction.code if delivery.jurisdiction else "XX"
    cut_off = f"{delivery.cut_off:%d%m%Y}" if delivery.cut_off else "sin_fecha"
    return _download(report_workbook(delivery), f"{code}_{cut_off}_RUNac_informe_{delivery.pk}.xlsx", XLSX)


@login_required
@require_GET
def delivery_records(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    _require(request)
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    search = request.GET.get("q", "").strip()
    rows = selectors.delivery_records(delivery=delivery, unit=unit, search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    columns = spec.COLUMNS[spec.Unit(unit)]
    return render(
        request,
        "exchange/runac/delivery_records.html",
        {
            "delivery": delivery,
            "unit": unit,
            "page": page,
            "search": search,
            "columns": [column.name for column in columns],
            "rows": [_record_cells(record, columns) for record in page.object_list],
        },
    )


def _record_cells(record: Any, columns: tuple[spec.Column, ...]) -> dict[str, Any]:
    return {"record": record, "cells": [_value(record, column) for column in columns]}


def _value(record: Any, column: spec.Column) -> str:
    value = getattr(record, column.attribute)
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- One record and its corrections ----------------------------------------------------------------


@login_required
def record_detail(request: HttpRequest, unit: str, pk: int) -> HttpResponse:
    _require(request)
    record = selectors.record_get(user=request.user, unit=unit, pk=pk)
    jurisdiction = Jurisdiction.objects.select_related("org_unit").get(pk=record.jurisdiction_id)
    may_correct = selectors.may_on_jurisdiction(request.user, Permission.RUNAC_CORRECT, jurisdiction)
    categories = selectors.national_categories()
    form = CorrectionForm(request.POST or None, unit=unit, categories=categories)
    if request.method == "POST":
        access.require(may_correct)
        if form.is_valid():
            try:
                services.record_category_correct(
                    actor=request.user,
                    record=record,
                    field_name=form.cleaned_data["field_name"],
                    category=form.cleaned_data["code"],
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The category was corrected; the jurisdiction will see it."))
                return redirect("exchange:record_detail", unit=unit, pk=pk)
    delivery = Delivery.objects.select_related("equivalence_table").get(pk=record.delivery_id)
    descriptions = {}
    if delivery.equivalence_table_id:
        descriptions = {
            (field, local_id): description
            for (entry_unit, field, local_id), (description, _code) in rows_of(
                delivery.equivalence_table
            ).items()
            if entry_unit == unit
        }
    corrections = list(selectors.record_corrections(unit=unit, record_id=record.pk))
    fields = []
    for column in spec.COLUMNS[spec.Unit(unit)]:
        item: dict[str, Any] = {
            "name": column.name,
            "kind": column.kind.value,
            "value": _value(record, column),
        }
        if column.kind == spec.Kind.EQUIVALENCE:
            local = getattr(record, column.local_attribute)
            item.update(
                local=local,
                description=descriptions.get((column.name, local), ""),
                corrected=any(c.field == column.name and c.is_active for c in corrections),
            )
        fields.append(item)
    return render(
        request,
        "exchange/runac/record_detail.html",
        {
            "record": record,
            "unit": unit,
            "delivery": delivery,
            "jurisdiction": jurisdiction,
            "fields": fields,
            "corrections": corrections,
            "form": form,
            "may_correct": may_correct,
        },
    )


@login_required
@require_GET
def correction_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    corrections = selectors.corrections_visible_to(request.user)
    pending_only = request.GET.get("pending") == "1"
    if pending_only:
        corrections = corrections.filter(is_active=True, acknowledged_at__isnull=True)
    page = Paginator(corrections, PAGE_SIZE).get_page(request.GET.get("page"))
    acknowledgeable = set(selectors.corrections_to_acknowledge(request.user).values_list("pk", flat=True))
    return render(
        request,
        "exchange/runac/correction_list.html",
        {
            "page": page,
            "pending_only": pending_only,
            "acknowledgeable": acknowledgeable,
        },
    )


@login_required
@require_POST
def correction_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    correction: CategoryCorrection = selectors.correction_get(user=request.user, pk=pk)
    access.require(
        selectors.may_on_jurisdiction(request.user, Permission.RUNAC_IMPORT, correction.jurisdiction)
    )
    services.correction_acknowledge(actor=request.user, correction=correction)
    messages.success(request, _("Correction marked as seen."))
    return redirect("exchange:correction_list")


# --- Equivalence tables --------------------------------------------------------------------------


@login_required
@require_GET
def table_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(
        request, "exchange/runac/table_list.html", {"rows": selectors.equivalence_overview(user=request.user)}
    )


def _entry_order(entry: EquivalenceEntry) -> tuple[int, str, int, str]:
    """Units in file order, then fields, then local ids as numbers when they are numbers."""
    local = entry.local_id
    return (
        spec.UNIT_ORDER[spec.Unit(entry.unit)],
        entry.field,
        int(local) if local.isdigit() else 10**9,
        local,
    )


def _table_context(request: HttpRequest, jurisdiction: Jurisdiction) -> dict[str, Any]:
    versions = list(selectors.equivalence_versions(jurisdiction))
    current = versions[0] if versions else None
    entries = (
        sorted(EquivalenceEntry.objects.filter(table=current).select_related("category"), key=_entry_order)
        if current
        else []
    )
    categories = selectors.national_categories()
    mapped = {(entry.unit, entry.field, entry.category.code) for entry in entries}
    unmapped = [
        f"{unit}.{field}: {code}"
        for (unit, field), codes in categories.items()
        for code in codes
        if (unit, field, code) not in mapped
    ]
    may_edit = selectors.may_on_jurisdiction(request.user, Permission.RUNAC_IMPORT, jurisdiction)
    return {
        "jurisdiction": jurisdiction,
        "current": current,
        "versions": versions,
        "entries": entries,
        "unmapped": unmapped,
        "may_edit": may_edit,
        "upload_form": EquivalenceUploadForm(),
        "entry_form": EquivalenceEntryForm(categories=categories),
    }


@login_required
@require_GET
def table_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require(request)
    jurisdiction = selectors.jurisdiction_get(user=request.user, code=code)
    return render(request, "exchange/runac/table_detail.html", _table_context(request, jurisdiction))


@login_required
@require_POST
def table_upload(request: HttpRequest, code: str) -> HttpResponse:
    _require(request, Permission.RUNAC_IMPORT)
    jurisdiction = selectors.jurisdiction_get(
        user=request.user, code=code, permission=Permission.RUNAC_IMPORT
    )
    form = EquivalenceUploadForm(request.POST, request.FILES)
    context = _table_context(request, jurisdiction)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        source = Source.from_bytes(upload.name, upload.read())
        result = services.equivalence_table_upload(
            actor=request.user, source=source, jurisdiction=jurisdiction, replace=form.cleaned_data["replace"]
        )
        if not result.errors and result.table is not None:
            if result.changed:
                messages.success(
                    request,
                    _("Version %(version)s of the table is now in force.")
                    % {"version": result.table.version},
                )
            else:
                messages.info(request, _("The file holds no change: the table in force stays."))
            return redirect("exchange:table_detail", code=code)
        context["upload_issues"] = result.issues
    context["upload_form"] = form
    return render(request, "exchange/runac/table_detail.html", context, status=400)


@login_required
@require_POST
def table_entry(request: HttpRequest, code: str) -> HttpResponse:
    _require(request, Permission.RUNAC_IMPORT)
    jurisdiction = selectors.jurisdiction_get(
        user=request.user, code=code, permission=Permission.RUNAC_IMPORT
    )
    context = _table_context(request, jurisdiction)
    if request.POST.get("remove"):
        unit, field_name, local_id = (request.POST.get(name, "") for name in ("unit", "field", "local_id"))
        try:
            table = services.equivalence_entry_remove(
                actor=request.user,
                jurisdiction=jurisdiction,
                unit=unit,
                field_name=field_name,
                local_id=local_id,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Version %(version)s of the table is now in force.") % {"version": table.version}
            )
        return redirect("exchange:table_detail", code=code)
    form = EquivalenceEntryForm(request.POST, categories=selectors.national_categories())
    if form.is_valid():
        try:
            table = services.equivalence_entry_set(
                actor=request.user,
                jurisdiction=jurisdiction,
                unit=form.cleaned_data["unit"],
                field_name=form.cleaned_data["field_name"],
                local_id=form.cleaned_data["local_id"],
                local_description=form.cleaned_data["local_description"],
                category=form.cleaned_data["code"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Version %(version)s of the table is now in force.") % {"version": table.version}
            )
            return redirect("exchange:table_detail", code=code)
    context["entry_form"] = form
    return render(request, "exchange/runac/table_detail.html", context, status=400)


@login_required
@require_GET
def table_version(request: HttpRequest, code: str, version: int) -> HttpResponse:
    _require(request)
    jurisdiction = selectors.jurisdiction_get(user=request.user, code=code)
    table = selectors.equivalence_version_get(jurisdiction, version)
    entries = sorted(table.entries.select_related("category"), key=_entry_order)
    return render(
        request,
        "exchange/runac/table_version.html",
        {"jurisdiction": jurisdiction, "table": table, "entries": entries},
    )


@login_required
@require_GET
def table_export(request: HttpRequest, code: str) -> HttpResponse:
    _require(request)
    jurisdiction = selectors.jurisdiction_get(user=request.user, code=code)
    versions = selectors.equivalence_versions(jurisdiction)
    version = request.GET.get("version")
    table = versions.filter(version=version).first() if version and version.isdigit() else versions.first()
    if table is None:
        raise Http404
    rows = [
        (unit, field_name, local_id, description, category)
        for (unit, field_name, local_id), (description, category) in sorted(rows_of(table).items())
    ]
    return _download(write_equivalence_csv(rows), f"{jurisdiction.code}_TE.csv", "text/csv; charset=utf-8")


# --- Indicators ----------------------------------------------------------------------------------


def _indicator_query(request: HttpRequest) -> tuple[IndicatorForm, indicators.IndicatorQuery]:
    visible = list(selectors.jurisdictions_visible_to(request.user))
    form = IndicatorForm(request.GET or None, jurisdictions=visible)
    at, start, end = form.dates(timezone.localdate())
    default_start, default_end = indicators.default_period(at)
    codes = set(form.cleaned_data.get("jurisdiction") or []) if form.is_bound and form.is_valid() else set()
    chosen = [item for item in visible if item.code in codes] or visible
    breakdown = (
        form.cleaned_data.get("breakdown") if form.is_bound and form.is_valid() else ""
    ) or Breakdown.NONE
    query = indicators.IndicatorQuery(
        jurisdictions=chosen,
        at=at,
        period_start=start or default_start,
        period_end=end or default_end,
        breakdown=Breakdown(breakdown),
    )
    return form, query


def _computed(query: indicators.IndicatorQuery) -> indicators.IndicatorResult:
    """Indicators, cached until the next load or correction changes the data."""
    version = Delivery.objects.aggregate(last=Max("finished_at"))["last"]
    corrections = CategoryCorrection.objects.aggregate(last=Max("pk"))["last"]
    key_data = json.dumps(
        [
            [item.pk for item in query.jurisdictions],
            str(query.at),
            str(query.period_start),
            str(query.period_end),
            str(query.breakdown),
            str(version),
            corrections,
        ]
    )
    key = "runac-indicators-" + hashlib.sha256(key_data.encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = indicators.compute(query)
        cache.set(key, result, 600)
    return result


@login_required
@require_GET
def indicator_page(request: HttpRequest) -> HttpResponse:
    _require(request)
    form, query = _indicator_query(request)
    result = _computed(query) if query.jurisdictions else None
    return render(
        request,
        "exchange/runac/indicators.html",
        {"form": form, "query": query, "result": result, "querystring": request.GET.urlencode()},
    )


@login_required
@require_GET
def indicator_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require(request)
    access.require(fmt in ("xlsx", "csv"))
    _form, query = _indicator_query(request)
    access.require(bool(query.jurisdictions))
    result = _computed(query)
    audit.record(
        actor=request.user,
        action=AuditAction.RUNAC_INDICATORS_EXPORTED,
        extra={
            "format": fmt,
            "jurisdictions": [item.code for item in query.jurisdictions],
            "at": f"{query.at:%d/%m/%Y}",
        },
    )
    name = f"RUNac_indicadores_{query.at:%d%m%Y}"
    if fmt == "xlsx":
        return _download(indicators_workbook(result), f"{name}.xlsx", XLSX)
    return _download(indicators_csv(result), f"{name}.csv", "text/csv; charset=utf-8")


# --- Set-up --------------------------------------------------------------------------------------


@login_required
def jurisdiction_list(request: HttpRequest) -> HttpResponse:
    access.require(selectors.is_national(request.user, Permission.RUNAC_MANAGE))
    if request.method == "POST":
        if request.POST.get("reload_categories"):
            result = services.categories_load(actor=request.user)
            messages.success(
                request, _("National categories loaded: %(created)s new, %(retired)s retired.") % result
            )
            return redirect("exchange:jurisdiction_list")
        jurisdiction = selectors.jurisdiction_get(
            user=request.user, code=request.POST.get("code", ""), permission=Permission.RUNAC_MANAGE
        )
        form = JurisdictionUnitForm(request.POST)
        if form.is_valid():
            services.jurisdiction_update(
                actor=request.user, jurisdiction=jurisdiction, org_unit=form.cleaned_data["org_unit"]
            )
            messages.success(request, _("Jurisdiction %(code)s updated.") % {"code": jurisdiction.code})
            return redirect("exchange:jurisdiction_list")
    rows = [
        {"jurisdiction": item, "form": JurisdictionUnitForm(initial={"org_unit": item.org_unit_id})}
        for item in Jurisdiction.objects.select_related("org_unit")
    ]
    return render(
        request,
        "exchange/runac/jurisdictions.html",
        {"rows": rows, "category_counts": selectors.category_counts()},
    )
