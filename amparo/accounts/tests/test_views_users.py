"""The user administration pages: list, create, edit, reset password, grant and revoke roles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amparo.accounts.choices import Scope
from amparo.accounts.models import RoleAssignment, User, UserSession
from amparo.accounts.services import role_grant, user_create
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.conftest import PASSWORD

NEW_PASSWORD = "otra-clave-larga-2026"
ADMINS_ONLY = {"unit_admin_a": 200, "national_admin": 200}


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, so the assertions on text survive the Spanish catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _expected_status(persona: str, allowed: dict[str, int]) -> int:
    if persona in ("anonymous", "inactive_a"):  # an inactive user's session is no session
        return 302
    return allowed.get(persona, 404)


def _login(client, world, persona: str):
    user = world.personas()[persona]
    if user is not None:
        client.force_login(user)
    return user


@pytest.fixture
def colleague(world) -> User:
    """A user of unit_a supervising the whole country: listed for unit_admin_a, not administrable by them."""
    user = user_create(
        actor=None,
        username="colleague",
        password=PASSWORD,
        home_unit=world.unit_a,
        first_name="Colega",
        last_name="Poderosa",
    )
    role_grant(actor=None, user=user, role=world.supervisor_role, org_unit=world.mx, scope=Scope.SUBTREE)
    return user


def _usernames(response) -> set[str]:
    return {user.username for user in response.context["page"].object_list}


@pytest.mark.parametrize(
    "persona",
    [
        "caseworker_a",
        "caseworker_b",
        "own_worker_a",
        "supervisor_mx",
        "unit_admin_a",
        "national_admin",
        "auditor",
        "basic_viewer_a",
        "inactive_a",
        "anonymous",
    ],
)
def test_user_list_is_for_user_administrators_only(client, world, persona):
    _login(client, world, persona)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == _expected_status(persona, ADMINS_ONLY)


def test_unit_admin_lists_exactly_the_users_of_their_unit(client, world):
    client.force_login(world.unit_admin_a)
    response = client.get(reverse("accounts:user_list"))
    assert _usernames(response) == {
        "caseworker_a",
        "own_worker_a",
        "unit_admin_a",
        "basic_viewer_a",
        "inactive_a",
    }


def test_search_ignores_accents_and_case(client, world):
    user_create(
        actor=None,
        username="ana.n",
        password=PASSWORD,
        home_unit=world.unit_a,
        first_name="Ana",
        last_name="Núñez Peña",
    )
    client.force_login(world.unit_admin_a)
    assert _usernames(client.get(reverse("accounts:user_list"), {"q": "NUNEZ pena"})) == {"ana.n"}
    assert _usernames(client.get(reverse("accounts:user_list"), {"q": "caseworker"})) == {"caseworker_a"}
    assert _usernames(client.get(reverse("accounts:user_list"), {"q": "caseworker_b"})) == set()


def test_htmx_search_returns_only_the_results(client, world):
    client.force_login(world.unit_admin_a)
    response = client.get(reverse("accounts:user_list"), {"q": "caseworker"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count('data-testid="user-row"') == 1


def test_list_shows_grants_last_login_and_who_is_connected(client, world):
    # given caseworker_a logged in a minute ago and is active now
    User.objects.filter(pk=world.caseworker_a.pk).update(last_login=timezone.now())
    UserSession.objects.create(
        session_key="k1", user=world.caseworker_a, org_unit=world.unit_a, last_seen_at=timezone.now()
    )
    client.force_login(world.unit_admin_a)
    # when
    response = client.get(reverse("accounts:user_list"), {"q": "caseworker_a"})
    # then
    row = response.context["page"].object_list[0]
    assert row.is_connected is True
    assert [(grant.role.name, grant.scope) for grant in row.active_grants] == [
        ("Trabajador/a de casos", "unit")
    ]
    body = response.content.decode()
    assert "connected now" in body
    assert timezone.localtime(User.objects.get(pk=row.pk).last_login).strftime("%d/%m/%Y %H:%M") in body


def test_user_list_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world.national_admin)
    url = reverse("accounts:user_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(10):
        user = user_create(actor=None, username=f"extra{number}", password=PASSWORD, home_unit=world.team_a)
        role_grant(actor=None, user=user, role=world.caseworker_role, org_unit=world.team_a, scope=Scope.UNIT)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- Create -----------------------------------------------------------------------------------------


def _create_data(world, **overrides):
    data = {
        "username": "nueva.persona",
        "first_name": "Nueva",
        "last_name": "Persona Ñandú",
        "email": "nueva@example.org",
        "home_unit": world.unit_a.pk,
        "preferred_language": "es",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def test_unit_admin_creates_a_user_and_lands_on_their_page(client, world):
    client.force_login(world.unit_admin_a)
    response = client.post(reverse("accounts:user_create"), _create_data(world))
    user = User.objects.get(username="nueva.persona")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert (user.home_unit, user.last_name, user.check_password(NEW_PASSWORD)) == (
        world.unit_a,
        "Persona Ñandú",
        True,
    )
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.USER_CREATED, actor=world.unit_admin_a, target_id=str(user.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password1": "corta", "password2": "corta"}, "password1"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1"),
        ({"password1": "nueva.persona", "password2": "nueva.persona"}, "password1"),
        ({"password2": "otra-cosa-distinta"}, "password2"),
        ({"username": "CASEWORKER_A"}, "username"),
        ({"username": "con espacios"}, "username"),
        ({"email": "no-es-correo"}, "email"),
        ({"first_name": ""}, "first_name"),
        ("unit_b", "home_unit"),
    ],
)
def test_create_shows_field_level_errors_and_creates_nothing(client, world, overrides, field):
    if overrides == "unit_b":
        overrides = {"home_unit": world.unit_b.pk}
    client.force_login(world.unit_admin_a)
    users_before = User.objects.count()
    response = client.post(reverse("accounts:user_create"), _create_data(world, **overrides))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert User.objects.count() == users_before


def test_create_offers_only_the_units_one_manages(client, world):
    client.force_login(world.unit_admin_a)
    response = client.get(reverse("accounts:user_create"))
    assert list(response.context["form"].fields["home_unit"].queryset) == [world.unit_a]


# --- User page, edit, password ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    [
        "caseworker_a",
        "caseworker_b",
        "supervisor_mx",
        "unit_admin_a",
        "national_admin",
        "auditor",
        "anonymous",
    ],
)
def test_user_page_of_caseworker_a_is_for_their_administrators(client, world, persona):
    _login(client, world, persona)
    response = client.get(reverse("accounts:user_detail", args=[world.caseworker_a.pk]))
    assert response.status_code == _expected_status(persona, ADMINS_ONLY)


def test_user_page_shows_grants_and_sessions(client, world):
    UserSession.objects.create(
        session_key="k2",
        user=world.caseworker_a,
        org_unit=world.unit_a,
        ip_address="203.0.113.9",
        last_seen_at=timezone.now(),
    )
    client.force_login(world.unit_admin_a)
    response = client.get(reverse("accounts:user_detail", args=[world.caseworker_a.pk]))
    body = response.content.decode()
    assert body.count('data-testid="grant-row"') == 1
    assert "Trabajador/a de casos" in body
    assert "203.0.113.9" in body
    assert "connected now" in body
    assert reverse("accounts:user_password", args=[world.caseworker_a.pk]) in body


def test_a_more_powerful_colleague_is_shown_read_only(client, world, colleague):
    client.force_login(world.unit_admin_a)
    response = client.get(reverse("accounts:user_detail", args=[colleague.pk]))
    body = response.content.decode()
    assert 'data-testid="not-administrable"' in body
    assert reverse("accounts:user_edit", args=[colleague.pk]) not in body
    assert reverse("accounts:user_password", args=[colleague.pk]) not in body
    # and the revoke button is not offered for the grant beyond the admin's rights
    assert (
        reverse("accounts:grant_revoke", args=[colleague.pk, colleague.role_assignments.get().pk]) not in body
    )
    for name in ("accounts:user_edit", "accounts:user_password"):
        assert client.get(reverse(name, args=[colleague.pk])).status_code == 404
    response = client.post(
        reverse("accounts:user_password", args=[colleague.pk]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert User.objects.get(pk=colleague.pk).check_password(PASSWORD) is True


def test_unit_admin_edits_a_user(client, world):
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:user_edit", args=[world.caseworker_a.pk]),
        {
            "first_name": "Carla",
            "last_name": "Gómez",
            "email": "carla@example.org",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(pk=world.caseworker_a.pk)
    assert (user.first_name, user.last_name, user.email, user.preferred_language, user.is_active) == (
        "Carla",
        "Gómez",
        "carla@example.org",
        "en",
        False,
    )
    event = AuditEvent.objects.get(action=AuditAction.USER_UPDATED)
    assert event.extra == {"fields": ["first_name", "last_name", "email", "preferred_language", "is_active"]}


def test_edit_shows_field_errors(client, world):
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:user_edit", args=[world.caseworker_a.pk]),
        {"first_name": "", "last_name": "Gómez", "email": "x", "preferred_language": "fr", "is_active": "on"},
    )
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["email", "first_name", "preferred_language"]
    assert User.objects.get(pk=world.caseworker_a.pk).first_name == "Caseworker"


def test_unit_admin_resets_a_password(client, world):
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:user_password", args=[world.caseworker_a.pk]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.caseworker_a.pk).check_password(NEW_PASSWORD) is True
    assert AuditEvent.objects.filter(action=AuditAction.USER_PASSWORD_RESET).count() == 1


@pytest.mark.parametrize(
    ("password1", "password2", "field"),
    [
        ("corta", "corta", "new_password2"),
        (NEW_PASSWORD, "otra", "new_password2"),
        ("caseworker_a", "caseworker_a", "new_password2"),
    ],
)
def test_password_reset_shows_validator_errors(client, world, password1, password2, field):
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:user_password", args=[world.caseworker_a.pk]),
        {"new_password1": password1, "new_password2": password2},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert User.objects.get(pk=world.caseworker_a.pk).check_password(PASSWORD) is True


def test_nobody_edits_themselves_through_the_admin_pages(client, world):
    client.force_login(world.unit_admin_a)
    assert client.get(reverse("accounts:user_edit", args=[world.unit_admin_a.pk])).status_code == 404
    response = client.get(reverse("accounts:user_detail", args=[world.unit_admin_a.pk]))
    assert response.context["grant_form"] is None


# --- Grants ---------------------------------------------------------------------------------------------


def _choices(form, name) -> list:
    return [label for _value, label in form.fields[name].widget.choices]


def test_grant_form_offers_only_what_the_admin_may_grant(client, world):
    client.force_login(world.unit_admin_a)
    form = client.get(reverse("accounts:user_detail", args=[world.caseworker_a.pk])).context["grant_form"]
    assert _choices(form, "org_unit") == ["Oficina A"]
    assert _choices(form, "role") == ["Administrador/a de unidad", "Consulta básica", "Trabajador/a de casos"]
    assert _choices(form, "scope") == ["Own records", "My unit"]


def test_grant_form_follows_the_chosen_unit(client, world):
    client.force_login(world.national_admin)
    response = client.get(
        reverse("accounts:grant_form", args=[world.caseworker_a.pk]),
        {"org_unit": world.team_a.pk},
        headers={"HX-Request": "true"},
    )
    form = response.context["grant_form"]
    assert "<html" not in response.content.decode()
    assert form.unit == world.team_a
    assert _choices(form, "scope") == ["Own records", "My unit", "My unit and below", "All"]


def test_unit_admin_grants_a_role(client, world):
    newcomer = user_create(actor=None, username="newcomer", password=PASSWORD, home_unit=world.unit_a)
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:grant_add", args=[newcomer.pk]),
        {"org_unit": world.unit_a.pk, "role": world.basic_viewer_role.pk, "scope": "unit"},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.active().get(user=newcomer)
    assert (assignment.role, assignment.org_unit, assignment.scope) == (
        world.basic_viewer_role,
        world.unit_a,
        "unit",
    )


@pytest.mark.parametrize(
    ("role", "unit", "scope"),
    [
        ("admin_role", "unit_a", "unit"),
        ("caseworker_role", "unit_a", "all"),
        ("caseworker_role", "unit_b", "unit"),
        ("supervisor_role", "unit_a", "unit"),
        ("auditor_role", "unit_a", "own"),
    ],
)
def test_forged_grant_is_refused_audited_and_changes_nothing(client, world, role, unit, scope):
    newcomer = user_create(actor=None, username="newcomer", password=PASSWORD, home_unit=world.unit_a)
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:grant_add", args=[newcomer.pk]),
        {"org_unit": getattr(world, unit).pk, "role": getattr(world, role).pk, "scope": scope},
    )
    assert response.status_code == 403
    assert "more than you hold yourself" in response.content.decode()
    assert RoleAssignment.objects.filter(user=newcomer).exists() is False
    refusal = AuditEvent.objects.get(action=AuditAction.ADMIN_REFUSED)
    assert (refusal.actor, refusal.target_id, refusal.extra["operation"]) == (
        world.unit_admin_a,
        str(newcomer.pk),
        "role.grant",
    )


def test_granting_to_oneself_is_refused(client, world):
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:grant_add", args=[world.unit_admin_a.pk]),
        {"org_unit": world.unit_a.pk, "role": world.caseworker_role.pk, "scope": "unit"},
    )
    assert response.status_code == 403
    assert "You cannot change your own roles" in response.content.decode()
    assert RoleAssignment.objects.filter(user=world.unit_admin_a).count() == 1
    assert AuditEvent.objects.get(action=AuditAction.ADMIN_REFUSED).extra["code"] == "self_grant"


def test_grant_to_a_user_outside_ones_units_is_a_404(client, world):
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:grant_add", args=[world.caseworker_b.pk]),
        {"org_unit": world.unit_a.pk, "role": world.caseworker_role.pk, "scope": "unit"},
    )
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(user=world.caseworker_b).count() == 1


def test_unit_admin_revokes_a_grant(client, world):
    assignment = RoleAssignment.objects.get(user=world.caseworker_a)
    client.force_login(world.unit_admin_a)
    response = client.post(reverse("accounts:grant_revoke", args=[world.caseworker_a.pk, assignment.pk]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.revoked_by == world.unit_admin_a
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED, actor=world.unit_admin_a).count() == 1


def test_revoking_a_grant_beyond_ones_rights_is_refused(client, world, colleague):
    assignment = colleague.role_assignments.get()
    client.force_login(world.unit_admin_a)
    response = client.post(reverse("accounts:grant_revoke", args=[colleague.pk, assignment.pk]), follow=True)
    assert "more than you hold yourself" in response.content.decode()
    assert RoleAssignment.objects.active().filter(pk=assignment.pk).exists() is True
    assert AuditEvent.objects.get(action=AuditAction.ADMIN_REFUSED).extra["operation"] == "role.revoke"


def test_revoke_of_another_users_grant_through_this_user_is_a_404(client, world):
    other_assignment = RoleAssignment.objects.get(user=world.own_worker_a)
    client.force_login(world.unit_admin_a)
    response = client.post(
        reverse("accounts:grant_revoke", args=[world.caseworker_a.pk, other_assignment.pk])
    )
    assert response.status_code == 404
    assert RoleAssignment.objects.active().filter(pk=other_assignment.pk).exists() is True


def test_htmx_history_restore_gets_the_whole_page(client, world):
    client.force_login(world.unit_admin_a)
    response = client.get(
        reverse("accounts:user_list"),
        {"q": "caseworker"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()
