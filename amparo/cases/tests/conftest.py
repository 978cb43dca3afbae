"""Case tests: the shared personas, with case permissions added to their roles, and a case config.

caseworker (unit A / unit B, UNIT scope, RESTRICTED clearance): view, open, edit cases.
own_worker_a (OWN scope): the same, on cases they own. supervisor_mx (SUBTREE, SENSITIVE): also close.
basic_viewer_a: case.view only, BASIC clearance. auditor, unit_admin_a: no case permission.
"""

import datetime

import pytest

from amparo.accounts.choices import Permission
from amparo.accounts.services import role_update
from amparo.cases import services
from amparo.cases.models import Case
from amparo.cases.services import CaseOpenInput
from amparo.cases.tests.factories import CaseConfig, case_config_create
from amparo.registry.tests.factories import PersonFactory

CASE_WORK = [Permission.CASE_VIEW, Permission.CASE_CREATE, Permission.CASE_EDIT]


def _add(actor, role, permissions):
    role_update(
        actor=actor,
        role=role,
        name=role.name,
        permissions=[*role.permissions, *permissions],
        sensitivity_clearance=role.sensitivity_clearance,
        description=role.description,
    )


@pytest.fixture
def case_world(world):
    _add(world.national_admin, world.caseworker_role, CASE_WORK)
    _add(world.national_admin, world.supervisor_role, [*CASE_WORK, Permission.CASE_CLOSE])
    _add(world.national_admin, world.basic_viewer_role, [Permission.CASE_VIEW])
    return world


@pytest.fixture
def config(case_world) -> CaseConfig:
    return case_config_create(unit=case_world.regional)


@pytest.fixture
def person_a(case_world):
    return PersonFactory(org_unit=case_world.unit_a, created_by=case_world.caseworker_a)


@pytest.fixture
def case_a(case_world, config, person_a) -> Case:
    """A case in unit A owned by caseworker_a, with a registration holding a sensitive answer."""
    return services.case_open(
        actor=case_world.caseworker_a,
        data=CaseOpenInput(
            case_type=config.case_type,
            person=person_a,
            org_unit=case_world.unit_a,
            classification=config.case_type.classifications.get(code="orientacion"),
            opened_on=datetime.date(2026, 3, 2),
            forms={
                config.registration.identifier: {
                    "motivo": "violencia",
                    "fecha_ingreso": "2026-03-01",
                    "edad": 12,
                    "lugar": "Terminal de autobuses",
                    "acompanado": False,
                    "relato": "Relato reservado",
                }
            },
        ),
    )
