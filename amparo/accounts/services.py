"""Writes for users, units, roles, sessions and API tokens."""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise

from amparo.accounts import access
from amparo.accounts.choices import Permission, Scope
from amparo.accounts.errors import (
    GRANT_BEYOND_OWN_MESSAGE,
    NOT_ALLOWED_MESSAGE,
    SELF_GRANT_MESSAGE,
    AccountsErrorCode,
)
from amparo.accounts.models import ApiToken, OrgUnit, Role, RoleAssignment, User, UserSession
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import PermissionDeniedError


def _refused(
    *,
    actor: User,
    code: AccountsErrorCode,
    message: Promise,
    operation: str,
    target: models.Model | None = None,
    extra: dict[str, Any] | None = None,
) -> PermissionDeniedError:
    """Audit a refused administration attempt and return the error to raise.

    Called before the service opens its transaction, so the entry survives the refusal.
    """
    audit.record(
        actor=actor,
        action=AuditAction.ADMIN_REFUSED,
        target=target,
        extra={"operation": operation, "code": str(code), **(extra or {})},
    )
    return PermissionDeniedError(str(message), code=code)


def org_unit_create(
    *,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None = None,
    country_code: str = "",
    actor: User | None = None,
) -> OrgUnit:
    """Create a unit under `parent`. `actor=None` is the system (setup, demo data)."""
    if actor is not None and (parent is None or not access.can_manage_org_units_in(actor, parent)):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="org_unit.create",
            target=parent,
        )
    with transaction.atomic():
        unit = OrgUnit(
            name=name.strip(),
            code=code.strip(),
            kind=kind,
            parent=parent,
            country_code=country_code or (parent.country_code if parent else ""),
            depth=(parent.depth + 1) if parent else 0,
            path=f"tmp-{secrets.token_hex(8)}",
        )
        unit.full_clean()
        unit.save()
        unit.path = f"{parent.path if parent else ''}{unit.pk:08d}."
        unit.save(update_fields=["path"])
        audit.record(actor=actor, action=AuditAction.ORG_UNIT_CREATED, target=unit, username="system")
    return unit


ORG_UNIT_EDITABLE_FIELDS = ("name", "kind", "country_code", "is_active")


def org_unit_update(*, actor: User, unit: OrgUnit, changes: dict[str, Any]) -> OrgUnit:
    """Rename, re-classify or (de)activate a unit. A deactivated unit's grants stop working at once."""
    if not access.can_manage_org_units_in(actor, unit) or (
        unit.parent_id is None and changes.get("is_active") is False
    ):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="org_unit.update",
            target=unit,
        )
    with transaction.atomic():
        changed = [
            name
            for name, value in changes.items()
            if name in ORG_UNIT_EDITABLE_FIELDS and getattr(unit, name) != value
        ]
        for name in changed:
            setattr(unit, name, changes[name])
        unit.full_clean()
        if changed:
            unit.save(update_fields=[*changed, "updated_at"])
            audit.record(
                actor=actor, action=AuditAction.ORG_UNIT_UPDATED, target=unit, extra={"fields": changed}
            )
    return unit


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    home_unit: OrgUnit,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "es",
) -> User:
    """Create a user of `home_unit`. `actor=None` is the system (setup, demo data)."""
    if actor is not None and not access.can_manage_users_in(actor, home_unit):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="user.create",
            target=home_unit,
        )
    return _user_create(
        actor=actor,
        username=username,
        password=password,
        home_unit=home_unit,
        first_name=first_name,
        last_name=last_name,
        email=email,
        preferred_language=preferred_language,
    )


@transaction.atomic
def _user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    home_unit: OrgUnit,
    first_name: str,
    last_name: str,
    email: str,
    preferred_language: str,
) -> User:
    user = User(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        home_unit=home_unit,
        preferred_language=preferred_language,
    )
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action=AuditAction.USER_CREATED,
        target=user,
        username="system",
        extra={"home_unit": home_unit.pk},
    )
    return user


USER_EDITABLE_FIELDS = ("first_name", "last_name", "email", "is_active", "preferred_language")


def user_update(*, actor: User, user: User, changes: dict[str, Any]) -> User:
    if not access.can_administer_user(actor, user):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="user.update",
            target=user,
        )
    with transaction.atomic():
        return _user_update(actor=actor, user=user, changes=changes)


