"""Pages of the province side of RUNac: generate a delivery, keep the equivalences of the local options."""

import json
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.common.errors import ApplicationError
from amparo.exchange.runac import province_services, selectors, services, spec
from amparo.exchange.runac.models import Jurisdiction
from amparo.exchange.runac.province import DeliveryBuild
from amparo.exchange.runac.province_forms import (
    FIRST_DELIVERY,
    ProvinceDeliveryForm,
    ProvinceTableUploadForm,
    semester_period,
)
from amparo.exchange.runac.reading import Source

PROBLEMS_SHOWN = 300


def _jurisdictions(request: HttpRequest, asked: str = "") -> list[Jurisdiction]:
    """The jurisdictions the user generates for; asking for another one answers 404 (audited)."""
    access.require(access.has_permission(request.user, Permission.RUNAC_GENERATE))
    jurisdictions = province_services.jurisdictions_for_generation(request.user)
    if asked and asked not in {item.code for item in jurisdictions}:
        _jurisdiction(request, asked)
    return jurisdictions


def _jurisdiction(request: HttpRequest, code: str) -> Jurisdiction:
    jurisdiction = selectors.jurisdiction_get(
        user=request.user, code=code, permission=Permission.RUNAC_GENERATE
    )
    access.require(province_services.may_generate(request.user, jurisdiction))
    return jurisdiction


def _build_context(build: DeliveryBuild) -> dict[str, Any]:
    numbers = {case_id: number for item in build.selections for case_id, number in item.cases}
    counts = Counter((item.severity, item.code) for item in build.problems)
    return {
        "build": build,
        "files": [(build.file_name(unit), len(build.rows[unit])) for unit in spec.Unit],
        "rules": build.rule_counts,
        "problems": [
            {"item": item, "case_number": numbers.get(item.case_id or 0, "")}
            for item in build.problems[:PROBLEMS_SHOWN]
        ],
        "problems_hidden": max(0, len(build.problems) - PROBLEMS_SHOWN),
        "problem_counts": sorted(counts.items()),
    }


@login_required
def delivery_page(request: HttpRequest) -> HttpResponse:
    """Choose jurisdiction and period; with them, preview what would be sent and every doubt."""
    jurisdictions = _jurisdictions(request, request.GET.get("jurisdiction", ""))
    today = timezone.localdate()
    start, end = semester_period(today)
    initial = {
        "jurisdiction": jurisdictions[0].code if jurisdictions else "",
        "period_from": start,
        "period_to": end,
    }
    bound = "period_to" in request.GET
    form = ProvinceDeliveryForm(request.GET if bound else None, initial=initial, jurisdictions=jurisdictions)
    context: dict[str, Any] = {
        "form": form,
        "jurisdictions": jurisdictions,
        "first_delivery": FIRST_DELIVERY,
        "semester": (start, end),
    }
    if bound and form.is_valid():
        jurisdiction = _jurisdiction(request, form.cleaned_data["jurisdiction"])
        try:
            build = province_services.delivery_preview(
                actor=request.user,
                jurisdiction=jurisdiction,
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            context |= _build_context(build) | {"jurisdiction": jurisdiction}
    return render(
        request, "exchange/runac/province_delivery.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def delivery_download(request: HttpRequest) -> HttpResponse:
    jurisdictions = _jurisdictions(request, request.POST.get("jurisdiction", ""))
    form = ProvinceDeliveryForm(request.POST, jurisdictions=jurisdictions)
    if not form.is_valid():
        return render(
            request,
            "exchange/runac/province_delivery.html",
            {"form": form, "jurisdictions": jurisdictions, "first_delivery": FIRST_DELIVERY},
            status=400,
        )
    jurisdiction = _jurisdiction(request, form.cleaned_data["jurisdiction"])
    generated = province_services.delivery_generate(
        actor=request.user,
        jurisdiction=jurisdiction,
        period_from=form.cleaned_data["period_from"],
        period_to=form.cleaned_data["period_to"],
    )
    response = HttpResponse(generated.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{generated.name}"'
    return response


# --- Equivalences ----------------------------------------------------------------------------------


def _equivalence_context(request: HttpRequest, jurisdiction: Jurisdiction) -> dict[str, Any]:
    options = province_services.local_options(user=request.user, jurisdiction=jurisdiction)
    categories = selectors.national_categories()
    only_missing = request.GET.get("missing") == "1"
    shown = [item for item in options if not only_missing or not item.category]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for index, item in enumerate(shown):
        groups.setdefault((item.unit, item.field), []).append(
            {
                "index": index,
                "option": item,
                "key": json.dumps([item.unit, item.field, item.local_id, item.description]),
            }
        )
    return {
        "jurisdiction": jurisdiction,
        "groups": [
            {"unit": unit, "field": field, "rows": rows, "categories": categories.get((unit, field), [])}
            for (unit, field), rows in groups.items()
        ],
        "total": len(options),
        "missing": sum(1 for item in options if not item.category),
        "only_missing": only_missing,
        "may_edit": selectors.may_on_jurisdiction(request.user, Permission.RUNAC_IMPORT, jurisdiction),
        "upload_form": ProvinceTableUploadForm(),
    }


@login_required
def equivalences_page(request: HttpRequest, code: str) -> HttpResponse:
    """Every local option of the province's RUNac forms and records, with its national category."""
    _jurisdictions(request)
    jurisdiction = _jurisdiction(request, code)
    if request.method == "POST":
        access.require(selectors.may_on_jurisdiction(request.user, Permission.RUNAC_IMPORT, jurisdiction))
        assignments = []
        for name in request.POST:
            if not name.startswith("key-"):
                continue
            try:
                unit, field_name, local_id, description = json.loads(request.POST.get(name, ""))
            except (ValueError, TypeError):
                continue
            assignments.append(
                (
                    str(unit),
                    str(field_name),
                    str(local_id),
                    str(description),
                    request.POST.get(f"cat-{name[4:]}", ""),
                )
            )
        try:
            table = province_services.province_equivalences_save(
                actor=request.user, jurisdiction=jurisdiction, assignments=assignments
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if table is None:
                messages.info(request, _("Nothing changed: the table in force stays."))
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the table is now in force.") % {"version": table.version},
                )
        return redirect("exchange:province_equivalences", code=code)
    return render(
        request, "exchange/runac/province_equivalences.html", _equivalence_context(request, jurisdiction)
    )


@login_required
@require_POST
def equivalences_upload(request: HttpRequest, code: str) -> HttpResponse:
    _jurisdictions(request)
    jurisdiction = _jurisdiction(request, code)
    access.require(selectors.may_on_jurisdiction(request.user, Permission.RUNAC_IMPORT, jurisdiction))
    form = ProvinceTableUploadForm(request.POST, request.FILES)
    context = _equivalence_context(request, jurisdiction)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.equivalence_table_upload(
            actor=request.user,
            source=Source.from_bytes(upload.name, upload.read()),
            jurisdiction=jurisdiction,
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
            return redirect("exchange:province_equivalences", code=code)
        context["upload_issues"] = result.issues
    context["upload_form"] = form
    return render(request, "exchange/runac/province_equivalences.html", context, status=400)
