import pytest
from django.core.management import CommandError, call_command

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User


def test_creates_root_role_and_administrator(db, monkeypatch):
    monkeypatch.setenv("AMPARO_ADMIN_PASSWORD", "una-clave-larga-2026")

    call_command("bootstrap_admin", "--username", "admin")

    admin = User.objects.get(username="admin")
    assert admin.check_password("una-clave-larga-2026")
    assert admin.home_unit.code == "regional"
    assert access.can_define_roles(admin) is True
    assert access.has_permission(admin, Permission.AUDIT_VIEW) is True


def test_refuses_weak_password_and_creates_nothing(db, monkeypatch):
    monkeypatch.setenv("AMPARO_ADMIN_PASSWORD", "123")

    with pytest.raises(CommandError):
        call_command("bootstrap_admin", "--username", "admin")

    assert User.objects.exists() is False
