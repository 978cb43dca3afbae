"""Tracing tests: the shared personas with case and tracing permissions added to their roles, the
child-protection starter configuration, and helpers to open a separated child's case.

caseworker_a / caseworker_b (UNIT at unit A / unit B): view, open, edit cases; view and record
tracing requests. own_worker_a (OWN at unit A): the same, on what they own. supervisor_mx (SUBTREE
at mx, reaches unit A): the same. basic_viewer_a (unit A): case.view + tracing.view only.
auditor, unit_admin_a: no case nor tracing permission. national_admin: everything, ALL.
"""

import datetime
from dataclasses import dataclass

import pytest

from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, User
from amparo.accounts.services import role_update
from amparo.cases import services as cases_services
from amparo.cases.models import Case, CaseType
from amparo.cases.services import CaseOpenInput
from amparo.cases.starter import starter_config_load
from amparo.conftest import World
from amparo.matching.services import person_keys_refresh
from amparo.registry.models import Person
from amparo.registry.services import PersonInput, person_create
from amparo.tracing import services
from amparo.tracing.models import TracingRequest
from amparo.tracing.services import TracingRequestInput

WORK = [
    Permission.CASE_VIEW,
    Permission.CASE_CREATE,
    Permission.CASE_EDIT,
    Permission.TRACING_VIEW,
    Permission.TRACING_EDIT,
]


def _add(actor: User, role, permissions) -> None:
    role_update(
        actor=actor,
        role=role,
        name=role.name,
        permissions=[*role.permissions, *permissions],
        sensitivity_clearance=role.sensitivity_clearance,
        description=role.description,
    )


@dataclass
class TracingWorld:
    world: World
    child_protection: CaseType

    def __getattr__(self, name: str):
        return getattr(self.world, name)


@pytest.fixture
def tw(world: World) -> TracingWorld:
    _add(world.national_admin, world.caseworker_role, WORK)
    _add(world.national_admin, world.supervisor_role, WORK)
    _add(world.national_admin, world.basic_viewer_role, [Permission.CASE_VIEW, Permission.TRACING_VIEW])
    types = starter_config_load(org_unit=world.regional)
    return TracingWorld(world=world, child_protection=types[0])


def child(
    actor: User,
    unit: OrgUnit,
    given_names: str,
    first_surname: str,
    second_surname: str = "",
    *,
    sex: str = "female",
    born: datetime.date | None = None,
    age_years: int | None = None,
) -> Person:
    person = person_create(
        actor=actor,
        org_unit=unit,
        data=PersonInput(
            given_names=given_names,
            first_surname=first_surname,
            second_surname=second_surname,
            sex=sex,
            date_of_birth=born,
            age_years=age_years,
        ),
    )
    person_keys_refresh(person_ids=[person.pk])
    return person


def open_case(
    tw: TracingWorld,
    actor: User,
    unit: OrgUnit,
    person: Person,
    *,
    separated: bool = True,
    separated_on: datetime.date | None = datetime.date(2026, 9, 1),
) -> Case:
    """A child-protection case; its registration says whether the child is separated."""
    answers: dict = {"fecha_identificacion": "2026-10-01", "riesgos": ["negligencia"], "separado": separated}
    if separated:
        answers["fecha_separacion"] = (separated_on or datetime.date(2026, 9, 1)).isoformat()
    return cases_services.case_open(
        actor=actor,
        data=CaseOpenInput(
            case_type=tw.child_protection,
            person=person,
            org_unit=unit,
            forms={"pna_registro": answers},
        ),
    )


def tracing_request(actor: User, unit: OrgUnit, **child_fields) -> TracingRequest:
    data = TracingRequestInput(
        relationship=child_fields.pop("relationship", "mother"),
        inquirer_name=child_fields.pop("inquirer_name", "Rosa Pérez"),
        inquirer_contact="+52 55 1234 5678",
        **child_fields,
    )
    return services.tracing_request_create(actor=actor, org_unit=unit, data=data)