def _user_update(*, actor: User, user: User, changes: dict[str, Any]) -> User:
    changed = [
        name
        for name, value in changes.items()
        if name in USER_EDITABLE_FIELDS and getattr(user, name) != value
    ]
    for name in changed:
        setattr(user, name, changes[name])
    user.full_clean(exclude=["password"])
    if changed:
        user.save(update_fields=changed)
        audit.record(actor=actor, action=AuditAction.USER_UPDATED, target=user, extra={"fields": changed})
    return user


def user_password_reset(*, actor: User, user: User, new_password: str) -> User:
    """Set a new password; never for a user more powerful than `actor` (that would be a takeover)."""
    if not access.can_administer_user(actor, user):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="user.password_reset",
            target=user,
        )
    with transaction.atomic():
        return _user_password_reset(actor=actor, user=user, new_password=new_password)


def _user_password_reset(*, actor: User, user: User, new_password: str) -> User:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Every open session of that user ends: whoever had the old password is out.
    UserSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(actor=actor, action=AuditAction.USER_PASSWORD_RESET, target=user)
    return user


def role_create(
    *,
    actor: User | None,
    name: str,
    permissions: list[str],
    sensitivity_clearance: int = 0,
    description: str = "",
) -> Role:
    if actor is not None and not access.can_define_roles(actor):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="role.create",
            extra={"permissions": sorted(set(permissions))},
        )
    with transaction.atomic():
        role = Role(
            name=name.strip(),
            permissions=list(permissions),
            sensitivity_clearance=sensitivity_clearance,
            description=description,
        )
        role.full_clean()
        role.save()
        audit.record(
            actor=actor,
            action=AuditAction.ROLE_CREATED,
            target=role,
            username="system",
            extra={"permissions": role.permissions, "sensitivity_clearance": role.sensitivity_clearance},
        )
    return role


ROLE_EDITABLE_FIELDS = ("name", "description", "permissions", "sensitivity_clearance")


def role_update(
    *,
    actor: User,
    role: Role,
    name: str,
    permissions: list[str],
    sensitivity_clearance: int,
    description: str = "",
) -> Role:
    if not access.can_define_roles(actor):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="role.update",
            target=role,
        )
    with transaction.atomic():
        before = {field: getattr(role, field) for field in ROLE_EDITABLE_FIELDS if field != "description"}
        role.name, role.permissions = name.strip(), list(permissions)
        role.sensitivity_clearance, role.description = sensitivity_clearance, description
        role.full_clean()
        role.save(update_fields=[*ROLE_EDITABLE_FIELDS, "updated_at"])
        after = {field: getattr(role, field) for field in before}
        audit.record(
            actor=actor,
            action=AuditAction.ROLE_UPDATED,
            target=role,
            extra={"before": before, "after": after},
        )
    return role


def role_grant(
    *, actor: User | None, user: User, role: Role, org_unit: OrgUnit, scope: Scope
) -> RoleAssignment:
    """Grant `role` to `user` at `org_unit`; an administrator never grants beyond what they hold.

    Refused (and audited): granting to oneself, to a user outside the units one manages, a
    role/unit/scope one could not hold out oneself, or re-scoping an existing grant one could
    not have given (narrowing it would be a revocation beyond one's own rights).
    """
    if actor is not None:
        details = {"role": role.pk, "org_unit": org_unit.pk, "scope": str(scope)}
        if actor.pk == user.pk:
            raise _refused(
                actor=actor,
                code=AccountsErrorCode.SELF_GRANT,
                message=SELF_GRANT_MESSAGE,
                operation="role.grant",
                target=user,
                extra=details,
            )
        existing = RoleAssignment.objects.active().filter(user=user, role=role, org_unit=org_unit).first()
        if (
            not access.can_grant(actor, role=role, unit=org_unit, scope=scope)
            or user.home_unit is None
            or not access.can_manage_users_in(actor, user.home_unit)
            or (
                existing is not None
                and not access.can_grant(actor, role=role, unit=org_unit, scope=Scope(existing.scope))
            )
        ):
            raise _refused(
                actor=actor,
                code=AccountsErrorCode.GRANT_BEYOND_OWN,
                message=GRANT_BEYOND_OWN_MESSAGE,
                operation="role.grant",
                target=user,
                extra=details,
            )
    with transaction.atomic():
        return _role_grant(actor=actor, user=user, role=role, org_unit=org_unit, scope=scope)


