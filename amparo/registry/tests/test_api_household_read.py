from decimal import Decimal

import pytest

from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.registry.models import HouseholdMembership
from amparo.registry.tests.factories import HouseholdFactory, PersonFactory

LIST_URL = "/api/v1/households/"


def url(household) -> str:
    return f"/api/v1/households/{household.pk}/"


@pytest.fixture
def households(world):
    """Created in this order, so the list (newest first) shows them reversed."""
    return {
        "a": HouseholdFactory(
            org_unit=world.unit_a, created_by=world.caseworker_a, name="Familia Pérez Gómez"
        ),
        "own": HouseholdFactory(org_unit=world.unit_a, created_by=world.own_worker_a, name="Familia Ruiz"),
        "team": HouseholdFactory(org_unit=world.team_a, created_by=world.supervisor_mx, name="Familia Soto"),
        "b": HouseholdFactory(
            org_unit=world.unit_b, created_by=world.caseworker_b, name="Familia Ixcot", country="GT"
        ),
    }


@pytest.mark.parametrize(
    ("persona", "status", "expected"),
    [
        ("caseworker_a", 200, ["own", "a"]),
        ("caseworker_b", 200, ["b"]),
        ("own_worker_a", 200, ["own"]),
        ("supervisor_mx", 200, ["team", "own", "a"]),
        ("unit_admin_a", 200, ["own", "a"]),
        ("national_admin", 200, ["b", "team", "own", "a"]),
        ("basic_viewer_a", 403, None),
        ("auditor", 403, None),
        ("inactive_a", 401, None),
        ("anonymous", 401, None),
    ],
)
def test_list_authorization_matrix(world, households, persona, status, expected):
    # given
    mark = audit_mark()
    # when
    response = bearer_client(world.personas()[persona]).get(LIST_URL)
    # then
    assert response.status_code == status
    if expected is None:
        assert sorted(response.json()) == ["error"]
        assert audit_since(mark) == []
        return
    ids = [households[key].pk for key in expected]
    assert [row["id"] for row in response.json()["results"]] == ids
    assert response.json()["count"] == len(ids)
    assert audit_since(mark) == [
        (
            AuditAction.HOUSEHOLD_LISTED,
            "registry.household",
            "",
            {"shown": ids, "page": 1, "searched": False, "via": "api"},
        )
    ]


def test_list_rows_leave_out_address_and_members(world, households):
    row = bearer_client(world.caseworker_b).get(LIST_URL).json()["results"][0]

    assert row == {
        "id": households["b"].pk,
        "code": households["b"].code,
        "name": "Familia Ixcot",
        "country": "GT",
        "department": None,
        "municipality": None,
        "org_unit": {"id": world.unit_b.pk, "code": "unit-b", "name": "Oficina B"},
        "is_archived": False,
        "archived_at": None,
        "version": 1,
        "created_at": row["created_at"],
    }


def test_list_searches_by_name_and_code(world, households):
    client = bearer_client(world.national_admin)
    mark = audit_mark()

    by_name = client.get(LIST_URL, {"q": "pérez"}).json()["results"]
    by_code = client.get(LIST_URL, {"q": households["team"].code.lower()}).json()["results"]

    assert [row["id"] for row in by_name] == [households["a"].pk]
    assert [row["id"] for row in by_code] == [households["team"].pk]
    assert [event[3]["searched"] for event in audit_since(mark)] == [True, True]


def test_list_hides_archived_households_unless_asked(world, households):
    households["own"].is_archived = True
    households["own"].save(update_fields=["is_archived"])
    client = bearer_client(world.caseworker_a)

    assert [row["id"] for row in client.get(LIST_URL).json()["results"]] == [households["a"].pk]
    assert [row["id"] for row in client.get(LIST_URL, {"archived": "all"}).json()["results"]] == [
        households["own"].pk,
        households["a"].pk,
    ]


@pytest.mark.parametrize(
    ("params", "fields"), [({"archived": "archived"}, ["archived"]), ({"page": "x"}, ["page"])]
)
def test_list_rejects_bad_parameters(world, params, fields):
    response = bearer_client(world.caseworker_a).get(LIST_URL, params)

    assert response.status_code == 400
    assert error_fields(response) == fields


