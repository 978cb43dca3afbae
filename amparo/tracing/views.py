"""Family tracing pages: requests (list, record, edit, detail with potential matches), a match
side by side with its decision, and the user's notifications. Thin over selectors and services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError
from amparo.registry.selectors import persons_visible_to
from amparo.tracing import selectors, services
from amparo.tracing.choices import TracingStatus
from amparo.tracing.forms import CloseForm, DecisionForm, TracingRequestForm
from amparo.tracing.models import TracingRequest

LIST_SIZE = 50


class AuthenticatedRequest(HttpRequest):
    user: User


@login_required
def request_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.TRACING_VIEW))
    status = request.GET.get("status", TracingStatus.OPEN)
    query = request.GET.get("q", "").strip()[:100]
    rows = list(selectors.tracing_request_list(user=user, status=status, query=query)[:LIST_SIZE])
    if rows:
        audit.record(
            actor=user,
            action=AuditAction.TRACING_REQUEST_LISTED,
            target_type="tracing.tracingrequest",
            extra={"shown": [row.pk for row in rows], "status": status},
        )
    context = {
        "rows": rows,
        "status": status,
        "query": query,
        "statuses": TracingStatus.choices,
        "can_create": access.has_permission(user, Permission.TRACING_EDIT),
    }
    return render(request, "tracing/request_list.html", context)


def _inquirer(request: AuthenticatedRequest, form: TracingRequestForm) -> tuple[bool, Any]:
    amparo_id = form.cleaned_data.get("inquirer_amparo_id", "").strip().upper()
    if not amparo_id:
        return True, None
    person = persons_visible_to(request.user).filter(amparo_id=amparo_id, is_archived=False).first()
    if person is None:
        form.add_error("inquirer_amparo_id", _("No person you may see has this Amparo ID."))
        return False, None
    return True, person


def _save(request: AuthenticatedRequest, form: TracingRequestForm, existing: TracingRequest | None) -> Any:
    found, inquirer = _inquirer(request, form)
    if not found:
        return None
    try:
        if existing is None:
            return services.tracing_request_create(
                actor=request.user, org_unit=form.cleaned_data["org_unit"], data=form.to_input(inquirer)
            )
        return services.tracing_request_update(
            actor=request.user,
            tracing_request=existing,
            data=form.to_input(inquirer),
            expected_version=form.cleaned_data["expected_version"] or existing.version,
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return None


@login_required
def request_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.TRACING_EDIT))
    units = access.units_visible_to(user, Permission.TRACING_EDIT)
    initial = {"org_unit": user.home_unit_id} if user.home_unit_id else {}
    form = TracingRequestForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Tracing request recorded."))
            return redirect("tracing:request_detail", saved.pk)
    return render(request, "tracing/request_form.html", {"form": form, "tracing_request": None})


@login_required
def request_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    tracing_request = selectors.tracing_request_get(
        user=user, request_id=pk, permission=Permission.TRACING_EDIT
    )
    units = access.units_visible_to(user, Permission.TRACING_EDIT)
    initial = {name: getattr(tracing_request, name) for name in services.FIELDS} | {
        "org_unit": tracing_request.org_unit_id,
        "inquirer_amparo_id": tracing_request.inquirer.amparo_id if tracing_request.inquirer else "",
        "expected_version": tracing_request.version,
    }
    form = TracingRequestForm(request.POST or None, units=units, initial=initial)
    form.fields["org_unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, tracing_request)
        if saved is not None:
            messages.success(request, _("Tracing request saved."))
            return redirect("tracing:request_detail", saved.pk)
    return render(request, "tracing/request_form.html", {"form": form, "tracing_request": tracing_request})


@login_required
def request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    tracing_request = selectors.tracing_request_get(user=user, request_id=pk)
    found = selectors.matches_of_request(user=user, tracing_request=tracing_request)
    audit.record(
        actor=user,
        action=AuditAction.TRACING_REQUEST_VIEWED,
        target=tracing_request,
        extra={
            "matches_shown": [match.pk for match in found.visible],
            "cases_shown": [match.case_id for match in found.visible],
            "outside_scope": found.outside_scope,
        },
    )
    context = {
        "tracing_request": tracing_request,
        "matches": [(match, selectors.reasons_shown(match)) for match in found.visible],
        "outside_scope": found.outside_scope,
        "can_edit": tracing_request.is_open and access.can(user, Permission.TRACING_EDIT, tracing_request),
        "close_form": CloseForm(),
    }
    return render(request, "tracing/request_detail.html", context)


@login_required
@require_POST
def request_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    tracing_request = selectors.tracing_request_get(
        user=request.user, request_id=pk, permission=Permission.TRACING_EDIT
    )
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.tracing_request_close(
                actor=request.user, tracing_request=tracing_request, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Tracing request closed."))
        except ApplicationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Say why the request is closed."))
    return redirect("tracing:request_detail", tracing_request.pk)


@login_required
def match_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    match = selectors.match_get(user=user, match_id=pk)
    can_decide = not match.is_decided and selectors.may_decide_match(user, match)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            return redirect("tracing:match_detail", match.pk)
        if form.is_valid():
            try:
                services.match_decide(
                    actor=user,
                    match=match,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("tracing:match_detail", match.pk)
    audit.record(
        actor=user,
        action=AuditAction.TRACING_MATCH_VIEWED,
        target=match,
        extra={
            "tracing_request": match.tracing_request_id,
            "case": match.case_id,
            "person": match.case.person_id,
        },
    )
    services.notifications_mark_read(
        user=user,
        notification_ids=list(match.notifications.filter(recipient=user).values_list("pk", flat=True)),
    )
    context = {
        "match": match,
        "tracing_request": match.tracing_request,
        "case": match.case,
        "reasons": selectors.reasons_shown(match),
        "decisions": list(selectors.decisions_of(match)),
        "can_decide": can_decide,
        "form": form,
    }
    return render(request, "tracing/match_detail.html", context)


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    notices = list(selectors.notifications_of(user)[:LIST_SIZE])
    visible = set(
        selectors.matches_visible_to(user)
        .filter(pk__in=[notice.match_id for notice in notices])
        .values_list("pk", flat=True)
    )
    rows = [(notice, notice.match_id in visible) for notice in notices]
    response = render(request, "tracing/notification_list.html", {"rows": rows})
    services.notifications_mark_read(user=user, notification_ids=[notice.pk for notice in notices])
    return response
