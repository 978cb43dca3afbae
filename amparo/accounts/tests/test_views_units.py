import pytest
from django.urls import reverse

from amparo.accounts import access
from amparo.accounts.choices import Permission, Scope
from amparo.accounts.models import OrgUnit
from amparo.accounts.services import role_create, role_grant
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent


@pytest.fixture
def country_admin_mx(world, django_user_model):
    """Manages units within México only (ORG_UNIT_MANAGE, subtree at mx)."""
    role = role_create(
        actor=None, name="Administración de unidades", permissions=[Permission.ORG_UNIT_MANAGE]
    )
    user = django_user_model.objects.create_user(username="units_mx", password="x", home_unit=world.mx)
    role_grant(actor=None, user=user, role=role, org_unit=world.mx, scope=Scope.SUBTREE)
    return user


def _client(client, user):
    client.force_login(user)
    client.cookies["amparo_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("national_admin", 200), ("unit_admin_a", 404), ("caseworker_a", 404), ("auditor", 404)],
)
def test_unit_list_only_for_unit_managers(client, world, persona, expected):
    response = _client(client, getattr(world, persona)).get(reverse("accounts:unit_list"))

    assert response.status_code == expected


def test_country_admin_sees_only_their_subtree(client, world, country_admin_mx):
    response = _client(client, country_admin_mx).get(reverse("accounts:unit_list"))

    names = [unit.name for unit, _indent in response.context["rows"]]
    assert names == ["México", "Oficina A", "Equipo A1"]


def test_creates_a_unit_below_one_they_manage(client, world, country_admin_mx):
    response = _client(client, country_admin_mx).post(
        reverse("accounts:unit_create", args=[world.unit_a.pk]),
        {"name": "Consulado en Tucson", "code": "consulado-tucson", "kind": "consulate", "country_code": ""},
    )

    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="consulado-tucson")
    assert (unit.parent, unit.depth, unit.country_code) == (world.unit_a, 3, "MX")
    assert unit.path.startswith(world.unit_a.path)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ORG_UNIT_CREATED, target_id=str(unit.pk), actor=country_admin_mx
        ).count()
        == 1
    )


def test_cannot_create_outside_their_subtree(client, world, country_admin_mx):
    response = _client(client, country_admin_mx).post(
        reverse("accounts:unit_create", args=[world.unit_b.pk]),
        {"name": "Intrusa", "code": "intrusa", "kind": "office"},
    )

    assert response.status_code == 404
    assert OrgUnit.objects.filter(code="intrusa").exists() is False


def test_duplicate_code_is_a_field_error(client, world):
    response = _client(client, world.national_admin).post(
        reverse("accounts:unit_create", args=[world.mx.pk]),
        {"name": "Otra", "code": "unit-a", "kind": "office"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    assert OrgUnit.objects.filter(name="Otra").exists() is False


def test_deactivating_a_unit_stops_its_grants(client, world):
    response = _client(client, world.national_admin).post(
        reverse("accounts:unit_edit", args=[world.unit_b.pk]),
        {"name": "Oficina B", "kind": "office", "country_code": "GT", "is_active": ""},
    )

    assert response.status_code == 302
    world.unit_b.refresh_from_db()
    assert world.unit_b.is_active is False
    caseworker_b = type(world.caseworker_b).objects.get(pk=world.caseworker_b.pk)
    assert access.has_permission(caseworker_b, Permission.PERSON_VIEW) is False
    assert AuditEvent.objects.filter(
        action=AuditAction.ORG_UNIT_UPDATED, target_id=str(world.unit_b.pk)
    ).get().extra == {"fields": ["is_active"]}


def test_the_root_cannot_be_deactivated(client, world):
    response = _client(client, world.national_admin).post(
        reverse("accounts:unit_edit", args=[world.regional.pk]),
        {"name": "Plataforma regional", "kind": "region", "country_code": "", "is_active": ""},
    )

    assert response.status_code == 400
    world.regional.refresh_from_db()
    assert world.regional.is_active is True
