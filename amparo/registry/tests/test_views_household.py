import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.registry.models import AdminArea, Household, HouseholdMembership
from amparo.registry.tests.factories import HouseholdFactory, PersonFactory
from amparo.registry.tests.views_support import (
    ALLOWED,
    NOT_FOUND,
    audit_events_since,
    audit_since,
    client_as,
    is_login_redirect,
    last_sequence,
)

HTMX = {"HX-Request": "true"}
VIEWERS = ["caseworker_a", "supervisor_mx", "unit_admin_a", "national_admin"]
OUTSIDERS = ["caseworker_b", "own_worker_a", "basic_viewer_a", "auditor"]


@pytest.fixture
def household(world):
    return HouseholdFactory(
        org_unit=world.unit_a,
        created_by=world.caseworker_a,
        name="Familia Ríos Paz",
        address_line="Callejón del Sapo 3",
        latitude=Decimal("20.659698"),
        longitude=Decimal("-103.349609"),
    )


@pytest.fixture
def head(world, household):
    person = PersonFactory(
        org_unit=world.unit_a, given_names="Rosa", first_surname="Ríos", second_surname="Paz"
    )
    HouseholdMembership.objects.create(
        household=household,
        person=person,
        relationship="head",
        is_head=True,
        joined_on=datetime.date(2020, 1, 15),
    )
    return person


@pytest.fixture
def hidden_member(world, household):
    person = PersonFactory(
        org_unit=world.unit_b, given_names="Oculto", first_surname="Fuera", second_surname=""
    )
    HouseholdMembership.objects.create(household=household, person=person, relationship="child")
    return person


def url(name, *args):
    return reverse(f"registry:household_{name}", args=args)


# --- List ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", VIEWERS)
def test_lists_households_in_reach_and_audits_them(world, household, persona):
    HouseholdFactory(org_unit=world.unit_b, name="Hogar B")
    mark = last_sequence()

    response = client_as(world.personas()[persona]).get(url("list"))

    expected = (
        [household.pk]
        if persona != "national_admin"
        else sorted(Household.objects.values_list("pk", flat=True), reverse=True)
    )
    assert response.status_code == ALLOWED
    assert [h.pk for h in response.context["page"].rows] == expected
    events = audit_events_since(mark)
    assert [(e.action, e.target_type) for e in events] == [
        (AuditAction.HOUSEHOLD_LISTED, "registry.household")
    ]
    assert events[0].extra == {"shown": expected, "page": 1, "searched": False}


@pytest.mark.parametrize("persona", ["basic_viewer_a", "auditor"])
def test_list_refuses_users_without_household_view(world, household, persona):
    mark = last_sequence()

    assert client_as(world.personas()[persona]).get(url("list")).status_code == NOT_FOUND
    assert audit_since(mark) == []


@pytest.mark.parametrize("persona", ["anonymous", "inactive_a"])
def test_list_sends_strangers_to_login(world, persona):
    assert is_login_redirect(client_as(world.personas()[persona]).get(url("list")))


@pytest.mark.parametrize("query", ["PAZ", "Ríos Paz", "familia", "rios paz", "paz RIOS", "fam ri"])
def test_searches_by_name(world, household, query):
    HouseholdFactory(org_unit=world.unit_a, name="Familia Otero")

    response = client_as(world.caseworker_a).get(url("list"), {"q": query})

    names = [h.name for h in response.context["page"].rows]
    assert "Familia Ríos Paz" in names
    assert len(names) == (2 if query == "familia" else 1)


def test_searches_by_code(world, household):
    response = client_as(world.caseworker_a).get(url("list"), {"q": household.code}, headers=HTMX)

    assert [h.pk for h in response.context["page"].rows] == [household.pk]
    assert "<html" not in response.content.decode()


def test_list_counts_current_members(world, household, head, hidden_member):
    HouseholdMembership.objects.filter(person=hidden_member).update(left_on=datetime.date(2024, 1, 1))

    response = client_as(world.caseworker_a).get(url("list"))

    assert [h.member_count for h in response.context["page"].rows] == [1]


