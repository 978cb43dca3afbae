import pytest

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.common.errors import ApplicationError
from amparo.registry.services import household_archive, household_member_add, household_update
from amparo.registry.tests.factories import HouseholdFactory, PersonFactory


def test_archiving_bumps_version_and_is_idempotent(world):
    household = HouseholdFactory(org_unit=world.unit_a)

    household_archive(actor=world.caseworker_a, household=household, reason="Familia reubicada")
    household_archive(actor=world.caseworker_a, household=household, reason="otra vez")

    household.refresh_from_db()
    assert (household.is_archived, household.version, household.archive_reason) == (
        True,
        2,
        "Familia reubicada",
    )
    assert AuditEvent.objects.filter(action=AuditAction.HOUSEHOLD_ARCHIVED).count() == 1


def test_archived_household_refuses_changes_and_new_members(world):
    household = HouseholdFactory(org_unit=world.unit_a)
    household_archive(actor=world.caseworker_a, household=household, reason="Duplicado")

    with pytest.raises(ApplicationError) as update_error:
        household_update(
            actor=world.caseworker_a,
            household=household,
            expected_version=household.version,
            changes={"name": "Otro nombre"},
        )
    with pytest.raises(ApplicationError) as member_error:
        household_member_add(
            actor=world.caseworker_a,
            household=household,
            person=PersonFactory(org_unit=world.unit_a),
            relationship="child",
        )

    assert (update_error.value.code, member_error.value.code) == ("household_archived", "household_archived")
    household.refresh_from_db()
    assert household.name == "Familia García López"
    assert household.memberships.exists() is False
