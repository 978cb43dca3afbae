from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from amparo.accounts.models import UserSession

TOUCH_EVERY_SECONDS = 60


class UserSessionMiddleware:
    """Keeps "who is connected now" current and ends sessions an administrator closed.

    One indexed read per request; a write at most once a minute per session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session_key = request.session.session_key if hasattr(request, "session") else None
        if user is not None and user.is_authenticated and session_key:
            row = (
                UserSession.objects.filter(session_key=session_key).values("ended_at", "last_seen_at").first()
            )
            now = timezone.now()
            if row is not None and row["ended_at"] is not None:
                logout(request)
            elif row is not None and (now - row["last_seen_at"]).total_seconds() > TOUCH_EVERY_SECONDS:
                UserSession.objects.filter(session_key=session_key).update(last_seen_at=now)
        return self.get_response(request)
