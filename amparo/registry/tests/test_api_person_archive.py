import pytest

from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.registry.models import Person
from amparo.registry.tests.factories import PersonFactory


def url(ref) -> str:
    return f"/api/v1/persons/{ref}/archive/"


@pytest.fixture
def person(world):
    return PersonFactory(org_unit=world.team_a, created_by=world.caseworker_a)


def archived_state(person: Person) -> tuple:
    return tuple(
        Person.objects.filter(pk=person.pk)
        .values_list("is_archived", "archive_reason", "archived_by", "version")
        .get()
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("supervisor_mx", 200),
        ("national_admin", 200),
        ("caseworker_a", 404),
        ("caseworker_b", 404),
        ("own_worker_a", 404),
        ("unit_admin_a", 404),
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
    response = bearer_client(user).post(url(person.pk), {"reason": "Registro duplicado"}, format="json")
    # then
    assert response.status_code == status
    events = audit_since(mark)
    if status == 200:
        body = response.json()
        assert (body["id"], body["amparo_id"], body["is_archived"], body["version"]) == (
            person.pk,
            person.amparo_id,
            True,
            2,
        )
        assert sorted(body) == ["amparo_id", "archived_at", "id", "is_archived", "version"]
        assert archived_state(person) == (True, "Registro duplicado", user.pk, 2)
        assert events == [(AuditAction.PERSON_ARCHIVED, "registry.person", str(person.pk), {})]
        return
    assert sorted(response.json()) == ["error"]
    assert archived_state(person) == (False, "", None, 1)
    if status == 404:
        assert events == [
            (AuditAction.ACCESS_DENIED, "registry.person", str(person.pk), {"permission": "person.archive"})
        ]
    else:
        assert events == []


@pytest.mark.parametrize(("payload", "fields"), [({}, ["reason"]), ({"reason": "   "}, ["reason"])])
def test_a_reason_is_required(world, person, payload, fields):
    mark = audit_mark()

    response = bearer_client(world.supervisor_mx).post(url(person.pk), payload, format="json")

    assert response.status_code == 400
    assert error_fields(response) == fields
    assert archived_state(person) == (False, "", None, 1)
    assert audit_since(mark) == []


def test_archiving_twice_changes_nothing_more(world, person):
    client = bearer_client(world.supervisor_mx)
    client.post(url(person.pk), {"reason": "Registro duplicado"}, format="json")
    mark = audit_mark()

    response = client.post(url(person.pk), {"reason": "Otra razón"}, format="json")

    assert response.status_code == 200
    assert archived_state(person) == (True, "Registro duplicado", world.supervisor_mx.pk, 2)
    assert audit_since(mark) == []


def test_an_archived_person_leaves_the_default_list(world, person):
    client = bearer_client(world.supervisor_mx)

    client.post(url(person.amparo_id), {"reason": "Registro duplicado"}, format="json")

    assert client.get("/api/v1/persons/").json()["results"] == []
    assert [
        row["id"] for row in client.get("/api/v1/persons/", {"archived": "archived"}).json()["results"]
    ] == [person.pk]
