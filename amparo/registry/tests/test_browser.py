"""The registry in a real browser: register, live search without accents, person page, log out; pages
looked at on a desktop and a phone."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.browser_fixtures import htmx_settled, log_in
from amparo.conftest import PASSWORD
from amparo.registry.models import AdminArea, Contact, HouseholdMembership, Person
from amparo.registry.tests.factories import HouseholdFactory, IdentityDocumentFactory, PersonFactory

pytestmark = pytest.mark.browser


def test_caseworker_registers_finds_and_opens_a_person(world, live_server, desktop_page: Page):
    page = desktop_page
    log_in(page, live_server.url, "caseworker_a", PASSWORD)

    # register, with accents and ñ
    page.goto(f"{live_server.url}/registry/persons/")
    page.click("[data-testid=register-person]")
    page.fill("#id_given_names", "José")
    page.fill("#id_first_surname", "Ñúñez")
    page.fill("#id_second_surname", "Peña")
    page.select_option("#id_sex", "male")
    page.fill("#id_date_of_birth", "07/05/2012")
    page.click("[data-testid=save-person]")
    expect(page.get_by_test_id("person-name")).to_have_text("José Ñúñez Peña")
    person = Person.objects.get()
    assert (person.full_name, person.date_of_birth, person.org_unit) == (
        "José Ñúñez Peña",
        datetime.date(2012, 5, 7),
        world.unit_a,
    )

    # live search with the accents left out: htmx swaps the results and keeps the query in the address
    PersonFactory(org_unit=world.unit_a, given_names="Josefa", first_surname="Luna", second_surname="")
    page.goto(f"{live_server.url}/registry/persons/")
    expect(page.get_by_test_id("person-row")).to_have_count(2)
    page.fill("#id_q", "jose nunez")
    expect(page.get_by_test_id("person-row")).to_have_count(1)
    expect(page.get_by_test_id("person-row")).to_contain_text("Ñúñez")
    expect(page).to_have_url(re.compile(r"q=jose(\+|%20)nunez"))

    # open the person page from the result
    page.get_by_test_id("person-row").get_by_role("link").click()
    expect(page.get_by_test_id("amparo-id")).to_have_text(person.amparo_id)

    # log out
    page.click("[data-testid=logout]")
    expect(page.locator("#id_username")).to_be_visible()
    assert page.csp_errors == []  # type: ignore[attr-defined]
    actions = list(
        AuditEvent.objects.filter(actor=world.caseworker_a)
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.LOGIN_SUCCEEDED,
        AuditAction.PERSON_LISTED,
        AuditAction.PERSON_CREATED,
        AuditAction.PERSON_VIEWED,
        AuditAction.PERSON_LISTED,
        AuditAction.PERSON_SEARCHED,
        AuditAction.PERSON_VIEWED,
        AuditAction.LOGOUT,
    ]


def test_address_selects_cascade_from_country_to_municipality(world, live_server, desktop_page: Page):
    jalisco = AdminArea.objects.create(country="MX", level=1, code="MX-JAL", name="Jalisco")
    AdminArea.objects.create(country="MX", level=2, code="MX-JAL-120", name="Zapopan", parent=jalisco)
    AdminArea.objects.create(country="MX", level=1, code="MX-OAX", name="Oaxaca")
    AdminArea.objects.create(country="GT", level=1, code="GT-16", name="Alta Verapaz")
    page = desktop_page
    log_in(page, live_server.url, "caseworker_a", PASSWORD)
    page.goto(f"{live_server.url}/registry/persons/new/")
    page.click("[data-testid=optional-address] summary")

    page.select_option("#id_address-department", label="Jalisco")
    expect(page.locator("#id_address-municipality option")).to_have_text(["—", "Zapopan"])
    htmx_settled(page)
    page.select_option("#id_address-country", "GT")
    expect(page.locator("#id_address-department option")).to_have_text(["—", "Alta Verapaz"])
    expect(page.locator("#id_address-municipality option")).to_have_text(["—"])


def _pages_data(world):
    today = datetime.date.today()
    jalisco = AdminArea.objects.create(country="MX", level=1, code="MX-JAL", name="Jalisco")
    zapopan = AdminArea.objects.create(
        country="MX", level=2, code="MX-JAL-120", name="Zapopan", parent=jalisco
    )
    people = [
        ("María José", "García", "López", "female", datetime.date(2012, 5, 17), False, "MX"),
        ("José", "Ñúñez", "Peña", "male", datetime.date(2009, 11, 2), False, "GT"),
        ("Lucía", "de la Cruz", "Hernández", "female", today.replace(year=today.year - 7), True, "HN"),
        ("Juan Pablo", "Pérez-Gómez", "", "male", datetime.date(1987, 2, 28), False, "MX"),
        ("Ximena", "Quispe", "Mamani", "female", None, False, "BO"),
    ]
    persons = [
        PersonFactory(
            org_unit=world.unit_a,
            created_by=world.caseworker_a,
            given_names=given,
            first_surname=first,
            second_surname=second,
            sex=sex,
            date_of_birth=born,
            date_of_birth_is_estimated=estimated,
            nationality=nationality,
        )
        for given, first, second, sex, born, estimated, nationality in people
    ]
    maria = persons[0]
    IdentityDocumentFactory(person=maria, number="GALM120517MJCRPR08", document_type="personal_code")
    Contact.objects.create(person=maria, kind="mobile", value="+52 33 1234 5678")
    maria.addresses.create(
        country="MX",
        department=jalisco,
        municipality=zapopan,
        line="Av. Patria 1020, Col. Jardines",
        latitude=Decimal("20.700000"),
        longitude=Decimal("-103.400000"),
    )
    household = HouseholdFactory(
        org_unit=world.unit_a,
        created_by=world.caseworker_a,
        name="Familia García López",
        department=jalisco,
        municipality=zapopan,
        address_line="Av. Patria 1020",
    )
    mother = PersonFactory(
        org_unit=world.unit_a,
        given_names="Rosa",
        first_surname="López",
        second_surname="Díaz",
        date_of_birth=datetime.date(1985, 3, 3),
    )
    outsider = PersonFactory(
        org_unit=world.unit_b, given_names="Carlos", first_surname="García", second_surname=""
    )
    HouseholdMembership.objects.create(
        household=household,
        person=mother,
        relationship="head",
        is_head=True,
        joined_on=datetime.date(2015, 6, 1),
    )
    HouseholdMembership.objects.create(
        household=household, person=maria, relationship="child", joined_on=datetime.date(2015, 6, 1)
    )
    HouseholdMembership.objects.create(household=household, person=outsider, relationship="other_relative")
    return maria, household


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_registry_pages_fit_the_screen(world, live_server, request, screenshot_dir, device):
    """Screenshots of the main pages; on every page nothing spills sideways and the CSP holds."""
    page: Page = request.getfixturevalue(f"{device}_page")
    maria, household = _pages_data(world)
    log_in(page, live_server.url, "caseworker_a", PASSWORD)
    shots = {
        "person-list": "/registry/persons/",
        "person-page": f"/registry/persons/{maria.pk}/",
        "person-form": "/registry/persons/new/",
        "household-page": f"/registry/households/{household.pk}/",
    }
    for name, path in shots.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(screenshot_dir / f"registry-{name}-{device}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px wider than the {device} screen"
    assert page.csp_errors == []  # type: ignore[attr-defined]
