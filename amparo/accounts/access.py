"""THE access policy. Every read and write of protected data asks this module.

A user holds grants (role at an org unit with a scope). A record is reachable for a
permission when one of the user's grants carrying that permission reaches the record's
owning unit (or, for the OWN scope, the user owns it). Records declare which fields
carry their unit and owner through `ACCESS_UNIT_FIELD` / `ACCESS_OWNER_FIELD`.

Outsiders get the same 404 whether a record is missing or forbidden, and a forbidden
attempt on an existing record is audited.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from amparo.accounts.choices import SCOPE_ORDER, Permission, Scope, Sensitivity
from amparo.accounts.models import OrgUnit, Role, RoleAssignment, User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction

M = TypeVar("M", bound=models.Model)


class AnyUser(Protocol):
    """A user or AnonymousUser (read-only members, so Django's `User` satisfies it)."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def pk(self) -> Any: ...


@dataclass(frozen=True)
class Grant:
    permissions: frozenset[str]
    unit_id: int
    unit_path: str
    scope: Scope
    clearance: int

    def reaches_unit(self, unit: OrgUnit) -> bool:
        """Does this grant reach records owned by `unit` (ignoring the OWN scope's owner test)?"""
        if self.scope == Scope.ALL:
            return True
        if self.scope == Scope.SUBTREE:
            return unit.path.startswith(self.unit_path)
        return unit.pk == self.unit_id

    def covers(self, unit: OrgUnit, scope: Scope) -> bool:
        """Could the holder hand out `scope` at `unit`? (no grant may create more than it holds)"""
        if self.scope == Scope.ALL:
            return True
        if self.scope == Scope.SUBTREE:
            return unit.path.startswith(self.unit_path) and scope != Scope.ALL
        return unit.pk == self.unit_id and SCOPE_ORDER[scope] <= SCOPE_ORDER[self.scope]


_GRANTS_CACHE = "_amparo_grants"


def grants_of(user: AnyUser | None) -> list[Grant]:
    """The user's active grants, loaded once per user object (one query)."""
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return []
    cached: list[Grant] | None = getattr(user, _GRANTS_CACHE, None)
    if cached is not None:
        return cached
    assignments = list(
        RoleAssignment.objects.active().filter(user_id=user.pk).select_related("role", "org_unit")
    )
    _cache_home_unit(user, assignments)
    grants = [
        Grant(
            permissions=frozenset(assignment.role.permissions),
            unit_id=assignment.org_unit_id,
            unit_path=assignment.org_unit.path,
            scope=Scope(assignment.scope),
            clearance=assignment.role.sensitivity_clearance,
        )
        for assignment in assignments
        if assignment.org_unit.is_active
    ]
    setattr(user, _GRANTS_CACHE, grants)
    return grants


def _cache_home_unit(user: Any, assignments: list[RoleAssignment]) -> None:
    """The header shows the user's unit on every page: when a grant was given at the home unit
    (the usual case), its unit row, already loaded here, saves `user.home_unit` a query."""
    home_unit_id = getattr(user, "home_unit_id", None)
    if home_unit_id is None or not isinstance(user, User):
        return
    descriptor = User.home_unit
    if descriptor.is_cached(user):
        return
    for assignment in assignments:
        if assignment.org_unit_id == home_unit_id:
            descriptor.field.set_cached_value(user, assignment.org_unit)
            return


def forget_grants(user: Any) -> None:
    if hasattr(user, _GRANTS_CACHE):
        delattr(user, _GRANTS_CACHE)


def _grants_with(user: AnyUser | None, permission: Permission) -> list[Grant]:
    return [grant for grant in grants_of(user) if permission in grant.permissions]


def has_permission(user: AnyUser | None, permission: Permission) -> bool:
    """Does the user hold `permission` anywhere? (menus and entry points; records need more)"""
    return bool(_grants_with(user, permission))


def scope_filter(
    user: AnyUser | None, permission: Permission, *, unit_field: str, owner_field: str | None
) -> Q | None:
    """A Q selecting the records `user` may reach for `permission`, or None for "nothing"."""
    grants = _grants_with(user, permission)
    if not grants:
        return None
    if any(grant.scope == Scope.ALL for grant in grants):
        return Q()
    condition = Q(pk__in=[])
    for grant in grants:
        if grant.scope == Scope.SUBTREE:
            condition |= Q(**{f"{unit_field}__path__startswith": grant.unit_path})
        elif grant.scope == Scope.UNIT:
            condition |= Q(**{f"{unit_field}_id": grant.unit_id})
        elif owner_field is not None:
            condition |= Q(
                **{f"{owner_field}_id": user.pk if user else None, f"{unit_field}_id": grant.unit_id}
            )
    return condition


def reachable_unit_ids(user: AnyUser | None, permission: Permission) -> set[int] | None:
    """Ids of the units owning the records `user` may reach for `permission`; None for every unit.

    A necessary condition, not a sufficient one (an OWN grant reaches only the user's records in
    its unit): for narrowing denormalised copies (e.g. typed form answers) before `visible` is
    applied to the records themselves. Inactive units count, as in `scope_filter`."""
    grants = _grants_with(user, permission)
    if any(grant.scope == Scope.ALL for grant in grants):
        return None
    ids = {grant.unit_id for grant in grants if grant.scope != Scope.SUBTREE}
    subtrees = [grant.unit_path for grant in grants if grant.scope == Scope.SUBTREE]
    if subtrees:
        condition = Q(pk__in=[])
        for path in subtrees:
            condition |= Q(path__startswith=path)
        ids |= set(OrgUnit.objects.filter(condition).values_list("pk", flat=True))
    return ids


def visible[M: models.Model](
    user: AnyUser | None, queryset: QuerySet[M], permission: Permission
) -> QuerySet[M]:
    """Narrow `queryset` to what `user` may reach for `permission`. Every selector starts here."""
    model = queryset.model
    condition = scope_filter(
        user,
        permission,
        unit_field=model.ACCESS_UNIT_FIELD,  # type: ignore[attr-defined]
        owner_field=getattr(model, "ACCESS_OWNER_FIELD", None),
    )
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def access_object[M: models.Model](
    user: AnyUser | None, queryset: QuerySet[M], pk: Any, permission: Permission, *, lookup: str = "pk"
) -> M:
    """Fetch one protected record or raise Http404 — the same 404 for missing and forbidden.

    A forbidden attempt on a record that exists is written to the audit log.
    """
    try:
        return visible(user, queryset, permission).get(**{lookup: pk})
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        pass
    existing = (
        queryset.filter(**{lookup: pk}).values_list("pk", flat=True).first() if pk not in (None, "") else None
    )
    if existing is not None:
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            target_type=queryset.model._meta.label_lower,
            target_id=str(existing),
            extra={"permission": str(permission)},
        )
    raise Http404


