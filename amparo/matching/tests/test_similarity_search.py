"""Similarity search: name fragments, approximate age, sex, document with typos — ranked."""

import datetime

import pytest

from amparo.matching.selectors import SimilarityQuery, person_similarity_search
from amparo.matching.tests.conftest import register


@pytest.fixture
def people(matching):
    actor, unit = matching.caseworker_a, matching.unit_a
    return {
        "lupe": register(
            actor,
            unit,
            "María Guadalupe",
            "Hernández",
            "Vázquez",
            sex="female",
            born=datetime.date(1988, 12, 12),
            document="HEVG881212",
        ),
        "lupita": register(
            actor, unit, "Guadalupe", "Hernández", "Soto", sex="female", born=datetime.date(2015, 1, 1)
        ),
        "jose": register(
            actor,
            unit,
            "José Luis",
            "Quispe",
            "Mamani",
            sex="male",
            born=datetime.date(1975, 7, 9),
            document="QUMJ750709",
        ),
        "other": register(
            actor, unit, "Carlos", "Ramírez", "Soto", sex="male", born=datetime.date(1990, 3, 3)
        ),
    }


def ranked(matching, **query) -> list:
    return [
        match.person
        for match in person_similarity_search(user=matching.caseworker_a, query=SimilarityQuery(**query))
    ]


def test_name_fragments_in_any_order_with_sound_alike_spelling(matching, people):
    assert ranked(matching, name="ernandes basques")[0] == people["lupe"]


def test_a_nickname_and_an_approximate_age_pick_the_right_guadalupe(matching, people):
    assert ranked(matching, name="lupe hernandez", age_years=37)[0] == people["lupe"]
    assert ranked(matching, name="lupe hernandez", age_years=11)[0] == people["lupita"]


def test_a_document_number_with_a_wrong_digit(matching, people):
    assert ranked(matching, document_number="QUMJ750708")[0] == people["jose"]


def test_a_word_prefix_is_enough(matching, people):
    assert ranked(matching, name="quis")[0] == people["jose"]


def test_nothing_to_search_gives_nothing(matching, people):
    assert ranked(matching, sex="female") == []


def test_only_persons_the_user_may_see(matching, people):
    results = person_similarity_search(user=matching.caseworker_b, query=SimilarityQuery(name="hernandez"))
    assert results == []
