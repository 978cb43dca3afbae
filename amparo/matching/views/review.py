"""The review queue: possible duplicates side by side, decisions, merges and their undo."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError
from amparo.matching import selectors, services
from amparo.matching.choices import Decision, PairStatus
from amparo.matching.forms import DecisionForm, UndoForm
from amparo.matching.models import PersonMerge
from amparo.matching.views.common import AuthenticatedRequest, page_slice
from amparo.registry import selectors as registry_selectors
from amparo.registry.models import Person
from amparo.registry.services import record_persons_shown

STATUSES = (PairStatus.PENDING, PairStatus.POSTPONED, PairStatus.CONFIRMED, PairStatus.REJECTED)


@login_required
def pair_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.MATCHING_REVIEW))
    status = request.GET.get("status", PairStatus.PENDING)
    if status not in STATUSES:
        status = PairStatus.PENDING
    pairs, number, has_next = page_slice(request, selectors.pair_queue(user=user, status=status))
    shown = [person for pair in pairs for person in (pair.person_a, pair.person_b)]
    if shown:
        record_persons_shown(
            actor=user,
            persons=shown,
            action=AuditAction.MATCHING_PAIRS_LISTED,
            extra={"status": status, "page": number},
        )
    counts = selectors.pair_counts(user=user)
    tabs = [(value, label, counts.get(value, 0)) for value, label in PairStatus.choices if value in STATUSES]
    context = {"pairs": pairs, "status": status, "tabs": tabs, "page": number, "has_next": has_next}
    return render(request, "matching/pair_list.html", context)


def _side(request: AuthenticatedRequest, person: Person) -> dict:
    return {
        "person": person,
        "access": registry_selectors.person_field_access(user=request.user, person=person),
        "documents": list(person.documents.all()),
        "addresses": list(
            person.addresses.filter(is_current=True).select_related("department", "municipality")
        ),
    }


@login_required
def pair_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    pair = selectors.pair_get(user=user, pair_id=pk)
    can_merge = all(
        access.can(user, Permission.PERSON_MERGE, person) for person in (pair.person_a, pair.person_b)
    )
    keep_choices = [
        (str(person.pk), f"{person.full_name} · {person.amparo_id}")
        for person in (pair.person_a, pair.person_b)
    ]
    form = DecisionForm(request.POST or None, keep_choices=keep_choices)
    if request.method == "POST" and form.is_valid():
        decision = Decision(form.cleaned_data["decision"])
        if decision == Decision.CONFIRM and not can_merge:
            form.add_error("decision", _("You may not merge these records; ask someone who can."))
        else:
            try:
                services.pair_decide(
                    actor=user,
                    pair=pair,
                    decision=decision,
                    reason=form.cleaned_data["reason"] or "",
                    keep_id=int(form.cleaned_data["keep"]) if form.cleaned_data.get("keep") else None,
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Decision saved."))
                following = selectors.pair_queue(user=user).exclude(pk=pair.pk).first()
                return (
                    redirect("matching:pair_detail", following.pk)
                    if following
                    else redirect("matching:pair_list")
                )
    audit.record(
        actor=user,
        action=AuditAction.MATCHING_PAIR_VIEWED,
        target=pair,
        extra={"persons": [pair.person_a_id, pair.person_b_id]},
    )
    context = {
        "pair": pair,
        "sides": [_side(request, pair.person_a), _side(request, pair.person_b)],
        "reasons": selectors.pair_reasons(pair),
        "decisions": pair.decisions.select_related("decided_by"),
        "form": form,
        "can_merge": can_merge,
        "is_open": pair.status in (PairStatus.PENDING, PairStatus.POSTPONED),
    }
    return render(request, "matching/pair_detail.html", context, status=400 if form.errors else 200)


@login_required
def merge_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.PERSON_MERGE))
    merges, number, has_next = page_slice(request, selectors.merge_list(user=user))
    shown = [person for merge in merges for person in (merge.kept, merge.absorbed)]
    if shown:
        record_persons_shown(
            actor=user,
            persons=shown,
            action=AuditAction.MATCHING_PAIRS_LISTED,
            extra={"merges": True, "page": number},
        )
    return render(
        request,
        "matching/merge_list.html",
        {"merges": merges, "page": number, "has_next": has_next, "undo_form": UndoForm()},
    )


@require_POST
@login_required
def merge_undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    merge: PersonMerge = selectors.merge_get(user=request.user, merge_id=pk)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the merge is undone."))
        return redirect("matching:merge_list")
    try:
        services.person_merge_undo(actor=request.user, merge=merge, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Merge undone: %(name)s is a separate person again.") % {"name": merge.absorbed.full_name},
        )
    return redirect("matching:merge_list")
