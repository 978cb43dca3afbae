from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amparo.accounts import access
from amparo.accounts import selectors as account_selectors
from amparo.accounts import services as account_services
from amparo.accounts.models import User
from amparo.audit import selectors
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.audit.forms import EventFilterForm
from amparo.common.errors import PermissionDeniedError


class AuthenticatedRequest(HttpRequest):
    """The request of a `login_required` view: its user is a real account (django-htmx adds `htmx`)."""

    user: User
    htmx: Any


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_GET
def event_list(request: AuthenticatedRequest) -> HttpResponse:
    """The audit browser. Browsing is itself audited (filters and how many entries were shown)."""
    user = request.user
    access.require(access.can_browse_audit(user))
    form = EventFilterForm(request.GET or None, user=user)
    if form.is_bound:
        form.is_valid()
    page = selectors.event_page(
        user=user,
        filters=form.filters(),
        before=_cursor(request.GET.get("before")),
        after=_cursor(request.GET.get("after")),
    )
    audit.record(
        actor=user,
        action=AuditAction.AUDIT_VIEWED,
        extra={"filters": form.applied(), "entries": len(page.events)},
    )
    links = selectors.target_urls(user=user, events=page.events)
    target_labels = dict(selectors.target_type_choices())
    rows = [
        {
            "event": event,
            "label": selectors.ACTION_LABELS.get(event.action, event.action),
            "tone": selectors.ACTION_TONES.get(event.action, ""),
            "target_label": target_labels.get(event.target_type, event.target_type),
            "url": links.get((event.target_type, event.target_id)),
            "shown": selectors.shown_count(event),
        }
        for event in page.events
    ]
    query = request.GET.copy()
    for cursor in ("before", "after"):
        query.pop(cursor, None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    if request.htmx and not request.htmx.history_restore_request:  # a restored page needs all of it
        return render(request, "audit/event_list.html#results", context)
    return render(request, "audit/event_list.html", context)


@login_required
@require_GET
def session_list(request: AuthenticatedRequest) -> HttpResponse:
    """Who is connected now, in the units the viewer may audit."""
    user = request.user
    access.require(access.can_browse_audit(user))
    sessions = list(account_selectors.connected_sessions(admin=user))
    audit.record(
        actor=user, action=AuditAction.AUDIT_VIEWED, extra={"page": "sessions", "entries": len(sessions)}
    )
    current_key = request.session.session_key
    return render(request, "audit/session_list.html", {"sessions": sessions, "current_key": current_key})


@login_required
@require_POST
def session_end(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    session = account_selectors.session_get(admin=request.user, session_id=session_id)
    try:
        account_services.session_terminate(actor=request.user, session=session)
    except PermissionDeniedError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Session of %(username)s ended: they are logged out on their next request.")
            % {"username": session.user.username},
        )
    return redirect("audit:session_list")
