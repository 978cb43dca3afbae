"""Need to know: a potential match shows its details only to who may see both sides; others learn
at most that "a possible match exists in another unit". Pages per role, 404 + audit on denial."""

import re

import pytest
from django.test import Client

from amparo.audit.models import AuditEvent
from amparo.tracing.models import PotentialMatch
from amparo.tracing.tests.conftest import child, open_case, tracing_request

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def cross_unit(tw):
    """The child's case in unit A (Mexico); her mother asks in unit B (Guatemala)."""
    girl = child(tw.caseworker_a, tw.unit_a, "Ixchel", "Tzul", "Ajanel", age_years=15)
    case = open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    request = tracing_request(
        tw.caseworker_b,
        tw.unit_b,
        child_given_names="Ixchel",
        child_first_surname="Tzul",
        child_second_surname="Ajanel",
        child_sex="female",
        child_age_years=15,
    )
    return PotentialMatch.objects.get(tracing_request=request, case=case)


# request page: (status, sees the child's name and case number, sees the "outside scope" notice)
REQUEST_PAGE = {
    "caseworker_b": (200, False, True),
    "national_admin": (200, True, False),
    "caseworker_a": (404, False, False),
    "supervisor_mx": (404, False, False),
    "basic_viewer_a": (404, False, False),
    "auditor": (404, False, False),
    "own_worker_a": (404, False, False),
}


@pytest.mark.parametrize("persona", sorted(REQUEST_PAGE))
def test_request_page_per_role(cross_unit, tw, persona):
    status, sees_match, sees_notice = REQUEST_PAGE[persona]
    response = client_for(getattr(tw, persona)).get(f"/tracing/{cross_unit.tracing_request_id}/")
    assert response.status_code == status
    body = response.content.decode()
    assert ("Tzul Ajanel" in body and cross_unit.case.number in body) is sees_match
    assert ('data-testid="match-outside-scope"' in body) is sees_notice
    if status == 404:
        assert AuditEvent.objects.filter(
            action="accounts.access.denied", target_id=str(cross_unit.tracing_request_id)
        ).exists()


def test_the_inquirer_side_never_learns_the_childs_details(cross_unit, tw):
    client = client_for(tw.caseworker_b)
    body = client.get(f"/tracing/{cross_unit.tracing_request_id}/").content.decode()
    # the request itself names the sought child, but nothing of the case leaks
    assert cross_unit.case.number not in body
    assert tw.unit_a.name not in body
    assert f"/tracing/matches/{cross_unit.pk}/" not in body
    assert "%" not in body.split('data-testid="tracing-matches"')[1]
    # the match page is a 404, and the attempt is audited
    response = client.get(f"/tracing/matches/{cross_unit.pk}/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="accounts.access.denied", target_type="tracing.potentialmatch", target_id=str(cross_unit.pk)
    ).exists()


def test_the_case_owner_is_notified_without_the_requests_details(cross_unit, tw):
    client = client_for(tw.caseworker_a)
    home = client.get("/tracing/notifications/").content.decode()
    assert re.search(r'data-testid="nav-unread"[^>]*>1</span>', home)
    listed = home.split('data-testid="notifications"')[1]
    assert "A possible match exists in another unit" in listed
    assert cross_unit.tracing_request.number not in listed
    assert "Rosa" not in listed
    # reading the list marks the notice read
    again = client.get("/tracing/notifications/").content.decode()
    assert 'data-testid="nav-unread"' not in again


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("national_admin", 200),
        ("caseworker_a", 404),
        ("caseworker_b", 404),
        ("supervisor_mx", 404),
        ("auditor", 404),
        ("anonymous", 302),
    ],
)
def test_match_page_only_for_who_sees_both_sides(cross_unit, tw, persona, status):
    user = None if persona == "anonymous" else getattr(tw, persona)
    response = client_for(user).get(f"/tracing/matches/{cross_unit.pk}/")
    assert response.status_code == status
    if status == 200:
        assert 'data-testid="decision-form"' in response.content.decode()
        assert AuditEvent.objects.filter(action="tracing.match.viewed", target_id=str(cross_unit.pk)).exists()


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("caseworker_a", {"A"}),
        ("own_worker_a", set()),
        ("supervisor_mx", {"A"}),
        ("caseworker_b", {"B"}),
        ("national_admin", {"A", "B"}),
        ("basic_viewer_a", {"A"}),
    ],
)
def test_list_is_scoped_and_audited(tw, persona, shown):
    mine = {
        "A": tracing_request(
            tw.caseworker_a, tw.unit_a, child_given_names="Niña A", child_first_surname="Uno"
        ),
        "B": tracing_request(
            tw.caseworker_b, tw.unit_b, child_given_names="Niño B", child_first_surname="Dos"
        ),
    }
    response = client_for(getattr(tw, persona)).get("/tracing/")
    assert response.status_code == 200
    body = response.content.decode()
    assert {key for key, request in mine.items() if request.number in body} == shown
    if shown:
        event = AuditEvent.objects.filter(action="tracing.request.listed").latest("sequence")
        assert sorted(event.extra["shown"]) == sorted(mine[key].pk for key in shown)


@pytest.mark.parametrize("persona", ["auditor", "unit_admin_a"])
def test_without_tracing_permission_the_pages_are_refused(tw, persona):
    client = client_for(getattr(tw, persona))
    assert client.get("/tracing/").status_code == 404
    assert client.get("/tracing/new/").status_code == 404
