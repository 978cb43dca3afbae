"""The access policy as a matrix: persona (or scope) × action × where the record sits.

Each test builds one record per placement and compares the whole row of outcomes with the
expected row, so a failure names every placement that differs:

    own_a    a record in unit_a registered by the persona itself
    other_a  a record in unit_a registered by someone else
    team_a   a record in team_a, below unit_a
    unit_b   a record in unit_b, in another country (gt)
    mx       a record at the country level (mx), above unit_a

For records, `access.visible`, `access.can` and `access.access_object` must agree, and every
refusal of `access_object` is the outsider's 404 plus exactly one ACCESS_DENIED audit row.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from amparo.accounts import access
from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.models import RoleAssignment, User
from amparo.accounts.services import role_create, role_grant, role_revoke, user_create
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.conftest import PASSWORD
from amparo.registry.models import Household, Person
from amparo.registry.tests.factories import HouseholdFactory, PersonFactory

PLACEMENTS = ("own_a", "other_a", "team_a", "unit_b", "mx")
ALL = set(PLACEMENTS)
UNIT_A = {"own_a", "other_a"}
MX_AND_BELOW = {"own_a", "other_a", "team_a", "mx"}
NONE: set[str] = set()

# action → (model, permission)
ACTIONS = {
    "view": (Person, Permission.PERSON_VIEW),
    "edit": (Person, Permission.PERSON_EDIT),
    "archive": (Person, Permission.PERSON_ARCHIVE),
    "household_edit": (Household, Permission.HOUSEHOLD_EDIT),
}

PERSONA_EXPECTED = {
    "caseworker_a": {"view": UNIT_A, "edit": UNIT_A, "archive": NONE, "household_edit": UNIT_A},
    "caseworker_b": {"view": {"unit_b"}, "edit": {"unit_b"}, "archive": NONE, "household_edit": {"unit_b"}},
    "own_worker_a": {"view": {"own_a"}, "edit": {"own_a"}, "archive": NONE, "household_edit": {"own_a"}},
    "supervisor_mx": {
        "view": MX_AND_BELOW,
        "edit": MX_AND_BELOW,
        "archive": MX_AND_BELOW,
        "household_edit": MX_AND_BELOW,
    },
    "unit_admin_a": {"view": UNIT_A, "edit": UNIT_A, "archive": NONE, "household_edit": UNIT_A},
    "national_admin": {"view": ALL, "edit": ALL, "archive": ALL, "household_edit": ALL},
    "auditor": {"view": NONE, "edit": NONE, "archive": NONE, "household_edit": NONE},
    "basic_viewer_a": {"view": UNIT_A, "edit": NONE, "archive": NONE, "household_edit": NONE},
    "inactive_a": {"view": NONE, "edit": NONE, "archive": NONE, "household_edit": NONE},
    "revoked_a": {"view": NONE, "edit": NONE, "archive": NONE, "household_edit": NONE},
    "anonymous": {"view": NONE, "edit": NONE, "archive": NONE, "household_edit": NONE},
}

SCOPE_EXPECTED = {
    Scope.OWN: {"own_a"},
    Scope.UNIT: UNIT_A,
    Scope.SUBTREE: {"own_a", "other_a", "team_a"},
    Scope.ALL: ALL,
}

# persona → (listed on the user pages, may edit / reset password)
USER_MANAGE_EXPECTED = {
    "unit_admin_a": (UNIT_A, {"other_a"}),
    "national_admin": (ALL, {"other_a", "team_a", "unit_b", "mx"}),
    "unit_admin_a_inactive": (NONE, NONE),
    "unit_admin_a_revoked": (NONE, NONE),
    "supervisor_mx": (NONE, NONE),
    "caseworker_a": (NONE, NONE),
    "auditor": (NONE, NONE),
    "anonymous": (NONE, NONE),
}

SCOPE_USER_MANAGE_EXPECTED = {
    Scope.OWN: (NONE, NONE),
    Scope.UNIT: (UNIT_A, {"other_a"}),
    Scope.SUBTREE: ({"own_a", "other_a", "team_a"}, {"other_a", "team_a"}),
    Scope.ALL: (ALL, {"other_a", "team_a", "unit_b", "mx"}),
}


def _persona(world, name: str):
    if name == "anonymous":
        return AnonymousUser()
    if name == "revoked_a":
        assignment = RoleAssignment.objects.get(user=world.caseworker_a)
        role_revoke(actor=world.national_admin, assignment=assignment)
        return User.objects.get(pk=world.caseworker_a.pk)
    if name == "unit_admin_a_inactive":
        User.objects.filter(pk=world.unit_admin_a.pk).update(is_active=False)
        return User.objects.get(pk=world.unit_admin_a.pk)
    if name == "unit_admin_a_revoked":
        assignment = RoleAssignment.objects.get(user=world.unit_admin_a)
        role_revoke(actor=world.national_admin, assignment=assignment)
        return User.objects.get(pk=world.unit_admin_a.pk)
    return User.objects.get(pk=getattr(world, name).pk)  # fresh object: no cached grants


def _grantee(world, scope: Scope) -> User:
    """A user of unit_a holding, at unit_a with `scope`, a role with every permission under test."""
    role = role_create(
        actor=None,
        name=f"Matrix {scope}",
        sensitivity_clearance=Sensitivity.RESTRICTED,
        permissions=[
            Permission.PERSON_VIEW,
            Permission.PERSON_EDIT,
            Permission.PERSON_ARCHIVE,
            Permission.HOUSEHOLD_VIEW,
            Permission.HOUSEHOLD_EDIT,
            Permission.USER_MANAGE,
        ],
    )
    grantee = user_create(actor=None, username=f"grantee_{scope}", password=PASSWORD, home_unit=world.unit_a)
    role_grant(actor=None, user=grantee, role=role, org_unit=world.unit_a, scope=scope)
    return User.objects.get(pk=grantee.pk)


def _records(world, model, owner) -> dict[str, object]:
    author = world.caseworker_b  # registered the "someone else" records, wherever they sit
    factory = PersonFactory if model is Person else HouseholdFactory
    owner_id = owner.pk if getattr(owner, "is_authenticated", False) else None
    return {
        "own_a": factory(org_unit=world.unit_a, created_by_id=owner_id),
        "other_a": factory(org_unit=world.unit_a, created_by=author),
        "team_a": factory(org_unit=world.team_a, created_by=author),
        "unit_b": factory(org_unit=world.unit_b, created_by=author),
        "mx": factory(org_unit=world.mx, created_by=author),
    }


def _assert_record_outcomes(user, model, permission, records: dict[str, object], expected: set[str]) -> None:
    visible_ids = set(access.visible(user, model.objects.all(), permission).values_list("pk", flat=True))
    assert {name for name, record in records.items() if record.pk in visible_ids} == expected
    assert {name for name, record in records.items() if access.can(user, permission, record)} == expected

    reached = set()
    for name, record in records.items():
        try:
            fetched = access.access_object(user, model.objects.all(), record.pk, permission)
        except Http404:
            continue
        assert fetched == record
        reached.add(name)
    assert reached == expected

    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, target_type=model._meta.label_lower)
    denied_targets = sorted(denied.values_list("target_id", flat=True))
    assert denied_targets == sorted(str(records[name].pk) for name in PLACEMENTS if name not in expected)
    actor_id = user.pk if user.is_authenticated else None
    assert set(denied.values_list("actor_id", "extra__permission")) <= {(actor_id, str(permission))}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("persona", list(PERSONA_EXPECTED))
def test_persona_reaches_exactly_the_expected_records(world, persona, action):
    # given
    model, permission = ACTIONS[action]
    user = _persona(world, persona)
    records = _records(world, model, user)
    # then
    _assert_record_outcomes(user, model, permission, records, PERSONA_EXPECTED[persona][action])


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("scope", list(Scope))
def test_scope_of_a_grant_at_unit_a_decides_the_reach(world, scope, action):
    model, permission = ACTIONS[action]
    user = _grantee(world, scope)
    records = _records(world, model, user)
    _assert_record_outcomes(user, model, permission, records, SCOPE_EXPECTED[scope])


def _user_targets(world, persona_user) -> dict[str, User]:
    """One user per placement, each holding "basic viewer" at their own unit (`own_a` is the persona)."""
    targets = {"own_a": persona_user}
    for name, unit in (
        ("other_a", world.unit_a),
        ("team_a", world.team_a),
        ("unit_b", world.unit_b),
        ("mx", world.mx),
    ):
        target = user_create(actor=None, username=f"target_{name}", password=PASSWORD, home_unit=unit)
        role_grant(actor=None, user=target, role=world.basic_viewer_role, org_unit=unit, scope=Scope.UNIT)
        targets[name] = User.objects.get(pk=target.pk)
    return targets


def _assert_user_outcomes(admin, targets: dict[str, User], expected: tuple[set[str], set[str]]) -> None:
    listed_ids = set(access.users_manageable_by(admin).values_list("pk", flat=True))
    listed = {name for name, target in targets.items() if target.pk in listed_ids}
    administrable = {name for name, target in targets.items() if access.can_administer_user(admin, target)}
    assert (listed, administrable) == expected


@pytest.mark.parametrize("persona", list(USER_MANAGE_EXPECTED))
def test_persona_manages_exactly_the_expected_users(world, persona):
    admin = _persona(world, persona)
    targets = _user_targets(world, admin if admin.is_authenticated else world.caseworker_a)
    _assert_user_outcomes(admin, targets, USER_MANAGE_EXPECTED[persona])


@pytest.mark.parametrize("scope", list(Scope))
def test_scope_of_a_user_manage_grant_decides_whom_one_administers(world, scope):
    admin = _grantee(world, scope)
    _assert_user_outcomes(admin, _user_targets(world, admin), SCOPE_USER_MANAGE_EXPECTED[scope])


def test_nobody_administers_a_user_more_powerful_than_themselves(world):
    # given a colleague in unit_a who also supervises the whole country
    colleague = user_create(actor=None, username="colleague", password=PASSWORD, home_unit=world.unit_a)
    role_grant(actor=None, user=colleague, role=world.supervisor_role, org_unit=world.mx, scope=Scope.SUBTREE)
    colleague = User.objects.get(pk=colleague.pk)
    # then the unit administrator lists them but may not edit them or reset their password
    assert access.users_manageable_by(world.unit_admin_a).filter(pk=colleague.pk).exists() is True
    assert access.can_administer_user(world.unit_admin_a, colleague) is False
    assert access.can_administer_user(world.national_admin, colleague) is True


def test_a_superuser_is_administered_only_by_a_superuser(world):
    target = user_create(actor=None, username="root_like", password=PASSWORD, home_unit=world.unit_a)
    User.objects.filter(pk=target.pk).update(is_superuser=True)
    target = User.objects.get(pk=target.pk)
    assert access.can_administer_user(world.unit_admin_a, target) is False
    assert access.can_administer_user(world.national_admin, target) is False


def test_grants_at_a_deactivated_unit_stop_counting(world):
    # given team_a is closed while a worker still holds a grant there
    worker = user_create(actor=None, username="team_worker", password=PASSWORD, home_unit=world.team_a)
    role_grant(actor=None, user=worker, role=world.caseworker_role, org_unit=world.team_a, scope=Scope.UNIT)
    person = PersonFactory(org_unit=world.team_a)
    world.team_a.is_active = False
    world.team_a.save(update_fields=["is_active"])
    # then
    worker = User.objects.get(pk=worker.pk)
    assert access.can(worker, Permission.PERSON_VIEW, person) is False
    assert access.visible(worker, Person.objects.all(), Permission.PERSON_VIEW).exists() is False
