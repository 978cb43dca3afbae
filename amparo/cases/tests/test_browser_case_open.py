"""A case worker opens a new case in a real browser: the registration form's skip-logic field
(the companion's name) appears only while "travelling with an adult" is yes; the case is saved."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from amparo.browser_fixtures import PHONE, log_in
from amparo.cases.models import Case
from amparo.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_caseworker_opens_a_case_and_the_dependent_field_follows_the_condition(
    case_world, config, person_a, live_server, desktop_page: Page, screenshot_dir: Path
):
    page = desktop_page
    log_in(page, live_server.url, "caseworker_a", PASSWORD)

    # given the person page, the worker opens a case of the configured type
    page.goto(f"{live_server.url}/registry/persons/{person_a.pk}/")
    page.click("[data-testid=open-case-for-person]")
    page.select_option("[data-testid=choose-type]", str(config.case_type.pk))
    page.click("[data-testid=continue]")

    # then the companion's name shows only while the answer is yes
    dependent = page.locator("[data-path=acompanante]")
    expect(dependent).to_be_hidden()
    page.check("input[name='f:acompanado'][value=yes]")
    expect(dependent).to_be_visible()
    page.check("input[name='f:acompanado'][value=no]")
    expect(dependent).to_be_hidden()
    page.check("input[name='f:acompanado'][value=yes]")
    page.check("input[name='f:motivo'][value=migracion]")  # few options render as radios
    page.fill("input[name='f:acompanante']", "Rosa Pérez")
    page.screenshot(path=str(screenshot_dir / "cases-open.png"), full_page=True)

    # when saved, the case holds the answers and its page shows them
    page.click("[data-testid=save-case]")
    expect(page.get_by_test_id("case-number")).to_contain_text("PROT-UNIT-A-")
    case = Case.objects.get()
    assert case.form_records.get().data == {
        "motivo": "migracion",
        "acompanado": True,
        "acompanante": "Rosa Pérez",
    }
    page.screenshot(path=str(screenshot_dir / "cases-detail.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshot_dir / "cases-detail-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/cases/?type={config.case_type.pk}")
    page.screenshot(path=str(screenshot_dir / "cases-list-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(screenshot_dir / "cases-list.png"), full_page=True)
    assert page.csp_errors == []  # type: ignore[attr-defined]
