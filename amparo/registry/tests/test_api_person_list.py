import datetime

import pytest
from django.utils import timezone

from amparo.audit.choices import AuditAction
from amparo.common.dates import years_before
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client, error_fields
from amparo.registry.identifiers import check_character
from amparo.registry.models import Person
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory

URL = "/api/v1/persons/"


@pytest.fixture
def persons(world):
    """One person per place in the tree, named so the list order is the dict order."""
    return {
        "a": PersonFactory(
            org_unit=world.unit_a,
            created_by=world.caseworker_a,
            first_surname="Alvarez",
            second_surname="Núñez",
            given_names="María José",
        ),
        "own": PersonFactory(
            org_unit=world.unit_a,
            created_by=world.own_worker_a,
            first_surname="Benítez",
            given_names="Bruno",
            sex="male",
        ),
        "team": PersonFactory(
            org_unit=world.team_a, created_by=world.supervisor_mx, first_surname="Castro", given_names="Carla"
        ),
        "b": PersonFactory(
            org_unit=world.unit_b,
            created_by=world.caseworker_b,
            first_surname="Díaz",
            given_names="Diego",
            nationality="GT",
        ),
    }


@pytest.mark.parametrize(
    ("persona", "status", "expected"),
    [
        ("caseworker_a", 200, ["a", "own"]),
        ("caseworker_b", 200, ["b"]),
        ("own_worker_a", 200, ["own"]),
        ("supervisor_mx", 200, ["a", "own", "team"]),
        ("unit_admin_a", 200, ["a", "own"]),
        ("national_admin", 200, ["a", "own", "team", "b"]),
        ("basic_viewer_a", 200, ["a", "own"]),
        ("auditor", 403, None),
        ("inactive_a", 401, None),
        ("anonymous", 401, None),
    ],
)
def test_lists_exactly_the_persons_in_scope(world, persons, persona, status, expected):
    # given
    user = world.personas()[persona]
    client = bearer_client(user)
    mark = audit_mark()
    # when
    response = client.get(URL)
    # then
    assert response.status_code == status
    if expected is None:
        assert sorted(response.json()) == ["error"]
        assert audit_since(mark) == []
        return
    body = response.json()
    assert [row["id"] for row in body["results"]] == [persons[key].pk for key in expected]
    assert body["count"] == len(expected)
    assert body["count_is_capped"] is False
    assert audit_since(mark) == [
        (
            AuditAction.PERSON_LISTED,
            "registry.person",
            "",
            {"shown": [persons[key].pk for key in expected], "page": 1, "filters": [], "via": "api"},
        ),
    ]


def test_rows_carry_basic_fields_only(world, persons):
    IdentityDocumentFactory(person=persons["a"], number="AALA120517")

    response = bearer_client(world.caseworker_a).get(URL)

    row = response.json()["results"][0]
    assert row == {
        "id": persons["a"].pk,
        "amparo_id": persons["a"].amparo_id,
        "given_names": "María José",
        "first_surname": "Alvarez",
        "second_surname": "Núñez",
        "sex": "female",
        "date_of_birth": "2012-05-17",
        "date_of_birth_is_estimated": False,
        "nationality": "MX",
        "org_unit": {"id": world.unit_a.pk, "code": "unit-a", "name": "Oficina A"},
        "is_archived": False,
        "version": 1,
    }


def test_searches_names_without_accents_in_any_order(world, persons):
    mark = audit_mark()

    response = bearer_client(world.national_admin).get(URL, {"q": "nunez MARIA"})

    assert [row["id"] for row in response.json()["results"]] == [persons["a"].pk]
    assert audit_since(mark) == [
        (
            AuditAction.PERSON_SEARCHED,
            "registry.person",
            "",
            {"shown": [persons["a"].pk], "page": 1, "filters": ["query"], "via": "api"},
        ),
    ]


def test_search_never_reaches_outside_the_scope(world, persons):
    response = bearer_client(world.caseworker_a).get(URL, {"q": "diaz"})

    assert response.json()["results"] == []
    assert response.json()["count"] == 0


def test_finds_by_document_number_and_by_amparo_id(world, persons):
    IdentityDocumentFactory(person=persons["b"], number="GT-1234 5678")
    client = bearer_client(world.national_admin)

    by_document = client.get(URL, {"q": "gt12345678"})
    by_amparo_id = client.get(URL, {"q": persons["own"].amparo_id.lower().replace("-", "")})

    assert [row["id"] for row in by_document.json()["results"]] == [persons["b"].pk]
    assert [row["id"] for row in by_amparo_id.json()["results"]] == [persons["own"].pk]


def test_finds_an_amparo_id_made_only_of_letters(world, persons):
    # given an ID without digits (about 1 in 15 are), typed without dashes in lower case
    letters = f"QQHM-WJKR-{check_character('QQHMWJKR')}"
    assert not any(char.isdigit() for char in letters)
    Person.objects.filter(pk=persons["own"].pk).update(amparo_id=letters)
    client = bearer_client(world.national_admin)
    # when
    typed = client.get(URL, {"q": letters.lower().replace("-", "")})
    as_written = client.get(URL, {"q": letters})
    # then
    assert [row["id"] for row in typed.json()["results"]] == [persons["own"].pk]
    assert [row["id"] for row in as_written.json()["results"]] == [persons["own"].pk]


