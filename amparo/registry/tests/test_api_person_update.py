import pytest
from django.utils import timezone

from amparo.audit.choices import AuditAction
from amparo.common.dates import years_before
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.registry.models import Person
from amparo.registry.services import person_update
from amparo.registry.tests.factories import PersonFactory


def url(ref) -> str:
    return f"/api/v1/persons/{ref}/"


@pytest.fixture
def person(world):
    return PersonFactory(org_unit=world.unit_a, created_by=world.caseworker_a, first_surname="García")


def snapshot(person: Person) -> tuple:
    return tuple(
        Person.objects.filter(pk=person.pk).values_list("first_surname", "gender_identity", "version").get()
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("caseworker_a", 200),
        ("unit_admin_a", 200),
        ("supervisor_mx", 200),
        ("national_admin", 200),
        ("caseworker_b", 404),
        ("own_worker_a", 404),
        ("basic_viewer_a", 404),
        ("auditor", 404),
        ("inactive_a", 401),
        ("anonymous", 401),
    ],
)
def test_authorization_matrix(world, person, persona, status):
    # given
    user = world.personas()[persona]
    mark = audit_mark()
    # when
    response = bearer_client(user).patch(
        url(person.pk), {"version": 1, "first_surname": "Gómez"}, format="json"
    )
    # then
    assert response.status_code == status
    events = audit_since(mark)
    if status == 200:
        assert (response.json()["first_surname"], response.json()["version"]) == ("Gómez", 2)
        assert snapshot(person) == ("Gómez", "", 2)
        assert events == [
            (
                AuditAction.PERSON_UPDATED,
                "registry.person",
                str(person.pk),
                {"fields": ["first_surname"], "version": 2},
            )
        ]
        return
    assert sorted(response.json()) == ["error"]
    assert snapshot(person) == ("García", "", 1)
    if status == 404:
        assert events == [
            (AuditAction.ACCESS_DENIED, "registry.person", str(person.pk), {"permission": "person.edit"})
        ]
    else:
        assert events == []


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, person):
    # given someone else saved version 2
    person_update(
        actor=world.supervisor_mx, person=person, expected_version=1, changes={"given_names": "Ana"}
    )
    mark = audit_mark()
    # when
    response = bearer_client(world.caseworker_a).patch(
        url(person.pk), {"version": 1, "first_surname": "Gómez"}, format="json"
    )
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["current_version"], error["fields"]) == ("person_changed_meanwhile", 2, {})
    assert "2" in error["message"]
    assert snapshot(person) == ("García", "", 2)
    assert audit_since(mark) == []


def test_retrying_with_the_current_version_succeeds(world, person):
    person_update(
        actor=world.supervisor_mx, person=person, expected_version=1, changes={"given_names": "Ana"}
    )
    client = bearer_client(world.caseworker_a)
    current = client.patch(url(person.pk), {"version": 1, "first_surname": "Gómez"}, format="json").json()

    response = client.patch(
        url(person.pk),
        {"version": current["error"]["current_version"], "first_surname": "Gómez"},
        format="json",
    )

    assert response.status_code == 200
    assert snapshot(person) == ("Gómez", "", 3)


def test_version_is_required(world, person):
    response = bearer_client(world.caseworker_a).patch(
        url(person.pk), {"first_surname": "Gómez"}, format="json"
    )

    assert response.status_code == 400
    assert error_fields(response) == ["version"]
    assert snapshot(person) == ("García", "", 1)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"version": 1, "given_names": ""}, ["given_names"]),
        ({"version": 1, "sex": "x"}, ["sex"]),
        ({"version": 1, "date_of_birth": "31/02/2012"}, ["date_of_birth"]),
        ({"version": 1, "nationality": "ZZ"}, ["nationality"]),
        ({"version": "one", "first_surname": "Gómez"}, ["version"]),
        ({"version": 1, "date_of_birth": "2012-01-01", "age_years": 4}, ["age_years"]),
    ],
)
def test_rejects_invalid_fields(world, person, payload, fields):
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).patch(url(person.pk), payload, format="json")

    assert response.status_code == 400
    assert error_fields(response) == fields
    assert snapshot(person) == ("García", "", 1)
    assert audit_since(mark) == []


def test_a_sensitive_field_needs_sensitive_clearance(world, person):
    refused = bearer_client(world.caseworker_a).patch(
        url(person.pk), {"version": 1, "gender_identity": "woman", "first_surname": "Gómez"}, format="json"
    )
    allowed = bearer_client(world.supervisor_mx).patch(
        url(person.pk), {"version": 1, "gender_identity": "woman"}, format="json"
    )

    assert refused.status_code == 400
    assert error_fields(refused) == ["gender_identity"]
    assert allowed.status_code == 200
    assert allowed.json()["gender_identity"] == "woman"
    assert snapshot(person) == ("García", "woman", 2)


def test_accepts_an_age_instead_of_a_birth_date(world, person):
    response = bearer_client(world.caseworker_a).patch(
        url(person.pk), {"version": 1, "age_years": 7}, format="json"
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.date_of_birth, person.date_of_birth_is_estimated) == (
        years_before(timezone.localdate(), 7),
        True,
    )


def test_accepts_dd_mm_yyyy_and_clearing_the_birth_date(world, person):
    client = bearer_client(world.caseworker_a)

    first = client.patch(url(person.pk), {"version": 1, "date_of_birth": "01/02/2013"}, format="json")
    cleared = client.patch(url(person.pk), {"version": 2, "date_of_birth": None}, format="json")

    assert first.json()["date_of_birth"] == "2013-02-01"
    assert cleared.json()["date_of_birth"] is None
    person.refresh_from_db()
    assert person.date_of_birth is None


def test_an_unchanged_value_writes_nothing(world, person):
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).patch(
        url(person.pk), {"version": 1, "first_surname": "García"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert audit_since(mark) == []


def test_works_with_the_amparo_id(world, person):
    response = bearer_client(world.caseworker_a).patch(
        url(person.amparo_id), {"version": 1, "first_surname": "Gómez"}, format="json"
    )

    assert response.status_code == 200
    assert snapshot(person) == ("Gómez", "", 2)


def test_an_archived_person_cannot_be_changed(world, person):
    Person.objects.filter(pk=person.pk).update(is_archived=True, archived_at=timezone.now())

    response = bearer_client(world.caseworker_a).patch(
        url(person.pk), {"version": 1, "first_surname": "Gómez"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "person_archived"
    assert snapshot(person) == ("García", "", 1)


def test_put_is_not_allowed(world, person):
    response = bearer_client(world.caseworker_a).put(url(person.pk), {"version": 1}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, PATCH, HEAD, OPTIONS"
