import datetime
from decimal import Decimal

import factory
import pytest
from django.urls import reverse

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.registry.models import Address, Contact, HouseholdMembership
from amparo.registry.tests.factories import HouseholdFactory, IdentityDocumentFactory, PersonFactory
from amparo.registry.tests.views_support import (
    ALLOWED,
    NOT_FOUND,
    audit_events_since,
    audit_since,
    client_as,
    is_login_redirect,
    last_sequence,
)

ALLOWED_PERSONAS = ["caseworker_a", "supervisor_mx", "unit_admin_a", "national_admin", "basic_viewer_a"]
DENIED_PERSONAS = ["caseworker_b", "own_worker_a", "auditor"]


@pytest.fixture
def person(world):
    person = PersonFactory(
        org_unit=world.unit_a,
        created_by=world.caseworker_a,
        given_names="Lucía",
        first_surname="Quispe",
        second_surname="Mamani",
        gender_identity="trans_woman",
        date_of_birth=datetime.date(2010, 3, 9),
        photo=factory.django.ImageField(filename="lucia.png", format="PNG", color="red"),
    )
    IdentityDocumentFactory(person=person, number="QUML100309")
    Contact.objects.create(person=person, kind="mobile", value="+52 55 1234 5678")
    Address.objects.create(
        person=person,
        country="MX",
        line="Calle Hidalgo 12",
        latitude=Decimal("19.432608"),
        longitude=Decimal("-99.133209"),
    )
    return person


def detail_url(person):
    return reverse("registry:person_detail", args=[person.pk])


@pytest.mark.parametrize("persona", ALLOWED_PERSONAS)
def test_shows_the_person_and_audits_the_view(world, person, persona):
    user = world.personas()[persona]
    mark = last_sequence()

    response = client_as(user).get(detail_url(person))

    assert response.status_code == ALLOWED
    assert "Lucía Quispe Mamani" in response.content.decode()
    events = audit_events_since(mark)
    assert [(e.action, e.target_type, e.target_id, e.actor_id) for e in events] == [
        (AuditAction.PERSON_VIEWED, "registry.person", str(person.pk), user.pk)
    ]
    assert events[0].extra == {"via": "web"}


@pytest.mark.parametrize("persona", DENIED_PERSONAS)
def test_outsiders_get_404_and_only_a_denial_row(world, person, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).get(detail_url(person))

    assert response.status_code == NOT_FOUND
    assert "Quispe" not in response.content.decode()
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.person", str(person.pk))]


def test_a_missing_person_is_the_same_404_without_audit(world):
    mark = last_sequence()

    response = client_as(world.caseworker_a).get(reverse("registry:person_detail", args=[987654]))

    assert response.status_code == NOT_FOUND
    assert audit_since(mark) == []


@pytest.mark.parametrize("persona", ["anonymous", "inactive_a"])
def test_strangers_go_to_login(world, person, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).get(detail_url(person))

    assert is_login_redirect(response)
    assert audit_since(mark) == []


def test_basic_viewer_sees_neither_restricted_nor_sensitive_parts(world, person):
    content = client_as(world.basic_viewer_a).get(detail_url(person)).content.decode()

    for hidden in ("QUML100309", "1234 5678", "Calle Hidalgo", "Trans woman", "19.432608", "/photo/"):
        assert hidden not in content
    assert (
        content.count('data-testid="restricted"') == 5
    )  # gender identity, photo, documents, contacts, addresses
    assert "10/03/2010" not in content
    assert "09/03/2010" in content


def test_caseworker_sees_restricted_parts_but_not_sensitive_ones(world, person):
    content = client_as(world.caseworker_a).get(detail_url(person)).content.decode()

    for shown in ("QUML100309", "+52 55 1234 5678", "Calle Hidalgo 12"):
        assert shown in content
    for hidden in ("Trans woman", "19.432608", "/photo/"):
        assert hidden not in content
    assert "GPS: restricted" in content


def test_supervisor_sees_sensitive_parts(world, person):
    content = client_as(world.supervisor_mx).get(detail_url(person)).content.decode()

    assert "Trans woman" in content
    assert "19.432608" in content
    assert reverse("registry:person_photo", args=[person.pk]) in content
    assert 'data-testid="restricted"' not in content


def test_actions_follow_the_policy(world, person):
    caseworker = client_as(world.caseworker_a).get(detail_url(person)).content.decode()
    supervisor = client_as(world.supervisor_mx).get(detail_url(person)).content.decode()
    viewer = client_as(world.basic_viewer_a).get(detail_url(person)).content.decode()

    assert 'data-testid="edit-person"' in caseworker
    assert 'data-testid="archive-person"' not in caseworker
    assert 'data-testid="archive-person"' in supervisor
    assert 'data-testid="edit-person"' not in viewer
    assert "Add a document" in caseworker
    assert "Add a document" not in viewer


def test_links_only_the_households_the_viewer_may_see(world, person):
    own_household = HouseholdFactory(org_unit=world.unit_a, name="Familia Quispe")
    other_household = HouseholdFactory(org_unit=world.unit_b, name="Hogar Guatemala")
    HouseholdMembership.objects.create(household=own_household, person=person, relationship="child")
    HouseholdMembership.objects.create(household=other_household, person=person, relationship="child")

    content = client_as(world.caseworker_a).get(detail_url(person)).content.decode()

    assert reverse("registry:household_detail", args=[own_household.pk]) in content
    assert reverse("registry:household_detail", args=[other_household.pk]) not in content
    assert "Hogar Guatemala" not in content
    assert "A household outside your access" in content


# --- Photo -----------------------------------------------------------------------------------------


def photo_url(person):
    return reverse("registry:person_photo", args=[person.pk])


@pytest.mark.parametrize("persona", ["supervisor_mx", "national_admin"])
def test_photo_is_served_to_sensitive_clearance_and_audited(world, person, persona):
    user = world.personas()[persona]
    mark = last_sequence()

    response = client_as(user).get(photo_url(person))

    assert response.status_code == ALLOWED
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert audit_since(mark) == [(AuditAction.PERSON_PHOTO_VIEWED, "registry.person", str(person.pk))]


@pytest.mark.parametrize("persona", ["caseworker_a", "basic_viewer_a", "caseworker_b", "auditor"])
def test_photo_is_refused_without_clearance_with_a_denial_row(world, person, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).get(photo_url(person))

    assert response.status_code == NOT_FOUND
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.person", str(person.pk))]


def test_photo_denial_names_the_field(world, person):
    client_as(world.caseworker_a).get(photo_url(person))

    assert AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED).extra == {
        "permission": "person.view",
        "field": "photo",
    }


def test_photo_is_never_public(world, person):
    response = client_as(None).get(photo_url(person))

    assert is_login_redirect(response)