def can(user: AnyUser | None, permission: Permission, record: models.Model) -> bool:
    """May `user` do `permission` on this record (already loaded)?"""
    unit: OrgUnit = getattr(record, record.ACCESS_UNIT_FIELD)  # type: ignore[attr-defined]
    owner_field = getattr(record, "ACCESS_OWNER_FIELD", None)
    owner_id = getattr(record, f"{owner_field}_id", None) if owner_field else None
    for grant in _grants_with(user, permission):
        if grant.scope == Scope.OWN:
            if owner_id is not None and user is not None and owner_id == user.pk and unit.pk == grant.unit_id:
                return True
        elif grant.reaches_unit(unit):
            return True
    return False


def clearance_for(user: AnyUser | None, record: models.Model, permission: Permission) -> int:
    """The highest field sensitivity the user may see on this record (-1 when none)."""
    unit: OrgUnit = getattr(record, record.ACCESS_UNIT_FIELD)  # type: ignore[attr-defined]
    levels = [
        grant.clearance
        for grant in _grants_with(user, permission)
        if grant.scope == Scope.OWN or grant.reaches_unit(unit)
    ]
    return max(levels, default=-1)


def may_see_field(
    user: AnyUser | None, record: models.Model, sensitivity: Sensitivity, permission: Permission
) -> bool:
    return clearance_for(user, record, permission) >= sensitivity


# --- Units and user administration ----------------------------------------------------------------


def units_visible_to(user: AnyUser | None, permission: Permission) -> QuerySet[OrgUnit]:
    """Units in which the user may exercise `permission` (for pickers and filters)."""
    grants = _grants_with(user, permission)
    if not grants:
        return OrgUnit.objects.none()
    if any(grant.scope == Scope.ALL for grant in grants):
        return OrgUnit.objects.active()
    condition = Q(pk__in=[])
    for grant in grants:
        if grant.scope == Scope.SUBTREE:
            condition |= Q(path__startswith=grant.unit_path)
        else:
            condition |= Q(pk=grant.unit_id)
    return OrgUnit.objects.active().filter(condition)


def can_manage_users_in(admin: AnyUser | None, unit: OrgUnit) -> bool:
    return any(grant.covers(unit, Scope.UNIT) for grant in _grants_with(admin, Permission.USER_MANAGE))


