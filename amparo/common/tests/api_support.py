"""Helpers for API tests: a client holding a real bearer token, and the audit rows a request wrote."""

import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from amparo.accounts.models import ApiToken, User
from amparo.accounts.services import token_hash
from amparo.audit.models import AuditEvent


def bearer_client(user: User | None) -> APIClient:
    """An API client authenticated like a real integration (Authorization: Bearer), or anonymous.

    The token is written directly (no login audit rows), already marked as used so the
    authentication does not add a write to the requests under test.
    """
    client = APIClient()
    if user is not None:
        key = secrets.token_urlsafe(32)
        now = timezone.now()
        ApiToken.objects.create(
            user=user,
            key_hash=token_hash(key),
            prefix=key[:8],
            expires_at=now + timedelta(hours=1),
            last_used_at=now,
        )
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def audit_mark() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def audit_since(mark: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(action, target_type, target_id, extra) of every audit row written after `mark`, oldest first."""
    return [
        (event.action, event.target_type, event.target_id, event.extra)
        for event in AuditEvent.objects.filter(sequence__gt=mark).order_by("sequence")
    ]


def error_fields(response: Any) -> list[str]:
    return sorted(response.json()["error"]["fields"])
