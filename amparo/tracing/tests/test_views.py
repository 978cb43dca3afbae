"""The tracing pages through the test client: record, edit, see matches, decide, close."""

import datetime

import pytest
from django.test import Client

from amparo.audit.models import AuditEvent
from amparo.cases.models import Intervention
from amparo.tracing.choices import MatchStatus, TracingStatus
from amparo.tracing.models import MatchDecision, PotentialMatch, TracingRequest
from amparo.tracing.tests.conftest import child, open_case, tracing_request

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


FORM = {
    "relationship": "father",
    "inquirer_name": "Pedro Ramírez",
    "inquirer_contact": "+52 962 000 1111",
    "child_given_names": "Jose Luis",
    "child_first_surname": "Ramirez",
    "child_nicknames": "Pepe, Luisito",
    "child_sex": "male",
    "child_age_years": "9",
    "separation_place": "Tapachula, Chiapas",
    "separation_date": "02/09/2026",
    "languages": "español, mam",
    "physical_description": "Cicatriz en la ceja izquierda",
}


def test_record_a_request_and_see_its_match(tw):
    boy = child(tw.caseworker_a, tw.unit_a, "José Luis", "Ramírez", "Soto", sex="male", age_years=9)
    case = open_case(tw, tw.caseworker_a, tw.unit_a, boy)
    client = client_for(tw.caseworker_a)
    assert client.get("/tracing/new/").status_code == 200
    response = client.post("/tracing/new/", {**FORM, "org_unit": tw.unit_a.pk})
    request = TracingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tracing/{request.pk}/"
    assert request.separation_date == datetime.date(2026, 9, 2)
    assert (request.owner, request.created_by, request.org_unit) == (tw.caseworker_a,) * 2 + (tw.unit_a,)
    body = client.get(response["Location"]).content.decode()
    match = PotentialMatch.objects.get(tracing_request=request)
    assert match.case == case
    assert f"/tracing/matches/{match.pk}/" in body
    assert case.number in body
    assert 'class="match-probability' in body
    assert "Given names" in body  # a reason, in the reader's language
    assert AuditEvent.objects.filter(action="tracing.request.created", target_id=str(request.pk)).exists()
    viewed = AuditEvent.objects.filter(action="tracing.request.viewed", target_id=str(request.pk)).get()
    assert viewed.extra["cases_shown"] == [case.pk]


