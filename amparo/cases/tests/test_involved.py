"""Persons involved in a case from the case page: picked by search (the registry's person picker),
added and removed through services that check access again, every change audited."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.services import role_create
from amparo.audit.choices import AuditAction
from amparo.cases import services
from amparo.cases.models import CasePerson
from amparo.cases.tests.test_views_cases import client_for
from amparo.common.tests.api_support import audit_mark, audit_since
from amparo.conftest import _user
from amparo.registry.tests.factories import IdentityDocumentFactory, PersonFactory


@pytest.fixture
def sibling(case_world):
    return PersonFactory(given_names="José Andrés", first_surname="Núñez", org_unit=case_world.unit_a)


@pytest.fixture
def stranger(case_world):
    """A namesake in unit B: caseworker_a may not see them."""
    return PersonFactory(given_names="José Andrés", first_surname="Núñez", org_unit=case_world.unit_b)


def _actions(mark):
    return [row for row in audit_since(mark) if row[0] != AuditAction.LOGIN_SUCCEEDED]


def test_picker_finds_by_name_without_accents_within_scope_and_audits(case_world, sibling, stranger):
    IdentityDocumentFactory(person=sibling, number="NUJA120517-0001")
    client = client_for(case_world.caseworker_a)
    mark = audit_mark()
    response = client.get("/registry/persons/pick/", {"q": "jose nunez", "field": "person"})
    text = response.content.decode()
    assert response.status_code == 200
    assert f'name="person" value="{sibling.pk}"' in text
    assert f'value="{stranger.pk}"' not in text  # same name, other unit: not offered
    assert "17/05/2012" in text
    assert "NUJA120517-0001" in text
    assert case_world.unit_a.name in text
    assert _actions(mark) == [
        (
            AuditAction.PERSON_SEARCHED,
            "registry.person",
            "",
            {"shown": [sibling.pk], "via": "person_picker"},
        )
    ]


def test_picker_shows_documents_only_within_the_viewers_clearance(case_world, sibling):
    # given a document, which is restricted data, and a viewer whose clearance stops at basic data
    IdentityDocumentFactory(person=sibling, number="NUJA120517-0001")
    role = role_create(
        actor=None,
        name="Consulta de personas, sin documentos",
        permissions=[Permission.PERSON_VIEW],
        sensitivity_clearance=Sensitivity.BASIC,
    )
    viewer = _user("viewer_a", case_world.unit_a, role, Scope.UNIT)
    # when
    basic = client_for(viewer).get("/registry/persons/pick/", {"q": "jose nunez"})
    caseworker = client_for(case_world.caseworker_a).get("/registry/persons/pick/", {"q": "jose nunez"})
    # then both are offered the person, only the caseworker sees the document number
    assert f'value="{sibling.pk}"' in basic.content.decode()
    assert "NUJA120517-0001" not in basic.content.decode()
    assert "NUJA120517-0001" in caseworker.content.decode()


def test_picker_queries_do_not_grow_with_the_results(case_world):
    client = client_for(case_world.caseworker_a)
    client.get("/registry/persons/pick/", {"q": "garcia"})  # warm the session and permission caches

    def count(persons: int) -> int:
        for _ in range(persons):
            IdentityDocumentFactory(person=PersonFactory(org_unit=case_world.unit_a))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/registry/persons/pick/", {"q": "garcia"}).status_code == 200
        return len(queries)

    assert count(1) == count(6)


def test_picker_needs_two_letters_and_a_safe_field_name(case_world, sibling):
    client = client_for(case_world.caseworker_a)
    assert "picker-option" not in client.get("/registry/persons/pick/", {"q": "j"}).content.decode()
    text = client.get("/registry/persons/pick/", {"q": "nunez", "field": 'x" onclick="y'}).content.decode()
    assert 'name="person"' in text
    assert "onclick" not in text


def test_picker_is_refused_without_person_permission(case_world):
    assert client_for(case_world.auditor).get("/registry/persons/pick/", {"q": "garcia"}).status_code in (
        403,
        404,
    )


def test_caseworker_adds_and_removes_a_person_involved(case_world, case_a, sibling):
    client = client_for(case_world.caseworker_a)
    mark = audit_mark()
    response = client.post(f"/cases/{case_a.pk}/persons/", {"person": sibling.pk, "role": "sibling"})
    assert response.status_code == 302
    item = CasePerson.objects.get(case=case_a)
    assert (item.person, item.role, item.added_by) == (sibling, "sibling", case_world.caseworker_a)
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert sibling.full_name in page
    assert f"/cases/{case_a.pk}/persons/{item.pk}/remove/" in page

    response = client.post(f"/cases/{case_a.pk}/persons/{item.pk}/remove/")
    assert response.status_code == 302
    assert not CasePerson.objects.filter(case=case_a).exists()
    changes = [row for row in _actions(mark) if row[0] != AuditAction.CASE_VIEWED]
    assert changes == [
        (
            AuditAction.CASE_PERSON_ADDED,
            "cases.case",
            str(case_a.pk),
            {"person": sibling.pk, "role": "sibling"},
        ),
        (
            AuditAction.CASE_PERSON_REMOVED,
            "cases.case",
            str(case_a.pk),
            {"person": sibling.pk, "role": "sibling"},
        ),
    ]


def test_a_person_outside_scope_is_refused_by_the_page_and_the_service(case_world, case_a, stranger):
    client = client_for(case_world.caseworker_a)
    response = client.post(
        f"/cases/{case_a.pk}/persons/", {"person": stranger.pk, "role": "sibling"}, follow=True
    )
    assert "No person with that id among those you may see." in response.content.decode()
    with pytest.raises(Http404):
        services.case_person_add(actor=case_world.caseworker_a, case=case_a, person=stranger, role="sibling")
    assert not CasePerson.objects.exists()


def test_removal_is_refused_to_others_and_on_closed_cases(case_world, case_a, sibling):
    item = services.case_person_add(
        actor=case_world.caseworker_a, case=case_a, person=sibling, role="caregiver"
    )
    assert (
        client_for(case_world.caseworker_b).post(f"/cases/{case_a.pk}/persons/{item.pk}/remove/").status_code
        == 404
    )
    assert (
        client_for(case_world.basic_viewer_a)
        .post(f"/cases/{case_a.pk}/persons/{item.pk}/remove/")
        .status_code
        == 404
    )
    with pytest.raises(Http404):
        services.case_person_remove(actor=case_world.caseworker_b, case=case_a, involvement_id=item.pk)
    services.case_close(
        actor=case_world.supervisor_mx, case=case_a, reason="Resuelto", expected_version=case_a.version
    )
    case_a.refresh_from_db()
    response = client_for(case_world.caseworker_a).post(
        f"/cases/{case_a.pk}/persons/{item.pk}/remove/", follow=True
    )
    assert "The case is closed: reopen it first." in response.content.decode()
    assert CasePerson.objects.filter(pk=item.pk).exists()