# --- Page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", VIEWERS)
def test_household_page_and_its_audit(world, household, head, hidden_member, persona):
    user = world.personas()[persona]
    mark = last_sequence()

    response = client_as(user).get(url("detail", household.pk))

    assert response.status_code == ALLOWED
    events = audit_events_since(mark)
    assert [(e.action, e.target_type, e.target_id) for e in events] == [
        (AuditAction.HOUSEHOLD_VIEWED, "registry.household", str(household.pk))
    ]
    shown = (
        [head.pk]
        if persona in ("caseworker_a", "supervisor_mx", "unit_admin_a")
        else [head.pk, hidden_member.pk]
    )
    assert events[0].extra == {"shown": shown}


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_household_page_is_404_for_outsiders_with_a_denial_row(world, household, head, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).get(url("detail", household.pk))

    assert response.status_code == NOT_FOUND
    assert "Ríos" not in response.content.decode()
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.household", str(household.pk))]


def test_members_link_only_to_persons_the_viewer_may_see(world, household, head, hidden_member):
    content = client_as(world.caseworker_a).get(url("detail", household.pk)).content.decode()

    assert reverse("registry:person_detail", args=[head.pk]) in content
    assert "Rosa Ríos Paz" in content
    assert "15/01/2020" in content
    assert reverse("registry:person_detail", args=[hidden_member.pk]) not in content
    assert "Oculto" not in content
    assert "A person outside your access" in content


def test_household_address_and_gps_follow_clearance(world, household):
    caseworker = client_as(world.caseworker_a).get(url("detail", household.pk)).content.decode()
    supervisor = client_as(world.supervisor_mx).get(url("detail", household.pk)).content.decode()

    assert "Callejón del Sapo 3" in caseworker
    assert "20.659698" not in caseworker
    assert "20.659698" in supervisor


# --- Create and edit -------------------------------------------------------------------------------


@pytest.fixture
def areas():
    jalisco = AdminArea.objects.create(country="MX", level=1, code="MX-JAL", name="Jalisco")
    zapopan = AdminArea.objects.create(
        country="MX", level=2, code="MX-JAL-120", name="Zapopan", parent=jalisco
    )
    return jalisco, zapopan


@pytest.mark.parametrize("persona", VIEWERS)
def test_creates_a_household(world, areas, persona):
    jalisco, zapopan = areas
    user = world.personas()[persona]
    mark = last_sequence()

    response = client_as(user).post(
        url("create"),
        {
            "name": "Familia Núñez",
            "country": "MX",
            "department": jalisco.pk,
            "municipality": zapopan.pk,
            "address_line": "Av. Vallarta 1",
            "org_unit": world.unit_a.pk,
        },
    )

    household = Household.objects.get()
    assert response["Location"] == url("detail", household.pk)
    assert (
        household.name,
        household.department,
        household.municipality,
        household.org_unit,
        household.created_by,
    ) == ("Familia Núñez", jalisco, zapopan, world.unit_a, user)
    assert audit_since(mark) == [(AuditAction.HOUSEHOLD_CREATED, "registry.household", str(household.pk))]


@pytest.mark.parametrize("persona", ["basic_viewer_a", "auditor"])
def test_create_refused_without_household_edit(world, persona):
    response = client_as(world.personas()[persona]).post(url("create"), {"name": "X", "country": "MX"})

    assert response.status_code == NOT_FOUND
    assert Household.objects.exists() is False


def test_create_in_an_unreachable_unit_is_a_field_error(world):
    response = client_as(world.caseworker_a).post(
        url("create"), {"name": "X", "country": "MX", "org_unit": world.unit_b.pk}
    )

    assert list(response.context["form"].errors) == ["org_unit"]
    assert Household.objects.exists() is False


def test_create_needs_a_country(world):
    response = client_as(world.caseworker_a).post(url("create"), {"name": "X", "org_unit": world.unit_a.pk})

    assert response.context["form"].errors == {"country": ["This field is required."]}


def edit_data(household, **overrides):
    data = {
        "name": household.name,
        "country": "MX",
        "address_line": household.address_line,
        "latitude": household.latitude or "",
        "longitude": household.longitude or "",
        "version": household.version,
    }
    data.update(overrides)
    return data


