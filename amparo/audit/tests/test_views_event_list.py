"""The audit browser: who sees which entries, filters, paging, links, and its own audit entry."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.accounts.choices import Permission, Scope
from amparo.accounts.models import User
from amparo.accounts.services import role_create, role_grant, user_create
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.audit.context import AuditContext, activate, deactivate
from amparo.audit.models import AuditEvent
from amparo.conftest import PASSWORD
from amparo.registry.tests.factories import PersonFactory

URL = "/audit/"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, so the assertions on text survive the Spanish catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _auditor_at(world, unit, scope: Scope, *, extra_permissions=()) -> User:
    role = role_create(
        actor=None,
        name=f"Auditoría {unit.code} {scope}",
        permissions=[Permission.AUDIT_VIEW, *extra_permissions],
    )
    user = user_create(actor=None, username=f"auditor_{unit.code}_{scope}", password=PASSWORD, home_unit=unit)
    role_grant(actor=None, user=user, role=role, org_unit=unit, scope=scope)
    return user


def _sequences(response) -> list[int]:
    return [row["event"].sequence for row in response.context["rows"]]


@pytest.fixture
def activity(world):
    """One login entry by a user of each placement, plus a team_a user."""
    team_worker = user_create(actor=None, username="team_worker", password=PASSWORD, home_unit=world.team_a)
    events = {}
    for name, user in (
        ("unit_a", world.caseworker_a),
        ("unit_b", world.caseworker_b),
        ("mx", world.supervisor_mx),
        ("team_a", team_worker),
        ("regional", world.national_admin),
    ):
        events[name] = audit.record(actor=user, action=AuditAction.LOGIN_SUCCEEDED, target=user).sequence
    events["no_unit"] = audit.record(actor=None, username="ghost", action=AuditAction.LOGIN_FAILED).sequence
    return events


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("auditor", 200),
        ("national_admin", 200),
        ("unit_admin_a", 404),
        ("supervisor_mx", 404),
        ("caseworker_a", 404),
        ("basic_viewer_a", 404),
        ("inactive_a", 302),
        ("anonymous", 302),
    ],
)
def test_audit_browser_is_for_audit_view_holders(client, world, persona, status):
    user = world.personas()[persona]
    if user is not None:
        client.force_login(user)
    assert client.get(URL).status_code == status


def test_scope_all_sees_every_entry_newest_first(client, world, activity):
    everything = list(AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True))
    client.force_login(world.auditor)
    assert _sequences(client.get(URL)) == everything


@pytest.mark.parametrize(
    ("unit_name", "scope", "expected"),
    [
        ("unit_a", Scope.UNIT, ["unit_a"]),
        ("mx", Scope.SUBTREE, ["team_a", "mx", "unit_a"]),
        ("mx", Scope.UNIT, ["mx"]),
        ("gt", Scope.SUBTREE, ["unit_b"]),
    ],
)
def test_a_unit_grant_sees_entries_of_actors_within_its_reach(
    client, world, activity, unit_name, scope, expected
):
    # the world's own set-up entries were written by the system (no unit): only scope ALL sees them
    viewer = _auditor_at(world, getattr(world, unit_name), scope)
    client.force_login(viewer)
    assert _sequences(client.get(URL)) == sorted((activity[name] for name in expected), reverse=True)


def test_browsing_writes_an_audit_viewed_entry(client, world, activity):
    client.force_login(world.auditor)
    client.get(URL, {"actor": "caseworker", "action": AuditAction.LOGIN_SUCCEEDED})
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.actor) == (AuditAction.AUDIT_VIEWED, world.auditor)
    assert event.extra == {
        "filters": {"actor": "caseworker", "action": "accounts.login.succeeded"},
        "entries": 2,
    }


def test_filters_by_actor_action_target_and_unit(client, world, activity):
    client.force_login(world.auditor)
    assert _sequences(client.get(URL, {"actor": "CASEWORKER_B"})) == [activity["unit_b"]]
    assert _sequences(client.get(URL, {"action": AuditAction.LOGIN_FAILED, "actor": "ghost"})) == [
        activity["no_unit"]
    ]
    by_target = client.get(
        URL,
        {
            "target_type": "accounts.user",
            "target_id": str(world.caseworker_a.pk),
            "action": AuditAction.LOGIN_SUCCEEDED,
        },
    )
    assert _sequences(by_target) == [activity["unit_a"]]
    by_unit = client.get(URL, {"unit": world.unit_a.pk, "action": AuditAction.LOGIN_SUCCEEDED})
    assert _sequences(by_unit) == [activity["team_a"], activity["unit_a"]]


def test_filters_by_date_range_in_dd_mm_yyyy(client, world):
    moments = {}
    for day in (1, 2, 3):
        with time_machine.travel(datetime.datetime(2026, 3, day, 12, 0, tzinfo=datetime.UTC), tick=False):
            moments[day] = audit.record(actor=world.caseworker_a, action=AuditAction.PERSON_CREATED).sequence
    client.force_login(world.auditor)
    response = client.get(
        URL, {"date_from": "02/03/2026", "date_to": "03/03/2026", "action": AuditAction.PERSON_CREATED}
    )
    assert _sequences(response) == [moments[3], moments[2]]
    assert _sequences(client.get(URL, {"date_to": "01/03/2026", "action": AuditAction.PERSON_CREATED})) == [
        moments[1]
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-03-02"}, "date_from"),
        ({"date_from": "31/02/2026"}, "date_from"),
        ({"date_from": "05/03/2026", "date_to": "01/03/2026"}, "date_to"),
        ({"action": "no.such"}, "action"),
    ],
)
def test_invalid_filters_show_an_error_instead_of_failing(client, world, params, field):
    client.force_login(world.auditor)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]


def test_unit_filter_offers_only_units_within_reach(client, world):
    viewer = _auditor_at(world, world.mx, Scope.SUBTREE)
    client.force_login(viewer)
    form = client.get(URL).context["form"]
    assert list(form.fields["unit"].queryset) == [world.mx, world.unit_a, world.team_a]
    response = client.get(URL, {"unit": world.unit_b.pk})
    assert list(response.context["form"].errors) == ["unit"]


def test_pages_by_sequence_cursor(client, world):
    first_new = AuditEvent.objects.order_by("-sequence").first().sequence + 1
    for _number in range(60):
        audit.record(actor=world.caseworker_a, action=AuditAction.PERSON_VIEWED)
    client.force_login(world.auditor)
    params = {"action": AuditAction.PERSON_VIEWED}
    page_one = client.get(URL, params)
    assert _sequences(page_one) == list(range(first_new + 59, first_new + 9, -1))
    assert page_one.context["page"].newer is None
    older = page_one.context["page"].older
    assert f"before={older}" in page_one.content.decode()
    page_two = client.get(URL, {**params, "before": older})
    assert _sequences(page_two) == list(range(first_new + 9, first_new - 1, -1))
    assert page_two.context["page"].older is None
    back = client.get(URL, {**params, "after": page_two.context["page"].newer})
    assert _sequences(back) == _sequences(page_one)


def test_htmx_filtering_returns_only_the_results(client, world, activity):
    client.force_login(world.auditor)
    response = client.get(URL, {"actor": "ghost"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert body.count('data-testid="audit-row"') == 1


def test_entry_shows_time_actor_unit_label_ip_agent_and_shown_count(client, world):
    token = activate(AuditContext(ip_address="192.0.2.44", user_agent="Firefox/140.0 (Ubuntu)"))
    try:
        with time_machine.travel(datetime.datetime(2026, 3, 5, 20, 7, tzinfo=datetime.UTC), tick=False):
            audit.record(
                actor=world.caseworker_a,
                action=AuditAction.PERSON_SEARCHED,
                target_type="registry.person",
                extra={"shown": [11, 12, 13], "query": "garcia"},
            )
    finally:
        deactivate(token)
    client.force_login(world.auditor)
    response = client.get(URL, {"action": AuditAction.PERSON_SEARCHED})
    row = response.content.decode().split('data-testid="audit-row"')[1]
    assert "05/03/2026 14:07" in row  # America/Mexico_City
    for text in (
        "caseworker_a",
        "Oficina A",
        "Persons searched",
        "192.0.2.44",
        "Firefox/140.0 (Ubuntu)",
        "3 shown",
    ):
        assert text in row


def test_person_targets_link_only_for_viewers_who_may_see_the_person(client, world):
    person_a = PersonFactory(org_unit=world.unit_a)
    person_b = PersonFactory(org_unit=world.unit_b)
    for actor, person in ((world.caseworker_a, person_a), (world.caseworker_b, person_b)):
        audit.record(actor=actor, action=AuditAction.PERSON_VIEWED, target=person)
    params = {"action": AuditAction.PERSON_VIEWED}

    client.force_login(world.national_admin)  # sees both persons
    urls = [row["url"] for row in client.get(URL, params).context["rows"]]
    assert urls == [
        reverse("registry:person_detail", args=[person_b.pk]),
        reverse("registry:person_detail", args=[person_a.pk]),
    ]

    client.force_login(world.auditor)  # audit only: ids, no links
    response = client.get(URL, params)
    assert [row["url"] for row in response.context["rows"]] == [None, None]
    assert response.content.decode().count('data-testid="target-id"') == 2

    country_auditor = _auditor_at(world, world.regional, Scope.ALL, extra_permissions=[])
    role_grant(
        actor=None, user=country_auditor, role=world.basic_viewer_role, org_unit=world.mx, scope=Scope.SUBTREE
    )
    client.force_login(country_auditor)
    urls = [row["url"] for row in client.get(URL, params).context["rows"]]
    assert urls == [None, reverse("registry:person_detail", args=[person_a.pk])]


def test_user_targets_link_to_the_user_page_for_their_administrators(client, world, activity):
    client.force_login(world.national_admin)
    response = client.get(URL, {"action": AuditAction.LOGIN_SUCCEEDED, "actor": "caseworker_a"})
    assert [row["url"] for row in response.context["rows"]] == [
        reverse("accounts:user_detail", args=[world.caseworker_a.pk])
    ]


def test_query_count_does_not_grow_with_the_page(client, world):
    client.force_login(world.national_admin)
    client.get(URL)  # the first request of a session refreshes it (saved at most once a minute)
    persons = PersonFactory.create_batch(3, org_unit=world.unit_a)
    for person in persons:
        audit.record(actor=world.caseworker_a, action=AuditAction.PERSON_VIEWED, target=person)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"action": AuditAction.PERSON_VIEWED})
    for person in PersonFactory.create_batch(30, org_unit=world.unit_b):
        audit.record(actor=world.caseworker_b, action=AuditAction.PERSON_VIEWED, target=person)
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"action": AuditAction.PERSON_VIEWED})
    assert len(many) == len(few)


def test_role_targets_link_to_the_role_form_for_system_administrators(client, world):
    params = {"action": AuditAction.ROLE_CREATED, "target_id": str(world.auditor_role.pk)}
    client.force_login(world.national_admin)
    assert [row["url"] for row in client.get(URL, params).context["rows"]] == [
        reverse("accounts:role_edit", args=[world.auditor_role.pk])
    ]
    client.force_login(world.auditor)
    assert [row["url"] for row in client.get(URL, params).context["rows"]] == [None]


def test_htmx_history_restore_gets_the_whole_page(client, world):
    client.force_login(world.auditor)
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()
