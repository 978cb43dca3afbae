"""The access world every test shares: org tree, roles and personas.

regional (root)
├── mx  (country)            supervisor_mx: SUBTREE
│   └── unit_a (office)      caseworker_a: UNIT · own_worker_a: OWN · unit_admin_a: UNIT + user.manage
│       └── team_a (team)
└── gt  (country)
    └── unit_b (office)      caseworker_b: UNIT
national_admin: every permission, ALL · auditor: audit.view only, ALL · basic_viewer_a: person.view, BASIC
"""

from dataclasses import dataclass

import pytest

from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.models import OrgUnit, Role, User
from amparo.accounts.services import org_unit_create, role_create, role_grant, user_create

pytest_plugins = ["amparo.browser_fixtures"]

PASSWORD = "correct-horse-battery"  # noqa: S105 - test accounts only

CASEWORKER_PERMISSIONS = [
    Permission.PERSON_VIEW,
    Permission.PERSON_CREATE,
    Permission.PERSON_EDIT,
    Permission.HOUSEHOLD_VIEW,
    Permission.HOUSEHOLD_EDIT,
]


@dataclass
class World:
    regional: OrgUnit
    mx: OrgUnit
    gt: OrgUnit
    unit_a: OrgUnit
    team_a: OrgUnit
    unit_b: OrgUnit
    caseworker_role: Role
    supervisor_role: Role
    unit_admin_role: Role
    admin_role: Role
    auditor_role: Role
    basic_viewer_role: Role
    caseworker_a: User
    caseworker_b: User
    own_worker_a: User
    supervisor_mx: User
    unit_admin_a: User
    national_admin: User
    auditor: User
    basic_viewer_a: User
    inactive_a: User

    def personas(self) -> dict[str, User | None]:
        return {
            "caseworker_a": self.caseworker_a,
            "caseworker_b": self.caseworker_b,
            "own_worker_a": self.own_worker_a,
            "supervisor_mx": self.supervisor_mx,
            "unit_admin_a": self.unit_admin_a,
            "national_admin": self.national_admin,
            "auditor": self.auditor,
            "basic_viewer_a": self.basic_viewer_a,
            "inactive_a": self.inactive_a,
            "anonymous": None,
        }


def _user(username: str, unit: OrgUnit, role: Role, scope: Scope, grant_unit: OrgUnit | None = None) -> User:
    user = user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        home_unit=unit,
        first_name=username.split("_")[0].capitalize(),
        last_name="Prueba",
    )
    role_grant(actor=None, user=user, role=role, org_unit=grant_unit or unit, scope=scope)
    return user


@pytest.fixture
def world(db) -> World:
    regional = org_unit_create(name="Plataforma regional", code="regional", kind="region")
    mx = org_unit_create(name="México", code="mx", kind="country", parent=regional, country_code="MX")
    gt = org_unit_create(name="Guatemala", code="gt", kind="country", parent=regional, country_code="GT")
    unit_a = org_unit_create(name="Oficina A", code="unit-a", kind="office", parent=mx)
    team_a = org_unit_create(name="Equipo A1", code="team-a1", kind="team", parent=unit_a)
    unit_b = org_unit_create(name="Oficina B", code="unit-b", kind="office", parent=gt)
    caseworker_role = role_create(
        actor=None,
        name="Trabajador/a de casos",
        permissions=CASEWORKER_PERMISSIONS,
        sensitivity_clearance=Sensitivity.RESTRICTED,
    )
    supervisor_role = role_create(
        actor=None,
        name="Supervisor/a",
        permissions=[*CASEWORKER_PERMISSIONS, Permission.PERSON_ARCHIVE, Permission.PERSON_EXPORT],
        sensitivity_clearance=Sensitivity.SENSITIVE,
    )
    unit_admin_role = role_create(
        actor=None,
        name="Administrador/a de unidad",
        permissions=[*CASEWORKER_PERMISSIONS, Permission.USER_MANAGE],
        sensitivity_clearance=Sensitivity.RESTRICTED,
    )
    admin_role = role_create(
        actor=None,
        name="Administrador/a del sistema",
        permissions=list(Permission.values),
        sensitivity_clearance=Sensitivity.SENSITIVE,
    )
    auditor_role = role_create(
        actor=None,
        name="Auditor/a",
        permissions=[Permission.AUDIT_VIEW],
        sensitivity_clearance=Sensitivity.BASIC,
    )
    basic_viewer_role = role_create(
        actor=None,
        name="Consulta básica",
        permissions=[Permission.PERSON_VIEW],
        sensitivity_clearance=Sensitivity.BASIC,
    )
    inactive = _user("inactive_a", unit_a, caseworker_role, Scope.UNIT)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return World(
        regional=regional,
        mx=mx,
        gt=gt,
        unit_a=unit_a,
        team_a=team_a,
        unit_b=unit_b,
        caseworker_role=caseworker_role,
        supervisor_role=supervisor_role,
        unit_admin_role=unit_admin_role,
        admin_role=admin_role,
        auditor_role=auditor_role,
        basic_viewer_role=basic_viewer_role,
        caseworker_a=_user("caseworker_a", unit_a, caseworker_role, Scope.UNIT),
        caseworker_b=_user("caseworker_b", unit_b, caseworker_role, Scope.UNIT),
        own_worker_a=_user("own_worker_a", unit_a, caseworker_role, Scope.OWN),
        supervisor_mx=_user("supervisor_mx", mx, supervisor_role, Scope.SUBTREE),
        unit_admin_a=_user("unit_admin_a", unit_a, unit_admin_role, Scope.UNIT),
        national_admin=_user("national_admin", regional, admin_role, Scope.ALL),
        auditor=_user("auditor", regional, auditor_role, Scope.ALL),
        basic_viewer_a=_user("basic_viewer_a", unit_a, basic_viewer_role, Scope.UNIT),
        inactive_a=inactive,
    )
