"""Reads of the audit log; each starts from the access policy (audit.view)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, Role
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent

PAGE_SIZE = 50
ACTION_LABELS: dict[str, Any] = dict(AuditAction.choices)
# Entries worth a second look stand out in the browser.
ACTION_TONES: dict[str, str] = {
    AuditAction.ACCESS_DENIED: "danger",
    AuditAction.ADMIN_REFUSED: "danger",
    AuditAction.LOGIN_LOCKED_OUT: "danger",
    AuditAction.LOGIN_FAILED: "warn",
    AuditAction.SESSION_ENDED: "warn",
    AuditAction.USER_PASSWORD_RESET: "warn",
}


@dataclass(frozen=True)
class EventFilters:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    unit: OrgUnit | None = None


def events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Entries whose actor's unit is within the reach of the user's audit.view grants.

    The same rule as `access.units_visible_to(user, AUDIT_VIEW)`, applied through the policy's
    `scope_filter` on the entry's `actor_unit` so that history survives: a unit deactivated since
    still shows in its parent's log, a grant with scope ALL also sees entries without a unit
    (system work, failed logins of unknown usernames), and an OWN grant sees only one's own entries.
    """
    condition = access.scope_filter(user, Permission.AUDIT_VIEW, unit_field="actor_unit", owner_field="actor")
    if condition is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(condition)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def event_list(*, user: Any, filters: EventFilters) -> QuerySet[AuditEvent]:
    """The audit entries `user` may browse, filtered, newest first."""
    events = events_visible_to(user)
    if filters.actor.strip():
        events = events.filter(actor_username__icontains=filters.actor.strip())
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.target_type.strip():
        events = events.filter(target_type=filters.target_type.strip().lower())
    if filters.target_id.strip():
        events = events.filter(target_id=filters.target_id.strip())
    if filters.date_from:
        events = events.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    if filters.unit is not None:
        events = events.filter(actor_unit__path__startswith=filters.unit.path)
    return events.select_related("actor_unit").order_by("-sequence")


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    older: int | None  # `before` cursor for the next (older) page
    newer: int | None  # `after` cursor for the previous (newer) page


def event_page(
    *,
    user: Any,
    filters: EventFilters,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> EventPage:
    """One page of `event_list`, by sequence cursor rather than OFFSET (the log only grows)."""
    events = event_list(user=user, filters=filters)
    if after is not None:
        rows = list(events.filter(sequence__gt=after).order_by("sequence")[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_older = bool(rows) and events.filter(sequence__lt=rows[-1].sequence).exists()
    else:
        if before is not None:
            events = events.filter(sequence__lt=before)
        rows = list(events[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None and bool(rows)
    return EventPage(
        events=rows,
        older=rows[-1].sequence if has_older and rows else None,
        newer=rows[0].sequence if has_newer and rows else None,
    )


# Targets the browser can link to: audit target type → (app label, model, URL name, permission to see it).
# Models are looked up by name so the audit app needs no import of the apps above it.
TARGET_PAGES: dict[str, tuple[str, str, str, Permission]] = {
    "registry.person": ("registry", "Person", "registry:person_detail", Permission.PERSON_VIEW),
    "registry.household": ("registry", "Household", "registry:household_detail", Permission.HOUSEHOLD_VIEW),
}


def target_urls(*, user: Any, events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """Links to the targets the viewer may open; the others are shown as bare ids.

    One query per target type on the page; only ids are read, so nothing personal is shown.
    """
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.target_id.isdigit():
            wanted.setdefault(event.target_type, set()).add(event.target_id)
    urls: dict[tuple[str, str], str] = {}
    for target_type, target_ids in wanted.items():
        reachable: Iterable[Any]
        if target_type == "accounts.role":
            roles = (
                Role.objects.filter(pk__in=target_ids)
                if access.can_define_roles(user)
                else Role.objects.none()
            )
            reachable = roles.values_list("pk", flat=True)
            url_name = "accounts:role_edit"
        elif target_type == "accounts.user":
            reachable = (
                access.users_manageable_by(user).filter(pk__in=target_ids).values_list("pk", flat=True)
            )
            url_name = "accounts:user_detail"
        elif target_type in TARGET_PAGES:
            app_label, model_name, url_name, permission = TARGET_PAGES[target_type]
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            reachable = access.visible(user, model.objects.filter(pk__in=target_ids), permission).values_list(
                "pk", flat=True
            )
        else:
            continue
        for pk in reachable:
            try:
                urls[(target_type, str(pk))] = reverse(url_name, args=[pk])
            except NoReverseMatch:
                break
    return urls


def shown_count(event: AuditEvent) -> int | None:
    """How many records a list, search or export entry showed (their ids are in `extra["shown"]`)."""
    shown = event.extra.get("shown") if isinstance(event.extra, dict) else None
    return len(shown) if isinstance(shown, list) else None


def target_type_choices() -> list[tuple[str, str]]:
    """Known target types for the filter: every protected model plus users, roles and units."""
    choices = [
        (model._meta.label_lower, str(model._meta.verbose_name).capitalize())
        for model in apps.get_models()
        if hasattr(model, "ACCESS_UNIT_FIELD")
    ]
    for label in ("accounts.user", "accounts.role", "accounts.orgunit"):
        model = apps.get_model(label)
        choices.append((label, str(model._meta.verbose_name).capitalize()))
    return sorted(set(choices), key=lambda choice: choice[1])
