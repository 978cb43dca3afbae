"""Matching personas on top of the shared access world, and a helper registering persons.

reviewer_a: caseworker permissions + matching.review + person.merge, UNIT scope at unit_a
reviewer_b: the same at unit_b
reviewer_mx: the same with SUBTREE scope at mx (reaches unit_a, not unit_b)
national_admin (shared world): every permission, ALL scope — configures matching
"""

import datetime
from dataclasses import dataclass

import pytest

from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.models import OrgUnit, User
from amparo.accounts.services import role_create, role_grant, user_create
from amparo.conftest import CASEWORKER_PERMISSIONS, PASSWORD, World
from amparo.matching.services import person_keys_refresh
from amparo.registry.models import Person
from amparo.registry.services import DocumentInput, PersonInput, person_create

REVIEWER_PERMISSIONS = [
    str(code) for code in (*CASEWORKER_PERMISSIONS, Permission.MATCHING_REVIEW, Permission.PERSON_MERGE)
]


@dataclass
class MatchingWorld:
    world: World
    reviewer_a: User
    reviewer_b: User
    reviewer_mx: User

    def __getattr__(self, name: str):
        return getattr(self.world, name)


@pytest.fixture
def matching(world: World) -> MatchingWorld:
    role = role_create(
        actor=None,
        name="Revisor/a de duplicados",
        permissions=REVIEWER_PERMISSIONS,
        sensitivity_clearance=Sensitivity.RESTRICTED,
    )

    def reviewer(username: str, unit: OrgUnit, scope: Scope) -> User:
        user = user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            home_unit=unit,
            first_name=username.capitalize(),
            last_name="Prueba",
        )
        role_grant(actor=None, user=user, role=role, org_unit=unit, scope=scope)
        return user

    return MatchingWorld(
        world=world,
        reviewer_a=reviewer("reviewer_a", world.unit_a, Scope.UNIT),
        reviewer_b=reviewer("reviewer_b", world.unit_b, Scope.UNIT),
        reviewer_mx=reviewer("reviewer_mx", world.mx, Scope.SUBTREE),
    )


def register(
    actor: User,
    unit: OrgUnit,
    given_names: str,
    first_surname: str = "",
    second_surname: str = "",
    *,
    sex: str = "unknown",
    born: datetime.date | None = None,
    document: str = "",
    estimated: bool = False,
) -> Person:
    """Register through the registry's service, then key the person as the registry will."""
    person = person_create(
        actor=actor,
        org_unit=unit,
        data=PersonInput(
            given_names=given_names,
            first_surname=first_surname,
            second_surname=second_surname,
            sex=sex,
            date_of_birth=born,
            date_of_birth_is_estimated=estimated,
            documents=[DocumentInput(document_type="national_id", number=document)] if document else [],
        ),
    )
    person_keys_refresh(person_ids=[person.pk])
    person.refresh_from_db()
    return person
