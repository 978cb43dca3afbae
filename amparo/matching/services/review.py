"""Reviewing possible duplicates: confirm (merge), reject (never proposed again) or postpone."""

from django.db import transaction
from django.http import Http404

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError
from amparo.matching import errors
from amparo.matching.choices import Decision, PairStatus
from amparo.matching.errors import MatchingErrorCode
from amparo.matching.models import CandidatePair
from amparo.matching.services.merge import person_merge
from amparo.matching.services.pairs import pair_record_decision

FINAL = (PairStatus.CONFIRMED, PairStatus.REJECTED)


@transaction.atomic
def pair_decide(
    *, actor: User, pair: CandidatePair, decision: Decision, reason: str, keep_id: int | None = None
) -> CandidatePair:
    """Decide on a pair the reviewer may see in full. Confirming merges the pair into `keep_id`."""
    pair = CandidatePair.objects.select_for_update().select_related("person_a", "person_b").get(pk=pair.pk)
    for person in (pair.person_a, pair.person_b):
        if not (
            access.can(actor, Permission.MATCHING_REVIEW, person)
            and access.can(actor, Permission.PERSON_VIEW, person)
        ):
            raise Http404
    if pair.status in FINAL:
        raise ApplicationError(str(errors.PAIR_DECIDED_MESSAGE), code=MatchingErrorCode.PAIR_DECIDED)
    reason = reason.strip()
    if decision != Decision.POSTPONE and not reason:
        raise ApplicationError(str(errors.REASON_REQUIRED_MESSAGE), code=MatchingErrorCode.REASON_REQUIRED)
    if decision == Decision.CONFIRM:
        if keep_id not in (pair.person_a_id, pair.person_b_id):
            raise ApplicationError(str(errors.SAME_PERSON_MESSAGE), code=MatchingErrorCode.SAME_PERSON)
        keep, absorb = (
            (pair.person_a, pair.person_b) if keep_id == pair.person_a_id else (pair.person_b, pair.person_a)
        )
        person_merge(actor=actor, keep=keep, absorb=absorb, reason=reason, pair=pair)
        status = PairStatus.CONFIRMED
    elif decision == Decision.REJECT:
        status = PairStatus.REJECTED
    else:
        status = PairStatus.POSTPONED
    pair_record_decision(pair=pair, status=status, actor=actor, reason=reason)
    audit.record(
        actor=actor,
        action=AuditAction.MATCHING_PAIR_DECIDED,
        target=pair,
        extra={
            "decision": str(decision),
            "persons": [pair.person_a_id, pair.person_b_id],
            "probability": round(pair.probability, 4),
        },
    )
    return pair
