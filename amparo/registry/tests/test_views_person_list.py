import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.common.dates import years_before
from amparo.registry import selectors
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory
from amparo.registry.tests.views_support import (
    ALLOWED,
    NOT_FOUND,
    audit_events_since,
    audit_since,
    client_as,
    is_login_redirect,
    last_sequence,
)

URL = reverse("registry:person_list")


@pytest.fixture
def people(world):
    return {
        "a": PersonFactory(
            org_unit=world.unit_a,
            created_by=world.caseworker_a,
            given_names="Ana",
            first_surname="Alvarado",
            second_surname="",
        ),
        "own": PersonFactory(
            org_unit=world.unit_a,
            created_by=world.own_worker_a,
            given_names="Beto",
            first_surname="Benítez",
            second_surname="",
        ),
        "team": PersonFactory(
            org_unit=world.team_a, given_names="Carla", first_surname="Castro", second_surname=""
        ),
        "b": PersonFactory(
            org_unit=world.unit_b, given_names="Diego", first_surname="Duarte", second_surname=""
        ),
    }


VISIBLE = {
    "caseworker_a": ["a", "own"],
    "caseworker_b": ["b"],
    "own_worker_a": ["own"],
    "supervisor_mx": ["a", "own", "team"],
    "unit_admin_a": ["a", "own"],
    "national_admin": ["a", "own", "team", "b"],
    "basic_viewer_a": ["a", "own"],
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_lists_exactly_the_persons_in_reach_and_audits_them(world, people, persona):
    user = world.personas()[persona]
    client = client_as(user)
    mark = last_sequence()

    response = client.get(URL)

    assert response.status_code == ALLOWED
    expected = [people[key].pk for key in VISIBLE[persona]]
    assert [person.pk for person in response.context["page"].rows] == expected
    events = audit_events_since(mark)
    assert [(event.action, event.target_type, event.actor_id) for event in events] == [
        (AuditAction.PERSON_LISTED, "registry.person", user.pk)
    ]
    assert events[0].extra == {"shown": expected, "page": 1, "filters": []}


@pytest.mark.parametrize("persona", ["auditor"])
def test_refuses_users_without_person_view_and_writes_nothing(world, people, persona):
    client = client_as(world.personas()[persona])
    mark = last_sequence()

    response = client.get(URL)

    assert response.status_code == NOT_FOUND
    assert audit_since(mark) == []


@pytest.mark.parametrize("persona", ["anonymous", "inactive_a"])
def test_sends_strangers_to_login(world, people, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).get(URL)

    assert is_login_redirect(response)
    assert audit_since(mark) == []


@pytest.fixture
def jose(world):
    return PersonFactory(
        org_unit=world.unit_a, given_names="José", first_surname="Ñúñez", second_surname="Peña", sex="male"
    )


@pytest.mark.parametrize("query", ["jose nunez", "JOSE NUÑEZ", "peña núñez", "nunez pena jos", "Nú"])
def test_finds_names_without_accents_in_any_surname_order(world, jose, query):
    PersonFactory(org_unit=world.unit_a, given_names="Josefina", first_surname="Pérez", second_surname="")

    response = client_as(world.caseworker_a).get(URL, {"q": query})

    assert [person.pk for person in response.context["page"].rows] == [jose.pk]
    assert "José" in response.content.decode()


def test_search_is_audited_without_the_text_typed(world, jose):
    mark = last_sequence()

    client_as(world.caseworker_a).get(URL, {"q": "jose nunez"})

    event = AuditEvent.objects.get(sequence__gt=mark)
    assert event.action == AuditAction.PERSON_SEARCHED
    assert event.extra == {"shown": [jose.pk], "page": 1, "filters": ["query"]}


def test_search_never_reaches_beyond_the_users_units(world, jose):
    PersonFactory(org_unit=world.unit_b, given_names="José", first_surname="Núñez", second_surname="")

    response = client_as(world.caseworker_a).get(URL, {"q": "jose nunez"})

    assert [person.pk for person in response.context["page"].rows] == [jose.pk]


def test_finds_a_document_number_typed_with_other_separators(world, jose):
    IdentityDocumentFactory(person=jose, number="NUPJ-120517 HX")

    response = client_as(world.caseworker_a).get(URL, {"q": "nupj120517hx"})

    assert [person.pk for person in response.context["page"].rows] == [jose.pk]


def test_finds_an_amparo_id_typed_in_lower_case_without_dashes(world, jose):
    response = client_as(world.caseworker_a).get(URL, {"q": jose.amparo_id.replace("-", "").lower()})

    assert [person.pk for person in response.context["page"].rows] == [jose.pk]


def test_filters_by_sex_nationality_unit_and_age(world):
    today = timezone.localdate()
    match = PersonFactory(
        org_unit=world.team_a,
        sex="female",
        nationality="GT",
        date_of_birth=years_before(today, 10),
        first_surname="Match",
    )
    PersonFactory(org_unit=world.team_a, sex="male", nationality="GT", date_of_birth=years_before(today, 10))
    PersonFactory(
        org_unit=world.team_a, sex="female", nationality="MX", date_of_birth=years_before(today, 10)
    )
    PersonFactory(
        org_unit=world.unit_a, sex="female", nationality="GT", date_of_birth=years_before(today, 10)
    )
    PersonFactory(
        org_unit=world.team_a, sex="female", nationality="GT", date_of_birth=years_before(today, 15)
    )
    mark = last_sequence()

    response = client_as(world.supervisor_mx).get(
        URL,
        {
            "sex": "female",
            "nationality": "GT",
            "unit": world.team_a.pk,
            "age_min": 9,
            "age_max": 11,
        },
    )

    assert [person.pk for person in response.context["page"].rows] == [match.pk]
    event = AuditEvent.objects.get(sequence__gt=mark)
    assert event.action == AuditAction.PERSON_SEARCHED
    assert event.extra["filters"] == ["sex", "nationality", "org_unit_id", "age_min", "age_max"]


def test_unit_filter_offers_only_units_in_reach(world, people):
    response = client_as(world.caseworker_a).get(URL, {"unit": world.unit_b.pk})

    assert list(response.context["form"].fields["unit"].queryset) == [world.unit_a]
    assert "unit" in response.context["form"].errors
    assert [person.pk for person in response.context["page"].rows] == [people["a"].pk, people["own"].pk]


def test_archived_persons_show_only_when_asked(world, people):
    PersonFactory(org_unit=world.unit_a, first_surname="Archivada", is_archived=True)
    client = client_as(world.caseworker_a)

    active = client.get(URL)
    archived = client.get(URL, {"status": "archived"})
    everyone = client.get(URL, {"status": "all"})

    assert len(active.context["page"].rows) == 2
    assert [p.first_surname for p in archived.context["page"].rows] == ["Archivada"]
    assert len(everyone.context["page"].rows) == 3


def test_inverted_age_range_is_a_field_error(world, people):
    response = client_as(world.caseworker_a).get(URL, {"age_min": 12, "age_max": 3})

    assert response.context["form"].errors == {"age_max": ["The upper age must not be below the lower one."]}


def test_shows_the_columns_with_dates_as_day_month_year(world):
    PersonFactory(
        org_unit=world.unit_a,
        date_of_birth=datetime.date(2012, 5, 7),
        nationality="GT",
        date_of_birth_is_estimated=True,
    )

    content = client_as(world.caseworker_a).get(URL).content.decode()

    assert "07/05/2012" in content
    assert "est.</abbr>" in content
    assert "Guatemala" in content
    assert "Oficina A" in content


def test_htmx_gets_only_the_results_fragment(world, jose):
    mark = last_sequence()

    response = client_as(world.caseworker_a).get(URL, {"q": "jose"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == ALLOWED
    assert "<html" not in content
    assert 'data-testid="result-count"' in content
    assert "Ñúñez" in content
    assert "HX-Request" in response["Vary"]
    assert [(e.action, e.extra["shown"]) for e in audit_events_since(mark)] == [
        (AuditAction.PERSON_SEARCHED, [jose.pk])
    ]


def test_htmx_history_restore_gets_the_whole_page(world, jose):
    response = client_as(world.caseworker_a).get(
        URL, {"q": "jose"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()


def test_pages_hold_25_persons(world):
    PersonFactory.create_batch(30, org_unit=world.unit_a)
    client = client_as(world.caseworker_a)
    mark = last_sequence()

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(first.context["page"].rows) == 25
    assert len(second.context["page"].rows) == 5
    assert "30 persons" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    shown = [event.extra["shown"] for event in audit_events_since(mark)]
    assert [len(ids) for ids in shown] == [25, 5]
    assert set(shown[0]).isdisjoint(shown[1])


def test_counts_above_the_cap_say_more_than(world, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)
    PersonFactory.create_batch(12, org_unit=world.unit_a)

    response = client_as(world.caseworker_a).get(URL)

    assert "More than 10 persons" in response.content.decode()
    assert len(response.context["page"].rows) == 12


def test_query_count_does_not_grow_with_the_page(world):
    PersonFactory.create_batch(3, org_unit=world.unit_a)
    client = client_as(world.caseworker_a)
    client.get(URL)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    PersonFactory.create_batch(22, org_unit=world.unit_a)
    with CaptureQueriesContext(connection) as full:
        response = client.get(URL)

    assert len(response.context["page"].rows) == 25
    assert len(full.captured_queries) == len(few.captured_queries)
