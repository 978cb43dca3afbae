"""The demo organisation: a regional platform, six countries, their agencies, roles and users.

Everything here goes through the accounts services (units, roles, users, grants), so the
demo world is built exactly as an administrator would build it, audit entries included.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from amparo.accounts.choices import OrgUnitKind, Permission, Scope, Sensitivity
from amparo.accounts.models import OrgUnit, Role, User
from amparo.accounts.services import org_unit_create, role_create, role_grant, user_create

DEMO_PASSWORD = "amparo-demo"  # noqa: S105 - the documented password of the demo users, DEBUG only

# (code, name, kind, parent code, country code)
# fmt: off
UNITS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("regional", "Plataforma regional Amparo", OrgUnitKind.REGION, None, ""),
    ("mx", "México", OrgUnitKind.COUNTRY, "regional", "MX"),
    ("mx-sre", "SRE — Protección consular", OrgUnitKind.INSTITUTION, "mx", "MX"),
    ("mx-sre-houston", "Consulado General de México en Houston", OrgUnitKind.CONSULATE, "mx-sre", "MX"),
    ("mx-sre-houston-proteccion", "Departamento de Protección — Houston",
     OrgUnitKind.TEAM, "mx-sre-houston", "MX"),
    ("mx-sre-los-angeles", "Consulado General de México en Los Ángeles",
     OrgUnitKind.CONSULATE, "mx-sre", "MX"),
    ("mx-sre-tucson", "Consulado de México en Tucson", OrgUnitKind.CONSULATE, "mx-sre", "MX"),
    ("mx-dif", "DIF Nacional", OrgUnitKind.INSTITUTION, "mx", "MX"),
    ("mx-dif-chiapas", "Procuraduría de Protección de Niñas, Niños y Adolescentes de Chiapas",
     OrgUnitKind.OFFICE, "mx-dif", "MX"),
    ("mx-dif-chiapas-tapachula", "Equipo de atención a NNA migrantes — Tapachula",
     OrgUnitKind.TEAM, "mx-dif-chiapas", "MX"),
    ("gt", "Guatemala", OrgUnitKind.COUNTRY, "regional", "GT"),
    ("gt-pgn", "PGN — Procuraduría de la Niñez y la Adolescencia", OrgUnitKind.INSTITUTION, "gt", "GT"),
    ("gt-pgn-quetzaltenango", "PGN — Delegación Quetzaltenango", OrgUnitKind.OFFICE, "gt-pgn", "GT"),
    ("gt-pgn-huehuetenango", "PGN — Delegación Huehuetenango", OrgUnitKind.OFFICE, "gt-pgn", "GT"),
    ("hn", "Honduras", OrgUnitKind.COUNTRY, "regional", "HN"),
    ("hn-dinaf", "DINAF — Dirección de Niñez, Adolescencia y Familia", OrgUnitKind.INSTITUTION, "hn", "HN"),
    ("hn-dinaf-sps", "DINAF — Oficina Regional San Pedro Sula", OrgUnitKind.OFFICE, "hn-dinaf", "HN"),
    ("sv", "El Salvador", OrgUnitKind.COUNTRY, "regional", "SV"),
    ("sv-conna", "CONNA — Consejo Nacional de la Niñez y de la Adolescencia",
     OrgUnitKind.INSTITUTION, "sv", "SV"),
    ("sv-conna-san-salvador", "Junta de Protección de San Salvador", OrgUnitKind.OFFICE, "sv-conna", "SV"),
    ("ar", "Argentina", OrgUnitKind.COUNTRY, "regional", "AR"),
    ("ar-sennaf", "SENNAF — Secretaría Nacional de Niñez, Adolescencia y Familia",
     OrgUnitKind.INSTITUTION, "ar", "AR"),
    ("ar-jujuy-ninez", "Jujuy — Secretaría de Niñez, Adolescencia y Familia",
     OrgUnitKind.PROVINCIAL_AREA, "ar", "AR"),
    ("ar-jujuy-ninez-ramal", "Equipo territorial Ramal — Ledesma", OrgUnitKind.TEAM, "ar-jujuy-ninez", "AR"),
    ("py", "Paraguay", OrgUnitKind.COUNTRY, "regional", "PY"),
    ("py-mds-siis", "MDS — SIIS (Sistema de Información Social)", OrgUnitKind.INSTITUTION, "py", "PY"),
    ("py-mds-siis-alto-parana", "MDS — Oficina departamental Alto Paraná",
     OrgUnitKind.OFFICE, "py-mds-siis", "PY"),
)
# fmt: on

CASEWORKER = [
    Permission.PERSON_VIEW,
    Permission.PERSON_CREATE,
    Permission.PERSON_EDIT,
    Permission.HOUSEHOLD_VIEW,
    Permission.HOUSEHOLD_EDIT,
]
SUPERVISOR = [*CASEWORKER, Permission.PERSON_ARCHIVE, Permission.PERSON_EXPORT]

# (name, permissions, clearance, description)
ROLES: tuple[tuple[str, Sequence[str], int, str], ...] = (
    (
        "Administrador/a del sistema",
        list(Permission.values),
        Sensitivity.SENSITIVE,
        "Todos los permisos en toda la plataforma. Para muy pocas personas.",
    ),
    (
        "Administrador/a de unidad",
        [*CASEWORKER, Permission.USER_MANAGE],
        Sensitivity.RESTRICTED,
        "Gestiona las cuentas de su unidad y trabaja los registros de la unidad.",
    ),
    (
        "Supervisor/a",
        SUPERVISOR,
        Sensitivity.SENSITIVE,
        "Supervisa casos: archiva y exporta, ve datos sensibles.",
    ),
    (
        "Trabajador/a de casos",
        CASEWORKER,
        Sensitivity.RESTRICTED,
        "Registra y actualiza personas y hogares de su unidad.",
    ),
    (
        "Cónsul",
        SUPERVISOR,
        Sensitivity.SENSITIVE,
        "Titular de un consulado: supervisa la protección consular de su circunscripción.",
    ),
    ("Auditor/a", [Permission.AUDIT_VIEW], Sensitivity.BASIC, "Consulta la bitácora de auditoría."),
    (
        "Referente RUNac provincial",
        [
            Permission.PERSON_VIEW,
            Permission.CASE_VIEW,
            Permission.CASE_CREATE,
            Permission.CASE_EDIT,
            Permission.RUNAC_VIEW,
            Permission.RUNAC_IMPORT,
            Permission.RUNAC_GENERATE,
        ],
        Sensitivity.SENSITIVE,
        "Registra las medidas del área provincial, mantiene sus equivalencias y genera las entregas RUNac.",
    ),
    (
        "Equipo nacional RUNac",
        [Permission.RUNAC_VIEW, Permission.RUNAC_IMPORT, Permission.RUNAC_CORRECT, Permission.RUNAC_MANAGE],
        Sensitivity.BASIC,
        "Recibe y valida las entregas de las jurisdicciones, corrige categorías y consulta indicadores.",
    ),
    (
        "Analista",
        [Permission.PERSON_VIEW],
        Sensitivity.BASIC,
        "Consulta datos básicos de personas para análisis; sin documentos ni contactos.",
    ),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    home_unit: str
    role: str
    grant_unit: str
    scope: Scope
    summary: str


USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "admin",
        "Administración",
        "Regional",
        "regional",
        "Administrador/a del sistema",
        "regional",
        Scope.ALL,
        "system administrator, everything",
    ),
    DemoUser(
        "trabajador.mx",
        "Lucía",
        "Hernández Ortega",
        "mx-sre-houston",
        "Trabajador/a de casos",
        "mx-sre-houston",
        Scope.UNIT,
        "caseworker, Mexican consulate in Houston",
    ),
    DemoUser(
        "trabajador.gt",
        "Marvin",
        "Tzul Ajanel",
        "gt-pgn-quetzaltenango",
        "Trabajador/a de casos",
        "gt-pgn-quetzaltenango",
        Scope.UNIT,
        "caseworker, PGN Quetzaltenango",
    ),
    DemoUser(
        "supervisora.mx",
        "Guadalupe",
        "Ramírez Núñez",
        "mx",
        "Supervisor/a",
        "mx",
        Scope.SUBTREE,
        "supervisor, all of México",
    ),
    DemoUser(
        "admin.houston",
        "Roberto",
        "Salinas de la Garza",
        "mx-sre-houston",
        "Administrador/a de unidad",
        "mx-sre-houston",
        Scope.UNIT,
        "administers the Houston consulate's users",
    ),
    DemoUser(
        "consul.houston",
        "Ana Sofía",
        "Villaseñor Ibarra",
        "mx-sre-houston",
        "Cónsul",
        "mx-sre-houston",
        Scope.SUBTREE,
        "consul in Houston, consulate and its teams",
    ),
    DemoUser(
        "auditor",
        "Patricia",
        "Benítez Lagos",
        "regional",
        "Auditor/a",
        "regional",
        Scope.ALL,
        "audit log only",
    ),
    DemoUser(
        "runac.jujuy",
        "Natalia",
        "Quispe Mamaní",
        "ar-jujuy-ninez",
        "Referente RUNac provincial",
        "ar-jujuy-ninez",
        Scope.SUBTREE,
        "Jujuy child-protection area: RUNac measures, equivalences, deliveries",
    ),
    DemoUser(
        "runac.nacional",
        "Martín",
        "Iturralde Sosa",
        "ar-sennaf",
        "Equipo nacional RUNac",
        "ar-sennaf",
        Scope.ALL,
        "SENNAF national RUNac team: imports and checks deliveries, indicators",
    ),
    DemoUser(
        "analista.py",
        "Derlis",
        "Giménez Acosta",
        "py",
        "Analista",
        "py",
        Scope.SUBTREE,
        "analyst, Paraguay, basic fields only",
    ),
)


@dataclass
class DemoWorld:
    units: dict[str, OrgUnit]
    roles: dict[str, Role]
    users: dict[str, User]


def world_create() -> DemoWorld:
    """Units, roles and users of the demo, through the accounts services (actor: the system)."""
    units: dict[str, OrgUnit] = {}
    for code, name, kind, parent_code, country_code in UNITS:
        units[code] = org_unit_create(
            name=name,
            code=code,
            kind=kind,
            parent=units[parent_code] if parent_code else None,
            country_code=country_code,
        )
    roles = {
        name: role_create(
            actor=None,
            name=name,
            permissions=list(permissions),
            sensitivity_clearance=clearance,
            description=description,
        )
        for name, permissions, clearance, description in ROLES
    }
    users: dict[str, User] = {}
    for spec in USERS:
        user = user_create(
            actor=None,
            username=spec.username,
            password=DEMO_PASSWORD,
            home_unit=units[spec.home_unit],
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@demo.example.org",
        )
        role_grant(
            actor=None, user=user, role=roles[spec.role], org_unit=units[spec.grant_unit], scope=spec.scope
        )
        users[spec.username] = user
    return DemoWorld(units=units, roles=roles, users=users)
