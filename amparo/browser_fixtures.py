"""Browser-test fixtures: Playwright's sync API driving Debian's Chromium against pytest-django's live_server.

Tests marked `browser` skip when /usr/bin/chromium is missing, unless AMPARO_REQUIRE_BROWSER=1
(CI), where a missing browser fails the run. Screenshots go to AMPARO_SCREENSHOT_DIR when set
(e.g. docs/screenshots), else to the test's temporary directory.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)."
        if os.environ.get("AMPARO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"AMPARO_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
    # meanwhile are still synchronous, so Django's async-safety check must stand aside.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser: Browser, viewport: ViewportSize) -> Page:
    context = browser.new_context(viewport=viewport, locale="es-ES", timezone_id="America/Mexico_City")
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp_errors: list[str] = []

    def collect_csp_errors(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp_errors.append(message.text)

    page.on("console", collect_csp_errors)
    page.csp_errors = csp_errors  # type: ignore[attr-defined]
    return page


@pytest.fixture
def desktop_page(chromium: Browser, live_server) -> Iterator[Page]:
    """A 1280-px-wide page; `page.csp_errors` collects Content-Security-Policy violations."""
    page = _new_page(chromium, DESKTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone_page(chromium: Browser, live_server) -> Iterator[Page]:
    """A 390-px-wide page (a common phone)."""
    page = _new_page(chromium, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("AMPARO_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-testid=logout]", state="attached")


def htmx_settled(page: Page) -> None:
    """Wait until htmx has no request in flight and has set up what it swapped in.

    A new fragment's triggers are attached only once htmx settles it (a few milliseconds after
    the swap); a test that changes a select in between loses the event, which no person can do.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