def test_filters_by_sex_nationality_and_unit(world, persons):
    client = bearer_client(world.national_admin)

    assert [r["id"] for r in client.get(URL, {"sex": "male"}).json()["results"]] == [persons["own"].pk]
    assert [r["id"] for r in client.get(URL, {"nationality": "GT"}).json()["results"]] == [persons["b"].pk]
    assert [r["id"] for r in client.get(URL, {"org_unit": world.team_a.pk}).json()["results"]] == [
        persons["team"].pk
    ]


def test_filters_by_age(world, persons):
    today = timezone.localdate()
    child = PersonFactory(org_unit=world.unit_a, date_of_birth=years_before(today, 9), first_surname="Zeta")
    PersonFactory(org_unit=world.unit_a, date_of_birth=years_before(today, 30), first_surname="Zorro")

    response = bearer_client(world.caseworker_a).get(URL, {"age_min": 5, "age_max": 9})

    assert [row["id"] for row in response.json()["results"]] == [child.pk]


def test_archived_persons_only_when_asked(world, persons):
    archived = PersonFactory(org_unit=world.unit_a, is_archived=True, first_surname="Zuniga")
    client = bearer_client(world.caseworker_a)

    active = client.get(URL).json()["results"]
    only_archived = client.get(URL, {"archived": "archived"}).json()["results"]
    everyone = client.get(URL, {"archived": "all"}).json()["results"]

    assert archived.pk not in [row["id"] for row in active]
    assert [row["id"] for row in only_archived] == [archived.pk]
    assert [row["id"] for row in everyone] == [persons["a"].pk, persons["own"].pk, archived.pk]


def test_pages_through_results(world):
    people = [PersonFactory(org_unit=world.unit_a, first_surname=f"Apellido{n:02d}") for n in range(5)]
    client = bearer_client(world.caseworker_a)
    mark = audit_mark()

    first = client.get(URL, {"page_size": 2}).json()
    last = client.get(URL, {"page_size": 2, "page": 3}).json()

    assert [row["id"] for row in first["results"]] == [people[0].pk, people[1].pk]
    assert (first["count"], first["page"], first["page_size"], first["previous"]) == (5, 1, 2, None)
    assert first["next"] == "http://testserver/api/v1/persons/?page=2&page_size=2"
    assert [row["id"] for row in last["results"]] == [people[4].pk]
    assert last["next"] is None
    assert last["previous"] == "http://testserver/api/v1/persons/?page=2&page_size=2"
    assert [row[3]["shown"] for row in audit_since(mark)] == [[people[0].pk, people[1].pk], [people[4].pk]]


def test_count_stops_at_the_cap(world, monkeypatch):
    monkeypatch.setattr("amparo.registry.selectors.capped_count.__defaults__", (3,))
    for n in range(5):
        PersonFactory(org_unit=world.unit_a, first_surname=f"Apellido{n:02d}")

    body = bearer_client(world.caseworker_a).get(URL, {"page_size": 2}).json()

    assert (body["count"], body["count_is_capped"]) == (3, True)
    assert body["next"] is not None


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"sex": "dragon"}, ["sex"]),
        ({"nationality": "XX"}, ["nationality"]),
        ({"age_min": -1}, ["age_min"]),
        ({"age_min": 10, "age_max": 5}, ["age_min"]),
        ({"archived": "yes"}, ["archived"]),
        ({"page": 0, "page_size": 500}, ["page", "page_size"]),
        ({"org_unit": "abc"}, ["org_unit"]),
    ],
)
def test_rejects_bad_parameters_naming_them(world, params, fields):
    mark = audit_mark()

    response = bearer_client(world.caseworker_a).get(URL, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert error_fields(response) == fields
    assert audit_since(mark) == []


@pytest.mark.parametrize("page_size", [5, 50])
def test_query_count_does_not_grow_with_the_page(world, django_assert_num_queries, page_size):
    for n in range(60):
        person = PersonFactory(
            org_unit=world.unit_a, first_surname=f"Apellido{n:02d}", date_of_birth=datetime.date(2010, 1, 1)
        )
        IdentityDocumentFactory(person=person)
    client = bearer_client(world.caseworker_a)
    client.get(URL)  # the audit chain head exists from here on

    # token, grants, count, page, audit (chain head lock, insert, head update) and savepoints
    with django_assert_num_queries(9):
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_audits_which_filters_were_used_never_their_values(world, persons):
    mark = audit_mark()

    bearer_client(world.national_admin).get(
        URL, {"q": "diego", "sex": "male", "age_min": 1, "archived": "all"}
    )

    assert audit_since(mark) == [
        (
            AuditAction.PERSON_SEARCHED,
            "registry.person",
            "",
            {"shown": [], "page": 1, "filters": ["query", "sex", "age_min", "archived"], "via": "api"},
        ),
    ]
