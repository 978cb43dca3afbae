"""Reads of family tracing. Every one starts from the access policy: a potential match shows
its details only to a user who may see both sides — the tracing request and the child's case."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.cases.choices import FormPurpose
from amparo.cases.models import Case, CaseFormRecord, CaseTypeForm
from amparo.cases.selectors import cases_visible_to
from amparo.common.text import fold
from amparo.matching.presentation import comparison_label, level_label
from amparo.tracing.choices import MatchStatus, TracingStatus
from amparo.tracing.models import MatchDecision, Notification, PotentialMatch, TracingRequest

# How a case records that its child is separated or unaccompanied: answers of its type's
# registration form (the child-protection starter's "pna_registro" asks all three).
SEPARATED_FIELD = "separado"  # yes_no: "¿Separado/a de su familia?"
CARE_ARRANGEMENT_FIELD = "situacion_cuidado"  # select_one; "solo" = no caregiver
CARE_ALONE = "solo"
RISKS_FIELD = "riesgos"  # select_multiple; "no_acompanado" = unaccompanied / separated
RISK_UNACCOMPANIED = "no_acompanado"
SEPARATION_DATE_FIELD = "fecha_separacion"

TRACING_LABELS = {"separation_date": _("Date of separation")}
TRACING_LEVELS = {"close": _("within a month"), "far": _("more than a month apart")}


# --- Tracing requests --------------------------------------------------------------------------


def tracing_requests_visible_to(
    user: User | None, *, permission: Permission = Permission.TRACING_VIEW
) -> QuerySet[TracingRequest]:
    """Tracing requests the user may reach for `permission` (role + scope)."""
    return access.visible(user, TracingRequest.objects.all(), permission)


def tracing_request_list(*, user: User, status: str = "", query: str = "") -> QuerySet[TracingRequest]:
    requests = tracing_requests_visible_to(user).select_related("org_unit", "owner", "inquirer")
    if status in TracingStatus.values:
        requests = requests.filter(status=status)
    for word in fold(query).split()[:6]:
        requests = requests.filter(search_name__contains=f" {word}")
    return requests.annotate(
        pending_matches=Count("matches", filter=Q(matches__status__in=[MatchStatus.PENDING]))
    ).order_by("-created_at", "-id")


def tracing_request_get(
    *, user: User | None, request_id: Any, permission: Permission = Permission.TRACING_VIEW
) -> TracingRequest:
    """One tracing request the user may reach, or Http404 (a forbidden attempt is audited)."""
    return access.access_object(
        user,
        TracingRequest.objects.select_related("org_unit", "owner", "inquirer", "created_by"),
        request_id,
        permission,
    )


# --- Separated and unaccompanied children ------------------------------------------------------


def separated_children_cases() -> QuerySet[Case]:
    """Open cases whose registration says the child is separated from their family, has no
    caregiver or is unaccompanied. No access check: the matcher's pool, never shown as such."""
    marker = (
        Q(**{f"data__{SEPARATED_FIELD}": True})
        | Q(**{f"data__{CARE_ARRANGEMENT_FIELD}": CARE_ALONE})
        | Q(**{f"data__{RISKS_FIELD}__icontains": RISK_UNACCOMPANIED})
    )
    registrations = CaseTypeForm.objects.filter(purpose=FormPurpose.REGISTRATION).values("form_id")
    records = CaseFormRecord.objects.filter(marker, form_id__in=registrations).values("case_id")
    return Case.objects.open().filter(pk__in=records)


def separation_dates(case_ids: list[int]) -> dict[int, datetime.date]:
    """The date of separation each case's registration records, where it does."""
    registrations = CaseTypeForm.objects.filter(purpose=FormPurpose.REGISTRATION).values("form_id")
    dates: dict[int, datetime.date] = {}
    for case_id, data in CaseFormRecord.objects.filter(
        case_id__in=case_ids, form_id__in=registrations
    ).values_list("case_id", "data"):
        value = (data or {}).get(SEPARATION_DATE_FIELD)
        if value:
            try:
                dates[case_id] = datetime.date.fromisoformat(str(value))
            except ValueError:
                continue
    return dates


