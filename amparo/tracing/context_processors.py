import functools
from typing import Any

from django.http import HttpRequest

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.tracing.selectors import unread_count


def tracing_nav(request: HttpRequest) -> dict[str, Any]:
    """The tracing menu entry and the count of unread notifications for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not access.has_permission(user, Permission.TRACING_VIEW):
        return {"tracing_nav": False, "tracing_unread": 0}
    # A callable, counted once and only where a template shows it (not on every htmx fragment).
    return {"tracing_nav": True, "tracing_unread": functools.cache(functools.partial(unread_count, user))}
