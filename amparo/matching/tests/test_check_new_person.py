"""The duplicate check while registering: likely persons with probability and reasons, and only
"a possible match exists in another unit" for persons outside the worker's scope."""

import datetime

import pytest

from amparo.audit.choices import AuditAction
from amparo.matching.selectors import CandidatePerson, check_new_person, duplicate_check_payload
from amparo.matching.services import person_keys_refresh
from amparo.matching.tests.conftest import register
from amparo.matching.tests.support import audit_since, last_sequence
from amparo.registry.services import person_archive


@pytest.fixture
def registered(matching):
    return {
        "maria": register(
            matching.caseworker_a,
            matching.unit_a,
            "María José",
            "García",
            "López",
            sex="female",
            born=datetime.date(2012, 5, 17),
            document="GALM120517",
        ),
        "juan": register(
            matching.caseworker_b,
            matching.unit_b,
            "Juan Carlos",
            "Pérez",
            "Soto",
            sex="male",
            born=datetime.date(1990, 2, 1),
        ),
    }


MARIA_MISSPELT = CandidatePerson(
    given_names="Ma. Jose",
    first_surname="Garsia",
    second_surname="Lopes",
    sex="female",
    date_of_birth=datetime.date(2012, 5, 17),
)


def test_finds_a_misspelt_person_with_probability_and_reasons(matching, registered):
    check = check_new_person(user=matching.caseworker_a, candidate=MARIA_MISSPELT)

    assert [match.person for match in check.matches] == [registered["maria"]]
    assert check.outside_scope is False
    match = check.matches[0]
    assert match.probability > 0.9
    verdicts = {reason.comparison: (reason.level, reason.verdict) for reason in match.reasons}
    assert verdicts == {
        "given_names": ("equivalent", "similar"),
        "first_surname": ("phonetic", "similar"),
        "second_surname": ("phonetic", "similar"),
        "date_of_birth": ("exact", "agrees"),
        "sex": ("exact", "agrees"),
    }


@pytest.mark.parametrize(
    "candidate",
    [
        CandidatePerson(
            given_names="Pepa",
            first_surname="López",
            second_surname="García",
            date_of_birth=datetime.date(2012, 5, 17),
        ),  # swapped surnames; no nickname for María
        CandidatePerson(
            given_names="María",
            first_surname="García",
            age_years=None,
            date_of_birth=datetime.date(2012, 5, 17),
        ),  # second surname and given name missing
        CandidatePerson(
            given_names="Maria Jose",
            first_surname="Garcia",
            second_surname="Lopez",
            document_number="GALM-120518",
        ),  # no date, one wrong document character
    ],
    ids=["swapped", "partial", "document-typo"],
)
def test_finds_spelling_variants(matching, registered, candidate):
    check = check_new_person(user=matching.caseworker_a, candidate=candidate)
    assert registered["maria"] in [match.person for match in check.matches]


def test_shows_nothing_for_a_different_person(matching, registered):
    check = check_new_person(
        user=matching.caseworker_a,
        candidate=CandidatePerson(
            given_names="Andrea",
            first_surname="García",
            second_surname="López",
            date_of_birth=datetime.date(2009, 2, 3),
        ),
    )
    assert (check.matches, check.outside_scope) == ([], False)


VISIBILITY = {  # who registers "María José García López" again, and what they learn
    "caseworker_a": "details",
    "unit_admin_a": "details",
    "supervisor_mx": "details",
    "national_admin": "details",
    "caseworker_b": "outside",
    "own_worker_a": "outside",  # OWN scope: María was registered by caseworker_a
    "auditor": "nothing",  # may not register persons
    "basic_viewer_a": "nothing",
    "inactive_a": "nothing",
    "anonymous": "nothing",
}


@pytest.mark.parametrize(("persona", "expected"), VISIBILITY.items())
def test_details_only_within_scope(matching, registered, persona, expected):
    user = matching.personas()[persona]
    before = last_sequence()

    check = check_new_person(user=user, candidate=MARIA_MISSPELT)

    found = {
        "details": ([registered["maria"]], False),
        "outside": ([], True),
        "nothing": ([], False),
    }[expected]
    assert ([match.person for match in check.matches], check.outside_scope) == found
    events = audit_since(before)
    if expected == "details":
        assert [(event.action, event.extra["shown"]) for event in events] == [
            (AuditAction.MATCHING_CHECKED, [registered["maria"].pk])
        ]
    else:
        assert events == []


def test_outside_scope_payload_carries_no_name_or_id(matching, registered):
    check = check_new_person(user=matching.caseworker_b, candidate=MARIA_MISSPELT)
    payload = duplicate_check_payload(check)
    assert payload == {"possible_duplicates": [], "possible_duplicate_outside_scope": True}


def test_editing_a_person_does_not_find_themselves(matching, registered):
    check = check_new_person(
        user=matching.caseworker_a, candidate=MARIA_MISSPELT, exclude_person_id=registered["maria"].pk
    )
    assert check.matches == []


def test_an_archived_person_is_not_proposed(matching, registered):
    person_archive(actor=matching.national_admin, person=registered["maria"], reason="registered by mistake")
    person_keys_refresh(person_ids=[registered["maria"].pk])

    check = check_new_person(user=matching.caseworker_a, candidate=MARIA_MISSPELT)
    assert (check.matches, check.outside_scope) == ([], False)
