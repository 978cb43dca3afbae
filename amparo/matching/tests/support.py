"""Helpers for the matching page tests: a client as a persona, audit rows written since a point."""

from django.conf import settings
from django.test import Client

from amparo.accounts.models import User
from amparo.audit.models import AuditEvent


def client_as(user: User | None) -> Client:
    """A client logged in as `user` (anonymous for None), in English so assertions read the msgids."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def last_sequence() -> int:
    event = AuditEvent.objects.order_by("-sequence").first()
    return event.sequence if event else 0


def audit_since(sequence: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence"))
