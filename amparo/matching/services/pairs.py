"""State changes of a candidate pair, each kept as a decision (who, when, what, why)."""

from django.utils import timezone

from amparo.accounts.models import User
from amparo.matching.choices import PairStatus
from amparo.matching.models import CandidatePair, PairDecision


def pair_record_decision(
    *, pair: CandidatePair, status: PairStatus, actor: User, reason: str
) -> CandidatePair:
    """Set the pair's status and append the decision to its history (caller holds the transaction)."""
    pair.status = status
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.decision_reason = reason
    pair.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    PairDecision.objects.create(
        pair=pair, status=status, reason=reason, probability=pair.probability, decided_by=actor
    )
    return pair
