"""Matching a sought child against separated children's cases: names with accents, nicknames,
approximate age; the reverse direction when a case is saved; who is in the pool."""

import datetime

import pytest

from amparo.tracing.models import PotentialMatch
from amparo.tracing.services import cases_match, tracing_request_match
from amparo.tracing.tests.conftest import child, open_case, tracing_request

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()  # noqa: DTZ011 - ages are in calendar years


def test_finds_child_by_nickname_without_accents_and_approximate_age(tw):
    # given a separated girl, registered with accents, her age estimated
    girl = child(tw.caseworker_a, tw.unit_a, "María Guadalupe", "Hernández", "Núñez", age_years=8)
    case = open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    # when her mother asks for "Lupita" / "Lupe Hernandez", about 8, without accents
    request = tracing_request(
        tw.caseworker_a,
        tw.unit_a,
        child_given_names="Lupe",
        child_first_surname="Hernandez",
        child_nicknames="Lupita",
        child_sex="female",
        child_age_years=8,
        separation_date=datetime.date(2026, 9, 10),
    )
    # then the case is proposed, probable, with its reasons
    match = PotentialMatch.objects.get(tracing_request=request)
    assert match.case_id == case.pk
    assert match.probability >= 0.5
    verdicts = {reason["comparison"]: reason["verdict"] for reason in match.reasons}
    assert verdicts["given_names"] != "differs"
    assert verdicts["first_surname"] == "agrees"
    assert verdicts["separation_date"] == "agrees"


def test_a_different_child_is_not_proposed(tw):
    boy = child(tw.caseworker_a, tw.unit_a, "Wilmer", "Tzul", "Ajanel", sex="male", age_years=15)
    open_case(tw, tw.caseworker_a, tw.unit_a, boy)
    request = tracing_request(
        tw.caseworker_a,
        tw.unit_a,
        child_given_names="Guadalupe",
        child_first_surname="Hernández",
        child_sex="female",
        child_age_years=6,
    )
    assert PotentialMatch.objects.filter(tracing_request=request).exists() is False


def test_children_not_separated_are_not_in_the_pool(tw):
    girl = child(tw.caseworker_a, tw.unit_a, "Ximena", "García", "López", born=datetime.date(2018, 5, 4))
    open_case(tw, tw.caseworker_a, tw.unit_a, girl, separated=False)
    request = tracing_request(
        tw.caseworker_a,
        tw.unit_a,
        child_given_names="Ximena",
        child_first_surname="García",
        child_second_surname="López",
        child_date_of_birth=datetime.date(2018, 5, 4),
    )
    assert PotentialMatch.objects.filter(tracing_request=request).exists() is False


def test_saving_a_case_matches_it_against_open_requests(tw, django_capture_on_commit_callbacks):
    # given a request recorded before the child had a case
    request = tracing_request(
        tw.caseworker_b,
        tw.unit_b,
        child_given_names="José",
        child_first_surname="Ramírez",
        child_nicknames="Pepe",
        child_sex="male",
        child_age_years=9,
    )
    assert PotentialMatch.objects.filter(tracing_request=request).exists() is False
    boy = child(tw.caseworker_a, tw.unit_a, "Jose", "Ramirez", "Soto", sex="male", age_years=9)
    # when the case is opened (the cases app notifies on commit)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(tw, tw.caseworker_a, tw.unit_a, boy)
    # then the pair is proposed
    match = PotentialMatch.objects.get(tracing_request=request)
    assert match.case_id == case.pk
    assert match.probability >= 0.5


def test_matching_again_refreshes_an_undecided_pair_only_once(tw):
    girl = child(tw.caseworker_a, tw.unit_a, "Ana Sofía", "Villaseñor", age_years=10)
    case = open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    request = tracing_request(
        tw.caseworker_a, tw.unit_a, child_given_names="Ana Sofia", child_first_surname="Villasenor"
    )
    tracing_request_match(tracing_request=request)
    cases_match(case_ids=[case.pk])
    assert PotentialMatch.objects.filter(tracing_request=request, case=case).count() == 1


def test_tracing_has_its_own_matcher_settings(tw):
    from amparo.matching.choices import RecordType
    from amparo.matching.services import matcher_config_get, matcher_config_update

    girl = child(tw.caseworker_a, tw.unit_a, "María Guadalupe", "Hernández", "Núñez", age_years=8)
    open_case(tw, tw.caseworker_a, tw.unit_a, girl)
    described = {
        "child_given_names": "Lupe",
        "child_first_surname": "Hernandez",
        "child_nicknames": "Lupita",
        "child_sex": "female",
        "child_age_years": 8,
    }
    first = tracing_request(tw.caseworker_a, tw.unit_a, **described)
    assert PotentialMatch.objects.filter(tracing_request=first).exists()
    # an administrator asks family tracing (only) for near certainty before proposing a match
    config = matcher_config_get(record_type=RecordType.TRACING)
    matcher_config_update(
        actor=None,
        record_type=RecordType.TRACING,
        definition={**config.definition, "review_threshold": 0.999, "display_threshold": 0.999},
        expected_version=config.version,
    )

    second = tracing_request(tw.caseworker_a, tw.unit_a, **described)

    assert PotentialMatch.objects.filter(tracing_request=second).exists() is False
    assert matcher_config_get(record_type=RecordType.PERSON).definition["display_threshold"] == 0.2
