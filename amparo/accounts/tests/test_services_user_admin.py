"""User administration services: what a unit administrator may do, and every escalation refused."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amparo.accounts import services
from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.errors import AccountsErrorCode
from amparo.accounts.models import Role, RoleAssignment, User, UserSession
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.common.errors import PermissionDeniedError
from amparo.conftest import CASEWORKER_PERMISSIONS, PASSWORD

NEW_PASSWORD = "otra-clave-larga-2026"


@pytest.fixture
def newcomer(world) -> User:
    return services.user_create(
        actor=world.unit_admin_a,
        username="newcomer",
        password=PASSWORD,
        home_unit=world.unit_a,
        first_name="Nueva",
        last_name="Persona",
    )


@pytest.fixture
def colleague(world) -> User:
    """A user of unit_a more powerful than the unit administrator (supervises the whole country)."""
    user = services.user_create(actor=None, username="colleague", password=PASSWORD, home_unit=world.unit_a)
    services.role_grant(
        actor=None, user=user, role=world.supervisor_role, org_unit=world.mx, scope=Scope.SUBTREE
    )
    return user


def _refusals(actor: User) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.ADMIN_REFUSED, actor=actor).values_list(
            "extra__operation", "extra__code"
        )
    )


def test_unit_admin_creates_a_user_of_their_unit(world):
    user = services.user_create(
        actor=world.unit_admin_a,
        username="ana.nunez",
        password=PASSWORD,
        home_unit=world.unit_a,
        first_name="Ana",
        last_name="Núñez",
    )
    assert User.objects.get(username="ana.nunez").home_unit == world.unit_a
    event = AuditEvent.objects.get(action=AuditAction.USER_CREATED, target_id=str(user.pk))
    assert (event.actor, event.extra) == (world.unit_admin_a, {"home_unit": world.unit_a.pk})


def test_unit_admin_cannot_create_a_user_in_another_unit(world):
    with pytest.raises(PermissionDeniedError) as refused:
        services.user_create(
            actor=world.unit_admin_a, username="intruder", password=PASSWORD, home_unit=world.unit_b
        )
    assert refused.value.code == AccountsErrorCode.NOT_ALLOWED
    assert User.objects.filter(username="intruder").exists() is False
    assert _refusals(world.unit_admin_a) == [("user.create", "not_allowed")]


def test_user_create_applies_the_password_validators(world):
    with pytest.raises(ValidationError):
        services.user_create(
            actor=world.unit_admin_a, username="weak", password="12345678", home_unit=world.unit_a
        )
    assert User.objects.filter(username="weak").exists() is False


def test_unit_admin_grants_a_role_within_their_rights(world, newcomer):
    assignment = services.role_grant(
        actor=world.unit_admin_a,
        user=newcomer,
        role=world.caseworker_role,
        org_unit=world.unit_a,
        scope=Scope.UNIT,
    )
    assert (assignment.scope, assignment.granted_by, assignment.revoked_at) == (
        Scope.UNIT,
        world.unit_admin_a,
        None,
    )
    event = AuditEvent.objects.get(action=AuditAction.ROLE_GRANTED, target_id=str(newcomer.pk))
    assert event.actor == world.unit_admin_a
    assert event.extra == {"role": world.caseworker_role.pk, "org_unit": world.unit_a.pk, "scope": "unit"}


ESCALATIONS = {
    # attempt: (role attribute or "sensitive_copy", unit attribute, scope,
    #           target "newcomer" / "self" / "outsider", refusal code)
    "system_admin_role": ("admin_role", "unit_a", Scope.UNIT, "newcomer", "grant_beyond_own"),
    "auditor_role": ("auditor_role", "unit_a", Scope.UNIT, "newcomer", "grant_beyond_own"),
    "role_with_more_permissions": ("supervisor_role", "unit_a", Scope.UNIT, "newcomer", "grant_beyond_own"),
    "same_permissions_higher_clearance": (
        "sensitive_copy",
        "unit_a",
        Scope.UNIT,
        "newcomer",
        "grant_beyond_own",
    ),
    "scope_all": ("caseworker_role", "unit_a", Scope.ALL, "newcomer", "grant_beyond_own"),
    "scope_subtree": ("caseworker_role", "unit_a", Scope.SUBTREE, "newcomer", "grant_beyond_own"),
    "unit_in_another_country": ("caseworker_role", "unit_b", Scope.UNIT, "newcomer", "grant_beyond_own"),
    "unit_below_own_unit_scope": ("caseworker_role", "team_a", Scope.UNIT, "newcomer", "grant_beyond_own"),
    "country_above": ("caseworker_role", "mx", Scope.UNIT, "newcomer", "grant_beyond_own"),
    "user_of_another_unit": ("caseworker_role", "unit_a", Scope.UNIT, "outsider", "grant_beyond_own"),
    "own_roles": ("caseworker_role", "unit_a", Scope.UNIT, "self", "self_grant"),
    "own_roles_more_power": ("admin_role", "unit_a", Scope.ALL, "self", "self_grant"),
}


@pytest.mark.parametrize("attempt", list(ESCALATIONS))
def test_unit_admin_escalation_is_refused_audited_and_changes_nothing(world, newcomer, attempt):
    # given
    role_name, unit_name, scope, target_name, code = ESCALATIONS[attempt]
    if role_name == "sensitive_copy":
        role = services.role_create(
            actor=None,
            name="Casos sensibles",
            permissions=CASEWORKER_PERMISSIONS,
            sensitivity_clearance=Sensitivity.SENSITIVE,
        )
    else:
        role = getattr(world, role_name)
    target = {"newcomer": newcomer, "self": world.unit_admin_a, "outsider": world.caseworker_b}[target_name]
    assignments_before = list(
        RoleAssignment.objects.values_list("pk", "user_id", "role_id", "scope", "revoked_at")
    )
    # when
    with pytest.raises(PermissionDeniedError) as refused:
        services.role_grant(
            actor=world.unit_admin_a, user=target, role=role, org_unit=getattr(world, unit_name), scope=scope
        )
    # then
    assert refused.value.code == code
    assert (
        list(RoleAssignment.objects.values_list("pk", "user_id", "role_id", "scope", "revoked_at"))
        == assignments_before
    )
    refusal = AuditEvent.objects.get(action=AuditAction.ADMIN_REFUSED)
    assert (refusal.actor, refusal.target_type, refusal.target_id) == (
        world.unit_admin_a,
        "accounts.user",
        str(target.pk),
    )
    assert refusal.extra == {
        "operation": "role.grant",
        "code": code,
        "role": role.pk,
        "org_unit": getattr(world, unit_name).pk,
        "scope": str(scope),
    }
    assert (
        AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED, actor=world.unit_admin_a).exists() is False
    )


def test_national_admin_may_grant_what_a_unit_admin_may_not(world, newcomer):
    assignment = services.role_grant(
        actor=world.national_admin,
        user=newcomer,
        role=world.supervisor_role,
        org_unit=world.mx,
        scope=Scope.SUBTREE,
    )
    assert RoleAssignment.objects.active().get(user=newcomer) == assignment


def test_unit_admin_cannot_narrow_a_grant_they_could_not_have_given(world, newcomer):
    # given the national administrator gave the newcomer the caseworker role for unit_a and below
    wide = services.role_grant(
        actor=world.national_admin,
        user=newcomer,
        role=world.caseworker_role,
        org_unit=world.unit_a,
        scope=Scope.SUBTREE,
    )
    # when the unit administrator "grants" the same role with their own, narrower scope
    with pytest.raises(PermissionDeniedError):
        services.role_grant(
            actor=world.unit_admin_a,
            user=newcomer,
            role=world.caseworker_role,
            org_unit=world.unit_a,
            scope=Scope.UNIT,
        )
    # then
    wide.refresh_from_db()
    assert (wide.scope, wide.granted_by) == (Scope.SUBTREE, world.national_admin)
    assert _refusals(world.unit_admin_a) == [("role.grant", "grant_beyond_own")]


def test_unit_admin_revokes_a_grant_they_could_give(world, newcomer):
    assignment = services.role_grant(
        actor=world.unit_admin_a,
        user=newcomer,
        role=world.caseworker_role,
        org_unit=world.unit_a,
        scope=Scope.UNIT,
    )
    services.role_revoke(actor=world.unit_admin_a, assignment=assignment)
    assignment.refresh_from_db()
    assert (assignment.revoked_by, assignment.revoked_at is not None) == (world.unit_admin_a, True)
    assert RoleAssignment.objects.active().filter(user=newcomer).exists() is False
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED, target_id=str(newcomer.pk)).count() == 1


def test_unit_admin_cannot_revoke_their_own_grant(world):
    assignment = RoleAssignment.objects.get(user=world.unit_admin_a)
    with pytest.raises(PermissionDeniedError) as refused:
        services.role_revoke(actor=world.unit_admin_a, assignment=assignment)
    assert refused.value.code == AccountsErrorCode.SELF_GRANT
    assert RoleAssignment.objects.active().filter(pk=assignment.pk).exists() is True
    assert _refusals(world.unit_admin_a) == [("role.revoke", "self_grant")]


def test_unit_admin_cannot_revoke_a_grant_beyond_their_rights(world, colleague):
    assignment = RoleAssignment.objects.get(user=colleague)
    with pytest.raises(PermissionDeniedError) as refused:
        services.role_revoke(actor=world.unit_admin_a, assignment=assignment)
    assert refused.value.code == AccountsErrorCode.GRANT_BEYOND_OWN
    assert RoleAssignment.objects.active().filter(pk=assignment.pk).exists() is True
    assert _refusals(world.unit_admin_a) == [("role.revoke", "grant_beyond_own")]


def test_password_reset_ends_sessions_and_tokens(world):
    # given caseworker_a is logged in and holds an API token
    session = UserSession.objects.create(
        session_key="abc", user=world.caseworker_a, last_seen_at=timezone.now()
    )
    _key, token = services.api_token_issue(user=world.caseworker_a)
    # when
    services.user_password_reset(actor=world.unit_admin_a, user=world.caseworker_a, new_password=NEW_PASSWORD)
    # then
    assert User.objects.get(pk=world.caseworker_a.pk).check_password(NEW_PASSWORD) is True
    session.refresh_from_db()
    token.refresh_from_db()
    assert (session.ended_at is not None, token.revoked_at is not None) == (True, True)
    event = AuditEvent.objects.get(action=AuditAction.USER_PASSWORD_RESET)
    assert (event.actor, event.target_id, event.extra) == (world.unit_admin_a, str(world.caseworker_a.pk), {})


def test_password_reset_of_a_more_powerful_user_is_refused(world, colleague):
    with pytest.raises(PermissionDeniedError):
        services.user_password_reset(actor=world.unit_admin_a, user=colleague, new_password=NEW_PASSWORD)
    assert User.objects.get(pk=colleague.pk).check_password(PASSWORD) is True
    assert _refusals(world.unit_admin_a) == [("user.password_reset", "not_allowed")]


def test_password_reset_applies_the_validators(world):
    with pytest.raises(ValidationError):
        services.user_password_reset(
            actor=world.unit_admin_a, user=world.caseworker_a, new_password="caseworker_a"
        )
    assert User.objects.get(pk=world.caseworker_a.pk).check_password(PASSWORD) is True
    assert AuditEvent.objects.filter(action=AuditAction.USER_PASSWORD_RESET).exists() is False


def test_user_update_changes_only_editable_fields(world):
    services.user_update(
        actor=world.unit_admin_a,
        user=world.caseworker_a,
        changes={"first_name": "Carla", "is_active": False, "is_superuser": True, "home_unit": world.unit_b},
    )
    user = User.objects.get(pk=world.caseworker_a.pk)
    assert (user.first_name, user.is_active, user.is_superuser, user.home_unit) == (
        "Carla",
        False,
        False,
        world.unit_a,
    )
    event = AuditEvent.objects.get(action=AuditAction.USER_UPDATED)
    assert event.extra == {"fields": ["first_name", "is_active"]}


def test_user_update_of_a_more_powerful_user_is_refused(world, colleague):
    with pytest.raises(PermissionDeniedError):
        services.user_update(actor=world.unit_admin_a, user=colleague, changes={"is_active": False})
    assert User.objects.get(pk=colleague.pk).is_active is True
    assert _refusals(world.unit_admin_a) == [("user.update", "not_allowed")]


def test_only_a_system_admin_defines_roles(world):
    with pytest.raises(PermissionDeniedError):
        services.role_create(actor=world.unit_admin_a, name="Todo", permissions=list(Permission.values))
    assert Role.objects.filter(name="Todo").exists() is False
    assert _refusals(world.unit_admin_a) == [("role.create", "not_allowed")]
    with pytest.raises(PermissionDeniedError):
        services.role_update(
            actor=world.unit_admin_a,
            role=world.unit_admin_role,
            name="Administrador/a de unidad",
            permissions=list(Permission.values),
            sensitivity_clearance=Sensitivity.SENSITIVE,
        )
    world.unit_admin_role.refresh_from_db()
    assert Permission.ROLE_MANAGE not in world.unit_admin_role.permissions


def test_role_update_records_before_and_after(world):
    services.role_update(
        actor=world.national_admin,
        role=world.basic_viewer_role,
        name="Consulta",
        permissions=[Permission.PERSON_VIEW, Permission.HOUSEHOLD_VIEW],
        sensitivity_clearance=Sensitivity.RESTRICTED,
    )
    event = AuditEvent.objects.get(action=AuditAction.ROLE_UPDATED)
    assert event.extra == {
        "before": {"name": "Consulta básica", "permissions": ["person.view"], "sensitivity_clearance": 0},
        "after": {
            "name": "Consulta",
            "permissions": ["household.view", "person.view"],
            "sensitivity_clearance": 1,
        },
    }


def test_session_terminate_is_refused_outside_the_audited_units(world):
    session = UserSession.objects.create(
        session_key="b-session", user=world.caseworker_b, org_unit=world.unit_b, last_seen_at=timezone.now()
    )
    auditor_a = services.user_create(
        actor=None, username="auditor_a", password=PASSWORD, home_unit=world.unit_a
    )
    services.role_grant(
        actor=None, user=auditor_a, role=world.auditor_role, org_unit=world.unit_a, scope=Scope.UNIT
    )
    with pytest.raises(PermissionDeniedError):
        services.session_terminate(actor=auditor_a, session=session)
    session.refresh_from_db()
    assert session.ended_at is None
    assert _refusals(auditor_a) == [("session.end", "not_allowed")]
