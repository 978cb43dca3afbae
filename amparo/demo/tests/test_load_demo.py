"""load_demo refuses outside DEBUG and never loads into a database that already has users."""

import pytest
from django.core.management import CommandError, call_command

from amparo.accounts.models import OrgUnit, User
from amparo.audit.models import AuditEvent
from amparo.registry.models import Person


def test_refuses_when_demo_data_is_not_allowed(db, settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("load_demo", "--if-empty")

    assert User.objects.exists() is False
    assert Person.objects.exists() is False
    assert AuditEvent.objects.exists() is False


def test_if_empty_leaves_a_database_with_users_untouched(world, capsys):
    units, persons, events = OrgUnit.objects.count(), Person.objects.count(), AuditEvent.objects.count()

    call_command("load_demo", "--if-empty")

    assert "already has users" in capsys.readouterr().out
    assert (OrgUnit.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == (
        units,
        persons,
        events,
    )


def test_refuses_a_database_with_users_without_if_empty(world):
    with pytest.raises(CommandError, match="already has users"):
        call_command("load_demo")

    assert Person.objects.exists() is False
