"""A case worker adds a sibling to a case in a real browser: types part of the name without its
accents, picks the person from the search-as-you-type list, and sees them among the persons involved;
then removes them again."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from amparo.browser_fixtures import PHONE, log_in
from amparo.cases.models import CasePerson
from amparo.conftest import PASSWORD
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory

pytestmark = pytest.mark.browser


def test_caseworker_picks_a_person_involved_by_typing_part_of_the_name(
    case_world, case_a, live_server, desktop_page: Page, screenshot_dir: Path
):
    page = desktop_page
    sibling = PersonFactory(given_names="José Andrés", first_surname="Núñez", org_unit=case_world.unit_a)
    IdentityDocumentFactory(person=sibling, number="NUJA120517-0001")
    # a namesake out of scope
    PersonFactory(given_names="José Andrés", first_surname="Núñez", org_unit=case_world.unit_b)
    log_in(page, live_server.url, "caseworker_a", PASSWORD)

    page.goto(f"{live_server.url}/cases/{case_a.pk}/")
    page.click("[data-testid=add-involved]")
    page.fill("[data-testid=picker-search]", "jose nune")
    option = page.locator("[data-testid=picker-option]")
    expect(option).to_have_count(1)  # the namesake in unit B is not offered
    expect(option).to_contain_text("José Andrés Núñez")
    expect(option).to_contain_text("17/05/2012")
    expect(option).to_contain_text("NUJA120517-0001")
    page.screenshot(path=str(screenshot_dir / "cases-involved-picker.png"), full_page=True)

    option.click()
    page.select_option("[data-testid=involved-role]", "sibling")
    page.click("[data-testid=add-involved-submit]")
    listed = page.locator("[data-testid=involved-person]")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("José Andrés Núñez")
    assert CasePerson.objects.get(case=case_a).person == sibling
    page.screenshot(path=str(screenshot_dir / "cases-involved-listed.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.click("[data-testid=add-involved]")
    page.fill("[data-testid=picker-search]", "garcia")
    expect(page.locator("[data-testid=picker-option]")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "cases-involved-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=remove-involved]")
    expect(page.locator("[data-testid=involved-person]")).to_have_count(0)
    assert not CasePerson.objects.filter(case=case_a).exists()
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_caseworker_picks_the_person_when_opening_a_case_from_the_cases_page(
    case_world, config, person_a, live_server, desktop_page: Page, screenshot_dir: Path
):
    page = desktop_page
    log_in(page, live_server.url, "caseworker_a", PASSWORD)
    page.goto(f"{live_server.url}/cases/new/")
    page.select_option("[data-testid=choose-type]", str(config.case_type.pk))
    page.fill("[data-testid=picker-search]", "maria jose garcia")
    page.locator("[data-testid=picker-option]").click()
    page.screenshot(path=str(screenshot_dir / "cases-start-picker.png"), full_page=True)
    page.click("[data-testid=continue]")
    expect(page.get_by_test_id("case-form")).to_be_visible()  # the type's opening form
    expect(page.get_by_test_id("case-person")).to_have_text(person_a.full_name)
    assert page.csp_errors == []  # type: ignore[attr-defined]
