"""Blocking: which records are compared at all (and the keys the registry index stores)."""

import json

import pandas as pd
import pytest

from amparo.matching.linkage.blocking import candidate_pairs, record_block_keys
from amparo.matching.linkage.normalize import merged_nicknames
from amparo.matching.linkage.specification import parse_spec
from amparo.matching.services.configuration import DEFAULTS


@pytest.fixture(scope="module")
def spec():
    return parse_spec(json.loads((DEFAULTS / "person.json").read_text()))


def compared(spec, left: dict, right: dict) -> bool:
    frame = pd.DataFrame([left, right]).fillna("")
    ia, ib, _skipped = candidate_pairs(frame, spec, nicknames=merged_nicknames(spec.nicknames))
    return list(zip(ia.tolist(), ib.tolist(), strict=True)) == [(0, 1)]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (
            {
                "given_names": "José",
                "first_surname": "Pérez",
                "second_surname": "Ruiz",
                "date_of_birth": "01/02/1990",
            },
            {
                "given_names": "Pepe",
                "first_surname": "Peres",
                "second_surname": "Ruis",
                "date_of_birth": "01/02/1990",
            },
        ),
        (
            {
                "given_names": "Ana",
                "first_surname": "López",
                "second_surname": "García",
                "date_of_birth": "~1990",
            },
            {
                "given_names": "Ana",
                "first_surname": "García",
                "second_surname": "López",
                "date_of_birth": "12/03/1989",
            },
        ),
        (
            {"given_names": "Luis", "first_surname": "Núñez", "second_surname": "", "date_of_birth": "~2001"},
            {
                "given_names": "Luís",
                "first_surname": "Nunez",
                "second_surname": "Soto",
                "date_of_birth": "01/01/2000",
            },
        ),
        (
            {"given_names": "Carlos", "first_surname": "Morales", "second_surname": "Casola"},
            {"given_names": "Camlos", "first_surname": "Moralez", "second_surname": "Casola"},
        ),
        (
            {"given_names": "Rosa", "document_number": "MX-123456"},
            {"given_names": "Rosalía", "document_number": "mx123456"},
        ),
    ],
)
def test_likely_duplicates_share_a_block(spec, left, right):
    assert compared(spec, left, right) is True


def test_unrelated_persons_are_not_compared(spec):
    assert (
        compared(
            spec,
            {"given_names": "Ana", "first_surname": "López", "date_of_birth": "01/01/1990"},
            {"given_names": "Carlos", "first_surname": "Quispe", "date_of_birth": "05/06/2001"},
        )
        is False
    )


def test_estimated_birth_dates_reach_the_neighbouring_years(spec):
    keys = record_block_keys(
        pd.DataFrame([{"given_names": "Ana", "first_surname": "Ruiz", "date_of_birth": "~2010"}]),
        spec,
        merged_nicknames(spec.nicknames),
    )[0]
    assert {"0:ruis|ana|2009", "0:ruis|ana|2010", "0:ruis|ana|2011"} <= keys