def test_edits_a_household(world, household):
    mark = last_sequence()

    response = client_as(world.supervisor_mx).post(
        url("edit", household.pk), edit_data(household, name="Familia Paz")
    )

    household.refresh_from_db()
    assert response["Location"] == url("detail", household.pk)
    assert (household.name, household.version) == ("Familia Paz", 2)
    assert audit_since(mark) == [(AuditAction.HOUSEHOLD_UPDATED, "registry.household", str(household.pk))]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_edit_refused_and_nothing_changes(world, household, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).post(
        url("edit", household.pk), edit_data(household, name="X")
    )

    household.refresh_from_db()
    assert response.status_code == NOT_FOUND
    assert household.name == "Familia Ríos Paz"
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.household", str(household.pk))]


def test_caseworker_edit_keeps_gps_they_cannot_see(world, household):
    client_as(world.caseworker_a).post(
        url("edit", household.pk), edit_data(household, name="Otra", latitude="1")
    )

    household.refresh_from_db()
    assert (household.name, household.latitude) == ("Otra", Decimal("20.659698"))


def test_concurrent_household_edit_is_a_conflict_that_keeps_the_typing(world, household):
    client_as(world.caseworker_a).post(url("edit", household.pk), edit_data(household, name="Primera"))

    response = client_as(world.supervisor_mx).post(
        url("edit", household.pk), edit_data(household, name="Segunda")
    )

    household.refresh_from_db()
    content = response.content.decode()
    assert household.name == "Primera"
    assert "Someone else saved this household while you were editing." in content
    assert 'value="Segunda"' in content
    assert "<strong>Primera</strong>" in content
    assert 'name="version" value="2"' in content


# --- Members ---------------------------------------------------------------------------------------


def test_person_picker_searches_persons_in_reach_and_audits_them(world, household, head):
    candidate = PersonFactory(
        org_unit=world.unit_a, given_names="Íñigo", first_surname="Ríos", second_surname=""
    )
    PersonFactory(org_unit=world.unit_b, given_names="Inigo", first_surname="Rios", second_surname="")
    mark = last_sequence()

    response = client_as(world.caseworker_a).get(url("member_add", household.pk), {"q": "rios"}, headers=HTMX)

    content = response.content.decode()
    assert "<html" not in content
    assert [(p.pk, is_member) for p, is_member in response.context["results"]] == [
        (candidate.pk, False),
        (head.pk, True),
    ]
    assert f'value="{candidate.pk}"' in content
    event = AuditEvent.objects.get(sequence__gt=mark)
    assert (event.action, event.extra) == (
        AuditAction.PERSON_SEARCHED,
        {"shown": [candidate.pk, head.pk], "via": "household_picker", "household": household.pk},
    )


def test_an_empty_picker_search_shows_and_audits_nothing(world, household):
    mark = last_sequence()

    response = client_as(world.caseworker_a).get(url("member_add", household.pk), {"q": " "}, headers=HTMX)

    assert response.context["results"] == []
    assert audit_since(mark) == []


def test_adds_a_member(world, household, head):
    child = PersonFactory(org_unit=world.unit_a)
    mark = last_sequence()

    response = client_as(world.caseworker_a).post(
        url("member_add", household.pk),
        {"person": child.pk, "relationship": "child", "joined_on": "01/02/2021"},
    )

    membership = HouseholdMembership.objects.get(person=child)
    assert response["Location"] == url("detail", household.pk)
    assert (membership.relationship, membership.is_head, membership.joined_on) == (
        "child",
        False,
        datetime.date(2021, 2, 1),
    )
    assert audit_since(mark) == [
        (AuditAction.HOUSEHOLD_MEMBER_ADDED, "registry.household", str(household.pk))
    ]


def test_cannot_add_a_person_outside_reach(world, household):
    stranger = PersonFactory(org_unit=world.unit_b)
    mark = last_sequence()

    response = client_as(world.caseworker_a).post(
        url("member_add", household.pk), {"person": stranger.pk, "relationship": "child"}
    )

    assert response.status_code == NOT_FOUND
    assert HouseholdMembership.objects.exists() is False
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.person", str(stranger.pk))]


