"""Comparison levels of the person matcher: what agrees, how, and what differs."""

import json

import numpy as np
import pandas as pd
import pytest

from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.linkage.specification import parse_spec
from amparo.matching.services.configuration import DEFAULTS

COLUMNS = [
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "date_of_birth",
    "date_of_birth_is_estimated",
    "document_number",
    "nationality",
    "department",
    "municipality",
    "address",
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(parse_spec(json.loads((DEFAULTS / "person.json").read_text())))


def levels(matcher: Matcher, left: dict, right: dict) -> dict[str, str]:
    frame = pd.DataFrame([left, right], columns=COLUMNS).fillna("")
    gamma = matcher.compare(matcher.prepare(frame), np.array([0]), np.array([1]))[0]
    return {
        comparator.spec.name: comparator.spec.level_codes[level] if level >= 0 else "missing"
        for comparator, level in zip(matcher.comparators, gamma, strict=True)
    }


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("María José", "Maria Jose", "exact"),
        ("Pepe", "José", "equivalent"),
        ("Lupe", "María Guadalupe", "contained"),
        ("María", "María José", "contained"),
        ("Ma. Guadalupe", "María Guadalupe", "equivalent"),
        ("Yesenia", "Llesenia", "phonetic"),
        ("Guillermo", "Guillelrmo", "similar_92"),
        ("Carlos", "Sebastián", "different"),
    ],
)
def test_given_name_levels(matcher, left, right, level):
    assert levels(matcher, {"given_names": left}, {"given_names": right})["given_names"] == level


def test_swapped_surnames_are_recognised(matcher):
    found = levels(
        matcher,
        {"given_names": "Ana", "first_surname": "López", "second_surname": "García"},
        {"given_names": "Ana", "first_surname": "García", "second_surname": "López"},
    )
    assert (found["first_surname"], found["second_surname"]) == ("swapped", "swapped")


def test_one_crossing_surname_alone_is_not_a_swap(matcher):
    found = levels(
        matcher,
        {"first_surname": "López", "second_surname": "Ruiz"},
        {"first_surname": "Pérez", "second_surname": "López"},
    )
    assert (found["first_surname"], found["second_surname"]) == ("different", "different")


def test_missing_second_surname_is_missing_not_different(matcher):
    found = levels(
        matcher,
        {"first_surname": "García", "second_surname": "López"},
        {"first_surname": "García", "second_surname": ""},
    )
    assert (found["first_surname"], found["second_surname"]) == ("exact", "missing")


def test_only_the_second_surname_given_is_seen_as_swapped(matcher):
    found = levels(
        matcher, {"first_surname": "López"}, {"first_surname": "García", "second_surname": "López"}
    )
    assert found["first_surname"] == "swapped"


def test_both_surnames_typed_in_one_field_share_a_part(matcher):
    found = levels(
        matcher,
        {"first_surname": "Sánchez Domínguez"},
        {"first_surname": "Sánchez", "second_surname": "Domínguez"},
    )
    assert found["first_surname"] == "shares_part"


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Núñez", "Nunez", "exact"),
        ("de la Cruz", "Cruz", "exact"),
        ("Vázquez", "Basquez", "phonetic"),
        ("Hernández", "Hernandes", "phonetic"),
        ("Fernández", "Fernánde", "similar_94"),
        ("García-Márquez", "García", "shares_part"),
        ("Pérez", "Ramírez", "different"),
    ],
)
def test_surname_levels(matcher, left, right, level):
    assert levels(matcher, {"first_surname": left}, {"first_surname": right})["first_surname"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("17/05/2012", "2012-05-17", "exact"),
        ("17/05/2012", "17/05/2013", "typo"),
        ("05/09/2015", "09/05/2015", "typo"),
        ("~2012", "17/05/2012", "estimated_close"),
        ("17/05/2012", "01/12/2012", "within_365_days"),
        ("17/05/2012", "20/09/2014", "within_1095_days"),
        ("17/05/2012", "17/05/1990", "different"),
        ("17/05/2012", "", "missing"),
    ],
)
def test_date_of_birth_levels(matcher, left, right, level):
    assert levels(matcher, {"date_of_birth": left}, {"date_of_birth": right})["date_of_birth"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("GALM-120517", "galm120517", "exact"),
        ("12345678", "12345687", "edits_1"),
        ("12345678", "98765432", "different"),
    ],
)
def test_document_levels(matcher, left, right, level):
    assert levels(matcher, {"document_number": left}, {"document_number": right})["document_number"] == level


def test_unknown_sex_is_missing(matcher):
    assert levels(matcher, {"sex": "female"}, {"sex": "unknown"})["sex"] == "missing"


def test_probability_rewards_agreement_and_punishes_difference(matcher):
    frame = pd.DataFrame(
        [
            {
                "given_names": "María José",
                "first_surname": "García",
                "second_surname": "López",
                "sex": "female",
                "date_of_birth": "17/05/2012",
                "document_number": "GALM120517",
            },
            {
                "given_names": "Maria Jose",
                "first_surname": "Garcia",
                "second_surname": "Lopez",
                "sex": "female",
                "date_of_birth": "2012-05-17",
            },
            {
                "given_names": "Andrea",
                "first_surname": "García",
                "second_surname": "López",
                "sex": "female",
                "date_of_birth": "03/02/2009",
            },
        ],
        columns=COLUMNS,
    ).fillna("")
    scored = matcher.score(
        matcher.prepare(frame), np.array([0, 0]), np.array([1, 2]), prior=1e-5, frequencies={}, size=100_000
    )
    assert scored.probability[0] > 0.99
    assert scored.probability[1] < 0.01
