import datetime

import pytest
from django.utils import timezone

from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.registry.models import HouseholdMembership
from amparo.registry.tests.factories import HouseholdFactory, PersonFactory

EDITORS = [
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
]


@pytest.fixture
def household(world):
    return HouseholdFactory(org_unit=world.unit_a, created_by=world.caseworker_a)


@pytest.fixture
def child(world):
    return PersonFactory(org_unit=world.unit_a, given_names="Mateo", first_surname="Pérez")


def add_url(household) -> str:
    return f"/api/v1/households/{household.pk}/members/"


def leave_url(household, membership) -> str:
    return f"/api/v1/households/{household.pk}/members/{membership.pk}/leave/"


def memberships() -> list[tuple]:
    return list(HouseholdMembership.objects.values_list("household", "person", "relationship", "left_on"))


@pytest.mark.parametrize(("persona", "status"), EDITORS)
def test_add_authorization_matrix(world, household, child, persona, status):
    # given
    mark = audit_mark()
    # when
    response = bearer_client(world.personas()[persona]).post(
        add_url(household),
        {"person": str(child.pk), "relationship": "child", "joined_on": "01/03/2024"},
        format="json",
    )
    # then
    assert response.status_code == status
    events = audit_since(mark)
    if status == 201:
        membership = HouseholdMembership.objects.get()
        assert response.json() == {
            "restricted": False,
            "membership_id": membership.pk,
            "person": {
                "id": child.pk,
                "amparo_id": child.amparo_id,
                "given_names": "Mateo",
                "first_surname": "Pérez",
                "second_surname": "López",
                "sex": "female",
                "date_of_birth": "2012-05-17",
            },
            "relationship": "child",
            "is_head": False,
            "joined_on": "2024-03-01",
            "left_on": None,
        }
        assert events == [
            (
                AuditAction.HOUSEHOLD_MEMBER_ADDED,
                "registry.household",
                str(household.pk),
                {"person": child.pk, "relationship": "child"},
            )
        ]
        return
    assert memberships() == []
    if status == 404:
        assert events == [
            (
                AuditAction.ACCESS_DENIED,
                "registry.household",
                str(household.pk),
                {"permission": "household.edit"},
            )
        ]
    else:
        assert events == []


def test_add_takes_an_amparo_id(world, household, child):
    response = bearer_client(world.caseworker_a).post(
        add_url(household), {"person": child.amparo_id, "relationship": "head"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["is_head"] is True
    assert memberships() == [(household.pk, child.pk, "head", None)]


def test_add_refuses_a_person_outside_the_scope_as_a_field_error(world, household):
    outsider = PersonFactory(org_unit=world.unit_b)
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).post(
        add_url(household), {"person": outsider.pk, "relationship": "child"}, format="json"
    )
    missing = bearer_client(world.caseworker_a).post(
        add_url(household), {"person": "999999", "relationship": "child"}, format="json"
    )

    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json()
    assert error_fields(response) == ["person"]
    assert memberships() == []
    assert audit_since(mark) == [
        (AuditAction.ACCESS_DENIED, "registry.person", str(outsider.pk), {"permission": "person.view"})
    ]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["person", "relationship"]),
        ({"person": "1", "relationship": "cousin"}, ["relationship"]),
        ({"person": "1", "relationship": "child", "joined_on": "2024-02-30"}, ["joined_on"]),
    ],
)
def test_add_rejects_invalid_input(world, household, payload, fields):
    response = bearer_client(world.caseworker_a).post(add_url(household), payload, format="json")

    assert response.status_code == 400
    assert error_fields(response) == fields
    assert memberships() == []


def test_add_refuses_a_current_member_and_a_second_head(world, household, child):
    client = bearer_client(world.caseworker_a)
    client.post(add_url(household), {"person": child.pk, "relationship": "head"}, format="json")
    other = PersonFactory(org_unit=world.unit_a)

    again = client.post(add_url(household), {"person": child.pk, "relationship": "child"}, format="json")
    second_head = client.post(add_url(household), {"person": other.pk, "relationship": "head"}, format="json")

    assert (again.status_code, again.json()["error"]["code"]) == (400, "already_member")
    assert (second_head.status_code, second_head.json()["error"]["code"]) == (400, "household_has_head")
    assert memberships() == [(household.pk, child.pk, "head", None)]


@pytest.fixture
def membership(household, child):
    return HouseholdMembership.objects.create(household=household, person=child, relationship="child")


@pytest.mark.parametrize(
    ("persona", "status"), [(persona, 200 if status == 201 else status) for persona, status in EDITORS]
)
def test_leave_authorization_matrix(world, household, membership, persona, status):
    mark = audit_mark()

    response = bearer_client(world.personas()[persona]).post(
        leave_url(household, membership), {"left_on": "2026-01-31"}, format="json"
    )

    assert response.status_code == status
    events = audit_since(mark)
    if status == 200:
        assert (response.json()["membership_id"], response.json()["left_on"]) == (membership.pk, "2026-01-31")
        assert memberships() == [(household.pk, membership.person_id, "child", datetime.date(2026, 1, 31))]
        assert events == [
            (
                AuditAction.HOUSEHOLD_MEMBER_REMOVED,
                "registry.household",
                str(household.pk),
                {"person": membership.person_id},
            )
        ]
        return
    assert memberships() == [(household.pk, membership.person_id, "child", None)]
    if status == 404:
        assert events == [
            (
                AuditAction.ACCESS_DENIED,
                "registry.household",
                str(household.pk),
                {"permission": "household.edit"},
            )
        ]
    else:
        assert events == []


def test_leave_defaults_to_today(world, household, membership):
    response = bearer_client(world.caseworker_a).post(leave_url(household, membership), {}, format="json")

    assert response.status_code == 200
    assert memberships() == [(household.pk, membership.person_id, "child", timezone.localdate())]


def test_leave_of_a_member_the_caller_may_not_see_tells_nothing_about_them(world, household):
    outsider = PersonFactory(org_unit=world.unit_b, given_names="Tomás")
    hidden = HouseholdMembership.objects.create(
        household=household, person=outsider, relationship="caregiver"
    )

    response = bearer_client(world.caseworker_a).post(leave_url(household, hidden), {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"restricted": True}


def test_leave_needs_a_membership_of_that_household(world, household, membership):
    other = HouseholdFactory(org_unit=world.unit_a, created_by=world.caseworker_a)
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).post(leave_url(other, membership), {}, format="json")

    assert response.status_code == 404
    assert memberships() == [(household.pk, membership.person_id, "child", None)]
    assert audit_since(mark) == []