def _role_grant(
    *, actor: User | None, user: User, role: Role, org_unit: OrgUnit, scope: Scope
) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        org_unit=org_unit,
        revoked_at__isnull=True,
        defaults={"scope": scope, "granted_by": actor},
    )
    if not created and assignment.scope != scope:
        assignment.scope = scope
        assignment.granted_by = actor
        assignment.save(update_fields=["scope", "granted_by", "updated_at"])
    access.forget_grants(user)
    audit.record(
        actor=actor,
        action=AuditAction.ROLE_GRANTED,
        target=user,
        username="system",
        extra={"role": role.pk, "org_unit": org_unit.pk, "scope": str(scope)},
    )
    return assignment


def role_revoke(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    details = {
        "assignment": assignment.pk,
        "role": assignment.role_id,
        "org_unit": assignment.org_unit_id,
        "scope": assignment.scope,
    }
    if actor.pk == assignment.user_id:
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.SELF_GRANT,
            message=SELF_GRANT_MESSAGE,
            operation="role.revoke",
            target=assignment.user,
            extra=details,
        )
    scope = Scope(assignment.scope)
    if not access.can_grant(actor, role=assignment.role, unit=assignment.org_unit, scope=scope):
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.GRANT_BEYOND_OWN,
            message=GRANT_BEYOND_OWN_MESSAGE,
            operation="role.revoke",
            target=assignment.user,
            extra=details,
        )
    with transaction.atomic():
        if assignment.revoked_at is None:
            assignment.revoked_at = timezone.now()
            assignment.revoked_by = actor
            assignment.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
            access.forget_grants(assignment.user)
            audit.record(
                actor=actor,
                action=AuditAction.ROLE_REVOKED,
                target=assignment.user,
                extra={
                    "role": assignment.role_id,
                    "org_unit": assignment.org_unit_id,
                    "scope": assignment.scope,
                },
            )
    return assignment


# --- Sessions, logins and tokens -------------------------------------------------------------------


@transaction.atomic
def session_start(*, user: User, session_key: str, ip_address: str | None, user_agent: str) -> UserSession:
    session, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "org_unit": user.home_unit,
            "ip_address": ip_address,
            "user_agent": user_agent[:300],
            "last_seen_at": timezone.now(),
            "ended_at": None,
        },
    )
    audit.record(actor=user, action=AuditAction.LOGIN_SUCCEEDED, target=user, extra={"via": "web"})
    return session


@transaction.atomic
def session_end(*, user: User, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
    audit.record(actor=user, action=AuditAction.LOGOUT, target=user)


def session_terminate(*, actor: User, session: UserSession) -> UserSession:
    """End someone's session now; the middleware logs them out on their next request.

    Allowed to whoever watches that unit's sessions (audit.view reaching the session's unit).
    """
    audited = access.scope_filter(actor, Permission.AUDIT_VIEW, unit_field="org_unit", owner_field="user")
    if audited is None or not UserSession.objects.filter(audited, pk=session.pk).exists():
        raise _refused(
            actor=actor,
            code=AccountsErrorCode.NOT_ALLOWED,
            message=NOT_ALLOWED_MESSAGE,
            operation="session.end",
            target=session.user,
            extra={"session": session.pk},
        )
    with transaction.atomic():
        open_session = UserSession.objects.filter(pk=session.pk, ended_at__isnull=True)
        ended = open_session.update(ended_at=timezone.now())
        if ended:
            session.refresh_from_db(fields=["ended_at"])
            audit.record(
                actor=actor,
                action=AuditAction.SESSION_ENDED,
                target=session.user,
                extra={"session": session.pk},
            )
    return session


@transaction.atomic
def login_failed_record(*, username: str, locked_out: bool = False, via: str = "web") -> None:
    audit.record(
        actor=None,
        username=username,
        action=AuditAction.LOGIN_LOCKED_OUT if locked_out else AuditAction.LOGIN_FAILED,
        extra={"via": via},
    )


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    """A new bearer token; the clear key is returned once and only its hash is kept."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(key),
        prefix=key[:8],
        expires_at=timezone.now() + settings.API_TOKEN_TTL,
    )
    audit.record(actor=user, action=AuditAction.LOGIN_SUCCEEDED, target=user, extra={"via": "api"})
    audit.record(actor=user, action=AuditAction.API_TOKEN_ISSUED, target=user, extra={"token": token.pk})
    return key, token


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent)."""
    if token.user_id != user.pk:
        raise PermissionDeniedError(str(NOT_ALLOWED_MESSAGE), code=AccountsErrorCode.NOT_ALLOWED)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=user, action=AuditAction.API_TOKEN_REVOKED, target=user, extra={"token": token.pk})
    return token


def permission_choices() -> list[tuple[str, str]]:
    return list(Permission.choices)
