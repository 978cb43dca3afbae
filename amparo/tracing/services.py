"""Writes of family tracing: tracing requests, their matching against separated or unaccompanied
children's cases (both ways), decisions on potential matches, notifications.

Scoring reuses the registry's matcher (`matching.selectors.score_record_against_persons`) with
family tracing's own settings (matcher record type `tracing`, which starts as the person matcher's
shipped definition and is edited on its own settings page): the sought child is described like a
person being registered, once per name they may go by (given names, then each nickname), and the
best reading counts.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.cases import selectors as cases_selectors
from amparo.cases import services as cases_services
from amparo.cases.models import Case
from amparo.common.errors import ApplicationError, ConflictError, PermissionDeniedError
from amparo.matching.choices import RecordType
from amparo.matching.selectors import CandidatePerson, RecordScore, score_record_against_persons
from amparo.matching.services import matcher_for, person_keys_refresh
from amparo.registry.choices import Sex
from amparo.registry.models import Person
from amparo.registry.search import search_name_for
from amparo.registry.selectors import persons_visible_to
from amparo.tracing import errors, selectors
from amparo.tracing.choices import DECISION_STATUS, Decision, MatchStatus, NotificationKind, TracingStatus
from amparo.tracing.errors import TracingErrorCode
from amparo.tracing.models import MatchDecision, Notification, PotentialMatch, TracingRequest

REUNIFICATION_TYPE_CODE = "reunificacion"
SEPARATION_CLOSE_DAYS = 31
FOLLOW_UP_FIRST_STATUS = "verificacion"


@dataclass
class TracingRequestInput:
    relationship: str
    inquirer: Person | None = None
    inquirer_name: str = ""
    inquirer_contact: str = ""
    child_given_names: str = ""
    child_first_surname: str = ""
    child_second_surname: str = ""
    child_nicknames: str = ""
    child_sex: str = Sex.UNKNOWN
    child_date_of_birth: datetime.date | None = None
    child_age_years: int | None = None
    separation_place: str = ""
    separation_date: datetime.date | None = None
    languages: str = ""
    physical_description: str = ""


FIELDS = [name for name in TracingRequestInput.__dataclass_fields__ if name != "inquirer"]


def _check_input(actor: User, data: TracingRequestInput) -> None:
    if not (
        data.child_given_names.strip() or data.child_nicknames.strip() or data.child_first_surname.strip()
    ):
        raise ApplicationError(str(errors.NAME_REQUIRED_MESSAGE), code=TracingErrorCode.NAME_REQUIRED)
    if data.inquirer is None and not data.inquirer_name.strip():
        raise ApplicationError(str(errors.INQUIRER_REQUIRED_MESSAGE), code=TracingErrorCode.INQUIRER_REQUIRED)
    if data.inquirer is not None and not persons_visible_to(actor).filter(pk=data.inquirer.pk).exists():
        raise Http404


def _apply(tracing_request: TracingRequest, data: TracingRequestInput) -> list[str]:
    changed = []
    for name in FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(tracing_request, name) != value:
            setattr(tracing_request, name, value)
            changed.append(name)
    if tracing_request.inquirer_id != (data.inquirer.pk if data.inquirer else None):
        tracing_request.inquirer = data.inquirer
        changed.append("inquirer")
    tracing_request.search_name = search_name_for(
        tracing_request.child_given_names,
        tracing_request.child_first_surname,
        f"{tracing_request.child_second_surname} {tracing_request.child_nicknames.replace(',', ' ')}",
    )
    return changed


@transaction.atomic
def tracing_request_create(
    *, actor: User, org_unit: OrgUnit, data: TracingRequestInput, owner: User | None = None
) -> TracingRequest:
    """Record a tracing request in a unit where the actor may, then look for the child at once."""
    if not access.units_visible_to(actor, Permission.TRACING_EDIT).filter(pk=org_unit.pk).exists():
        raise PermissionDeniedError(
            str(errors.UNIT_NOT_ALLOWED_MESSAGE), code=TracingErrorCode.UNIT_NOT_ALLOWED
        )
    _check_input(actor, data)
    tracing_request = TracingRequest(org_unit=org_unit, owner=owner or actor, created_by=actor)
    _apply(tracing_request, data)
    tracing_request.full_clean()
    tracing_request.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.TRACING_REQUEST_CREATED,
        target=tracing_request,
        extra={"inquirer": tracing_request.inquirer_id, "relationship": tracing_request.relationship},
    )
    tracing_request_match(tracing_request=tracing_request, actor=actor)
    return tracing_request


@transaction.atomic
def tracing_request_update(
    *, actor: User, tracing_request: TracingRequest, data: TracingRequestInput, expected_version: int
) -> TracingRequest:
    """Change the description (optimistic locking), then look for the child again."""
    if not access.can(actor, Permission.TRACING_EDIT, tracing_request):
        raise Http404
    if not tracing_request.is_open:
        raise ApplicationError(str(errors.REQUEST_CLOSED_MESSAGE), code=TracingErrorCode.REQUEST_CLOSED)
    _check_input(actor, data)
    changed = _apply(tracing_request, data)
    if not changed:
        return tracing_request
    tracing_request.full_clean()
    updated = TracingRequest.objects.filter(pk=tracing_request.pk, version=expected_version).update(
        **{name: getattr(tracing_request, name) for name in FIELDS},
        inquirer=tracing_request.inquirer,
        search_name=tracing_request.search_name,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        current = TracingRequest.objects.values_list("version", flat=True).get(pk=tracing_request.pk)
        raise ConflictError(
            str(errors.REQUEST_CHANGED_MESSAGE) % {"current": current},
            code=TracingErrorCode.REQUEST_CHANGED,
            extra={"current_version": current},
        )
    tracing_request.version = expected_version + 1
    audit.record(
        actor=actor,
        action=AuditAction.TRACING_REQUEST_UPDATED,
        target=tracing_request,
        extra={"fields": sorted(changed), "version": tracing_request.version},
    )
    tracing_request_match(tracing_request=tracing_request, actor=actor)
    return tracing_request


@transaction.atomic
def tracing_request_close(*, actor: User, tracing_request: TracingRequest, reason: str) -> TracingRequest:
    if not access.can(actor, Permission.TRACING_EDIT, tracing_request):
        raise Http404
    if not reason.strip():
        raise ApplicationError(str(errors.REASON_REQUIRED_MESSAGE), code=TracingErrorCode.REASON_REQUIRED)
    if not tracing_request.is_open:
        raise ApplicationError(str(errors.REQUEST_CLOSED_MESSAGE), code=TracingErrorCode.REQUEST_CLOSED)
    tracing_request.status, tracing_request.closed_at = TracingStatus.CLOSED, timezone.now()
    tracing_request.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.TRACING_REQUEST_UPDATED,
        target=tracing_request,
        extra={"fields": ["status"], "status": TracingStatus.CLOSED, "reason": reason.strip()[:500]},
    )
    return tracing_request


# --- Matching -------------------------------------------------------------------------------------


def _readings(tracing_request: TracingRequest) -> list[CandidatePerson]:
    """The sought child as a person being registered, once per name they may go by."""
    names = [tracing_request.child_given_names, *tracing_request.nickname_list]
    common: dict[str, Any] = {
        "first_surname": tracing_request.child_first_surname,
        "second_surname": tracing_request.child_second_surname,
        "sex": tracing_request.child_sex,
        "date_of_birth": tracing_request.child_date_of_birth,
        "age_years": tracing_request.child_age_years if tracing_request.child_date_of_birth is None else None,
    }
    return [CandidatePerson(given_names=name, **common) for name in dict.fromkeys(names) if name.strip()] or [
        CandidatePerson(given_names="", **common)
    ]


def _scores(tracing_request: TracingRequest, person_ids: list[int]) -> dict[int, RecordScore]:
    """The best score of any reading of the sought child against each of these persons."""
    if not person_ids:
        return {}
    best: dict[int, RecordScore] = {}
    for reading in _readings(tracing_request):
        record = reading.record()
        scores = score_record_against_persons(
            record=record, person_ids=person_ids, record_type=RecordType.TRACING
        )
        missing = set(person_ids) - {score.person_id for score in scores}
        if missing and person_keys_refresh(person_ids=missing):  # keys lag a write not yet committed
            scores += score_record_against_persons(
                record=record, person_ids=sorted(missing), record_type=RecordType.TRACING
            )
        for score in scores:
            if score.person_id not in best or score.probability > best[score.person_id].probability:
                best[score.person_id] = score
    return best


def _stored_reasons(score: RecordScore, tracing_request: TracingRequest, separated_on: Any) -> list[dict]:
    reasons: list[dict[str, Any]] = [
        {"comparison": r.comparison, "level": r.level, "verdict": r.verdict, "weight": r.weight}
        for r in score.reasons
    ]
    if tracing_request.separation_date and separated_on:
        close = abs((tracing_request.separation_date - separated_on).days) <= SEPARATION_CLOSE_DAYS
        reasons.append(
            {
                "comparison": "separation_date",
                "level": "close" if close else "far",
                "verdict": "agrees" if close else "differs",
                "weight": 0.0,
            }
        )
    return reasons


def _propose(tracing_request: TracingRequest, cases: list[Case], actor: User | None) -> list[PotentialMatch]:
    """Score the request against these cases; create or refresh the matches above the threshold.
    A decided (confirmed or rejected) pair is never touched again."""
    if not cases or not tracing_request.is_open:
        return []
    _config, matcher = matcher_for(record_type=RecordType.TRACING)
    threshold = matcher.spec.display_threshold
    scores = _scores(tracing_request, sorted({case.person_id for case in cases}))
    existing = {
        match.case_id: match
        for match in PotentialMatch.objects.filter(
            tracing_request=tracing_request, case_id__in=[case.pk for case in cases]
        )
    }
    dates = selectors.separation_dates([case.pk for case in cases])
    touched = []
    for case in cases:
        score = scores.get(case.person_id)
        match = existing.get(case.pk)
        if score is None or (match is not None and match.is_decided):
            continue
        reasons = _stored_reasons(score, tracing_request, dates.get(case.pk))
        if match is not None:
            match.probability, match.reasons = score.probability, reasons
            match.save(update_fields=["probability", "reasons", "updated_at"])
            touched.append(match)
            continue
        if score.probability < threshold:
            continue
        match = PotentialMatch.objects.create(
            tracing_request=tracing_request, case=case, probability=score.probability, reasons=reasons
        )
        audit.record(
            actor=actor,
            username="" if actor else "tracing",
            action=AuditAction.TRACING_MATCH_PROPOSED,
            target=match,
            extra={
                "tracing_request": tracing_request.pk,
                "case": case.pk,
                "probability": round(score.probability, 4),
            },
        )
        _notify(match, NotificationKind.MATCH_FOUND, exclude=actor)
        touched.append(match)
    return touched


@transaction.atomic
def tracing_request_match(
    *, tracing_request: TracingRequest, actor: User | None = None
) -> list[PotentialMatch]:
    """Compare an open tracing request with every open case of a separated or unaccompanied child."""
    cases = list(selectors.separated_children_cases())
    return _propose(tracing_request, cases, actor)


def cases_match(*, case_ids: list[int]) -> list[PotentialMatch]:
    """Compare saved cases of separated or unaccompanied children with the open tracing requests
    (the cases app calls this after each committed case write; each case in its own transaction)."""
    touched: list[PotentialMatch] = []
    for case in selectors.separated_children_cases().filter(pk__in=case_ids):
        with transaction.atomic():
            for tracing_request in TracingRequest.objects.filter(status=TracingStatus.OPEN):
                touched += _propose(tracing_request, [case], None)
    return touched


# --- Notifications --------------------------------------------------------------------------------


def _notify(match: PotentialMatch, kind: NotificationKind, *, exclude: User | None) -> list[Notification]:
    """Tell the owners of both sides (not the one who caused it): who owns a side may always see it."""
    recipients = {match.tracing_request.owner_id, match.case.owner_id} - {exclude.pk if exclude else None}
    return Notification.objects.bulk_create(
        [Notification(recipient_id=user_id, kind=kind, match=match) for user_id in sorted(recipients)]
    )


@transaction.atomic
def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    notices = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        notices = notices.filter(pk__in=notification_ids)
    return notices.update(read_at=timezone.now())


# --- Decisions ------------------------------------------------------------------------------------


def _follow_up(actor: User, match: PotentialMatch, reason: str) -> Any:
    case = match.case
    if case.is_closed:
        raise ApplicationError(str(errors.CASE_CLOSED_MESSAGE), code=TracingErrorCode.CASE_CLOSED)
    intervention_type = (
        cases_selectors.intervention_types_of(case.case_type).filter(code=REUNIFICATION_TYPE_CODE).first()
    )
    if intervention_type is None:
        raise ApplicationError(
            str(errors.NO_REUNIFICATION_TYPE_MESSAGE), code=TracingErrorCode.NO_REUNIFICATION_TYPE
        )
    tracing_request = match.tracing_request
    data: dict[str, Any] = {}
    if intervention_type.form is not None:  # the starter's "pna_reunificacion" form
        data = {
            "solicitud_busqueda": tracing_request.number,
            "familiar": f"{tracing_request.inquirer_display} ({tracing_request.get_relationship_display()})",
            "estado_reunificacion": FOLLOW_UP_FIRST_STATUS,
            "notas": reason,
        }
    return cases_services.intervention_record(
        actor=actor,
        case=case,
        intervention_type=intervention_type,
        occurred_on=timezone.localdate(),
        data=data,
    )


@transaction.atomic
def match_decide(*, actor: User, match: PotentialMatch, decision: str, reason: str) -> PotentialMatch:
    """Confirm, reject or postpone a potential match, keeping who, when and why.

    Only a user who may edit both sides decides. Confirming records a family-reunification
    intervention on the child's case, linked to the match; a rejected pair never returns.
    """
    match = (
        PotentialMatch.objects.select_for_update(of=("self",))
        .select_related("tracing_request", "case", "case__case_type", "tracing_request__inquirer")
        .get(pk=match.pk)
    )
    if not selectors.may_decide_match(actor, match):
        raise Http404
    if match.is_decided:
        raise ApplicationError(str(errors.ALREADY_DECIDED_MESSAGE), code=TracingErrorCode.ALREADY_DECIDED)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(str(errors.REASON_REQUIRED_MESSAGE), code=TracingErrorCode.REASON_REQUIRED)
    status = DECISION_STATUS[Decision(decision)]
    fields = ["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    if status == MatchStatus.CONFIRMED:
        match.follow_up = _follow_up(actor, match, reason)
        fields.append("follow_up")
    match.status, match.decided_by, match.decided_at, match.decision_reason = (
        status,
        actor,
        timezone.now(),
        reason,
    )
    match.save(update_fields=fields)
    MatchDecision.objects.create(
        match=match, status=status, reason=reason, probability=match.probability, decided_by=actor
    )
    audit.record(
        actor=actor,
        action=AuditAction.TRACING_MATCH_DECIDED,
        target=match,
        extra={
            "status": status,
            "tracing_request": match.tracing_request_id,
            "case": match.case_id,
            "follow_up": match.follow_up_id,
        },
    )
    _notify(match, NotificationKind.MATCH_DECIDED, exclude=actor)
    return match
