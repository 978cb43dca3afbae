"""The "connected now" page and ending someone's session."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.accounts.choices import Permission, Scope
from amparo.accounts.models import UserSession
from amparo.accounts.services import role_create, role_grant, user_create
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.conftest import PASSWORD

URL = "/audit/sessions/"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, so the assertions on text survive the Spanish catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _logged_in_client(username: str, ip: str = "198.51.100.5") -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": username, "password": PASSWORD},
        REMOTE_ADDR=ip,
        headers={"User-Agent": "Chrome/131.0 (Android 14)"},
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def unit_a_auditor(world):
    role = role_create(actor=None, name="Auditoría local", permissions=[Permission.AUDIT_VIEW])
    user = user_create(actor=None, username="auditor_unit_a", password=PASSWORD, home_unit=world.unit_a)
    role_grant(actor=None, user=user, role=role, org_unit=world.unit_a, scope=Scope.UNIT)
    return user


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("auditor", 200),
        ("national_admin", 200),
        ("unit_admin_a", 404),
        ("caseworker_a", 404),
        ("anonymous", 302),
    ],
)
def test_connected_now_is_for_audit_view_holders(client, world, persona, status):
    user = world.personas()[persona]
    if user is not None:
        client.force_login(user)
    assert client.get(URL).status_code == status


def test_lists_live_sessions_with_unit_ip_and_times(client, world):
    # given two people connected now, one who logged out and one idle beyond the time-out
    _logged_in_client("caseworker_a", ip="198.51.100.5")
    _logged_in_client("caseworker_b", ip="203.0.113.8")
    _logged_in_client("supervisor_mx").post(reverse("accounts:logout"))
    _logged_in_client("own_worker_a")
    stale = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    UserSession.objects.filter(user=world.own_worker_a).update(last_seen_at=stale)
    # when
    client.force_login(world.auditor)
    response = client.get(URL)
    # then
    sessions = response.context["sessions"]
    assert [(session.user.username, session.org_unit, session.ip_address) for session in sessions] == [
        ("caseworker_a", world.unit_a, "198.51.100.5"),
        ("caseworker_b", world.unit_b, "203.0.113.8"),
    ]
    body = response.content.decode()
    assert body.count('data-testid="session-row"') == 2
    assert timezone.localtime(sessions[0].started_at).strftime("%d/%m/%Y %H:%M") in body
    assert "Chrome/131.0 (Android 14)" in body
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.extra) == (AuditAction.AUDIT_VIEWED, {"page": "sessions", "entries": 2})


def test_a_unit_auditor_sees_only_their_units_sessions(client, world, unit_a_auditor):
    _logged_in_client("caseworker_a")
    _logged_in_client("caseworker_b")
    client.force_login(unit_a_auditor)
    assert [session.user.username for session in client.get(URL).context["sessions"]] == ["caseworker_a"]


def test_ending_a_session_logs_that_person_out_on_their_next_request(client, world):
    # given
    victim = _logged_in_client("caseworker_a")
    assert victim.get(reverse("home")).status_code == 200
    session = UserSession.objects.get(user=world.caseworker_a)
    # when
    client.force_login(world.auditor)
    response = client.post(reverse("audit:session_end", args=[session.pk]))
    # then
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ended_at is not None
    event = AuditEvent.objects.get(action=AuditAction.SESSION_ENDED)
    assert (event.actor, event.target_id, event.extra) == (
        world.auditor,
        str(world.caseworker_a.pk),
        {"session": session.pk},
    )
    next_request = victim.get(reverse("home"))
    assert next_request.status_code == 302
    assert next_request["Location"].startswith(reverse("accounts:login"))
    assert client.get(URL).context["sessions"] == []


def test_ending_a_session_outside_ones_units_is_a_404(client, world, unit_a_auditor):
    _logged_in_client("caseworker_b")
    session = UserSession.objects.get(user=world.caseworker_b)
    client.force_login(unit_a_auditor)
    assert client.post(reverse("audit:session_end", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert session.ended_at is None
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_ENDED).exists() is False


def test_ending_a_session_needs_post(client, world):
    _logged_in_client("caseworker_a")
    session = UserSession.objects.get(user=world.caseworker_a)
    client.force_login(world.auditor)
    assert client.get(reverse("audit:session_end", args=[session.pk])).status_code == 405
    session.refresh_from_db()
    assert session.ended_at is None


def test_scope_all_also_sees_sessions_of_users_without_a_unit(client, world):
    UserSession.objects.create(
        session_key="no-unit", user=world.caseworker_b, org_unit=None, last_seen_at=timezone.now()
    )
    client.force_login(world.auditor)
    assert [session.session_key for session in client.get(URL).context["sessions"]] == ["no-unit"]
