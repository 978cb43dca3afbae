"""Decisions on potential matches: kept with who/when/why, a rejected pair never returns, a
confirmed one records the reunification follow-up on the case; owners are notified."""

import datetime

import pytest
from django.http import Http404

from amparo.audit.models import AuditEvent
from amparo.cases.models import Intervention, InterventionType
from amparo.cases.services import case_close
from amparo.common.errors import ApplicationError
from amparo.tracing.choices import MatchStatus, NotificationKind
from amparo.tracing.models import MatchDecision, Notification, PotentialMatch
from amparo.tracing.services import match_decide, tracing_request_match
from amparo.tracing.tests.conftest import child, open_case, tracing_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(tw):
    """Case in unit A owned by caseworker_a; request in unit A recorded by supervisor_mx."""
    girl = child(tw.caseworker_a, tw.unit_a, "Guadalupe", "Hernández", "Cruz", age_years=8)
    case = open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    request = tracing_request(
        tw.supervisor_mx,
        tw.unit_a,
        child_given_names="Lupita",
        child_first_surname="Hernandez",
        child_second_surname="Cruz",
        child_age_years=8,
    )
    return PotentialMatch.objects.get(tracing_request=request, case=case)


def test_proposal_notifies_the_other_owner_and_is_audited(pair, tw):
    notices = Notification.objects.filter(match=pair)
    assert [(n.recipient, n.kind) for n in notices] == [(tw.caseworker_a, NotificationKind.MATCH_FOUND)]
    assert AuditEvent.objects.filter(action="tracing.match.proposed", target_id=str(pair.pk)).count() == 1


def test_reject_is_kept_and_the_pair_never_returns(pair, tw):
    match_decide(actor=tw.caseworker_a, match=pair, decision="reject", reason="Otra niña: distinta madre")
    pair.refresh_from_db()
    assert pair.status == MatchStatus.REJECTED
    decision = MatchDecision.objects.get(match=pair)
    assert (decision.status, decision.decided_by, decision.reason) == (
        MatchStatus.REJECTED,
        tw.caseworker_a,
        "Otra niña: distinta madre",
    )
    # matching again neither re-proposes nor refreshes it
    probability = pair.probability
    assert tracing_request_match(tracing_request=pair.tracing_request) == []
    pair.refresh_from_db()
    assert (pair.status, pair.probability) == (MatchStatus.REJECTED, probability)
    assert PotentialMatch.objects.filter(tracing_request=pair.tracing_request).count() == 1
    # the supervisor who recorded the request hears of it
    assert Notification.objects.filter(
        match=pair, recipient=tw.supervisor_mx, kind=NotificationKind.MATCH_DECIDED
    ).exists()


def test_postpone_then_confirm_keeps_both_decisions_and_records_the_follow_up(pair, tw):
    match_decide(actor=tw.caseworker_a, match=pair, decision="postpone", reason="Esperar foto")
    match_decide(actor=tw.supervisor_mx, match=pair, decision="confirm", reason="La madre la reconoce")
    pair.refresh_from_db()
    assert pair.status == MatchStatus.CONFIRMED
    assert [(d.status, d.decided_by) for d in MatchDecision.objects.filter(match=pair).order_by("id")] == [
        (MatchStatus.POSTPONED, tw.caseworker_a),
        (MatchStatus.CONFIRMED, tw.supervisor_mx),
    ]
    follow_up = Intervention.objects.get(case=pair.case)
    assert pair.follow_up == follow_up
    assert follow_up.intervention_type.code == "reunificacion"
    assert follow_up.data["solicitud_busqueda"] == pair.tracing_request.number
    assert follow_up.data["estado_reunificacion"] == "verificacion"
    assert follow_up.occurred_on == datetime.date.today()  # noqa: DTZ011


def test_decided_match_cannot_be_decided_again(pair, tw):
    match_decide(actor=tw.caseworker_a, match=pair, decision="reject", reason="No es")
    with pytest.raises(ApplicationError) as error:
        match_decide(actor=tw.caseworker_a, match=pair, decision="confirm", reason="Sí es")
    assert error.value.code == "tracing_match_already_decided"


def test_a_reason_is_required(pair, tw):
    with pytest.raises(ApplicationError) as error:
        match_decide(actor=tw.caseworker_a, match=pair, decision="reject", reason="  ")
    assert error.value.code == "tracing_reason_required"
    assert MatchDecision.objects.exists() is False


@pytest.mark.parametrize("persona", ["caseworker_b", "basic_viewer_a", "auditor", "unit_admin_a"])
def test_who_may_not_edit_both_sides_cannot_decide(pair, tw, persona):
    with pytest.raises(Http404):
        match_decide(actor=getattr(tw, persona), match=pair, decision="confirm", reason="Sí")
    pair.refresh_from_db()
    assert pair.status == MatchStatus.PENDING
    assert MatchDecision.objects.exists() is False
    assert Intervention.objects.exists() is False


def test_confirm_refuses_a_closed_case(pair, tw):
    case_close(actor=tw.national_admin, case=pair.case, reason="Mayoría de edad", expected_version=1)
    with pytest.raises(ApplicationError) as error:
        match_decide(actor=tw.national_admin, match=pair, decision="confirm", reason="Es ella")
    assert error.value.code == "tracing_case_closed"
    pair.refresh_from_db()
    assert pair.status == MatchStatus.PENDING


def test_confirm_needs_a_reunification_intervention_type(pair, tw):
    InterventionType.objects.filter(code="reunificacion").update(is_active=False)
    with pytest.raises(ApplicationError) as error:
        match_decide(actor=tw.caseworker_a, match=pair, decision="confirm", reason="Es ella")
    assert error.value.code == "tracing_no_reunification_type"
    assert MatchDecision.objects.exists() is False