# --- Potential matches --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownReason:
    label: str
    level_label: str
    verdict: str  # "agrees" | "similar" | "differs"
    in_probability: bool


def reasons_shown(match: PotentialMatch) -> list[ShownReason]:
    """The stored reasons in the reader's language (the engine's codes are stored, not words)."""
    shown = []
    for reason in match.reasons:
        comparison, level = str(reason.get("comparison", "")), str(reason.get("level", ""))
        if comparison in TRACING_LABELS:
            shown.append(
                ShownReason(
                    str(TRACING_LABELS[comparison]),
                    str(TRACING_LEVELS.get(level, level)),
                    str(reason.get("verdict", "")),
                    in_probability=False,
                )
            )
        else:
            shown.append(
                ShownReason(
                    comparison_label(comparison),
                    level_label(level),
                    str(reason.get("verdict", "")),
                    in_probability=True,
                )
            )
    return shown


def may_see_match(user: User | None, match: PotentialMatch) -> bool:
    """Both sides: the tracing request (tracing.view) and the child's case (case.view)."""
    return access.can(user, Permission.TRACING_VIEW, match.tracing_request) and access.can(
        user, Permission.CASE_VIEW, match.case
    )


def may_decide_match(user: User | None, match: PotentialMatch) -> bool:
    """Deciding writes on both sides: tracing.edit on the request, case.edit on the case."""
    return access.can(user, Permission.TRACING_EDIT, match.tracing_request) and access.can(
        user, Permission.CASE_EDIT, match.case
    )


@dataclass(frozen=True)
class RequestMatches:
    """The matches of one request the user may see whole, and whether others exist that they may
    not (said without names, units, numbers or probabilities)."""

    visible: list[PotentialMatch]
    outside_scope: bool


def matches_of_request(*, user: User, tracing_request: TracingRequest) -> RequestMatches:
    """Undecided and confirmed matches of a request the user may already see (rejected ones stay
    in the match's own history)."""
    matches = (
        PotentialMatch.objects.filter(tracing_request=tracing_request)
        .exclude(status=MatchStatus.REJECTED)
        .select_related("case", "case__person", "case__org_unit", "case__owner", "follow_up")
        .order_by("-probability", "id")
    )
    visible_cases = set(
        cases_visible_to(user)
        .filter(pk__in=[match.case_id for match in matches])
        .values_list("pk", flat=True)
    )
    shown = [match for match in matches if match.case_id in visible_cases]
    return RequestMatches(visible=shown, outside_scope=len(shown) < len(matches))


def matches_visible_to(user: User | None) -> QuerySet[PotentialMatch]:
    """Potential matches whose both sides the user may see."""
    return PotentialMatch.objects.filter(
        tracing_request__in=tracing_requests_visible_to(user).values("pk"),
        case__in=cases_visible_to(user).values("pk"),
    )


def match_get(*, user: User, match_id: Any) -> PotentialMatch:
    """One match whose both sides the user may see, or Http404; a forbidden attempt is audited."""
    queryset = matches_visible_to(user).select_related(
        "tracing_request",
        "tracing_request__org_unit",
        "tracing_request__owner",
        "tracing_request__inquirer",
        "case",
        "case__person",
        "case__org_unit",
        "case__owner",
        "follow_up",
        "decided_by",
    )
    try:
        return queryset.get(pk=match_id)
    except (PotentialMatch.DoesNotExist, ValueError, TypeError):
        pass
    if str(match_id).isdigit() and PotentialMatch.objects.filter(pk=match_id).exists():
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            target_type="tracing.potentialmatch",
            target_id=str(match_id),
            extra={"permission": "tracing.match.view"},
        )
    raise Http404


def decisions_of(match: PotentialMatch) -> QuerySet[MatchDecision]:
    return match.decisions.select_related("decided_by")


# --- Notifications ------------------------------------------------------------------------------


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("match", "match__tracing_request")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
