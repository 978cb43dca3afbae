"""Data stays in its unit unless shared on purpose: a grant at another unit by someone managing both."""

import pytest

from amparo.accounts import access
from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.services import role_grant
from amparo.common.errors import PermissionDeniedError
from amparo.registry.models import Person
from amparo.registry.tests.factories import PersonFactory


def test_nothing_crosses_units_by_default(world):
    PersonFactory(org_unit=world.unit_a)

    assert access.visible(world.caseworker_b, Person.objects.all(), Permission.PERSON_VIEW).exists() is False


def test_a_grant_at_another_unit_shares_its_records_read_only(world):
    person = PersonFactory(org_unit=world.unit_a)

    role_grant(
        actor=world.national_admin,
        user=world.caseworker_b,
        role=world.basic_viewer_role,
        org_unit=world.unit_a,
        scope=Scope.UNIT,
    )

    caseworker_b = type(world.caseworker_b).objects.get(pk=world.caseworker_b.pk)
    assert list(access.visible(caseworker_b, Person.objects.all(), Permission.PERSON_VIEW)) == [person]
    assert access.can(caseworker_b, Permission.PERSON_EDIT, person) is False
    assert access.may_see_field(caseworker_b, person, Sensitivity.RESTRICTED, Permission.PERSON_VIEW) is False


def test_a_unit_administrator_cannot_share_with_another_units_staff(world):
    with pytest.raises(PermissionDeniedError):
        role_grant(
            actor=world.unit_admin_a,
            user=world.caseworker_b,
            role=world.basic_viewer_role,
            org_unit=world.unit_a,
            scope=Scope.UNIT,
        )

    assert access.visible(world.caseworker_b, Person.objects.all(), Permission.PERSON_VIEW).exists() is False
