"""The duplicate-check fragment the registration form loads, and the similarity search page."""

import datetime

import pytest
from django.urls import reverse

from amparo.audit.choices import AuditAction
from amparo.matching.tests.conftest import register
from amparo.matching.tests.support import audit_since, client_as, last_sequence

CHECK = reverse("matching:person_check")
SEARCH = reverse("matching:search")
TYPED = {
    "given_names": "Ma. Jose",
    "first_surname": "Garsia",
    "second_surname": "Lopes",
    "sex": "female",
    "date_of_birth": "17/05/2012",
    "document-number": "",
    "csrfmiddlewaretoken": "ignored",
}


@pytest.fixture
def maria(matching):
    return register(
        matching.caseworker_a,
        matching.unit_a,
        "María José",
        "García",
        "López",
        sex="female",
        born=datetime.date(2012, 5, 17),
        document="GALM120517",
    )


CHECK_OUTCOME = {
    "caseworker_a": (200, "details"),
    "supervisor_mx": (200, "details"),
    "national_admin": (200, "details"),
    "caseworker_b": (200, "outside"),
    "own_worker_a": (200, "outside"),
    "auditor": (404, "nothing"),
    "basic_viewer_a": (404, "nothing"),
    "anonymous": (302, "nothing"),
}


@pytest.mark.parametrize(("persona", "outcome"), CHECK_OUTCOME.items())
def test_check_fragment_by_persona(matching, maria, persona, outcome):
    status, shows = outcome

    response = client_as(matching.personas()[persona]).get(CHECK, TYPED, headers={"HX-Request": "true"})

    assert response.status_code == status
    html = response.content.decode()
    assert ("María José" in html, maria.amparo_id in html) == (
        (True, True) if shows == "details" else (False, False)
    )
    assert ("ask your coordinator" in html) is (shows == "outside")


def test_check_fragment_links_to_the_existing_record(matching, maria):
    html = client_as(matching.caseworker_a).get(CHECK, TYPED).content.decode()
    assert f'href="{reverse("registry:person_detail", args=[maria.pk])}"' in html
    assert "Date of birth: identical" in html


def test_check_fragment_is_empty_until_enough_is_typed(matching, maria):
    before = last_sequence()
    response = client_as(matching.caseworker_a).get(CHECK, {"given_names": "Ma"})
    assert (response.status_code, response.content.decode().strip()) == (200, "")
    assert audit_since(before) == []


SEARCH_VISIBLE = {
    "caseworker_a": True,
    "basic_viewer_a": True,
    "supervisor_mx": True,
    "caseworker_b": False,
    "own_worker_a": False,
}


@pytest.mark.parametrize(("persona", "visible"), SEARCH_VISIBLE.items())
def test_search_finds_by_resemblance_within_scope(matching, maria, persona, visible):
    before = last_sequence()

    response = client_as(matching.personas()[persona]).get(
        SEARCH, {"name": "jose garsia lopes", "age_years": "14"}
    )

    assert response.status_code == 200
    assert (maria.amparo_id in response.content.decode()) is visible
    events = [event for event in audit_since(before) if event.action == AuditAction.MATCHING_SEARCHED]
    assert [event.extra["shown"] for event in events] == ([[maria.pk]] if visible else [])


@pytest.mark.parametrize("persona", ["auditor", "anonymous"])
def test_search_refuses_who_may_not_see_persons(matching, persona):
    response = client_as(matching.personas()[persona]).get(SEARCH)
    assert response.status_code == (404 if persona == "auditor" else 302)
