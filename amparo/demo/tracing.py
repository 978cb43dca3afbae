"""Family tracing in the demo: two separated children with cases at the Houston consulate and two
relatives looking for them, entered the way workers would (every step audited).

- The consul records a father's request for "Pepe Ramírez"; it matches the case of José Luis
  Ramírez Soto, owned by trabajador.mx, who finds a notification when logging in.
- A mother asks at PGN Quetzaltenango (trabajador.gt) for her daughter; the girl's case is in
  Houston, so trabajador.gt only learns that a possible match exists in another unit, while
  admin (or anyone who may see both sides) sees and decides it.
"""

import datetime
from dataclasses import dataclass

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import Role
from amparo.cases.models import Case, CaseType
from amparo.cases.services import CaseOpenInput, case_open
from amparo.demo.world import DemoWorld
from amparo.registry.services import PersonInput, person_create
from amparo.tracing.models import TracingRequest
from amparo.tracing.services import TracingRequestInput, tracing_request_create

DEMO_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Trabajador/a de casos": [Permission.TRACING_VIEW, Permission.TRACING_EDIT],
    "Administrador/a de unidad": [Permission.TRACING_VIEW, Permission.TRACING_EDIT],
    "Supervisor/a": [Permission.TRACING_VIEW, Permission.TRACING_EDIT],
    "Cónsul": [Permission.TRACING_VIEW, Permission.TRACING_EDIT],
}


def demo_roles_grant_tracing() -> None:
    """Add the tracing permissions to the demo roles (system roles edited as the system)."""
    for name, permissions in DEMO_ROLE_PERMISSIONS.items():
        role = Role.objects.filter(name=name).first()
        if role is None:
            continue
        missing = [str(permission) for permission in permissions if permission not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


def _separated_child_case(
    world: DemoWorld, case_type: CaseType, data: PersonInput, separated_on: datetime.date
) -> Case:
    worker = world.users["trabajador.mx"]
    consulate = world.units["mx-sre-houston"]
    person = person_create(actor=worker, org_unit=consulate, data=data)
    return case_open(
        actor=worker,
        data=CaseOpenInput(
            case_type=case_type,
            person=person,
            org_unit=consulate,
            forms={
                "pna_registro": {
                    "fecha_identificacion": (separated_on + datetime.timedelta(days=12)).isoformat(),
                    "via_ingreso": "CBP — entrega de niñez no acompañada",
                    "riesgos": ["no_acompanado"],
                    "riesgo_principal": "no_acompanado",
                    "situacion_cuidado": "institucion",
                    "separado": True,
                    "fecha_separacion": separated_on.isoformat(),
                }
            },
        ),
    )


@dataclass(frozen=True)
class TracingDemo:
    cases: list[Case]
    requests: list[TracingRequest]


def tracing_demo_create(world: DemoWorld, case_types: list[CaseType]) -> TracingDemo:
    demo_roles_grant_tracing()
    for user in world.users.values():
        access.forget_grants(user)  # their grants were read before the roles changed
    child_protection = next(case_type for case_type in case_types if case_type.code == "proteccion_nna")
    today = datetime.date.today()  # noqa: DTZ011 - a calendar day
    separated_on = today - datetime.timedelta(days=60)
    boy = _separated_child_case(
        world,
        child_protection,
        PersonInput(
            given_names="José Luis",
            first_surname="Ramírez",
            second_surname="Soto",
            sex="male",
            age_years=11,
            nationality="MX",
        ),
        separated_on,
    )
    girl = _separated_child_case(
        world,
        child_protection,
        PersonInput(
            given_names="Heidy Marisol",
            first_surname="Tzoc",
            second_surname="López",
            sex="female",
            age_years=13,
            nationality="GT",
        ),
        separated_on - datetime.timedelta(days=20),
    )
    father_request = tracing_request_create(
        actor=world.users["consul.houston"],
        org_unit=world.units["mx-sre-houston"],
        owner=world.users["consul.houston"],
        data=TracingRequestInput(
            relationship="father",
            inquirer_name="Luis Alberto Ramírez Ortiz",
            inquirer_contact="+52 899 412 3398",
            child_given_names="Jose",
            child_first_surname="Ramirez",
            child_nicknames="Pepe",
            child_sex="male",
            child_age_years=11,
            separation_place="Reynosa, Tamaulipas",
            separation_date=separated_on - datetime.timedelta(days=3),
            languages="español",
            physical_description="Delgado, cabello corto, lunar en la mejilla derecha.",
        ),
    )
    mother_request = tracing_request_create(
        actor=world.users["trabajador.gt"],
        org_unit=world.units["gt-pgn-quetzaltenango"],
        data=TracingRequestInput(
            relationship="mother",
            inquirer_name="Juana López Chávez",
            inquirer_contact="+502 5521 0936",
            child_given_names="Heidi",
            child_first_surname="Tzoc",
            child_nicknames="Mari",
            child_sex="female",
            child_age_years=13,
            separation_place="Ciudad Hidalgo, Chiapas",
            separation_date=separated_on - datetime.timedelta(days=18),
            languages="k'iche', español",
            physical_description="Trenza larga, cicatriz pequeña en la mano izquierda.",
        ),
    )
    return TracingDemo(cases=[boy, girl], requests=[father_request, mother_request])
