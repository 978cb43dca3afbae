"""What the matching pages share."""

from typing import Any

from django.http import HttpRequest

from amparo.accounts import access
from amparo.accounts.choices import Permission, Scope
from amparo.accounts.models import User

LIST_SIZE = 50


class AuthenticatedRequest(HttpRequest):
    user: User


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def can_configure(user: Any) -> bool:
    """Matching settings apply to everyone: only holders of matching.configure with scope ALL."""
    return any(
        Permission.MATCHING_CONFIGURE in grant.permissions and grant.scope == Scope.ALL
        for grant in access.grants_of(user)
    )


def page_slice(request: HttpRequest, rows: Any, size: int = LIST_SIZE) -> tuple[list[Any], int, bool]:
    """One page of a list (page number from ?page=) and whether another follows."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * size
    window = list(rows[start : start + size + 1])
    return window[:size], number, len(window) > size