@pytest.mark.parametrize(
    ("relationship", "message"),
    [
        ("head", "The household already has a head."),
        ("child", "This person is already a member of the household."),
    ],
)
def test_rules_of_membership_are_form_messages(world, household, head, relationship, message):
    person = head if relationship == "child" else PersonFactory(org_unit=world.unit_a)

    response = client_as(world.caseworker_a).post(
        url("member_add", household.pk), {"person": person.pk, "relationship": relationship}
    )

    assert response.status_code == ALLOWED
    assert response.context["form"].non_field_errors() == [message]


def test_choosing_nobody_is_a_field_error(world, household):
    response = client_as(world.caseworker_a).post(url("member_add", household.pk), {"relationship": "child"})

    assert response.context["form"].errors == {"person": ["Search and choose a person first."]}


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_member_changes_refused_for_outsiders(world, household, head, persona):
    membership = HouseholdMembership.objects.get(person=head)
    client = client_as(world.personas()[persona])

    added = client.post(url("member_add", household.pk), {"person": head.pk, "relationship": "child"})
    left = client.post(url("member_leave", household.pk, membership.pk), {"left_on": ""})

    membership.refresh_from_db()
    assert (added.status_code, left.status_code) == (NOT_FOUND, NOT_FOUND)
    assert membership.left_on is None
    assert HouseholdMembership.objects.count() == 1


def test_a_member_leaves_on_a_date(world, household, head):
    membership = HouseholdMembership.objects.get(person=head)
    mark = last_sequence()

    response = client_as(world.caseworker_a).post(
        url("member_leave", household.pk, membership.pk), {"left_on": "10/06/2024"}
    )

    membership.refresh_from_db()
    assert response["Location"] == url("detail", household.pk)
    assert membership.left_on == datetime.date(2024, 6, 10)
    assert audit_since(mark) == [
        (AuditAction.HOUSEHOLD_MEMBER_REMOVED, "registry.household", str(household.pk))
    ]


def test_a_member_leaves_today_when_no_date_is_given(world, household, head):
    membership = HouseholdMembership.objects.get(person=head)

    client_as(world.caseworker_a).post(url("member_leave", household.pk, membership.pk), {"left_on": ""})

    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()


def test_a_bad_leave_date_changes_nothing(world, household, head):
    membership = HouseholdMembership.objects.get(person=head)

    client_as(world.caseworker_a).post(
        url("member_leave", household.pk, membership.pk), {"left_on": "31/02/2024"}
    )

    membership.refresh_from_db()
    assert membership.left_on is None


# --- Archive ---------------------------------------------------------------------------------------


def test_archives_a_household_with_a_reason(world, household):
    client = client_as(world.caseworker_a)
    mark = last_sequence()

    missing = client.post(url("archive", household.pk), {"reason": ""})
    response = client.post(url("archive", household.pk), {"reason": "Se mudaron"})

    household.refresh_from_db()
    assert list(missing.context["form"].errors) == ["reason"]
    assert response["Location"] == url("detail", household.pk)
    assert (household.is_archived, household.archive_reason) == (True, "Se mudaron")
    assert audit_since(mark) == [(AuditAction.HOUSEHOLD_ARCHIVED, "registry.household", str(household.pk))]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_archive_refused_for_outsiders(world, household, persona):
    response = client_as(world.personas()[persona]).post(url("archive", household.pk), {"reason": "x"})

    household.refresh_from_db()
    assert response.status_code == NOT_FOUND
    assert household.is_archived is False


@pytest.mark.parametrize("page", ["list", "detail"])
def test_household_query_count_does_not_grow_with_members(world, household, head, page):
    client = client_as(world.caseworker_a)
    path = url("list") if page == "list" else url("detail", household.pk)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for number in range(6):
        member = PersonFactory(org_unit=world.unit_a if number % 2 else world.unit_b)
        HouseholdMembership.objects.create(household=household, person=member, relationship="child")
        HouseholdFactory(org_unit=world.unit_a)
    with CaptureQueriesContext(connection) as many:
        client.get(path)

    assert len(many.captured_queries) == len(few.captured_queries)
