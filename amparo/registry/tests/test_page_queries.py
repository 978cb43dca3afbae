"""What a page costs the database beyond its selector (docs/performance.md, "HTML page overhead"):
the counts here are the budget; a new query per row or per request shows up as a failure."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory

# session, user, user session, grants, selector (count + page), audit (chain head, insert, head
# update; BEGIN/COMMIT are not captured on SQLite), units for the filter, tracing badge; on PostgreSQL
# also the name search's two planner estimates (EXPLAIN, `selectors._dense`), which run no query
SEARCH_PAGE_QUERIES = 10
PLANNER_ESTIMATES = 2


@pytest.fixture
def browser(world) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(world.caseworker_a, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/registry/persons/")  # the first request of a session saves it; measure the next ones
    return client


def _queries(client: Client, path: str, params: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    return [query for query in sql if "SAVEPOINT" not in query]  # the audit's atomic block inside the test's


def test_search_page_queries_do_not_grow_with_the_rows(world, browser):
    PersonFactory(org_unit=world.unit_a, first_surname="Paredes")
    few = _queries(browser, "/registry/persons/", {"q": "paredes"})
    for _ in range(12):
        IdentityDocumentFactory(person=PersonFactory(org_unit=world.unit_a, first_surname="Paredes"))
    many = _queries(browser, "/registry/persons/", {"q": "paredes"})
    assert len(many) == len(few)
    estimates = [query for query in many if query.startswith("EXPLAIN")]
    assert len(estimates) == (PLANNER_ESTIMATES if connection.vendor == "postgresql" else 0)
    assert len(many) - len(estimates) <= SEARCH_PAGE_QUERIES, "\n".join(many)


def test_a_page_neither_saves_the_session_nor_reloads_the_home_unit(world, browser):
    PersonFactory(org_unit=world.unit_a)
    sql = _queries(browser, "/registry/persons/")
    assert not [query for query in sql if query.startswith("UPDATE") and "django_session" in query]
    home_unit = f'FROM "accounts_orgunit" WHERE "accounts_orgunit"."id" = {world.unit_a.pk} LIMIT 21'
    assert not [query for query in sql if query.endswith(home_unit)]
    assert "Oficina A" in browser.get("/registry/persons/").content.decode()  # still shown in the header


def test_person_page_queries_do_not_grow_with_documents(world, browser):
    person = PersonFactory(org_unit=world.unit_a)
    IdentityDocumentFactory(person=person)
    one = _queries(browser, f"/registry/persons/{person.pk}/")
    for _ in range(5):
        IdentityDocumentFactory(person=person)
    assert len(_queries(browser, f"/registry/persons/{person.pk}/")) == len(one)