def units_managed_by(admin: AnyUser | None) -> QuerySet[OrgUnit]:
    """Units whose users `admin` may manage: as `can_manage_users_in` (an OWN-scope grant manages nobody)."""
    grants = [grant for grant in _grants_with(admin, Permission.USER_MANAGE) if grant.scope != Scope.OWN]
    if not grants:
        return OrgUnit.objects.none()
    if any(grant.scope == Scope.ALL for grant in grants):
        return OrgUnit.objects.active()
    condition = Q(pk__in=[])
    for grant in grants:
        if grant.scope == Scope.SUBTREE:
            condition |= Q(path__startswith=grant.unit_path)
        else:
            condition |= Q(pk=grant.unit_id)
    return OrgUnit.objects.active().filter(condition)


def users_manageable_by(admin: AnyUser | None) -> QuerySet[User]:
    return User.objects.filter(home_unit__in=units_managed_by(admin))


def can_grant(admin: AnyUser | None, *, role: Role, unit: OrgUnit, scope: Scope) -> bool:
    """May `admin` grant `role` at `unit` with `scope`? Never beyond what the admin holds there.

    Each permission of the role must be covered by one of the admin's grants holding that
    permission at `unit` with at least `scope`, and the role's clearance must not exceed
    the admin's clearance there.
    """
    if not can_manage_users_in(admin, unit):
        return False
    grants = grants_of(admin)
    for permission in role.permissions:
        if not any(permission in grant.permissions and grant.covers(unit, scope) for grant in grants):
            return False
    best_clearance = max((grant.clearance for grant in grants if grant.covers(unit, scope)), default=-1)
    return role.sensitivity_clearance <= best_clearance


def can_administer_user(admin: AnyUser | None, target: User) -> bool:
    """May `admin` edit / reset the password of `target`?

    Only users of a unit the admin manages, and only if every grant the target holds is
    one the admin could have given: resetting a more powerful user's password would be
    an escalation by account takeover.
    """
    if admin is None or target.pk == admin.pk or target.home_unit is None:
        return False
    if target.is_superuser and not getattr(admin, "is_superuser", False):
        return False
    if not can_manage_users_in(admin, target.home_unit):
        return False
    assignments = RoleAssignment.objects.active().filter(user=target).select_related("role", "org_unit")
    return all(
        can_grant(admin, role=assignment.role, unit=assignment.org_unit, scope=Scope(assignment.scope))
        for assignment in assignments
    )


def assignable_scopes(admin: AnyUser | None, unit: OrgUnit) -> list[Scope]:
    grants = _grants_with(admin, Permission.USER_MANAGE)
    return [scope for scope in Scope if any(grant.covers(unit, scope) for grant in grants)]


def permissions_at(user: AnyUser | None, unit: OrgUnit) -> set[str]:
    return (
        set().union(*(grant.permissions for grant in grants_of(user) if grant.reaches_unit(unit)))
        if grants_of(user)
        else set()
    )


def require(condition: bool) -> None:
    """Raise the outsider's 404 unless `condition` holds."""
    if not condition:
        raise Http404


def ids(records: Iterable[models.Model]) -> list[str]:
    return [str(record.pk) for record in records]


def can_define_roles(user: AnyUser | None) -> bool:
    """Defining roles is a system administrator's job (ROLE_MANAGE with scope ALL)."""
    return any(grant.scope == Scope.ALL for grant in _grants_with(user, Permission.ROLE_MANAGE))


def can_manage_org_units_in(user: AnyUser | None, unit: OrgUnit) -> bool:
    return any(grant.covers(unit, Scope.SUBTREE) for grant in _grants_with(user, Permission.ORG_UNIT_MANAGE))


def org_units_administered_by(user: AnyUser | None) -> QuerySet[OrgUnit]:
    """Units (active or not) where the user may create and edit units: ORG_UNIT_MANAGE, subtree or all."""
    grants = [
        grant
        for grant in _grants_with(user, Permission.ORG_UNIT_MANAGE)
        if grant.scope in (Scope.SUBTREE, Scope.ALL)
    ]
    if any(grant.scope == Scope.ALL for grant in grants):
        return OrgUnit.objects.all()
    condition = Q(pk__in=[])
    for grant in grants:
        condition |= Q(path__startswith=grant.unit_path)
    return OrgUnit.objects.filter(condition)


def can_browse_audit(user: AnyUser | None) -> bool:
    return has_permission(user, Permission.AUDIT_VIEW)
