"""Login hardening: audit of every attempt, throttling, idle expiry, CSRF, headers, production secret."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.accounts.models import UserSession
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.conftest import PASSWORD

LOGIN = "/accounts/login/"
BROWSER = "Mozilla/5.0 (Linux; Android 14) Amparo-Test/1.0"
IP = "198.51.100.23"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, so the assertions on text survive the Spanish catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _post_login(client, username: str, password: str, **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=IP,
        headers={"User-Agent": BROWSER},
        **extra,
    )


def test_successful_login_is_audited_with_ip_and_user_agent(client, world):
    response = _post_login(client, "caseworker_a", PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_SUCCEEDED)
    assert (event.actor, event.actor_unit, event.ip_address, event.user_agent, event.extra) == (
        world.caseworker_a,
        world.unit_a,
        IP,
        BROWSER,
        {"via": "web"},
    )
    session = UserSession.objects.get(user=world.caseworker_a)
    assert (session.ip_address, session.user_agent, session.org_unit, session.ended_at) == (
        IP,
        BROWSER,
        world.unit_a,
        None,
    )
    assert session.session_key == client.session.session_key


def test_failed_login_is_audited_without_the_password(client, world):
    response = _post_login(client, "caseworker_a", "wrong-password")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (event.actor, event.actor_username, event.ip_address, event.user_agent, event.extra) == (
        None,
        "caseworker_a",
        IP,
        BROWSER,
        {"via": "web"},
    )
    assert "wrong-password" not in str(AuditEvent.objects.values_list("extra", flat=True))
    assert UserSession.objects.exists() is False


def test_inactive_user_cannot_log_in(client, world):
    response = _post_login(client, "inactive_a", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_username="inactive_a").count() == 1
    )


def test_fifth_failure_locks_the_username_and_ip_out(client, world):
    # given four failures
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post_login(client, "caseworker_a", "wrong-password").status_code == 200
    # when the fifth fails
    response = _post_login(client, "caseworker_a", "wrong-password")
    # then the locked-out page answers, and even the right password is refused
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert _post_login(client, "caseworker_a", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert list(
        AuditEvent.objects.order_by("sequence")
        .filter(actor_username="caseworker_a")
        .values_list("action", "ip_address")
    ) == ([(AuditAction.LOGIN_FAILED.value, IP)] * 4 + [(AuditAction.LOGIN_LOCKED_OUT.value, IP)] * 2)


def test_lockout_is_per_username_and_ip(client, world):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "caseworker_a", "wrong-password")
    # another user from the same place and the same user from elsewhere still get in
    assert _post_login(client, "caseworker_b", PASSWORD).status_code == 302
    other_place = Client()
    response = other_place.post(
        LOGIN, {"username": "caseworker_a", "password": PASSWORD}, REMOTE_ADDR="203.0.113.77"
    )
    assert response.status_code == 302


def test_session_expires_after_the_idle_time(client, world):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        _post_login(client, "caseworker_a", PASSWORD)
        assert client.get(reverse("home")).status_code == 200
        # activity keeps it alive: two requests 20 minutes apart
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200
        # then idle for longer than SESSION_COOKIE_AGE
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_session_is_saved_at_most_once_a_minute(client, world):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        _post_login(client, "caseworker_a", PASSWORD)
        key = client.session.session_key
        client.get(reverse("home"))
        first = Session.objects.get(session_key=key).expire_date
        clock.shift(datetime.timedelta(seconds=50))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert not [sql for sql in writes if "django_session" in sql]
        assert Session.objects.get(session_key=key).expire_date == first
        clock.shift(datetime.timedelta(seconds=20))  # 70 s after the last save
        client.get(reverse("home"))
        assert Session.objects.get(session_key=key).expire_date == first + datetime.timedelta(seconds=70)


def test_session_settings_are_idle_timeout_and_browser_close():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # refreshed once a minute by the middleware
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_cookie_is_not_persistent(client, world):
    response = _post_login(client, "caseworker_a", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["expires"], cookie["max-age"], cookie["httponly"], cookie["samesite"]) == (
        "",
        "",
        True,
        "Lax",
    )


def test_login_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "caseworker_a", "password": PASSWORD})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED).exists() is False


def test_login_with_csrf_token_succeeds(world):
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        LOGIN, {"username": "caseworker_a", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_logout_needs_post_and_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.caseworker_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200  # still logged in


def test_logout_ends_the_session_and_is_audited(client, world):
    _post_login(client, "caseworker_a", PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert UserSession.objects.get(user=world.caseworker_a).ended_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=world.caseworker_a).count() == 1
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("next_url", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, world, next_url):
    response = client.post(LOGIN, {"username": "caseworker_a", "password": PASSWORD, "next": next_url})
    assert response["Location"] == reverse("home")


def test_login_follows_a_local_next(client, world):
    response = client.post(
        LOGIN, {"username": "unit_admin_a", "password": PASSWORD, "next": "/accounts/users/"}
    )
    assert response["Location"] == "/accounts/users/"


@pytest.mark.parametrize("path", [LOGIN, "/accounts/users/", "/audit/"])
def test_pages_carry_security_headers_and_a_strict_csp(client, world, path):
    if path != LOGIN:
        client.force_login(world.national_admin)
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9_\-]+={0,2}')?", directives["script-src"])
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _without_secret_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DEBUG")
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", **overrides}


def _start_django(env: dict[str, str]) -> subprocess.CompletedProcess:
    root = Path(settings.BASE_DIR)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],  # noqa: S603
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _start_django(_without_secret_env(DEBUG="0"))
    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_production_starts_with_a_secret_key():
    result = _start_django(_without_secret_env(DEBUG="0", SECRET_KEY="x" * 50))
    assert (result.returncode, result.stdout.strip()) == (0, "started")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize(
    "page",
    [
        "accounts:user_list",
        "accounts:user_create",
        "accounts:user_detail",
        "accounts:user_edit",
        "accounts:user_password",
        "accounts:role_list",
        "accounts:role_create",
        "accounts:role_edit",
        "audit:event_list",
        "audit:session_list",
    ],
)
def test_administration_pages_obey_the_csp(client, world, page):
    """No inline script, event handler or style attribute: the policy would block them."""
    client.force_login(world.national_admin)
    args = {
        "accounts:user_detail": [world.caseworker_a.pk],
        "accounts:user_edit": [world.caseworker_a.pk],
        "accounts:user_password": [world.caseworker_a.pk],
        "accounts:role_edit": [world.caseworker_role.pk],
    }
    body = client.get(reverse(page, args=args.get(page, []))).content.decode()
    assert INLINE_SCRIPT.findall(body) == []
    assert INLINE_HANDLER.findall(body) == []
    assert " style=" not in body
