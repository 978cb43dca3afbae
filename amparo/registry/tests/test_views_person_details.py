"""Documents, contacts and addresses added and removed on the person page (htmx and plain forms)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from amparo.audit.choices import AuditAction
from amparo.registry.models import Address, AdminArea, Contact, IdentityDocument, Person
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory
from amparo.registry.tests.views_support import ALLOWED, NOT_FOUND, audit_since, client_as, last_sequence

HTMX = {"HX-Request": "true"}
ALLOWED_PERSONAS = ["caseworker_a", "supervisor_mx", "unit_admin_a", "national_admin"]
DENIED_PERSONAS = ["caseworker_b", "own_worker_a", "basic_viewer_a", "auditor"]


@pytest.fixture
def person(world):
    return PersonFactory(org_unit=world.unit_a, created_by=world.caseworker_a)


def url(name, person, *args):
    return reverse(f"registry:person_{name}", args=[person.pk, *args])


DOCUMENT = {
    "document-document_type": "national_id",
    "document-number": "CURP-GALM120517",
    "document-issuing_country": "MX",
}


@pytest.mark.parametrize("persona", ALLOWED_PERSONAS)
def test_adds_a_document_through_htmx_and_returns_the_section(world, person, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).post(url("document_add", person), DOCUMENT, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == ALLOWED
    assert content.lstrip().startswith('<article id="person-documents"')
    assert "CURP-GALM120517" in content
    assert [(d.number, d.number_folded) for d in person.documents.all()] == [
        ("CURP-GALM120517", "curpgalm120517")
    ]
    assert audit_since(mark) == [
        (AuditAction.PERSON_UPDATED, "registry.person", str(person.pk)),
        (AuditAction.PERSON_VIEWED, "registry.person", str(person.pk)),
    ]


@pytest.mark.parametrize("persona", DENIED_PERSONAS)
def test_refuses_detail_writes_and_changes_nothing(world, person, persona):
    document = IdentityDocumentFactory(person=person)
    client = client_as(world.personas()[persona])
    mark = last_sequence()

    added = client.post(url("document_add", person), DOCUMENT, headers=HTMX)
    removed = client.post(url("detail_remove", person, "documents", document.pk), headers=HTMX)

    assert (added.status_code, removed.status_code) == (NOT_FOUND, NOT_FOUND)
    assert list(person.documents.values_list("pk", flat=True)) == [document.pk]
    assert Person.objects.get(pk=person.pk).version == 1
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.person", str(person.pk))] * 2


def test_without_javascript_a_saved_detail_returns_to_the_person_page(world, person):
    response = client_as(world.caseworker_a).post(
        url("contact_add", person), {"contact-kind": "email", "contact-value": "ana@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("detail", person)
    assert list(person.contacts.values_list("kind", "value")) == [("email", "ana@example.org")]


def test_bad_detail_input_shows_field_errors_in_the_section(world, person):
    response = client_as(world.caseworker_a).post(
        url("contact_add", person), {"contact-kind": "email", "contact-value": "not-an-email"}, headers=HTMX
    )

    content = response.content.decode()
    assert response.status_code == ALLOWED
    assert "Enter a valid e-mail address." in content
    assert 'value="not-an-email"' in content
    assert Contact.objects.exists() is False


def test_bad_detail_input_without_javascript_shows_the_page_with_errors(world, person):
    response = client_as(world.caseworker_a).post(
        url("document_add", person), {"document-document_type": "passport"}
    )

    assert response.status_code == ALLOWED
    assert "<html" in response.content.decode()
    assert response.context["document_form"].errors == {"number": ["This field is required."]}


def test_adds_an_address_with_areas_and_gps_for_a_cleared_user(world, person):
    department = AdminArea.objects.create(country="MX", level=1, code="MX-CMX", name="Ciudad de México")
    municipality = AdminArea.objects.create(
        country="MX", level=2, code="MX-CMX-015", name="Cuauhtémoc", parent=department
    )

    client_as(world.supervisor_mx).post(
        url("address_add", person),
        {
            "address-country": "MX",
            "address-department": department.pk,
            "address-municipality": municipality.pk,
            "address-line": "Calle Donceles 5",
            "address-latitude": "19.4360",
            "address-longitude": "-99.1380",
            "address-is_current": "on",
        },
        headers=HTMX,
    )

    address = Address.objects.get()
    assert (address.department, address.municipality, address.line) == (
        department,
        municipality,
        "Calle Donceles 5",
    )
    assert (address.latitude, address.longitude, address.is_current) == (
        Decimal("19.436"),
        Decimal("-99.138"),
        True,
    )


def test_gps_typed_by_a_user_without_clearance_is_ignored(world, person):
    client_as(world.caseworker_a).post(
        url("address_add", person),
        {
            "address-country": "MX",
            "address-line": "Calle 1",
            "address-latitude": "19.4",
            "address-longitude": "-99.1",
        },
        headers=HTMX,
    )

    assert list(Address.objects.values_list("line", "latitude", "longitude")) == [("Calle 1", None, None)]


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("documents", lambda person: IdentityDocumentFactory(person=person)),
        ("contacts", lambda person: Contact.objects.create(person=person, kind="phone", value="555")),
        ("addresses", lambda person: Address.objects.create(person=person, country="MX", line="Calle 2")),
    ],
)
def test_removes_one_detail(world, person, kind, make):
    item = make(person)
    mark = last_sequence()

    response = client_as(world.caseworker_a).post(url("detail_remove", person, kind, item.pk), headers=HTMX)

    assert response.status_code == ALLOWED
    assert getattr(person, kind).exists() is False
    assert audit_since(mark) == [
        (AuditAction.PERSON_UPDATED, "registry.person", str(person.pk)),
        (AuditAction.PERSON_VIEWED, "registry.person", str(person.pk)),
    ]


def test_cannot_remove_another_persons_detail(world, person):
    other = PersonFactory(org_unit=world.unit_a)
    document = IdentityDocumentFactory(person=other)

    response = client_as(world.caseworker_a).post(url("detail_remove", person, "documents", document.pk))

    assert response.status_code == NOT_FOUND
    assert IdentityDocument.objects.filter(pk=document.pk).exists() is True


def test_unknown_detail_kind_is_404(world, person):
    response = client_as(world.caseworker_a).post(url("detail_remove", person, "cases", 1))

    assert response.status_code == NOT_FOUND


def test_details_accept_only_post(world, person):
    response = client_as(world.caseworker_a).get(url("document_add", person))

    assert response.status_code == 405


# --- Area cascade ----------------------------------------------------------------------------------


@pytest.fixture
def areas():
    jalisco = AdminArea.objects.create(country="MX", level=1, code="MX-JAL", name="Jalisco")
    AdminArea.objects.create(country="MX", level=2, code="MX-JAL-120", name="Zapopan", parent=jalisco)
    AdminArea.objects.create(country="MX", level=2, code="MX-JAL-039", name="Guadalajara", parent=jalisco)
    oaxaca = AdminArea.objects.create(country="MX", level=1, code="MX-OAX", name="Oaxaca")
    AdminArea.objects.create(country="MX", level=2, code="MX-OAX-067", name="Oaxaca de Juárez", parent=oaxaca)
    AdminArea.objects.create(country="GT", level=1, code="GT-01", name="Guatemala")
    return jalisco, oaxaca


def test_area_cascade_lists_departments_of_the_country(world, areas):
    response = client_as(world.caseworker_a).get(
        reverse("registry:area_fields"), {"prefix": "address", "address-country": "MX"}
    )

    form = response.context["form"]
    assert [a.name for a in form.fields["department"].queryset] == ["Jalisco", "Oaxaca"]
    assert list(form.fields["municipality"].queryset) == []
    assert 'id="areas-address"' in response.content.decode()


def test_area_cascade_lists_municipalities_of_the_department(world, areas):
    jalisco, _oaxaca = areas

    response = client_as(world.caseworker_a).get(
        reverse("registry:area_fields"),
        {"prefix": "address", "address-country": "MX", "address-department": jalisco.pk},
    )

    assert [a.name for a in response.context["form"].fields["municipality"].queryset] == [
        "Guadalajara",
        "Zapopan",
    ]


def test_area_cascade_drops_a_department_of_another_country(world, areas):
    jalisco, _oaxaca = areas

    response = client_as(world.caseworker_a).get(
        reverse("registry:area_fields"), {"prefix": "", "country": "GT", "department": jalisco.pk}
    )

    form = response.context["form"]
    assert [a.name for a in form.fields["department"].queryset] == ["Guatemala"]
    assert list(form.fields["municipality"].queryset) == []


def test_area_cascade_needs_login_and_a_known_prefix(world, areas):
    assert client_as(None).get(reverse("registry:area_fields")).status_code == 302
    assert (
        client_as(world.caseworker_a).get(reverse("registry:area_fields"), {"prefix": "x"}).status_code == 404
    )