@pytest.fixture
def household(world):
    household = HouseholdFactory(
        org_unit=world.unit_a,
        created_by=world.caseworker_a,
        name="Familia Pérez Gómez",
        address_line="Calle Hidalgo 4",
        latitude=Decimal("19.400000"),
        longitude=Decimal("-99.100000"),
    )
    head = PersonFactory(org_unit=world.unit_a, given_names="Rosa", first_surname="Pérez")
    outsider = PersonFactory(org_unit=world.unit_b, given_names="Tomás", first_surname="Ixcot")
    former = PersonFactory(org_unit=world.unit_a, given_names="Luis", first_surname="Gómez")
    household.test_members = {
        "head": HouseholdMembership.objects.create(
            household=household, person=head, relationship="head", is_head=True
        ),
        "outsider": HouseholdMembership.objects.create(
            household=household, person=outsider, relationship="child"
        ),
        "former": HouseholdMembership.objects.create(
            household=household, person=former, relationship="spouse", left_on="2025-06-30"
        ),
    }
    return household


@pytest.mark.parametrize(
    ("persona", "status", "withheld"),
    [
        ("caseworker_a", 200, ["gps"]),
        ("unit_admin_a", 200, ["gps"]),
        ("supervisor_mx", 200, []),
        ("national_admin", 200, []),
        ("caseworker_b", 404, None),
        ("own_worker_a", 404, None),
        ("basic_viewer_a", 404, None),
        ("auditor", 404, None),
        ("inactive_a", 401, None),
        ("anonymous", 401, None),
    ],
)
def test_detail_authorization_matrix(world, household, persona, status, withheld):
    mark = audit_mark()

    response = bearer_client(world.personas()[persona]).get(url(household))

    assert response.status_code == status
    events = audit_since(mark)
    if status == 200:
        assert response.json()["withheld"] == withheld
        assert events[0][:3] == (AuditAction.HOUSEHOLD_VIEWED, "registry.household", str(household.pk))
        assert len(events) == 1
    elif status == 404:
        assert "Pérez" not in response.content.decode()
        assert events == [
            (
                AuditAction.ACCESS_DENIED,
                "registry.household",
                str(household.pk),
                {"permission": "household.view"},
            )
        ]
    else:
        assert events == []


def test_detail_shows_members_the_caller_may_not_see_only_as_restricted(world, household):
    members = household.test_members
    mark = audit_mark()

    body = bearer_client(world.caseworker_a).get(url(household)).json()

    assert body["members"] == [
        {
            "restricted": False,
            "membership_id": members["head"].pk,
            "person": {
                "id": members["head"].person_id,
                "amparo_id": members["head"].person.amparo_id,
                "given_names": "Rosa",
                "first_surname": "Pérez",
                "second_surname": "López",
                "sex": "female",
                "date_of_birth": "2012-05-17",
            },
            "relationship": "head",
            "is_head": True,
            "joined_on": None,
            "left_on": None,
        },
        {"restricted": True},
        {
            "restricted": False,
            "membership_id": members["former"].pk,
            "person": body["members"][2]["person"],
            "relationship": "spouse",
            "is_head": False,
            "joined_on": None,
            "left_on": "2025-06-30",
        },
    ]
    assert "Tomás" not in str(body)
    assert "Ixcot" not in str(body)
    assert audit_since(mark) == [
        (
            AuditAction.HOUSEHOLD_VIEWED,
            "registry.household",
            str(household.pk),
            {"shown": [members["head"].person_id, members["former"].person_id], "via": "api"},
        )
    ]


def test_detail_withholds_the_address_and_gps_by_clearance(world, household):
    caseworker = bearer_client(world.caseworker_a).get(url(household)).json()
    supervisor = bearer_client(world.supervisor_mx).get(url(household)).json()

    assert (caseworker["address_line"], caseworker["latitude"], caseworker["longitude"]) == (
        "Calle Hidalgo 4",
        None,
        None,
    )
    assert (supervisor["address_line"], supervisor["latitude"], supervisor["longitude"]) == (
        "Calle Hidalgo 4",
        "19.400000",
        "-99.100000",
    )
    assert supervisor["members"][1] == {"restricted": True}  # full clearance, but Guatemala is out of scope


def test_detail_of_a_missing_household_is_404_without_audit(world):
    mark = audit_mark()

    response = bearer_client(world.national_admin).get("/api/v1/households/999999/")

    assert response.status_code == 404
    assert audit_since(mark) == []
