"""A worker records a tracing request for a child who has a case, sees the potential match with
its probability and reasons, confirms it, and the case shows the reunification follow-up."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from amparo.browser_fixtures import PHONE, log_in
from amparo.conftest import PASSWORD
from amparo.tracing.choices import MatchStatus
from amparo.tracing.models import PotentialMatch
from amparo.tracing.tests.conftest import child, open_case

pytestmark = pytest.mark.browser


def test_worker_records_a_request_confirms_the_match_and_the_case_shows_the_follow_up(
    tw, live_server, desktop_page: Page, screenshot_dir: Path
):
    # given a separated boy's case in the worker's unit (registered with accents)
    boy = child(tw.supervisor_mx, tw.unit_a, "José Luis", "Ramírez", "Soto", sex="male", age_years=9)
    case = open_case(tw, tw.supervisor_mx, tw.unit_a, boy)
    page = desktop_page
    log_in(page, live_server.url, "caseworker_a", PASSWORD)

    # when the worker records his father's request: "Pepe Ramirez", about 9, no accents
    page.goto(f"{live_server.url}/tracing/")
    page.click("[data-testid=new-tracing-request]")
    page.fill("input[name=inquirer_name]", "Pedro Ramírez Gómez")
    page.select_option("select[name=relationship]", "father")
    page.fill("input[name=inquirer_contact]", "+52 962 000 1111")
    page.fill("input[name=child_given_names]", "Jose")
    page.fill("input[name=child_first_surname]", "Ramirez")
    page.fill("input[name=child_nicknames]", "Pepe, Luisito")
    page.select_option("select[name=child_sex]", "male")
    page.fill("input[name=child_age_years]", "9")
    page.fill("input[name=separation_place]", "Tapachula, Chiapas")
    page.fill("input[name=separation_date]", "03/09/2026")
    page.fill("input[name=languages]", "español")
    page.fill("textarea[name=physical_description]", "Cicatriz en la ceja izquierda")
    page.screenshot(path=str(screenshot_dir / "tracing-new.png"), full_page=True)
    page.click("[data-testid=save-tracing-request]")

    # then the request's page lists the boy's case with a probability and the reasons
    match_card = page.get_by_test_id("tracing-match")
    expect(match_card).to_have_count(1)
    expect(match_card).to_contain_text(case.number)
    expect(match_card.locator(".match-probability")).to_contain_text("%")
    expect(match_card.get_by_test_id("match-reasons").locator("li.agrees")).not_to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "tracing-detail.png"), full_page=True)

    # when the worker opens the match and confirms it with a reason
    page.click("[data-testid=open-match]")
    expect(page.get_by_test_id("side-case")).to_contain_text("Ramírez")
    page.check("input[name=decision][value=confirm]")
    page.fill("textarea[name=reason]", "El padre reconoce la cicatriz y la foto")
    page.screenshot(path=str(screenshot_dir / "tracing-match.png"), full_page=True)
    page.click("[data-testid=decide]")
    expect(page.get_by_test_id("follow-up")).to_be_visible()
    expect(page.get_by_test_id("decision-history")).to_contain_text("El padre reconoce")
    match = PotentialMatch.objects.get(case=case)
    assert match.status == MatchStatus.CONFIRMED
    page.screenshot(path=str(screenshot_dir / "tracing-match-confirmed.png"), full_page=True)

    # then the case shows the reunification follow-up, linked to the request
    page.click("[data-testid=follow-up] [data-testid=open-case]")
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    follow_up = page.get_by_test_id("intervention")
    expect(follow_up).to_have_count(1)
    expect(follow_up).to_contain_text("Reunificación familiar")
    follow_up.locator("summary").click()
    expect(follow_up).to_contain_text(match.tracing_request.number)
    page.screenshot(path=str(screenshot_dir / "tracing-case-follow-up.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/tracing/{match.tracing_request_id}/")
    page.screenshot(path=str(screenshot_dir / "tracing-detail-phone.png"), full_page=True)
    assert page.csp_errors == []  # type: ignore[attr-defined]