def test_bad_input_is_explained(tw):
    client = client_for(tw.caseworker_a)
    response = client.post(
        "/tracing/new/",
        {"org_unit": tw.unit_a.pk, "relationship": "mother", "child_sex": "unknown", "child_age_years": "-3"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give at least a name or a nickname of the sought child." in body
    assert "Say who is looking for the child" in body
    assert TracingRequest.objects.exists() is False


def test_a_unit_out_of_reach_is_refused(tw):
    response = client_for(tw.caseworker_a).post("/tracing/new/", {**FORM, "org_unit": tw.unit_b.pk})
    assert response.status_code == 200
    assert TracingRequest.objects.exists() is False


def test_unknown_inquirer_id_is_an_error(tw):
    response = client_for(tw.caseworker_a).post(
        "/tracing/new/", {**FORM, "org_unit": tw.unit_a.pk, "inquirer_amparo_id": "ZZZZ-ZZZZ"}
    )
    assert "No person you may see has this Amparo ID." in response.content.decode()
    assert TracingRequest.objects.exists() is False


def test_edit_rematches_and_keeps_the_version(tw):
    request = tracing_request(
        tw.caseworker_a, tw.unit_a, child_given_names="Marta", child_first_surname="Ruiz"
    )
    assert PotentialMatch.objects.exists() is False
    girl = child(tw.caseworker_a, tw.unit_a, "Ximena", "Gómez", "Luna", age_years=7)
    open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    client = client_for(tw.caseworker_a)
    assert client.get(f"/tracing/{request.pk}/edit/").status_code == 200
    data = {
        **FORM,
        "child_given_names": "Ximena",
        "child_first_surname": "Gomez",
        "child_nicknames": "Xime",
        "child_sex": "female",
        "child_age_years": "7",
        "org_unit": tw.unit_a.pk,
        "expected_version": "1",
    }
    response = client.post(f"/tracing/{request.pk}/edit/", data)
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.version, request.child_given_names) == (2, "Ximena")
    assert PotentialMatch.objects.filter(tracing_request=request).count() == 1
    # a stale version is refused
    stale = client.post(
        f"/tracing/{request.pk}/edit/", {**data, "child_nicknames": "X", "expected_version": "1"}
    )
    assert "Someone else saved this tracing request" in stale.content.decode()


def test_confirm_from_the_match_page_records_the_follow_up_on_the_case(tw):
    girl = child(tw.caseworker_a, tw.unit_a, "Ana", "López", "Díaz", age_years=11)
    case = open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    request = tracing_request(
        tw.caseworker_a, tw.unit_a, child_given_names="Ana", child_first_surname="Lopez", child_age_years=11
    )
    match = PotentialMatch.objects.get(tracing_request=request)
    client = client_for(tw.caseworker_a)
    refused = client.post(f"/tracing/matches/{match.pk}/", {"decision": "confirm", "reason": ""})
    assert refused.status_code == 200
    assert MatchDecision.objects.exists() is False
    response = client.post(f"/tracing/matches/{match.pk}/", {"decision": "confirm", "reason": "Reconocida"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == MatchStatus.CONFIRMED
    intervention = Intervention.objects.get(case=case)
    assert match.follow_up == intervention
    page = client.get(f"/tracing/matches/{match.pk}/").content.decode()
    assert 'data-testid="follow-up"' in page
    assert 'data-testid="decision-form"' not in page
    assert "Reconocida" in page
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Family reunification" in case_page
    assert request.number in case_page


def test_close_needs_a_reason(tw):
    request = tracing_request(tw.caseworker_a, tw.unit_a, child_given_names="Luis", child_first_surname="Paz")
    client = client_for(tw.caseworker_a)
    client.post(f"/tracing/{request.pk}/close/", {"reason": ""})
    request.refresh_from_db()
    assert request.status == TracingStatus.OPEN
    client.post(f"/tracing/{request.pk}/close/", {"reason": "Reunificado por otra vía"})
    request.refresh_from_db()
    assert request.status == TracingStatus.CLOSED
    assert client.get(f"/tracing/{request.pk}/edit/").status_code == 200  # shown, but saving is refused


def test_basic_viewer_sees_but_cannot_record_or_decide(tw):
    girl = child(tw.caseworker_a, tw.unit_a, "Rosa", "Mejía", age_years=6)
    open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    request = tracing_request(
        tw.caseworker_a, tw.unit_a, child_given_names="Rosa", child_first_surname="Mejia"
    )
    match = PotentialMatch.objects.get(tracing_request=request)
    client = client_for(tw.basic_viewer_a)
    assert client.get("/tracing/new/").status_code == 404
    assert client.get(f"/tracing/{request.pk}/edit/").status_code == 404
    page = client.get(f"/tracing/matches/{match.pk}/")
    assert page.status_code == 200
    assert 'data-testid="decision-form"' not in page.content.decode()
    client.post(f"/tracing/matches/{match.pk}/", {"decision": "confirm", "reason": "x"})
    match.refresh_from_db()
    assert match.status == MatchStatus.PENDING


@pytest.mark.parametrize(
    ("query", "found"),
    [("jesus pena", True), ("PEÑA Jes", True), ("chuy", True), ("jes chuy", True), ("pedro", False)],
)
def test_the_list_finds_requests_by_names_and_nicknames_without_accents(tw, query, found):
    sought = tracing_request(
        tw.caseworker_a,
        tw.unit_a,
        child_given_names="Jesús",
        child_first_surname="Peña",
        child_nicknames="Chuy, Chucho",
    )
    tracing_request(tw.caseworker_a, tw.unit_a, child_given_names="Ana", child_first_surname="Rojas")

    response = client_for(tw.caseworker_a).get("/tracing/", {"q": query})

    assert response.status_code == 200
    shown = [request.pk for request in response.context["rows"]]
    assert shown == ([sought.pk] if found else [])
