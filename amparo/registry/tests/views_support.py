"""Helpers shared by the registry page tests (test client as a persona, audit rows written)."""

from typing import Any

from django.conf import settings
from django.test import Client

from amparo.accounts.models import User
from amparo.audit.models import AuditEvent

ALLOWED = 200
NOT_FOUND = 404
TO_LOGIN = 302


def client_as(user: User | None) -> Client:
    """A test client logged in as `user` (anonymous for None), speaking English so assertions
    do not depend on the Spanish catalogue."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def last_sequence() -> int:
    event = AuditEvent.objects.order_by("-sequence").first()
    return event.sequence if event else 0


def audit_since(sequence: int) -> list[tuple[str, str, str]]:
    """(action, target_type, target_id) of every audit row written after `sequence`, oldest first."""
    return list(
        AuditEvent.objects.filter(sequence__gt=sequence)
        .order_by("sequence")
        .values_list("action", "target_type", "target_id")
    )


def audit_events_since(sequence: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence"))


def is_login_redirect(response: Any) -> bool:
    return response.status_code == TO_LOGIN and response["Location"].startswith("/accounts/login/")
