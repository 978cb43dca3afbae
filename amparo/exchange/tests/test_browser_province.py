"""A province's RUNac referent generates a delivery in a real browser: the preview lists what is
missing (a local category without equivalence, a legajo form never filled in), the equivalence page
and the case's form fix them, the zip downloads."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from amparo.audit.models import AuditEvent
from amparo.browser_fixtures import PHONE, log_in
from amparo.conftest import PASSWORD
from amparo.exchange.tests.province_world import entry, legajo_form, mpe, mpi
from amparo.forms.models import Form

pytestmark = pytest.mark.browser
D = datetime.date


def test_referent_previews_fixes_an_equivalence_and_downloads(
    province, live_server, desktop_page: Page, screenshot_dir: Path
):
    # given legajos of 2022, one of them with a local category the table does not know
    first = province.legajo(
        D(2022, 3, 1), [("mpi", D(2022, 3, 5), mpi("MPI-1", derecho_vulnerado="abandono"))]
    )
    # (their legajo forms are filled, except the first's: the referent fills it below)
    province.legajo(
        D(2021, 5, 1),
        [("mpe", D(2021, 6, 1), mpe("MPE-1")), ("mpi", D(2022, 2, 1), mpi("MPI-2"))],
        forms=legajo_form(pueblo_originario="ninguno"),
    )
    province.legajo(
        D(2020, 1, 1),
        [("mpj", D(2021, 1, 10), entry("MPJ-1"))],
        forms=legajo_form(pueblo_originario="ninguno"),
    )
    page = desktop_page
    log_in(page, live_server.url, "province_generator", PASSWORD)

    # when the referent opens the province page and previews the first delivery
    page.goto(f"{live_server.url}/runac/")
    page.click("[data-testid=nav-province]")
    page.click("[data-testid=first-delivery]")
    expect(page.get_by_test_id("preview-result")).to_be_visible()
    expect(page.get_by_test_id("preview-errors")).to_be_visible()
    expect(page.locator("tr[data-code=equivalence_missing]")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "runac-province-preview-desktop.png"), full_page=True)

    # then fixes the equivalence on the equivalences page
    page.click("[data-testid=equivalences-82]")
    expect(page.get_by_test_id("missing-row")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "runac-province-equivalences-desktop.png"), full_page=True)
    page.select_option("[data-testid=select-MPI-DERECHO_VULNERADO-abandono]", "OTRO")
    page.click("[data-testid=save-equivalences]")
    expect(page.get_by_test_id("none-missing")).to_be_visible()

    # and the preview is valid, with one warning: the first child's legajo form was never filled in;
    # the zip downloads with the four files
    page.goto(
        f"{live_server.url}/runac/province/?jurisdiction=82&period_from=01/01/2022&period_to=31/12/2022"
    )
    expect(page.get_by_test_id("preview-warnings")).to_be_visible()
    missing = page.locator("tr[data-code=legajo_form_missing]")
    expect(missing).to_have_count(1)
    expect(page.locator("[data-testid=preview-problems] tbody tr")).to_have_count(1)
    expect(missing.get_by_role("link")).to_have_attribute("href", f"/cases/{first.pk}/")
    expect(page.get_by_test_id("preview-rules")).to_contain_text("1")
    with page.expect_download() as info:
        page.click("[data-testid=download]")
    download = info.value
    assert download.suggested_filename == "82_31122022_RUNac.zip"
    names = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())).namelist()
    assert names[:4] == [
        "82_LEGAJOS_31122022_RUNac.txt",
        "82_MPI_31122022_RUNac.txt",
        "82_MPE_31122022_RUNac.txt",
        "82_MPJ_31122022_RUNac.txt",
    ]
    assert AuditEvent.objects.filter(action="exchange.runac.delivery_generated").count() == 1
    legajos = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())).read(names[0]).decode()
    assert "\tkolla\t" not in legajos

    # when the referent follows the warning to the case and fills its legajo form in the browser
    page.goto(
        f"{live_server.url}/runac/province/?jurisdiction=82&period_from=01/01/2022&period_to=31/12/2022"
    )
    page.locator("tr[data-code=legajo_form_missing]").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{first.pk}/")
    form = Form.objects.get(identifier="runac_legajo")
    page.click(f"a[href='/cases/{first.pk}/forms/{form.pk}/']")
    page.select_option("select[name='f:pueblo_originario']", "kolla")
    page.check("input[name='f:escolarizado'][value='SI']")  # short lists are radio buttons
    expect(page.locator("input[name='f:cud']").first).to_be_hidden()  # asked only with a disability
    page.check("input[name='f:discapacidad'][value='SI']")
    page.check("input[name='f:cud'][value='NO']")
    page.screenshot(path=str(screenshot_dir / "runac-legajo-form-desktop.png"), full_page=True)
    page.click("[data-testid=save-form]")
    expect(page.get_by_text("Kolla")).to_be_visible()
    # then the preview is clean and the next download carries it in LEGAJOS
    page.goto(
        f"{live_server.url}/runac/province/?jurisdiction=82&period_from=01/01/2022&period_to=31/12/2022"
    )
    expect(page.get_by_test_id("preview-ok")).to_be_visible()
    expect(page.get_by_test_id("preview-rules")).to_contain_text("1")
    page.screenshot(path=str(screenshot_dir / "runac-province-ready-desktop.png"), full_page=True)
    with page.expect_download() as info:
        page.click("[data-testid=download]")
    legajos = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())).read(names[0]).decode()
    row = next(line.split("\t") for line in legajos.splitlines() if "\tkolla\t" in line)
    assert row[8:13] == ["SI", "NO", "kolla", "", "SI"]  # DISCAPACIDAD, CUD, PUEBLO, NIVEL, ESCOLARIZADO
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshot_dir / "runac-province-ready-phone.png"), full_page=True)
    assert page.csp_errors == []  # type: ignore[attr-defined]
