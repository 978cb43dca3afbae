"""A person's documents, contacts and addresses through the API after registration."""

import pytest

from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.services import role_create
from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.conftest import _user
from amparo.registry.models import Address, AdminArea, Contact, IdentityDocument, Person
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory

DOCUMENT = {"document_type": "passport", "number": " G1234567 ", "issuing_country": "MX"}


def url(person: Person, kind: str, item_id: int | None = None) -> str:
    return f"/api/v1/persons/{person.pk}/{kind}/" + (f"{item_id}/" if item_id else "")


@pytest.fixture
def person(world):
    return PersonFactory(org_unit=world.unit_a, created_by=world.caseworker_a, first_surname="García")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("caseworker_a", 201),
        ("unit_admin_a", 201),
        ("supervisor_mx", 201),
        ("national_admin", 201),
        ("caseworker_b", 404),
        ("own_worker_a", 404),
        ("basic_viewer_a", 404),
        ("auditor", 404),
        ("inactive_a", 401),
        ("anonymous", 401),
    ],
)
def test_adding_a_document_authorization_matrix(world, person, persona, status):
    # given
    mark = audit_mark()
    # when
    response = bearer_client(world.personas()[persona]).post(
        url(person, "documents"), DOCUMENT, format="json"
    )
    # then
    assert response.status_code == status
    documents = list(IdentityDocument.objects.filter(person=person).values_list("number", flat=True))
    if status == 201:
        body = response.json()
        assert [item["number"] for item in body["documents"]] == ["G1234567"]
        assert body["version"] == 2
        assert documents == ["G1234567"]
        assert audit_since(mark) == [
            (
                AuditAction.PERSON_UPDATED,
                "registry.person",
                str(person.pk),
                {"fields": ["documents"], "version": 2},
            )
        ]
    else:
        assert documents == []
        assert Person.objects.get(pk=person.pk).version == 1


def test_a_contact_and_a_current_address_are_added(world, person):
    # given an earlier current address
    Address.objects.create(person=person, country="MX", line="Calle vieja 1", is_current=True)
    client = bearer_client(world.caseworker_a)
    # when
    contact = client.post(
        url(person, "contacts"), {"kind": "mobile", "value": "+52 55 1234 5678"}, format="json"
    )
    address = client.post(
        url(person, "addresses"),
        {"country": "MX", "line": "Av. Juárez 10", "is_current": True},
        format="json",
    )
    # then
    assert (contact.status_code, address.status_code) == (201, 201)
    assert [item["value"] for item in contact.json()["contacts"]] == ["+52 55 1234 5678"]
    assert sorted((item["line"], item["is_current"]) for item in address.json()["addresses"]) == [
        ("Av. Juárez 10", True),
        ("Calle vieja 1", False),
    ]
    assert address.json()["version"] == 3


def test_a_gps_point_needs_sensitive_clearance(world, person):
    # given
    point = {"country": "MX", "line": "Av. Juárez 10", "latitude": "19.432608", "longitude": "-99.133209"}
    # when
    refused = bearer_client(world.caseworker_a).post(url(person, "addresses"), point, format="json")
    accepted = bearer_client(world.supervisor_mx).post(url(person, "addresses"), point, format="json")
    # then
    assert refused.status_code == 400
    assert error_fields(refused) == ["latitude", "longitude"]
    assert accepted.status_code == 201
    assert [(item["latitude"], item["longitude"]) for item in accepted.json()["addresses"]] == [
        ("19.432608", "-99.133209")
    ]
    assert Address.objects.filter(person=person).count() == 1


def test_an_editor_without_restricted_clearance_is_refused(world, person):
    # given a role that may edit persons but whose clearance stops at basic data
    role = role_create(
        actor=None,
        name="Carga básica",
        permissions=[Permission.PERSON_VIEW, Permission.PERSON_EDIT],
        sensitivity_clearance=Sensitivity.BASIC,
    )
    clerk = _user("clerk_a", world.unit_a, role, Scope.UNIT)
    # when
    response = bearer_client(clerk).post(
        url(person, "contacts"), {"kind": "mobile", "value": "1"}, format="json"
    )
    # then
    assert response.status_code == 403
    assert not Contact.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"document_type": "nope", "number": "1"}, ["document_type"]),
        ({"document_type": "passport"}, ["number"]),
        ({"document_type": "passport", "number": "1", "issuing_country": "XX"}, ["issuing_country"]),
    ],
)
def test_invalid_documents_are_refused_with_the_fields_named(world, person, payload, fields):
    response = bearer_client(world.caseworker_a).post(url(person, "documents"), payload, format="json")
    assert response.status_code == 400
    assert error_fields(response) == fields
    assert not IdentityDocument.objects.filter(person=person).exists()


def test_an_address_area_of_another_country_is_refused(world, person):
    # given a Guatemalan department for a Mexican address
    department = AdminArea.objects.create(country="GT", level=1, code="GT-QZ", name="Quetzaltenango")
    # when
    response = bearer_client(world.caseworker_a).post(
        url(person, "addresses"), {"country": "MX", "department": department.pk}, format="json"
    )
    # then
    assert response.status_code == 400
    assert not Address.objects.filter(person=person).exists()


def test_removing_an_item(world, person):
    # given
    document = IdentityDocumentFactory(person=person, number="GALM120517")
    other = IdentityDocumentFactory(person=PersonFactory(org_unit=world.unit_a), number="OTRO1")
    client = bearer_client(world.caseworker_a)
    mark = audit_mark()
    # when
    someone_elses = client.delete(url(person, "documents", other.pk))
    removed = client.delete(url(person, "documents", document.pk))
    again = client.delete(url(person, "documents", document.pk))
    # then
    assert (someone_elses.status_code, removed.status_code, again.status_code) == (404, 200, 404)
    assert removed.json()["documents"] == []
    assert IdentityDocument.objects.filter(pk=other.pk).exists()
    assert [event[0] for event in audit_since(mark)] == [AuditAction.PERSON_UPDATED]


def test_removing_outside_the_scope_is_a_404(world, person):
    document = IdentityDocumentFactory(person=person, number="GALM120517")
    response = bearer_client(world.caseworker_b).delete(url(person, "contacts", document.pk))
    assert response.status_code == 404
    assert IdentityDocument.objects.filter(pk=document.pk).exists()


def test_an_archived_person_cannot_be_changed(world, person):
    # given
    person.is_archived = True
    person.save(update_fields=["is_archived"])
    # when
    response = bearer_client(world.caseworker_a).post(url(person, "documents"), DOCUMENT, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "person_archived"
    assert not IdentityDocument.objects.filter(person=person).exists()
