"""Reads for users, roles, units and sessions; each starts from the access policy."""

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission, Scope
from amparo.accounts.models import OrgUnit, Role, RoleAssignment, User, UserSession


def connected_since() -> datetime.datetime:
    """Sessions seen after this moment are still alive (the idle window of SESSION_COOKIE_AGE)."""
    return timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _with_connection_and_grants(users: QuerySet[User]) -> QuerySet[User]:
    live = UserSession.objects.filter(
        user=OuterRef("pk"), ended_at__isnull=True, last_seen_at__gte=connected_since()
    )
    return (
        users.select_related("home_unit")
        .annotate(is_connected=Exists(live))
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.active().select_related("role", "org_unit").order_by("id"),
                to_attr="active_grants",
            )
        )
    )


def _loose(text: str) -> str:
    """Case- and accent-insensitive form that keeps punctuation ("Núñez" → "nunez", "ana_b" stays)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def user_list(*, admin: User, query: str = "") -> QuerySet[User]:
    """Users of the units `admin` manages; every word of `query` must appear in the username, names or e-mail.

    Matching ignores accents and case, in Python over the (small) staff table of the admin's units,
    so "nunez" finds "Núñez" on SQLite and PostgreSQL alike.
    """
    users = access.users_manageable_by(admin)
    words = _loose(query).split()
    if words:
        fields = ("username", "first_name", "last_name", "email")
        matched = [
            pk
            for pk, *texts in users.values_list("pk", *fields)
            if all(word in _loose(" ".join(texts)) for word in words)
        ]
        users = users.filter(pk__in=matched)
    return _with_connection_and_grants(users).order_by(
        "home_unit__path", "last_name", "first_name", "username"
    )


def user_get(*, admin: User, user_id: int) -> User:
    """A user of a unit the administrator manages, or Http404 (same as a missing user)."""
    try:
        return _with_connection_and_grants(access.users_manageable_by(admin)).get(pk=user_id)
    except User.DoesNotExist as error:
        raise Http404 from error


def user_recent_sessions(*, user: User, limit: int = 5) -> list[UserSession]:
    return list(
        UserSession.objects.filter(user=user).select_related("org_unit").order_by("-started_at")[:limit]
    )


def grant_get(*, user: User, assignment_id: int) -> RoleAssignment:
    """An active grant of a user the administrator manages (`user` comes from `user_get`)."""
    try:
        return (
            RoleAssignment.objects.active()
            .select_related("role", "org_unit", "user")
            .get(pk=assignment_id, user=user)
        )
    except RoleAssignment.DoesNotExist as error:
        raise Http404 from error


def grant_units(*, admin: User) -> QuerySet[OrgUnit]:
    """Units at which `admin` may hand out roles (the units they manage)."""
    return access.units_managed_by(admin).order_by("path")


def grantable_roles(*, admin: User, unit: OrgUnit) -> list[Role]:
    """Roles `admin` may grant at `unit` with at least the narrowest scope."""
    return [
        role
        for role in Role.objects.order_by("name")
        if access.can_grant(admin, role=role, unit=unit, scope=Scope.OWN)
    ]


def grantable_scopes(*, admin: User, unit: OrgUnit) -> list[Scope]:
    return access.assignable_scopes(admin, unit)


def role_list() -> QuerySet[Role]:
    """Every role with how many distinct users hold it now (system administrators only: the view checks)."""
    holders = Count("assignments__user", filter=Q(assignments__revoked_at__isnull=True), distinct=True)
    return Role.objects.annotate(holder_count=holders).order_by("name")


def role_get(*, admin: User, role_id: int) -> Role:
    access.require(access.can_define_roles(admin))
    try:
        return role_list().get(pk=role_id)
    except Role.DoesNotExist as error:
        raise Http404 from error


def connected_sessions(*, admin: User) -> QuerySet[UserSession]:
    """Sessions active within the idle window whose unit the administrator may audit.

    The audit log's own rule (`access.scope_filter` for audit.view on the session's unit): scope ALL
    sees every session, an OWN grant only one's own.
    """
    condition = access.scope_filter(admin, Permission.AUDIT_VIEW, unit_field="org_unit", owner_field="user")
    if condition is None:
        return UserSession.objects.none()
    return (
        UserSession.objects.filter(condition, ended_at__isnull=True, last_seen_at__gte=connected_since())
        .select_related("user", "org_unit")
        .order_by("org_unit__path", "-last_seen_at")
    )


def session_get(*, admin: User, session_id: int) -> UserSession:
    try:
        return connected_sessions(admin=admin).get(pk=session_id)
    except UserSession.DoesNotExist as error:
        raise Http404 from error


@dataclass(frozen=True)
class PermissionGroup:
    domain: str
    codes: list[str]


def permission_groups() -> list[PermissionGroup]:
    """Permission codes grouped by their domain prefix ("person.view" → "person"), in declaration order."""
    groups: dict[str, list[str]] = {}
    for code in Permission.values:
        groups.setdefault(code.split(".", 1)[0], []).append(code)
    return [PermissionGroup(domain=domain, codes=codes) for domain, codes in groups.items()]


def org_unit_tree(*, admin: User) -> QuerySet[OrgUnit]:
    """The units the administrator may create and edit units in, in tree order, with member counts."""
    members = Count("members", filter=Q(members__is_active=True), distinct=True)
    return access.org_units_administered_by(admin).annotate(member_count=members).order_by("path")


def org_unit_get(*, admin: User, unit_id: int) -> OrgUnit:
    unit = org_unit_tree(admin=admin).filter(pk=unit_id).first()
    access.require(unit is not None)
    assert unit is not None
    return unit
