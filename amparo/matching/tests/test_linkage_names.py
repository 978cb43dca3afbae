"""Spanish names: folding, particles, compound surnames, nicknames and the phonetic key."""

import datetime

import pytest

from amparo.matching.linkage.normalize import (
    default_nicknames,
    fold_name,
    given_name_alternatives,
    merged_nicknames,
    parse_birth_date,
)
from amparo.matching.linkage.phonetic import phonetic_key


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Núñez", "nunez"),
        ("MUÑOZ  ", "munoz"),
        ("de la Cruz", "cruz"),
        ("María del Carmen", "maria carmen"),
        ("García-Márquez", "garcia marquez"),
        ("de la O", "o"),
        ("  ", ""),
    ],
)
def test_folds_accents_particles_and_hyphens(raw, folded):
    assert fold_name(raw) == folded


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Vázquez", "Basques"),
        ("González", "Gonzales"),
        ("Hernández", "Ernandes"),
        ("Jiménez", "Giménez"),
        ("Ximena", "Jimena"),
        ("Yolanda", "Llolanda"),
        ("Quispe", "Kispe"),
        ("Cecilia", "Sesilia"),
        ("Villa", "Biya"),
        ("Zúñiga", "Suniga"),
        ("Ruy", "Rui"),
    ],
)
def test_spanish_sound_alikes_share_a_phonetic_key(left, right):
    assert phonetic_key(fold_name(left)) == phonetic_key(fold_name(right))


@pytest.mark.parametrize(("left", "right"), [("Chávez", "Cavez"), ("Pérez", "Peña"), ("Luis", "Luz")])
def test_different_sounds_keep_different_keys(left, right):
    assert phonetic_key(fold_name(left)) != phonetic_key(fold_name(right))


@pytest.mark.parametrize(
    ("nickname", "name"),
    [
        ("Pepe", "jose"),
        ("Lupe", "guadalupe"),
        ("Chela", "graciela"),
        ("Paco", "francisco"),
        ("Nacho", "ignacio"),
        ("Chucho", "jesus"),
        ("Memo", "guillermo"),
        ("Toño", "antonio"),
        ("Lola", "dolores"),
        ("Conchita", "concepcion"),
        ("Chema", "jose maria"),
    ],
)
def test_nicknames_resolve_to_the_names_they_stand_for(nickname, name):
    assert name in given_name_alternatives(fold_name(nickname), default_nicknames())


def test_a_nickname_may_stand_for_several_names():
    assert given_name_alternatives("beto", default_nicknames())[1:4] == ("roberto", "alberto", "humberto")


def test_compound_given_name_resolves_each_word():
    assert given_name_alternatives("pepe luis", default_nicknames()) == ("pepe luis", "jose luis")


def test_configured_nicknames_extend_the_shipped_ones():
    table = merged_nicknames({"Pili": ["Pilar"], "Nene": ["Manuel", "Ernesto"]})
    assert table["pili"] == ("pilar",)
    assert table["nene"] == ("manuel", "ernesto")
    assert table["pepe"] == ("jose",)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("17/05/2012", (datetime.date(2012, 5, 17), False)),
        ("2012-05-17", (datetime.date(2012, 5, 17), False)),
        ("20120517", (datetime.date(2012, 5, 17), False)),
        ("~2010", (datetime.date(2010, 7, 1), True)),
        ("2010", (datetime.date(2010, 7, 1), True)),
        ("aprox 01/07/2009", (datetime.date(2009, 7, 1), True)),
        ("31/02/2012", (None, False)),
        ("ayer", (None, False)),
        ("", (None, False)),
    ],
)
def test_reads_birth_dates_and_estimates(text, parsed):
    assert parse_birth_date(text) == parsed
