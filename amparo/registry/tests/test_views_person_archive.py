import pytest
from django.urls import reverse

from amparo.audit.choices import AuditAction
from amparo.registry.models import Person
from amparo.registry.tests.factories import PersonFactory
from amparo.registry.tests.views_support import (
    ALLOWED,
    NOT_FOUND,
    audit_since,
    client_as,
    is_login_redirect,
    last_sequence,
)


@pytest.fixture
def person(world):
    return PersonFactory(org_unit=world.unit_a, created_by=world.caseworker_a)


def archive_url(person):
    return reverse("registry:person_archive", args=[person.pk])


@pytest.mark.parametrize("persona", ["supervisor_mx", "national_admin"])
def test_confirmation_page_then_archive_with_a_reason(world, person, persona):
    client = client_as(world.personas()[persona])
    mark = last_sequence()

    confirm = client.get(archive_url(person))
    response = client.post(archive_url(person), {"reason": "Registro duplicado de 7K3M"})

    person.refresh_from_db()
    assert confirm.status_code == ALLOWED
    assert 'data-testid="confirm-archive"' in confirm.content.decode()
    assert response["Location"] == reverse("registry:person_detail", args=[person.pk])
    assert (person.is_archived, person.archive_reason, person.archived_by) == (
        True,
        "Registro duplicado de 7K3M",
        world.personas()[persona],
    )
    assert audit_since(mark) == [
        (AuditAction.PERSON_VIEWED, "registry.person", str(person.pk)),
        (AuditAction.PERSON_ARCHIVED, "registry.person", str(person.pk)),
    ]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(world, person, reason):
    response = client_as(world.supervisor_mx).post(archive_url(person), {"reason": reason})

    person.refresh_from_db()
    assert response.status_code == ALLOWED
    assert list(response.context["form"].errors) == ["reason"]
    assert person.is_archived is False


@pytest.mark.parametrize(
    "persona", ["caseworker_a", "unit_admin_a", "basic_viewer_a", "caseworker_b", "own_worker_a", "auditor"]
)
def test_only_supervisors_may_archive(world, person, persona):
    client = client_as(world.personas()[persona])
    mark = last_sequence()

    shown = client.get(archive_url(person))
    posted = client.post(archive_url(person), {"reason": "duplicado"})

    person.refresh_from_db()
    assert (shown.status_code, posted.status_code) == (NOT_FOUND, NOT_FOUND)
    assert person.is_archived is False
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.person", str(person.pk))] * 2


@pytest.mark.parametrize("persona", ["anonymous", "inactive_a"])
def test_strangers_go_to_login(world, person, persona):
    response = client_as(world.personas()[persona]).post(archive_url(person), {"reason": "duplicado"})

    assert is_login_redirect(response)
    assert Person.objects.get(pk=person.pk).is_archived is False


def test_archived_person_leaves_the_list_and_shows_the_badge(world, person):
    client_as(world.supervisor_mx).post(archive_url(person), {"reason": "duplicado"})
    client = client_as(world.caseworker_a)

    listed = client.get(reverse("registry:person_list"))
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()

    assert list(listed.context["page"].rows) == []
    assert "Archived on" in page
    assert 'data-testid="edit-person"' not in page
