from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from amparo.accounts.models import UserSession

TOUCH_EVERY_SECONDS = 60
SESSION_REFRESHED_KEY = "_amparo_refreshed"


class UserSessionMiddleware:
    """Keeps "who is connected now" current, ends sessions an administrator closed, and keeps
    the session alive while it is used (the idle timeout).

    One indexed read per request; writes at most once a minute per session. The session row is
    saved (its expiry pushed SESSION_COOKIE_AGE ahead) only when it was last refreshed more than
    TOUCH_EVERY_SECONDS ago, instead of on every request (SESSION_SAVE_EVERY_REQUEST, an UPDATE and
    a COMMIT on every page; docs/performance.md). An idle session therefore ends
    between SESSION_COOKIE_AGE - 60 s and SESSION_COOKIE_AGE after the last request.
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
                return self.get_response(request)
            if row is not None and (now - row["last_seen_at"]).total_seconds() > TOUCH_EVERY_SECONDS:
                UserSession.objects.filter(session_key=session_key).update(last_seen_at=now)
            refreshed = request.session.get(SESSION_REFRESHED_KEY, 0)
            if now.timestamp() - refreshed > TOUCH_EVERY_SECONDS:
                request.session[SESSION_REFRESHED_KEY] = int(now.timestamp())  # saved with a new expiry
        return self.get_response(request)
