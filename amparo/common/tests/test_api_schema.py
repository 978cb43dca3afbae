"""The OpenAPI schema is valid and reads well; the Swagger UI page is served from our own /static/
and works under the site's strict Content-Security-Policy."""

import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from amparo.accounts.services import api_token_issue
from amparo.registry.tests.factories import PersonFactory

OPERATIONS = {
    ("/api/v1/auth/token/", "post"),
    ("/api/v1/auth/token/revoke/", "post"),
    ("/api/v1/persons/", "get"),
    ("/api/v1/persons/", "post"),
    ("/api/v1/persons/{person_ref}/", "get"),
    ("/api/v1/persons/{person_ref}/", "patch"),
    ("/api/v1/persons/{person_ref}/archive/", "post"),
    *(
        operation
        for kind in ("documents", "contacts", "addresses")
        for operation in (
            (f"/api/v1/persons/{{person_ref}}/{kind}/", "post"),
            (f"/api/v1/persons/{{person_ref}}/{kind}/{{item_id}}/", "delete"),
        )
    ),
    ("/api/v1/households/", "get"),
    ("/api/v1/households/", "post"),
    ("/api/v1/households/{household_id}/", "get"),
    ("/api/v1/households/{household_id}/", "patch"),
    ("/api/v1/households/{household_id}/members/", "post"),
    ("/api/v1/households/{household_id}/members/{membership_id}/leave/", "post"),
    ("/api/v1/households/{household_id}/archive/", "post"),
    ("/api/v1/cases/", "get"),
    ("/api/v1/cases/", "post"),
    ("/api/v1/cases/{case_id}/", "get"),
    ("/api/v1/cases/{case_id}/", "patch"),
    ("/api/v1/cases/{case_id}/close/", "post"),
    ("/api/v1/cases/{case_id}/interventions/", "post"),
    ("/api/v1/cases/{case_id}/reclassify/", "post"),
    ("/api/v1/cases/{case_id}/reopen/", "post"),
}


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_public_and_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_schema_generates_without_warnings_or_errors():
    GENERATOR_STATS.reset()

    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)

    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}


def test_documents_every_operation(schema):
    documented = {
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    }

    assert documented == OPERATIONS


def test_only_the_token_endpoint_is_public(schema):
    public = {
        (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if {} in operation.get("security", [{}])
    }

    assert public == {("/api/v1/auth/token/", "post")}
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Token from POST /api/v1/auth/token/",
    }


def test_every_protected_operation_documents_401_and_its_errors(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            if path != "/api/v1/auth/token/":
                assert "401" in statuses, (path, method)
            if "{" in path:
                assert "404" in statuses, (path, method)
            if method == "patch":
                assert {"400", "409"} <= statuses, (path, method)


def test_component_names_read_well(schema):
    names = set(schema["components"]["schemas"])

    assert {
        "PersonListItem",
        "PersonListPage",
        "PersonDetail",
        "PersonCreateRequest",
        "PersonUpdateRequest",
        "HouseholdDetail",
        "HouseholdMemberEntry",
        "Error",
        "TokenObtainRequest",
    } <= names
    assert [name for name in names if re.search("Input|Output|Serializer|Patched", name)] == []


def test_patch_bodies_keep_version_required(schema):
    for name in ("PersonUpdateRequest", "HouseholdUpdateRequest"):
        assert schema["components"]["schemas"][name]["required"] == ["version"]


def test_withheld_parts_are_documented_as_nullable(schema):
    person = schema["components"]["schemas"]["PersonDetail"]["properties"]

    for name in ("documents", "contacts", "addresses", "gender_identity", "has_photo", "archive_reason"):
        assert person[name].get("nullable") is True, name


def test_docs_page_loads_everything_from_our_static_under_the_strict_policy(db):
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self';" in policy
    assert "unsafe" not in policy
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/amparo/api-docs.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
    ]
    for source in sources:
        assert finders.find(source.removeprefix("/static/")) is not None, source
    assert "<style" not in html
    assert " style=" not in html
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts == [f' nonce="{nonce}"']


def test_redoc_is_not_offered(db):
    assert APIClient().get("/api/redoc/").status_code == 404


@pytest.mark.browser
def test_swagger_ui_works_in_a_browser_under_the_policy(
    world, live_server, desktop_page: Page, screenshot_dir
):
    # given a token and a person the caseworker may see
    PersonFactory(org_unit=world.unit_a, given_names="Ximena", first_surname="Quispe")
    key, _token = api_token_issue(user=world.caseworker_a)
    page = desktop_page
    outside = []
    page.on("request", lambda request: request.url.startswith(live_server.url) or outside.append(request.url))
    # when the docs page is opened
    page.goto(f"{live_server.url}/api/docs/")
    # then every operation is listed
    expect(page.locator(".opblock")).to_have_count(len(OPERATIONS))
    # and "Try it out" works with the bearer token
    page.get_by_role("button", name="Authorize").click()
    page.locator(".auth-container input").first.fill(key)
    page.locator(".auth-btn-wrapper button.authorize").first.click()
    page.locator(".btn-done").first.click()
    operation = page.locator("#operations-persons-persons_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("Ximena")
    operation.locator(".live-responses-table").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "api-docs.png")
    assert page.csp_errors == []  # type: ignore[attr-defined]
    assert outside == []


@pytest.mark.browser
def test_swagger_ui_fits_a_phone(world, live_server, phone_page: Page, screenshot_dir):
    page = phone_page

    page.goto(f"{live_server.url}/api/docs/")

    expect(page.locator(".opblock")).to_have_count(len(OPERATIONS))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "api-docs-phone.png")
    assert page.csp_errors == []  # type: ignore[attr-defined]
