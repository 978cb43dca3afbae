"""Batch deduplication as a background job, the review queue, and decisions that stick."""

import datetime

import pytest
from django.http import Http404

from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError, PermissionDeniedError
from amparo.matching.choices import Decision, JobStatus, PairStatus
from amparo.matching.errors import MatchingErrorCode
from amparo.matching.models import CandidatePair, DedupeJob, PairDecision, PersonMerge
from amparo.matching.selectors import pair_get, pair_queue
from amparo.matching.services import dedupe_job_start, pair_decide
from amparo.matching.tests.conftest import register
from amparo.matching.tests.support import audit_since, last_sequence


@pytest.fixture
def registry(matching):
    a, b = matching.caseworker_a, matching.caseworker_b
    return {
        "maria": register(
            a,
            matching.unit_a,
            "María José",
            "García",
            "López",
            sex="female",
            born=datetime.date(2012, 5, 17),
            document="GALM120517",
        ),
        "maria_again": register(
            a, matching.unit_a, "Maria Jose", "Garcia", "Lopes", sex="female", born=datetime.date(2012, 5, 17)
        ),
        "sister": register(
            a, matching.unit_a, "Andrea", "García", "López", sex="female", born=datetime.date(2009, 3, 2)
        ),
        "juan": register(
            a, matching.unit_a, "Juan Carlos", "Pérez", "Soto", sex="male", born=datetime.date(1990, 2, 1)
        ),
        "juan_in_b": register(
            b, matching.unit_b, "Juan Carlos", "Peres", "Soto", sex="male", born=datetime.date(1990, 2, 1)
        ),
    }


def run_dedupe(user, django_capture_on_commit_callbacks) -> DedupeJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = dedupe_job_start(actor=user)
    job.refresh_from_db()
    return job


def test_proposes_the_duplicates_within_the_starters_scope(
    matching, registry, django_capture_on_commit_callbacks
):
    before = last_sequence()

    job = run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)

    assert (job.status, job.progress, job.persons_compared, job.pairs_proposed) == (JobStatus.DONE, 1.0, 4, 1)
    pair = CandidatePair.objects.get()
    assert {pair.person_a, pair.person_b} == {registry["maria"], registry["maria_again"]}
    assert pair.status == PairStatus.PENDING
    assert pair.probability > 0.9
    assert pair.levels["date_of_birth"] == "exact"
    # The Bayes factor is kept for refitting the calibration: the weight is it plus the prior's log2 odds.
    assert pair.bayes_factor is not None
    assert pair.bayes_factor - pair.match_weight > 0
    assert [event.action for event in audit_since(before)] == [AuditAction.MATCHING_DEDUPE_STARTED]


def test_a_rejected_pair_is_never_proposed_again(matching, registry, django_capture_on_commit_callbacks):
    run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)
    pair = CandidatePair.objects.get()
    pair_decide(
        actor=matching.reviewer_a, pair=pair, decision=Decision.REJECT, reason="Son primas, no la misma"
    )

    again = run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)

    assert (again.pairs_proposed, again.pairs_already_known) == (0, 1)
    assert list(CandidatePair.objects.values_list("status", flat=True)) == [PairStatus.REJECTED]
    assert list(pair_queue(user=matching.reviewer_a)) == []


def test_a_postponed_pair_stays_postponed_with_a_fresh_probability(
    matching, registry, django_capture_on_commit_callbacks
):
    run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)
    pair = CandidatePair.objects.get()
    pair_decide(actor=matching.reviewer_a, pair=pair, decision=Decision.POSTPONE, reason="")
    CandidatePair.objects.filter(pk=pair.pk).update(probability=0.6)

    again = run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)

    pair.refresh_from_db()
    assert (again.pairs_proposed, pair.status, pair.job_id) == (1, PairStatus.POSTPONED, again.pk)
    assert pair.probability > 0.9
    assert list(pair_queue(user=matching.reviewer_a, status=PairStatus.POSTPONED)) == [pair]


def test_confirming_merges_and_keeps_who_when_and_why(matching, registry, django_capture_on_commit_callbacks):
    run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)
    pair = CandidatePair.objects.get()
    keep = registry["maria"]
    pair_decide(actor=matching.reviewer_a, pair=pair, decision=Decision.POSTPONE, reason="llamar a la madre")

    pair_decide(
        actor=matching.reviewer_a,
        pair=pair,
        decision=Decision.CONFIRM,
        reason="la madre lo confirmó",
        keep_id=keep.pk,
    )

    merge = PersonMerge.objects.get()
    assert (merge.kept, merge.absorbed, merge.pair) == (keep, registry["maria_again"], pair)
    history = list(
        PairDecision.objects.filter(pair=pair)
        .order_by("decided_at", "id")
        .values_list("status", "reason", "decided_by")
    )
    assert history == [
        (PairStatus.POSTPONED, "llamar a la madre", matching.reviewer_a.pk),
        (PairStatus.CONFIRMED, "la madre lo confirmó", matching.reviewer_a.pk),
    ]
    with pytest.raises(ApplicationError) as raised:
        pair_decide(actor=matching.reviewer_a, pair=pair, decision=Decision.REJECT, reason="no")
    assert raised.value.code == MatchingErrorCode.PAIR_DECIDED


def test_reject_needs_a_reason(matching, registry, django_capture_on_commit_callbacks):
    run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError) as raised:
        pair_decide(
            actor=matching.reviewer_a, pair=CandidatePair.objects.get(), decision=Decision.REJECT, reason=" "
        )
    assert raised.value.code == MatchingErrorCode.REASON_REQUIRED
    assert PairDecision.objects.exists() is False


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("reviewer_a", True),
        ("reviewer_mx", True),
        ("reviewer_b", False),
        ("caseworker_a", False),
        ("national_admin", True),
    ],
)
def test_a_pair_is_reviewed_only_by_who_may_see_both_persons(
    matching, registry, django_capture_on_commit_callbacks, persona, sees
):
    run_dedupe(matching.reviewer_a, django_capture_on_commit_callbacks)
    pair = CandidatePair.objects.get()
    user = getattr(matching, persona)

    assert (list(pair_queue(user=user)) == [pair]) is sees
    if sees:
        assert pair_get(user=user, pair_id=pair.pk) == pair
    else:
        with pytest.raises(Http404):
            pair_get(user=user, pair_id=pair.pk)
        with pytest.raises(Http404):
            pair_decide(actor=user, pair=pair, decision=Decision.REJECT, reason="no")
        assert PairDecision.objects.exists() is False


def test_the_cross_unit_pair_is_found_by_a_reviewer_seeing_both(
    matching, registry, django_capture_on_commit_callbacks
):
    job = run_dedupe(matching.national_admin, django_capture_on_commit_callbacks)

    pairs = {frozenset((pair.person_a_id, pair.person_b_id)) for pair in CandidatePair.objects.all()}
    assert pairs == {
        frozenset((registry["maria"].pk, registry["maria_again"].pk)),
        frozenset((registry["juan"].pk, registry["juan_in_b"].pk)),
    }
    assert job.pairs_proposed == 2


def test_needs_the_review_permission(matching, registry):
    with pytest.raises(PermissionDeniedError):
        dedupe_job_start(actor=matching.caseworker_a)
    assert DedupeJob.objects.exists() is False
