"""Merging two persons keeps every record of both on the survivor; undo puts each back."""

import datetime

import pytest
from django.http import Http404

from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError
from amparo.matching.errors import MatchingErrorCode
from amparo.matching.models import PersonBlockKey, PersonKey, PersonMerge
from amparo.matching.services import person_merge, person_merge_undo
from amparo.matching.tests.conftest import register
from amparo.matching.tests.support import audit_since, last_sequence
from amparo.registry.models import Address, Contact, HouseholdMembership, IdentityDocument, Person
from amparo.registry.services import (
    AddressInput,
    ContactInput,
    DocumentInput,
    household_create,
    household_member_add,
    person_address_add,
    person_contact_add,
    person_document_add,
)


@pytest.fixture
def twins(matching):
    """The same girl registered twice in unit A, each record with its own documents, contacts,
    address and households — one household they both belong to."""
    actor = matching.caseworker_a
    keep = register(
        actor,
        matching.unit_a,
        "María José",
        "García",
        "López",
        sex="female",
        born=datetime.date(2012, 5, 17),
        document="GALM120517",
    )
    absorb = register(
        actor, matching.unit_a, "Ma. José", "Garcia", "", sex="female", born=datetime.date(2012, 5, 17)
    )
    person_document_add(
        actor=actor, person=absorb, data=DocumentInput(document_type="passport", number="G123")
    )
    person_contact_add(actor=actor, person=absorb, data=ContactInput(kind="mobile", value="+52 55 1234 5678"))
    person_address_add(actor=actor, person=absorb, data=AddressInput(country="MX", line="Calle Hidalgo 12"))
    shared = household_create(actor=actor, org_unit=matching.unit_a, name="Familia García", country="MX")
    own = household_create(actor=actor, org_unit=matching.unit_a, name="Casa hogar", country="MX")
    household_member_add(actor=actor, household=shared, person=keep, relationship="child")
    household_member_add(actor=actor, household=shared, person=absorb, relationship="child")
    household_member_add(actor=actor, household=own, person=absorb, relationship="not_related")
    keep.refresh_from_db()
    absorb.refresh_from_db()
    return keep, absorb, shared, own


def records_of(person: Person) -> dict[str, set]:
    return {
        "documents": set(IdentityDocument.objects.filter(person=person).values_list("number", flat=True)),
        "contacts": set(Contact.objects.filter(person=person).values_list("value", flat=True)),
        "addresses": set(Address.objects.filter(person=person).values_list("line", flat=True)),
        "households": set(
            HouseholdMembership.objects.filter(person=person).values_list("household__name", "left_on")
        ),
    }


def test_merge_moves_every_record_and_archives_with_a_pointer(matching, twins):
    keep, absorb, _shared, _own = twins
    before = last_sequence()

    merge = person_merge(
        actor=matching.reviewer_a, keep=keep, absorb=absorb, reason="Mismo acta de nacimiento"
    )

    today = datetime.date.today()
    assert records_of(keep) == {
        "documents": {"GALM120517", "G123"},
        "contacts": {"+52 55 1234 5678"},
        "addresses": {"Calle Hidalgo 12"},
        "households": {("Familia García", None), ("Familia García", today), ("Casa hogar", None)},
    }
    assert records_of(absorb) == {
        "documents": set(),
        "contacts": set(),
        "addresses": set(),
        "households": set(),
    }
    absorb.refresh_from_db()
    assert (absorb.is_archived, absorb.merged_into_id, absorb.archived_by_id) == (
        True,
        keep.pk,
        matching.reviewer_a.pk,
    )
    assert PersonKey.objects.filter(person=absorb).exists() is False
    assert PersonBlockKey.objects.filter(person=absorb).exists() is False
    assert [(event.action, event.target_id, event.extra["absorbed"]) for event in audit_since(before)] == [
        (AuditAction.PERSON_MERGED, str(keep.pk), absorb.pk)
    ]
    assert merge.moved["closed_memberships"]["left_on"] == today.isoformat()


def test_undo_puts_every_record_back(matching, twins):
    keep, absorb, _shared, _own = twins
    original = {"keep": records_of(keep), "absorb": records_of(absorb)}
    merge = person_merge(actor=matching.reviewer_a, keep=keep, absorb=absorb, reason="duplicado")
    before = last_sequence()

    person_merge_undo(actor=matching.reviewer_a, merge=merge, reason="eran dos niñas distintas")

    assert {"keep": records_of(keep), "absorb": records_of(absorb)} == original
    absorb.refresh_from_db()
    assert (absorb.is_archived, absorb.merged_into_id, absorb.archive_reason) == (False, None, "")
    assert PersonKey.objects.filter(person=absorb).exists() is True
    merge.refresh_from_db()
    assert (merge.undone_by, merge.undo_reason) == (matching.reviewer_a, "eran dos niñas distintas")
    assert [event.action for event in audit_since(before)] == [AuditAction.PERSON_MERGE_UNDONE]


