"""Matching in a real browser: the duplicate warning on the registration form, reviewing and
merging a pair (and undoing it), the live similarity search — on a desktop and a phone."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from amparo.browser_fixtures import log_in
from amparo.conftest import PASSWORD
from amparo.matching.models import CandidatePair, PersonMerge
from amparo.matching.services import dedupe_job_start
from amparo.matching.tests.conftest import register
from amparo.registry.models import Person

pytestmark = pytest.mark.browser

# What the registration form carries to ask for the check (docs/matching.md). Until the
# registry's template carries it, the test adds exactly these attributes to the real form.
CHECK_SLOT = (
    '<div id="duplicate-check" aria-live="polite" hx-get="{url}" hx-swap="innerHTML" hx-sync="this:replace" '
    'hx-trigger="input changed delay:500ms from:closest form, change from:closest form" '
    'hx-include="closest form" hx-params="given_names,first_surname,second_surname,sex,date_of_birth,'
    'age_years,nationality,document-number,address-department,address-municipality"></div>'
)
ADD_SLOT = """(slot) => {
  const form = document.querySelector("[data-testid=person-form]");
  form.querySelector("fieldset:nth-of-type(2)").insertAdjacentHTML("afterend", slot);
  window.htmx.process(document.getElementById("duplicate-check"));
}"""


def open_registration(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}{reverse('registry:person_create')}")
    if page.locator("#duplicate-check").count() == 0:
        page.evaluate(ADD_SLOT, CHECK_SLOT.format(url=reverse("matching:person_check")))


def test_registering_a_misspelt_person_warns_and_opens_the_existing_record(
    matching, live_server, desktop_page: Page, screenshot_dir
):
    page = desktop_page
    maria = register(
        matching.caseworker_a,
        matching.unit_a,
        "María José",
        "García",
        "López",
        sex="female",
        born=datetime.date(2012, 5, 17),
    )
    log_in(page, live_server.url, "caseworker_a", PASSWORD)

    open_registration(page, live_server.url)
    page.fill("#id_given_names", "Ma Jose")
    page.fill("#id_first_surname", "Garsia")
    page.fill("#id_second_surname", "Lopes")
    page.fill("#id_date_of_birth", "17/05/2012")

    warning = page.get_by_test_id("duplicate-check")
    expect(warning.get_by_test_id("match-card")).to_have_count(1)
    expect(warning).to_contain_text(maria.amparo_id)
    expect(warning.locator(".reason.agrees")).to_have_count(1)  # the date of birth
    expect(warning.locator(".reason.similar")).to_have_count(3)  # given names, both surnames
    page.screenshot(path=str(screenshot_dir / "matching-duplicate-check.png"), full_page=True)
    with page.context.expect_page() as opened:
        warning.get_by_test_id("match-link").click()
    record = opened.value
    expect(record.get_by_test_id("amparo-id")).to_have_text(maria.amparo_id)
    assert Person.objects.count() == 1
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_outside_scope_says_only_ask_your_coordinator(
    matching, live_server, phone_page: Page, screenshot_dir
):
    page = phone_page
    hidden = register(
        matching.caseworker_b,
        matching.unit_b,
        "María José",
        "García",
        "López",
        sex="female",
        born=datetime.date(2012, 5, 17),
    )
    log_in(page, live_server.url, "caseworker_a", PASSWORD)

    open_registration(page, live_server.url)
    page.fill("#id_given_names", "Maria Jose")
    page.fill("#id_first_surname", "Garcia")
    page.fill("#id_second_surname", "Lopez")
    page.fill("#id_date_of_birth", "17/05/2012")

    expect(page.get_by_test_id("duplicate-outside-scope")).to_be_visible()
    expect(page.get_by_test_id("duplicate-check")).to_have_count(0)
    assert hidden.amparo_id not in page.content()
    page.screenshot(path=str(screenshot_dir / "matching-outside-scope-phone.png"), full_page=True)


def test_reviewer_merges_a_pair_then_undoes_it(
    matching, live_server, desktop_page: Page, screenshot_dir, django_capture_on_commit_callbacks
):
    page = desktop_page
    keep = register(
        matching.caseworker_a,
        matching.unit_a,
        "Guadalupe",
        "Núñez",
        "Vázquez",
        sex="female",
        born=datetime.date(2005, 3, 3),
        document="NUVG050303",
    )
    absorb = register(
        matching.caseworker_a,
        matching.unit_a,
        "Lupe",
        "Nunez",
        "Basquez",
        sex="female",
        born=datetime.date(2005, 3, 3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        dedupe_job_start(actor=matching.reviewer_a)
    log_in(page, live_server.url, "reviewer_a", PASSWORD)

    page.goto(f"{live_server.url}{reverse('matching:pair_list')}")
    expect(page.get_by_test_id("pair-row")).to_have_count(1)
    page.get_by_test_id("pair-row").get_by_role("button").click()
    expect(page.get_by_test_id("pair-side")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "matching-pair.png"), full_page=True)
    page.check("input[name=decision][value=confirm]")
    page.select_option("select[name=keep]", str(keep.pk))
    page.fill("textarea[name=reason]", "Mismo CURP en el acta")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("queue-empty")).to_be_visible()

    merge = PersonMerge.objects.get()
    assert (merge.kept_id, merge.absorbed_id) == (keep.pk, absorb.pk)
    page.goto(f"{live_server.url}{reverse('matching:merge_list')}")
    page.locator(".match-undo summary").click()
    page.fill("textarea[name=reason]", "Eran primas")
    page.get_by_test_id("undo-merge").click()
    expect(page.locator(".message.success")).to_contain_text(absorb.full_name)
    absorb.refresh_from_db()
    assert (absorb.is_archived, CandidatePair.objects.get().status) == (False, "pending")
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_search_by_resemblance_updates_as_you_type(matching, live_server, phone_page: Page, screenshot_dir):
    page = phone_page
    lupe = register(
        matching.caseworker_a,
        matching.unit_a,
        "María Guadalupe",
        "Hernández",
        "Vázquez",
        sex="female",
        born=datetime.date(1988, 12, 12),
    )
    register(matching.caseworker_a, matching.unit_a, "Carlos", "Ramírez", "Soto", sex="male")
    log_in(page, live_server.url, "caseworker_a", PASSWORD)

    page.goto(f"{live_server.url}{reverse('matching:search')}")
    page.fill("#id_name", "lupe ernandes")

    expect(page.get_by_test_id("match-card").first).to_contain_text(lupe.amparo_id)
    page.screenshot(path=str(screenshot_dir / "matching-search-phone.png"), full_page=True)
    assert page.csp_errors == []  # type: ignore[attr-defined]
