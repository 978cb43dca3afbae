"""Role definition pages: system administrators only."""

import pytest
from django.urls import reverse

from amparo.accounts.choices import Permission, Sensitivity
from amparo.accounts.models import Role
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent

PERSONAS = ["caseworker_a", "supervisor_mx", "unit_admin_a", "national_admin", "auditor", "anonymous"]


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, so the assertions on text survive the Spanish catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _expected(persona: str) -> int:
    return {"national_admin": 200, "anonymous": 302}.get(persona, 404)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["accounts:role_list", "accounts:role_create", "accounts:role_edit"])
def test_role_pages_are_for_system_administrators_only(client, world, persona, page):
    user = world.personas()[persona]
    if user is not None:
        client.force_login(user)
    args = [world.caseworker_role.pk] if page == "accounts:role_edit" else []
    assert client.get(reverse(page, args=args)).status_code == _expected(persona)


@pytest.mark.parametrize("persona", ["unit_admin_a", "supervisor_mx", "auditor"])
def test_posting_a_role_without_the_right_changes_nothing(client, world, persona):
    client.force_login(world.personas()[persona])
    response = client.post(
        reverse("accounts:role_edit", args=[world.unit_admin_role.pk]),
        {
            "name": "Administrador/a de unidad",
            "permissions": list(Permission.values),
            "sensitivity_clearance": Sensitivity.SENSITIVE,
        },
    )
    assert response.status_code == 404
    world.unit_admin_role.refresh_from_db()
    assert Permission.ROLE_MANAGE not in world.unit_admin_role.permissions
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_UPDATED).exists() is False


def test_role_list_counts_the_users_holding_each_role(client, world):
    client.force_login(world.national_admin)
    response = client.get(reverse("accounts:role_list"))
    counts = {role.name: role.holder_count for role in response.context["roles"]}
    # caseworker_a, caseworker_b, own_worker_a and inactive_a hold the caseworker role
    assert counts == {
        "Administrador/a de unidad": 1,
        "Administrador/a del sistema": 1,
        "Auditor/a": 1,
        "Consulta básica": 1,
        "Supervisor/a": 1,
        "Trabajador/a de casos": 4,
    }


def test_role_form_groups_permissions_by_domain(client, world):
    client.force_login(world.national_admin)
    response = client.get(reverse("accounts:role_edit", args=[world.caseworker_role.pk]))
    groups = {
        str(label): [checkbox.data["value"] for checkbox in boxes]
        for label, boxes in response.context["form"].permission_groups()
    }
    assert groups["Persons"][:5] == [
        "person.view",
        "person.create",
        "person.edit",
        "person.archive",
        "person.export",
    ]
    assert groups["Households"] == ["household.view", "household.edit"]
    assert groups["Audit"] == ["audit.view"]
    assert sorted(code for codes in groups.values() for code in codes) == sorted(Permission.values)
    checked = {
        checkbox.data["value"]
        for _label, boxes in response.context["form"].permission_groups()
        for checkbox in boxes
        if checkbox.data["selected"]
    }
    assert checked == set(world.caseworker_role.permissions)
    body = response.content.decode()
    assert "Held by 4 users now" in body


def test_system_admin_creates_a_role(client, world):
    client.force_login(world.national_admin)
    response = client.post(
        reverse("accounts:role_create"),
        {
            "name": "Consulado: consulta",
            "description": "Solo lectura",
            "permissions": [Permission.PERSON_VIEW, Permission.HOUSEHOLD_VIEW],
            "sensitivity_clearance": Sensitivity.RESTRICTED,
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(name="Consulado: consulta")
    assert (role.permissions, role.sensitivity_clearance, role.description) == (
        ["household.view", "person.view"],
        Sensitivity.RESTRICTED,
        "Solo lectura",
    )
    assert (
        AuditEvent.objects.get(action=AuditAction.ROLE_CREATED, target_id=str(role.pk)).actor
        == world.national_admin
    )


def test_system_admin_edits_a_role(client, world):
    client.force_login(world.national_admin)
    response = client.post(
        reverse("accounts:role_edit", args=[world.basic_viewer_role.pk]),
        {
            "name": "Consulta básica",
            "permissions": [Permission.PERSON_VIEW, Permission.PERSON_EXPORT],
            "sensitivity_clearance": Sensitivity.BASIC,
        },
    )
    assert response.status_code == 302
    world.basic_viewer_role.refresh_from_db()
    assert world.basic_viewer_role.permissions == ["person.export", "person.view"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"name": "Nuevo", "sensitivity_clearance": 0}, ["permissions"]),
        ({"name": "Auditor/a", "permissions": ["audit.view"], "sensitivity_clearance": 0}, ["name"]),
        ({"name": "Nuevo", "permissions": ["no.such"], "sensitivity_clearance": 0}, ["permissions"]),
        (
            {"name": "", "permissions": ["audit.view"], "sensitivity_clearance": 9},
            ["name", "sensitivity_clearance"],
        ),
    ],
)
def test_role_form_shows_field_errors(client, world, data, fields):
    client.force_login(world.national_admin)
    roles_before = Role.objects.count()
    response = client.post(reverse("accounts:role_create"), data)
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == fields
    assert Role.objects.count() == roles_before
