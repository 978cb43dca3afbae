"""The form builder in a real browser: an administrator builds a form with a skip-logic field,
publishes it and fills it; the dependent field appears only while the condition holds."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from amparo.browser_fixtures import PHONE, log_in
from amparo.conftest import PASSWORD
from amparo.forms.models import Form, FormVersion
from amparo.forms.tests.factories import form_with, registration_definition
from amparo.forms.tests.workbooks import broken_registration
from amparo.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.browser


def _add_field(page: Page, section: str, *, name: str, type_: str, label: str, relevant: str = "") -> None:
    page.click(f"[data-testid=add-field-{section}]")
    page.fill("#id_name", name)
    page.select_option("#id_type", type_)
    page.fill("#id_label_es", label)
    if relevant:
        page.fill("#id_relevant", relevant)
    page.click("main form button[type=submit]")
    expect(page.get_by_test_id(f"field-{name}")).to_be_visible()


def test_administrator_builds_publishes_and_fills_a_form_with_skip_logic(
    world, live_server, desktop_page: Page, screenshot_dir: Path
):
    page = desktop_page
    log_in(page, live_server.url, "national_admin", PASSWORD)

    # given a new form with one section and two fields, the second shown only when the first is "yes"
    page.goto(f"{live_server.url}/forms/")
    page.click("main a[href$='/forms/new/']")
    page.fill("#id_identifier", "visita_domiciliaria")
    page.fill("#id_title_es", "Visita domiciliaria")
    page.select_option("#id_org_unit", str(world.unit_a.pk))
    page.click("main form button[type=submit]")
    page.click("[data-testid=add-section]")
    page.fill("#id_name", "hogar")
    page.fill("#id_label_es", "Hogar")
    page.click("main form button[type=submit]")
    _add_field(page, "hogar", name="tiene_hijos", type_="yes_no", label="¿Tiene hijas o hijos?")
    _add_field(
        page,
        "hogar",
        name="cuantos_hijos",
        type_="integer",
        label="¿Cuántos?",
        relevant="${tiene_hijos} = 'yes'",
    )
    page.screenshot(path=str(screenshot_dir / "forms-builder.png"), full_page=True)

    # when it is published
    page.click("[data-testid=publish]")
    expect(page.locator(".message").first).to_contain_text("1")
    form = Form.objects.get(identifier="visita_domiciliaria")
    version = FormVersion.objects.get(form=form)
    assert version.number == 1
    assert [field["name"] for field in version.definition["sections"][0]["fields"]] == [
        "tiene_hijos",
        "cuantos_hijos",
    ]

    # then filling version 1 shows "how many" only while the answer is yes
    page.goto(f"{live_server.url}/forms/{form.pk}/versions/1/")
    dependent = page.locator("[data-path=cuantos_hijos]")
    expect(dependent).to_be_hidden()
    page.check("input[name='f:tiene_hijos'][value=yes]")
    expect(dependent).to_be_visible()
    page.fill("input[name='f:cuantos_hijos']", "3")
    page.check("input[name='f:tiene_hijos'][value=no]")
    expect(dependent).to_be_hidden()
    page.check("input[name='f:tiene_hijos'][value=yes]")
    expect(dependent).to_be_visible()
    page.click("[data-testid=check]")
    expect(page.get_by_test_id("valid")).to_be_visible()
    expect(page.locator("pre.json")).to_contain_text('"cuantos_hijos": 3')
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_repeats_calculations_and_notes_update_live(
    world, live_server, desktop_page: Page, screenshot_dir: Path
):
    form, _version = form_with(registration_definition(), unit=world.unit_a)
    page = desktop_page
    log_in(page, live_server.url, "national_admin", PASSWORD)
    page.goto(f"{live_server.url}/forms/{form.pk}/versions/1/")

    # a 10-year-old: the protection section shows; the school grade only once "yes" is chosen
    page.fill("input[name='f:fecha_nacimiento']", "15/03/2016")
    expect(page.locator("[data-section=proteccion]")).to_be_visible()
    expect(page.locator("[data-path=grado]")).to_be_hidden()
    page.check("input[name='f:escolarizado'][value=yes]")
    expect(page.locator("[data-path=grado]")).to_be_visible()

    # two siblings added: the count and the note follow; the older one is asked about school
    page.click("[data-repeat-add=hermanos]")
    page.click("[data-repeat-add=hermanos]")
    expect(page.locator("[data-repeat-instance=hermanos]")).to_have_count(2)
    expect(page.locator("[data-calc-path=total_hermanos]")).to_have_text("2")
    expect(page.locator("output[data-ref=total_hermanos]")).to_have_text("2")
    page.fill("input[name='f:hermanos/1/hermano_edad']", "8")
    expect(page.locator("[data-path='hermanos/1/hermano_escuela']")).to_be_visible()
    expect(page.locator("[data-path='hermanos/0/hermano_escuela']")).to_be_hidden()
    page.locator("[data-repeat-instance=hermanos]").first.locator("[data-repeat-remove]").click()
    expect(page.locator("[data-calc-path=total_hermanos]")).to_have_text("1")

    # choosing "violence" reveals the sensitive detail
    expect(page.locator("[data-path=detalle_violencia]")).to_be_hidden()
    page.check("input[name='f:riesgos'][value=violencia]")
    expect(page.locator("[data-path=detalle_violencia]")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "forms-fill.png"), full_page=True)

    # the server agrees: required answers missing in the shown fields are reported, nothing else
    page.click("[data-testid=check]")
    expect(page.get_by_test_id("invalid")).to_be_visible()
    expect(page.locator("[data-errors-for]")).to_have_count(4)
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_builder_and_form_are_usable_on_a_phone(world, live_server, phone_page: Page, screenshot_dir: Path):
    form, _version = form_with(registration_definition(), unit=world.unit_a)
    page = phone_page
    log_in(page, live_server.url, "national_admin", PASSWORD)
    page.goto(f"{live_server.url}/forms/{form.pk}/")
    expect(page.get_by_test_id("field-nombre")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir / "forms-builder-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/forms/{form.pk}/versions/1/")
    page.fill("input[name='f:fecha_nacimiento']", "15/03/2016")
    page.click("[data-repeat-add=hermanos]")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir / "forms-fill-phone.png"), full_page=True)


def test_field_editor_and_import_problems_read_well(
    world, live_server, desktop_page: Page, phone_page: Page, screenshot_dir: Path
):
    form, _version = form_with(registration_definition(), unit=world.unit_a)
    workbook = screenshot_dir / "roto.xlsx"
    workbook.write_bytes(broken_registration())
    for page, suffix in ((desktop_page, "desktop"), (phone_page, "phone")):
        log_in(page, live_server.url, "national_admin", PASSWORD)
        page.goto(f"{live_server.url}/forms/{form.pk}/fields/grado/edit/")
        expect(page.locator("#id_relevant")).to_have_value("${escolarizado} = 'yes'")
        expect(page.locator("#id_minimum")).to_be_visible()
        expect(page.locator("#id_pattern")).to_be_hidden()
        expect(page.locator("#id_calculation")).to_be_hidden()
        page.screenshot(path=str(screenshot_dir / f"forms-field-editor-{suffix}.png"), full_page=True)
        page.select_option("#id_type", "text")
        expect(page.locator("#id_pattern")).to_be_visible()
        expect(page.locator("#id_minimum")).to_be_hidden()
        page.select_option("#id_type", "integer")
        page.goto(f"{live_server.url}/forms/import/")
        page.set_input_files("#id_workbook", str(workbook))
        page.select_option("#id_org_unit", str(world.unit_a.pk))
        page.click("main form button[type=submit]")
        expect(page.get_by_test_id("import-problems").locator("tbody tr")).to_have_count(10)
        if suffix == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(screenshot_dir / f"forms-import-problems-{suffix}.png"), full_page=True)
        assert page.csp_errors == []  # type: ignore[attr-defined]


def test_a_person_field_picks_a_person_through_the_registry_search(world, live_server, desktop_page: Page):
    person = PersonFactory(
        org_unit=world.unit_a, given_names="Josefa", first_surname="Ñúñez", second_surname=""
    )
    form, _version = form_with(
        {
            "sections": [
                {
                    "name": "s",
                    "fields": [
                        {
                            "name": "cuidadora",
                            "type": "person",
                            "label": {"es": "Persona cuidadora"},
                            "required": True,
                        },
                        {
                            "name": "vinculo",
                            "type": "text",
                            "label": {"es": "Vínculo"},
                            "relevant": "${cuidadora} != ''",
                        },
                    ],
                }
            ]
        },
        unit=world.unit_a,
        identifier="cuidado",
    )
    page = desktop_page
    log_in(page, live_server.url, "national_admin", PASSWORD)
    page.goto(f"{live_server.url}/forms/{form.pk}/versions/1/")
    expect(page.locator("[data-path=vinculo]")).to_be_hidden()

    page.fill("[data-person-search]", "josefa nunez")
    page.locator(f"[data-person-id='{person.pk}']").click()

    expect(page.locator("[data-person-search]")).to_have_value(f"Josefa Ñúñez · {person.amparo_id}")
    expect(page.locator("[data-path=vinculo]")).to_be_visible()
    page.click("[data-testid=check]")
    expect(page.locator("pre.json")).to_contain_text(f'"cuidadora": {person.pk}')
    assert page.csp_errors == []  # type: ignore[attr-defined]
