import pytest

from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.registry.models import AdminArea, Household
from amparo.registry.services import household_update
from amparo.registry.tests.factories import HouseholdFactory

LIST_URL = "/api/v1/households/"
EDITORS = [
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
]


@pytest.fixture
def household(world):
    return HouseholdFactory(org_unit=world.unit_a, created_by=world.caseworker_a, name="Familia Pérez")


def state(household: Household) -> tuple:
    return tuple(
        Household.objects.filter(pk=household.pk)
        .values_list("name", "is_archived", "archive_reason", "version")
        .get()
    )


# --- create ----------------------------------------------------------------------------------------


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
def test_create_authorization_matrix(world, persona, status, unit):
    user = world.personas()[persona]
    mark = audit_mark()

    response = bearer_client(user).post(LIST_URL, {"name": "Familia Nueva", "country": "MX"}, format="json")

    assert response.status_code == status
    if status != 201:
        assert Household.objects.exists() is False
        assert audit_since(mark) == []
        return
    household = Household.objects.get()
    assert (household.name, household.org_unit, household.created_by) == (
        "Familia Nueva",
        getattr(world, unit),
        user,
    )
    assert response.json()["code"] == household.code
    assert audit_since(mark) == [(AuditAction.HOUSEHOLD_CREATED, "registry.household", str(household.pk), {})]


def test_create_with_areas_and_gps(world):
    state_area = AdminArea.objects.create(country="MX", level=1, code="MX-CMX", name="Ciudad de México")
    municipality = AdminArea.objects.create(
        country="MX", level=2, code="MX-CMX-015", name="Cuauhtémoc", parent=state_area
    )

    response = bearer_client(world.caseworker_a).post(
        LIST_URL,
        {
            "country": "MX",
            "department": state_area.pk,
            "municipality": municipality.pk,
            "address_line": "Calle 1",
            "latitude": "19.43",
            "longitude": "-99.13",
        },
        format="json",
    )

    assert response.status_code == 201
    household = Household.objects.get()
    assert (household.department, household.municipality, household.address_line) == (
        state_area,
        municipality,
        "Calle 1",
    )
    assert response.json()["department"] == {
        "id": state_area.pk,
        "code": "MX-CMX",
        "name": "Ciudad de México",
    }


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["country"]),
        ({"country": "QQ"}, ["country"]),
        ({"country": "MX", "latitude": "100"}, ["latitude"]),
        ({"country": "MX", "department": 999999}, ["department"]),
        ({"country": "MX", "org_unit": 999999}, ["org_unit"]),
    ],
)
def test_create_rejects_invalid_input(world, payload, fields):
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).post(LIST_URL, payload, format="json")

    assert response.status_code == 400
    assert error_fields(response) == fields
    assert Household.objects.exists() is False
    assert audit_since(mark) == []


def test_create_refuses_a_unit_outside_the_callers_reach(world):
    response = bearer_client(world.caseworker_a).post(
        LIST_URL, {"country": "GT", "org_unit": world.unit_b.pk}, format="json"
    )

    assert response.status_code == 400
    assert error_fields(response) == ["org_unit"]
    assert Household.objects.exists() is False


# --- update ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), EDITORS)
def test_update_authorization_matrix(world, household, persona, status):
    mark = audit_mark()

    response = bearer_client(world.personas()[persona]).patch(
        f"/api/v1/households/{household.pk}/", {"version": 1, "name": "Familia Pérez Soto"}, format="json"
    )

    assert response.status_code == status
    events = audit_since(mark)
    if status == 200:
        assert (response.json()["name"], response.json()["version"]) == ("Familia Pérez Soto", 2)
        assert state(household) == ("Familia Pérez Soto", False, "", 2)
        assert events == [
            (AuditAction.HOUSEHOLD_UPDATED, "registry.household", str(household.pk), {"fields": ["name"]})
        ]
        return
    assert state(household) == ("Familia Pérez", False, "", 1)
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


def test_update_with_a_stale_version_is_a_conflict(world, household):
    household_update(
        actor=world.supervisor_mx, household=household, expected_version=1, changes={"name": "Familia Soto"}
    )
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).patch(
        f"/api/v1/households/{household.pk}/", {"version": 1, "name": "Familia Pérez Soto"}, format="json"
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["current_version"]) == ("household_changed_meanwhile", 2)
    assert state(household) == ("Familia Soto", False, "", 2)
    assert audit_since(mark) == []


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "x"}, ["version"]),
        ({"version": 1, "country": "QQ"}, ["country"]),
        ({"version": 1, "department": 999999}, ["department"]),
    ],
)
def test_update_rejects_invalid_input(world, household, payload, fields):
    response = bearer_client(world.caseworker_a).patch(
        f"/api/v1/households/{household.pk}/", payload, format="json"
    )

    assert response.status_code == 400
    assert error_fields(response) == fields
    assert state(household) == ("Familia Pérez", False, "", 1)


# --- archive ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), EDITORS)
def test_archive_authorization_matrix(world, household, persona, status):
    mark = audit_mark()

    response = bearer_client(world.personas()[persona]).post(
        f"/api/v1/households/{household.pk}/archive/", {"reason": "Se mudaron"}, format="json"
    )

    assert response.status_code == status
    events = audit_since(mark)
    if status == 200:
        assert response.json()["is_archived"] is True
        assert state(household) == ("Familia Pérez", True, "Se mudaron", 2)
        assert events == [(AuditAction.HOUSEHOLD_ARCHIVED, "registry.household", str(household.pk), {})]
        return
    assert state(household) == ("Familia Pérez", False, "", 1)
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


def test_archive_needs_a_reason(world, household):
    response = bearer_client(world.caseworker_a).post(
        f"/api/v1/households/{household.pk}/archive/", {}, format="json"
    )

    assert response.status_code == 400
    assert error_fields(response) == ["reason"]
    assert state(household) == ("Familia Pérez", False, "", 1)