def test_records_added_to_the_survivor_after_the_merge_stay_there(matching, twins):
    keep, absorb, _shared, _own = twins
    merge = person_merge(actor=matching.reviewer_a, keep=keep, absorb=absorb, reason="duplicado")
    keep.refresh_from_db()
    person_document_add(
        actor=matching.caseworker_a,
        person=keep,
        data=DocumentInput(document_type="birth_certificate", number="ACTA-99"),
    )

    person_merge_undo(actor=matching.reviewer_a, merge=merge, reason="error")

    assert records_of(keep)["documents"] == {"GALM120517", "ACTA-99"}
    assert records_of(absorb)["documents"] == {"G123"}


@pytest.mark.parametrize(
    "persona", ["caseworker_a", "reviewer_b", "supervisor_mx", "auditor", "basic_viewer_a"]
)
def test_only_users_who_may_merge_both_records(matching, twins, persona):
    keep, absorb, _shared, _own = twins
    user = getattr(matching, persona)
    before = last_sequence()

    with pytest.raises(Http404):
        person_merge(actor=user, keep=keep, absorb=absorb, reason="duplicado")

    assert PersonMerge.objects.exists() is False
    assert records_of(absorb)["documents"] == {"G123"}
    assert audit_since(before) == []


@pytest.mark.parametrize(
    ("reason", "code"),
    [("   ", MatchingErrorCode.REASON_REQUIRED), ("duplicado", MatchingErrorCode.SAME_PERSON)],
)
def test_refuses_without_reason_or_with_itself(matching, twins, reason, code):
    keep, absorb, _shared, _own = twins
    with pytest.raises(ApplicationError) as raised:
        person_merge(
            actor=matching.reviewer_a, keep=keep, absorb=keep if reason.strip() else absorb, reason=reason
        )
    assert raised.value.code == code


def test_a_merged_record_cannot_be_merged_again(matching, twins):
    keep, absorb, _shared, _own = twins
    person_merge(actor=matching.reviewer_a, keep=keep, absorb=absorb, reason="duplicado")
    third = register(matching.caseworker_a, matching.unit_a, "María", "García", "López")

    with pytest.raises(ApplicationError) as raised:
        person_merge(actor=matching.reviewer_a, keep=third, absorb=absorb, reason="otra vez")
    assert raised.value.code == MatchingErrorCode.ALREADY_MERGED


def test_undo_twice_is_refused(matching, twins):
    keep, absorb, _shared, _own = twins
    merge = person_merge(actor=matching.reviewer_a, keep=keep, absorb=absorb, reason="duplicado")
    person_merge_undo(actor=matching.reviewer_a, merge=merge, reason="error")

    with pytest.raises(ApplicationError) as raised:
        person_merge_undo(actor=matching.reviewer_a, merge=merge, reason="otra vez")
    assert raised.value.code == MatchingErrorCode.MERGE_UNDONE


def test_undo_waits_for_a_later_merge_of_the_survivor(matching, twins):
    keep, absorb, _shared, _own = twins
    first = person_merge(actor=matching.reviewer_a, keep=keep, absorb=absorb, reason="duplicado")
    third = register(matching.caseworker_a, matching.unit_a, "María José", "García", "López")
    keep.refresh_from_db()
    person_merge(actor=matching.reviewer_a, keep=third, absorb=keep, reason="triplicado")

    with pytest.raises(ApplicationError) as raised:
        person_merge_undo(actor=matching.reviewer_a, merge=first, reason="error")
    assert raised.value.code == MatchingErrorCode.UNDO_CONFLICT


def test_the_absorbed_persons_page_points_to_the_record_kept(matching, twins, client):
    keep, absorb, _shared, _own = twins
    person_merge(actor=matching.reviewer_a, keep=keep, absorb=absorb, reason="Mismo acta de nacimiento")
    client.force_login(matching.reviewer_a)
    client.cookies["amparo_language"] = "en"

    response = client.get(f"/registry/persons/{absorb.pk}/")

    assert response.status_code == 200
    assert f'href="/registry/persons/{keep.pk}/"' in response.content.decode()
    assert "Open the record that was kept" in response.content.decode()
