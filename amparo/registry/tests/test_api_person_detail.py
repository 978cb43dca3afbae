import datetime
from decimal import Decimal

import pytest

from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client
from amparo.registry.identifiers import check_character
from amparo.registry.models import Address, Contact
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory

ALL_WITHHELD = ["documents", "contacts", "addresses", "archive_reason", "gender_identity", "photo", "gps"]
SENSITIVE_WITHHELD = ["gender_identity", "photo", "gps"]
CHECK = check_character("7K3MQ9X2")
AMPARO_ID = f"7K3M-Q9X2-{CHECK}"
WRONG_CHECK = next(char for char in "0123456789" if char != CHECK)
ABSENT_AMPARO_ID = f"AAAA-AAAA-{check_character('AAAAAAAA')}"
NOT_FOUND_BODY = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def url(ref) -> str:
    return f"/api/v1/persons/{ref}/"


@pytest.fixture
def person(world):
    person = PersonFactory(
        amparo_id=AMPARO_ID,
        org_unit=world.unit_a,
        created_by=world.caseworker_a,
        gender_identity="non_binary",
        given_names="María José",
        first_surname="García",
        second_surname="López",
    )
    document = IdentityDocumentFactory(person=person, number="GALM120517", issuing_country="MX")
    contact = Contact.objects.create(person=person, kind="mobile", value="+52 55 1234 5678")
    address = Address.objects.create(
        person=person,
        country="MX",
        line="Calle 5 de Mayo 12",
        latitude=Decimal("19.432608"),
        longitude=Decimal("-99.133209"),
    )
    person.test_ids = {"document": document.pk, "contact": contact.pk, "address": address.pk}
    return person


@pytest.mark.parametrize(
    ("persona", "status", "withheld"),
    [
        ("caseworker_a", 200, SENSITIVE_WITHHELD),
        ("unit_admin_a", 200, SENSITIVE_WITHHELD),
        ("supervisor_mx", 200, []),
        ("national_admin", 200, []),
        ("basic_viewer_a", 200, ALL_WITHHELD),
        ("caseworker_b", 404, None),
        ("own_worker_a", 404, None),
        ("auditor", 404, None),
        ("inactive_a", 401, None),
        ("anonymous", 401, None),
    ],
)
def test_authorization_matrix(world, person, persona, status, withheld):
    # given
    user = world.personas()[persona]
    mark = audit_mark()
    # when
    response = bearer_client(user).get(url(person.pk), HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == status
    events = audit_since(mark)
    if status == 200:
        assert response.json()["withheld"] == withheld
        assert events == [(AuditAction.PERSON_VIEWED, "registry.person", str(person.pk), {"via": "api"})]
    elif status == 404:
        assert response.json() == NOT_FOUND_BODY
        assert events == [
            (AuditAction.ACCESS_DENIED, "registry.person", str(person.pk), {"permission": "person.view"})
        ]
    else:
        assert sorted(response.json()) == ["error"]
        assert events == []


def test_full_clearance_sees_everything(world, person):
    response = bearer_client(world.supervisor_mx).get(url(person.pk))

    assert response.json() == {
        "id": person.pk,
        "amparo_id": person.amparo_id,
        "given_names": "María José",
        "first_surname": "García",
        "second_surname": "López",
        "sex": "female",
        "gender_identity": "non_binary",
        "date_of_birth": "2012-05-17",
        "date_of_birth_is_estimated": False,
        "nationality": "MX",
        "has_photo": False,
        "org_unit": {"id": world.unit_a.pk, "code": "unit-a", "name": "Oficina A"},
        "is_archived": False,
        "archived_at": None,
        "archive_reason": "",
        "version": 1,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
        "documents": [
            {
                "id": person.test_ids["document"],
                "document_type": "national_id",
                "number": "GALM120517",
                "issuing_country": "MX",
            }
        ],
        "contacts": [{"id": person.test_ids["contact"], "kind": "mobile", "value": "+52 55 1234 5678"}],
        "addresses": [
            {
                "id": person.test_ids["address"],
                "country": "MX",
                "department": None,
                "municipality": None,
                "line": "Calle 5 de Mayo 12",
                "latitude": "19.432608",
                "longitude": "-99.133209",
                "is_current": True,
            }
        ],
        "withheld": [],
    }


def test_restricted_clearance_gets_nulls_for_sensitive_parts(world, person):
    body = bearer_client(world.caseworker_a).get(url(person.pk)).json()

    assert (body["gender_identity"], body["has_photo"]) == (None, None)
    assert body["addresses"][0]["line"] == "Calle 5 de Mayo 12"
    assert (body["addresses"][0]["latitude"], body["addresses"][0]["longitude"]) == (None, None)
    assert body["documents"][0]["number"] == "GALM120517"


def test_basic_clearance_sees_no_restricted_part(world, person):
    person.archive_reason = "Duplicado"
    person.save(update_fields=["archive_reason"])

    body = bearer_client(world.basic_viewer_a).get(url(person.pk)).json()

    assert {key: body[key] for key in ("documents", "contacts", "addresses", "archive_reason")} == {
        "documents": None,
        "contacts": None,
        "addresses": None,
        "archive_reason": None,
    }
    assert "GALM120517" not in str(body)
    assert "5678" not in str(body)
    assert (body["given_names"], body["date_of_birth"]) == ("María José", "2012-05-17")


@pytest.mark.parametrize(
    "ref",
    [AMPARO_ID, AMPARO_ID.lower(), AMPARO_ID.replace("-", ""), f"{AMPARO_ID} ", f" {AMPARO_ID.lower()}"],
)
def test_reads_a_person_by_amparo_id(world, person, ref):
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).get(url(ref))

    assert response.status_code == 200
    assert response.json()["id"] == person.pk
    assert audit_since(mark) == [
        (AuditAction.PERSON_VIEWED, "registry.person", str(person.pk), {"via": "api"})
    ]


def test_an_amparo_id_outside_the_scope_is_404_and_audited(world, person):
    mark = audit_mark()

    response = bearer_client(world.caseworker_b).get(url(person.amparo_id), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY
    assert audit_since(mark) == [
        (AuditAction.ACCESS_DENIED, "registry.person", str(person.pk), {"permission": "person.view"})
    ]


@pytest.mark.parametrize("ref", ["999999", "not-an-id", ABSENT_AMPARO_ID, f"7K3M-Q9X2-{WRONG_CHECK}", "0"])
def test_missing_persons_are_404_without_audit(world, person, ref):
    mark = audit_mark()

    response = bearer_client(world.national_admin).get(url(ref), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY
    assert audit_since(mark) == []


def test_archived_persons_can_still_be_read(world, person):
    person.is_archived = True
    person.archived_at = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    person.save(update_fields=["is_archived", "archived_at"])

    body = bearer_client(world.caseworker_a).get(url(person.pk)).json()

    assert (body["is_archived"], body["archived_at"]) == (True, "2026-01-01T21:04:05-06:00")
