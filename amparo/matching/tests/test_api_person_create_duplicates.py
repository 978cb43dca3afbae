"""POST /api/v1/persons/ answers with the registration page's duplicate check: likely persons
within the caller's scope (Amparo ID, probability, reasons); beyond it only the flag. It never
blocks: the person is registered either way."""

import datetime
import json

import pytest
from rest_framework.test import APIClient

from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client
from amparo.matching.tests.conftest import register
from amparo.registry import selectors as registry_selectors
from amparo.registry.models import Person

URL = "/api/v1/persons/"
MARIA_MISSPELT = {
    "given_names": "Ma. Jose",
    "first_surname": "Garsia",
    "second_surname": "Lopes",
    "sex": "female",
    "date_of_birth": "2012-05-17",
}


@pytest.fixture
def maria(matching):
    return register(
        matching.caseworker_a,
        matching.unit_a,
        "María José",
        "García",
        "López",
        sex="female",
        born=datetime.date(2012, 5, 17),
        document="GALM120517",
    )


def test_in_scope_the_response_names_the_existing_person_with_probability_and_reasons(matching, maria):
    mark = audit_mark()

    response = bearer_client(matching.caseworker_a).post(URL, MARIA_MISSPELT, format="json")

    assert response.status_code == 201
    body = response.json()
    created = Person.objects.get(pk=body["id"])
    assert created != maria
    assert body["possible_duplicate_outside_scope"] is False
    [found] = body["possible_duplicates"]
    assert (found["id"], found["amparo_id"]) == (maria.pk, maria.amparo_id)
    assert 0.5 < found["probability"] <= 1
    reasons = {reason["comparison"]: (reason["level"], reason["verdict"]) for reason in found["reasons"]}
    assert reasons["date_of_birth"] == ("exact", "agrees")
    assert reasons["first_surname"] == ("phonetic", "similar")
    assert "date_of_birth" in found["agreeing"]
    created_event, checked_event = audit_since(mark)
    assert created_event[:3] == (AuditAction.PERSON_CREATED, "registry.person", str(created.pk))
    assert (checked_event[0], checked_event[3]["shown"]) == (AuditAction.MATCHING_CHECKED, [maria.pk])


def test_outside_scope_only_the_flag_is_given(matching, maria):
    mark = audit_mark()

    response = bearer_client(matching.caseworker_b).post(URL, MARIA_MISSPELT, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["possible_duplicates"] == []
    assert body["possible_duplicate_outside_scope"] is True
    text = json.dumps(body)
    for secret in (maria.amparo_id, "María", "García", "López", "GALM120517", str(matching.unit_a)):
        assert secret not in text
    assert [action for action, *_rest in audit_since(mark)] == [AuditAction.PERSON_CREATED]
    assert Person.objects.filter(pk=body["id"], org_unit=matching.unit_b).exists()


def test_a_supervisor_whose_subtree_reaches_the_unit_sees_the_match(matching, maria):
    response = bearer_client(matching.supervisor_mx).post(URL, MARIA_MISSPELT, format="json")

    assert response.status_code == 201
    assert [found["amparo_id"] for found in response.json()["possible_duplicates"]] == [maria.amparo_id]


def test_no_match_gives_an_empty_list_and_no_flag(matching, maria):
    payload = {"given_names": "Juan Carlos", "first_surname": "Pérez", "date_of_birth": "1990-02-01"}

    response = bearer_client(matching.caseworker_a).post(URL, payload, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["possible_duplicates"], body["possible_duplicate_outside_scope"]) == ([], False)
    assert Person.objects.count() == 2


def test_the_same_person_sent_twice_is_registered_twice_and_the_second_answer_names_the_first(
    matching, django_capture_on_commit_callbacks
):
    # The API has no idempotency key: a repeated submission is a new registration, and the check
    # tells the caller at once that it duplicates the first one.
    payload = {**MARIA_MISSPELT, "documents": [{"document_type": "national_id", "number": "GALM120517"}]}
    client = bearer_client(matching.caseworker_a)
    with django_capture_on_commit_callbacks(execute=True):  # the registry keys the first person
        first = client.post(URL, payload, format="json")
    second = client.post(URL, payload, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["possible_duplicates"] == []
    assert [found["id"] for found in second.json()["possible_duplicates"]] == [first.json()["id"]]
    assert second.json()["possible_duplicates"][0]["probability"] > 0.9
    assert Person.objects.count() == 2


def test_a_failing_check_does_not_block_the_registration(matching, maria, monkeypatch):
    def broken(_user, _person):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(registry_selectors, "_duplicate_check_providers", [broken])

    response = bearer_client(matching.caseworker_a).post(URL, MARIA_MISSPELT, format="json")

    assert response.status_code == 201
    assert response.json()["possible_duplicates"] is None
    assert Person.objects.filter(pk=response.json()["id"]).exists()


def test_invalid_input_creates_nothing_and_checks_nothing(matching, maria):
    mark = audit_mark()

    response = bearer_client(matching.caseworker_a).post(URL, {"first_surname": "García"}, format="json")

    assert response.status_code == 400
    assert Person.objects.count() == 1
    assert audit_since(mark) == []


def test_the_fields_are_documented_in_the_openapi_schema(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    created = schema["paths"]["/api/v1/persons/"]["post"]["responses"]["201"]["content"]["application/json"]
    name = created["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert {"possible_duplicates", "possible_duplicate_outside_scope", "amparo_id"} <= set(properties)
    item = properties["possible_duplicates"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert {"amparo_id", "probability", "reasons"} <= set(schema["components"]["schemas"][item]["properties"])
