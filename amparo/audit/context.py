"""Who is acting, from where: set once per request by the middleware, read by `record()`."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""


_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "audit_context",
    default=AuditContext(),  # noqa: B039 - frozen dataclass, immutable
)


def current() -> AuditContext:
    return _current.get()


def activate(context: AuditContext) -> contextvars.Token[AuditContext]:
    return _current.set(context)


def deactivate(token: contextvars.Token[AuditContext]) -> None:
    _current.reset(token)
