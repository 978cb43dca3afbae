"""Every matching page fits a desktop and a phone: no sideways scrolling, no CSP errors."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import Page

from amparo.browser_fixtures import log_in
from amparo.conftest import PASSWORD
from amparo.matching.models import DedupeJob
from amparo.matching.services import dedupe_job_start, file_job_start
from amparo.matching.tests.conftest import register

pytestmark = pytest.mark.browser

CSV = b"id,given_names,first_surname,date_of_birth\n1,Jose,Perez,01/02/1990\n2,Pepe,Peres,1990-02-01\n"


@pytest.fixture
def filled(matching, django_capture_on_commit_callbacks):
    actor, unit = matching.caseworker_a, matching.unit_a
    register(actor, unit, "Guadalupe", "Núñez", "Vázquez", sex="female", born=datetime.date(2005, 3, 3))
    register(actor, unit, "Lupe", "Nunez", "Basquez", sex="female", born=datetime.date(2005, 3, 3))
    register(actor, unit, "José Luis", "Pérez", "Ruiz", sex="male", born=datetime.date(1990, 2, 1))
    register(actor, unit, "Pepe", "Peres", "Ruis", sex="male", born=datetime.date(1990, 2, 1))
    with django_capture_on_commit_callbacks(execute=True):
        dedupe_job_start(actor=matching.national_admin)
        file = file_job_start(
            actor=matching.national_admin,
            mode="dedupe",
            file_a=SimpleUploadedFile("personas.csv", CSV, "text/csv"),
        )
    return {"job": DedupeJob.objects.get(), "file": file}


PAGES = [
    ("index", lambda filled: reverse("matching:index")),
    ("pairs", lambda filled: reverse("matching:pair_list")),
    ("dedupe-job", lambda filled: reverse("matching:dedupe_job", args=[filled["job"].pk])),
    ("files", lambda filled: reverse("matching:file_list")),
    ("file-job", lambda filled: reverse("matching:file_job", args=[filled["file"].pk])),
    ("settings", lambda filled: reverse("matching:config", args=["person"])),
    ("merges", lambda filled: reverse("matching:merge_list")),
]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_pages_fit_the_screen(filled, live_server, request, screenshot_dir, width):
    page: Page = request.getfixturevalue(f"{width}_page")
    log_in(page, live_server.url, "national_admin", PASSWORD)
    for name, url in PAGES:
        page.goto(f"{live_server.url}{url(filled)}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert (name, overflow) == (name, 0)
        page.screenshot(path=str(screenshot_dir / f"matching-{name}-{width}.png"), full_page=True)
    assert page.csp_errors == []  # type: ignore[attr-defined]
