"""Review pages: the queue, a pair side by side with its decision form, merges and undo."""

import datetime

import pytest
from django.urls import reverse

from amparo.audit.choices import AuditAction
from amparo.matching.choices import Decision, PairStatus
from amparo.matching.models import CandidatePair, PersonMerge
from amparo.matching.services import dedupe_job_start, pair_decide
from amparo.matching.tests.conftest import register
from amparo.matching.tests.support import audit_since, client_as, last_sequence


@pytest.fixture
def pair(matching, django_capture_on_commit_callbacks):
    register(
        matching.caseworker_a,
        matching.unit_a,
        "Guadalupe",
        "Núñez",
        "Vázquez",
        sex="female",
        born=datetime.date(2005, 3, 3),
        document="NUVG050303",
    )
    register(
        matching.caseworker_a,
        matching.unit_a,
        "Lupe",
        "Nunez",
        "Basquez",
        sex="female",
        born=datetime.date(2005, 3, 3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        dedupe_job_start(actor=matching.reviewer_a)
    return CandidatePair.objects.select_related("person_a", "person_b").get()


QUEUE = {
    "reviewer_a": (200, True),
    "reviewer_mx": (200, True),
    "reviewer_b": (200, False),
    "caseworker_a": (404, False),
    "anonymous": (302, False),
}


@pytest.mark.parametrize(("persona", "outcome"), QUEUE.items())
def test_queue_by_persona(matching, pair, persona, outcome):
    status, lists = outcome
    before = last_sequence()

    response = client_as(getattr(matching, persona, None)).get(reverse("matching:pair_list"))

    assert response.status_code == status
    assert (pair.person_a.amparo_id in response.content.decode()) is lists
    listed = [
        event.extra["shown"]
        for event in audit_since(before)
        if event.action == AuditAction.MATCHING_PAIRS_LISTED
    ]
    assert listed == ([[pair.person_a_id, pair.person_b_id]] if lists else [])


@pytest.mark.parametrize(
    ("persona", "status"), [("reviewer_a", 200), ("reviewer_b", 404), ("caseworker_a", 404)]
)
def test_pair_page_by_persona(matching, pair, persona, status):
    before = last_sequence()
    response = client_as(getattr(matching, persona)).get(reverse("matching:pair_detail", args=[pair.pk]))
    assert response.status_code == status
    viewed = [event for event in audit_since(before) if event.action == AuditAction.MATCHING_PAIR_VIEWED]
    assert len(viewed) == (1 if status == 200 else 0)


def test_confirm_from_the_page_merges_into_the_chosen_record(matching, pair):
    keep = pair.person_a
    response = client_as(matching.reviewer_a).post(
        reverse("matching:pair_detail", args=[pair.pk]),
        {"decision": Decision.CONFIRM, "keep": str(keep.pk), "reason": "mismo documento"},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("matching:pair_list"))
    merge = PersonMerge.objects.get()
    assert (merge.kept, merge.absorbed, merge.reason) == (keep, pair.person_b, "mismo documento")
    pair.refresh_from_db()
    assert pair.status == PairStatus.CONFIRMED


def test_reject_without_a_reason_is_sent_back_with_a_message(matching, pair):
    response = client_as(matching.reviewer_a).post(
        reverse("matching:pair_detail", args=[pair.pk]), {"decision": Decision.REJECT, "reason": ""}
    )
    assert response.status_code == 400
    assert "Say why: the reason is kept with the decision." in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING


def test_undo_from_the_merges_page(matching, pair):
    pair_decide(
        actor=matching.reviewer_a,
        pair=pair,
        decision=Decision.CONFIRM,
        reason="mismo documento",
        keep_id=pair.person_a_id,
    )
    merge = PersonMerge.objects.get()
    page = client_as(matching.reviewer_a).get(reverse("matching:merge_list"))
    assert "mismo documento" in page.content.decode()

    response = client_as(matching.reviewer_a).post(
        reverse("matching:merge_undo", args=[merge.pk]), {"reason": "eran hermanas"}
    )

    assert response.status_code == 302
    merge.refresh_from_db()
    pair.refresh_from_db()
    assert (merge.undo_reason, pair.status) == ("eran hermanas", PairStatus.PENDING)


@pytest.mark.parametrize("persona", ["reviewer_b", "caseworker_a"])
def test_others_cannot_undo(matching, pair, persona):
    pair_decide(
        actor=matching.reviewer_a, pair=pair, decision=Decision.CONFIRM, reason="x", keep_id=pair.person_a_id
    )
    merge = PersonMerge.objects.get()

    response = client_as(getattr(matching, persona)).post(
        reverse("matching:merge_undo", args=[merge.pk]), {"reason": "no"}
    )

    assert response.status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None
