"""User administration and the audit browser in a real browser (htmx swaps, confirm dialogs, CSP, phone)."""

import re

import pytest
from playwright.sync_api import Page, expect

from amparo.accounts.choices import Scope
from amparo.accounts.models import RoleAssignment, User, UserSession
from amparo.accounts.services import role_grant, user_create
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.browser_fixtures import log_in
from amparo.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "clave-nueva-larga-2026"


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_unit_admin_creates_a_user_and_grants_a_role(world, live_server, desktop_page: Page):
    page = desktop_page
    log_in(page, live_server.url, "unit_admin_a", PASSWORD)

    # live search swaps the results without a reload
    page.goto(f"{live_server.url}/accounts/users/")
    expect(page.get_by_test_id("user-row")).to_have_count(5)
    page.fill("#user-q", "basic")
    expect(page.get_by_test_id("user-row")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=basic"))

    # create a user: a weak password is refused at the field, then a good one
    page.get_by_test_id("new-user").click()
    page.fill("#id_first_name", "Ñeca")
    page.fill("#id_last_name", "Peña Núñez")
    page.fill("#id_username", "neca.pena")
    page.fill("#id_password1", "1234567890")
    page.fill("#id_password2", "1234567890")
    page.click("main form button[type=submit]")
    expect(page.locator("#id_password1_error")).to_be_visible()
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Ñeca Peña Núñez")

    # grant a role with the choices offered
    page.select_option("#id_role", label="Trabajador/a de casos")
    page.select_option("#id_scope", "unit")
    page.click("#grant-form button[type=submit]")
    expect(page.get_by_test_id("grant-row")).to_have_count(1)
    newcomer = User.objects.get(username="neca.pena")
    assert list(RoleAssignment.objects.active().filter(user=newcomer).values_list("role__name", "scope")) == [
        ("Trabajador/a de casos", "unit")
    ]

    # revoke it through the confirm dialog
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("revoke").click()
    expect(page.get_by_test_id("grant-row")).to_have_count(0)
    assert RoleAssignment.objects.active().filter(user=newcomer).exists() is False
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_grant_choices_follow_the_unit_chosen(world, live_server, desktop_page: Page):
    # given an administrator of the whole of mx who is also system administrator of unit_a alone
    admin = user_create(actor=None, username="mixed_admin", password=PASSWORD, home_unit=world.mx)
    role_grant(actor=None, user=admin, role=world.unit_admin_role, org_unit=world.mx, scope=Scope.SUBTREE)
    role_grant(actor=None, user=admin, role=world.admin_role, org_unit=world.unit_a, scope=Scope.UNIT)
    page = desktop_page
    log_in(page, live_server.url, "mixed_admin", PASSWORD)
    page.goto(f"{live_server.url}/accounts/users/{world.caseworker_a.pk}/")
    expect(page.locator("#id_role option")).to_have_count(6)
    # when another unit is chosen, htmx swaps in that unit's choices from the access policy
    page.select_option("#id_org_unit", str(world.team_a.pk))
    expect(page.locator("#id_role option")).to_have_text(
        ["Administrador/a de unidad", "Consulta básica", "Trabajador/a de casos"]
    )
    expect(page.locator("#id_org_unit")).to_have_value(str(world.team_a.pk))
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_auditor_filters_the_log_and_ends_a_session(world, live_server, desktop_page: Page, chromium):
    # given caseworker_b is connected in another browser
    other = chromium.new_context()
    victim = other.new_page()
    log_in(victim, live_server.url, "caseworker_b", PASSWORD)
    page = desktop_page
    log_in(page, live_server.url, "auditor", PASSWORD)

    # filtering by action swaps the results in place
    page.goto(f"{live_server.url}/audit/")
    page.select_option("#id_action", AuditAction.LOGIN_SUCCEEDED.value)
    expect(
        page.locator("[data-testid=audit-row]:not([data-action='accounts.login.succeeded'])")
    ).to_have_count(0)
    expect(page.get_by_test_id("audit-row")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"action=accounts\.login\.succeeded"))

    # end caseworker_b's session from "connected now"
    page.get_by_test_id("connected-now").click()
    expect(page.get_by_test_id("session-row")).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("session-row").filter(has_text="caseworker_b").get_by_test_id("end-session").click()
    expect(page.get_by_test_id("session-row")).to_have_count(1)
    assert UserSession.objects.get(user=world.caseworker_b).ended_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_ENDED, actor=world.auditor).count() == 1

    # their next click lands on the login page
    victim.reload()
    expect(victim.locator("#id_username")).to_be_visible()
    other.close()
    assert page.csp_errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("unit_admin_a", "/accounts/users/"),
        ("national_admin", "/accounts/roles/1/"),
        ("auditor", "/audit/"),
        ("auditor", "/audit/sessions/"),
    ],
)
def test_administration_pages_fit_a_phone(world, live_server, phone_page: Page, username, path):
    page = phone_page
    log_in(page, live_server.url, username, PASSWORD)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("h1")).to_be_visible()
    assert _fits_the_screen(page) is True
    assert page.csp_errors == []  # type: ignore[attr-defined]
