import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from amparo.audit.choices import AuditAction
from amparo.common.dates import years_before
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.registry.models import Address, Contact, IdentityDocument, Person

URL = "/api/v1/persons/"
MINIMAL = {"given_names": "Lucía", "first_surname": "Peña", "date_of_birth": "2014-03-09"}


@pytest.mark.parametrize(
    ("persona", "status", "unit"),
    [
        ("caseworker_a", 201, "unit_a"),
        ("caseworker_b", 201, "unit_b"),
        ("own_worker_a", 201, "unit_a"),
        ("supervisor_mx", 201, "mx"),
        ("unit_admin_a", 201, "unit_a"),
        ("national_admin", 201, "regional"),
        ("basic_viewer_a", 403, None),
        ("auditor", 403, None),
        ("inactive_a", 401, None),
        ("anonymous", 401, None),
    ],
)
def test_authorization_matrix(world, persona, status, unit):
    # given
    user = world.personas()[persona]
    mark = audit_mark()
    # when
    response = bearer_client(user).post(URL, MINIMAL, format="json")
    # then
    assert response.status_code == status
    if status != 201:
        assert sorted(response.json()) == ["error"]
        assert Person.objects.exists() is False
        assert audit_since(mark) == []
        return
    person = Person.objects.get()
    assert (person.org_unit, person.created_by) == (getattr(world, unit), user)
    assert response.json()["id"] == person.pk
    assert audit_since(mark) == [
        (AuditAction.PERSON_CREATED, "registry.person", str(person.pk), {"org_unit": person.org_unit_id})
    ]


def test_creates_a_person_with_documents_contacts_and_addresses(world):
    # given
    payload = {
        **MINIMAL,
        "second_surname": "de la Cruz",
        "sex": "female",
        "nationality": "HN",
        "documents": [{"document_type": "passport", "number": " G1234567 ", "issuing_country": "HN"}],
        "contacts": [{"kind": "whatsapp", "value": "+504 9999 0000"}],
        "addresses": [{"country": "MX", "line": "Albergue Belén", "latitude": "25.4", "longitude": "-101.0"}],
    }
    # when
    response = bearer_client(world.caseworker_a).post(URL, payload, format="json")
    # then
    assert response.status_code == 201
    person = Person.objects.get()
    assert (person.full_name, str(person.nationality), person.sex) == (
        "Lucía Peña de la Cruz",
        "HN",
        "female",
    )
    assert list(
        IdentityDocument.objects.values_list("person", "document_type", "number", "number_folded")
    ) == [(person.pk, "passport", "G1234567", "g1234567")]
    assert list(Contact.objects.values_list("person", "kind", "value")) == [
        (person.pk, "whatsapp", "+504 9999 0000")
    ]
    assert list(Address.objects.values_list("person", "line", "is_current")) == [
        (person.pk, "Albergue Belén", True)
    ]
    body = response.json()
    assert body["amparo_id"] == person.amparo_id
    assert body["documents"] == [
        {
            "id": person.documents.get().pk,
            "document_type": "passport",
            "number": "G1234567",
            "issuing_country": "HN",
        }
    ]
    assert (
        body["addresses"][0]["latitude"] is None
    )  # GPS is sensitive; a caseworker's clearance is restricted
    assert body["withheld"] == ["gender_identity", "photo", "gps"]


def test_accepts_dd_mm_yyyy_dates(world):
    response = bearer_client(world.caseworker_a).post(
        URL, {"given_names": "Pedro", "date_of_birth": "17/05/2012"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["date_of_birth"] == "2012-05-17"


def test_derives_an_estimated_birth_date_from_an_age(world):
    response = bearer_client(world.caseworker_a).post(
        URL, {"given_names": "Pedro", "age_years": 10}, format="json"
    )

    assert response.status_code == 201
    person = Person.objects.get()
    assert (person.date_of_birth, person.date_of_birth_is_estimated) == (
        years_before(timezone.localdate(), 10),
        True,
    )


def test_creates_in_a_unit_below_the_callers(world):
    response = bearer_client(world.supervisor_mx).post(
        URL, {**MINIMAL, "org_unit": world.team_a.pk}, format="json"
    )

    assert response.status_code == 201
    assert Person.objects.get().org_unit == world.team_a


@pytest.mark.parametrize("unit", ["unit_b", "mx", "team_a"])
def test_refuses_a_unit_outside_the_callers_reach(world, unit):
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).post(
        URL, {**MINIMAL, "org_unit": getattr(world, unit).pk}, format="json"
    )

    assert response.status_code == 400
    assert error_fields(response) == ["org_unit"]
    assert Person.objects.exists() is False
    assert audit_since(mark) == []


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["given_names"]),
        ({"given_names": ""}, ["given_names"]),
        ({"given_names": "Ana", "sex": "dragon"}, ["sex"]),
        ({"given_names": "Ana", "date_of_birth": "2012-13-01"}, ["date_of_birth"]),
        ({"given_names": "Ana", "date_of_birth": "01/01/2999"}, ["date_of_birth"]),
        ({"given_names": "Ana", "date_of_birth": "2012-01-01", "age_years": 3}, ["age_years"]),
        ({"given_names": "Ana", "age_years": -1}, ["age_years"]),
        ({"given_names": "Ana", "nationality": "XX"}, ["nationality"]),
        ({"given_names": "Ana", "gender_identity": "unknown"}, ["gender_identity"]),
        ({"given_names": "Ana", "org_unit": "a"}, ["org_unit"]),
        (
            {
                "given_names": "Ana",
                "documents": [{"document_type": "passport", "number": "1"}, {"number": ""}],
            },
            ["documents.1.document_type", "documents.1.number"],
        ),
        ({"given_names": "Ana", "contacts": [{"kind": "fax", "value": "1"}]}, ["contacts.0.kind"]),
        (
            {"given_names": "Ana", "addresses": [{"country": "MX", "latitude": "91"}]},
            ["addresses.0.latitude"],
        ),
        ({"given_names": "Ana", "addresses": [{"country": "MX", "department": 999999}]}, ["department"]),
        ({"given_names": "Ana", "documents": "none"}, ["documents"]),
    ],
)
def test_rejects_invalid_input_naming_the_fields(world, payload, fields):
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert error_fields(response) == fields
    assert Person.objects.exists() is False
    assert audit_since(mark) == []


def test_rejects_a_body_that_is_not_json(world):
    response = bearer_client(world.caseworker_a).post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert Person.objects.exists() is False


def test_a_browser_session_can_use_the_api_but_not_without_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.caseworker_a)

    listed = client.get(URL)
    refused = client.post(URL, MINIMAL, format="json")

    assert listed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in refused.json()["error"]["message"]
    assert Person.objects.exists() is False
