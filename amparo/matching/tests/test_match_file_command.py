"""`manage.py match_file` on small files with known pairs."""

import csv

import pytest
from django.core.management import CommandError, call_command

DEDUPE = """id,given_names,first_surname,second_surname,sex,date_of_birth,document_number,municipality,notes
1,María José,García,López,female,17/05/2012,GALM120517,Oaxaca,ignored column
2,Ma. José,Garcia,Lopez,female,2012-05-17,,Oaxaca,
3,José,Pérez,Hernández,male,01/02/1990,PEHJ900201,,
4,Pepe,Peres,Hernandez,male,1990-02-01,PEHJ900201,,
5,Guadalupe,Núñez,Vázquez,female,~2005,,,
6,Lupe,Nunez,Basquez,female,03/03/2005,,,
7,Carlos,Ramírez,Soto,male,12/12/1985,,,
8,Carla,Ramírez,Soto,female,12/12/1988,,,
9,Ana,López,García,female,05/06/2001,,,
10,Ana,García,López,female,05/06/2001,,,
"""
FILE_A = """id,given_names,first_surname,second_surname,date_of_birth
A1,Juan Carlos,Pérez,Soto,01/02/1990
A2,Rosa,Quispe,Mamani,1975-07-09
A3,Luis,Zamora,,
"""
FILE_B = """id,first_surname,given_names,date_of_birth,sex
B1,Peres,Juan Carlos,1990-02-01,male
B2,Kispe,Rosa,09/07/1975,female
B3,Ortiz,Elena,03/03/1960,female
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_pairs(path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(0.5 <= float(row["probability"]) <= 1 for row in rows)
    return sorted((row["id_a"], row["id_b"]) for row in rows)


@pytest.mark.django_db
def test_dedupe_finds_the_known_pairs(tmp_path):
    out = tmp_path / "pairs.csv"

    call_command("match_file", "dedupe", str(write(tmp_path, "in.csv", DEDUPE)), "--out", str(out))

    assert out.read_text(encoding="utf-8").splitlines()[0] == "id_a,id_b,probability"
    assert read_pairs(out) == [("1", "2"), ("3", "4"), ("5", "6"), ("9", "10")]


@pytest.mark.django_db
def test_link_finds_the_same_persons_across_files(tmp_path):
    out = tmp_path / "pairs.csv"

    call_command(
        "match_file",
        "link",
        str(write(tmp_path, "a.csv", FILE_A)),
        str(write(tmp_path, "b.csv", FILE_B)),
        "--out",
        str(out),
    )

    assert read_pairs(out) == [("A1", "B1"), ("A2", "B2")]


@pytest.mark.django_db
def test_threshold_keeps_only_pairs_at_or_above_it(tmp_path):
    out = tmp_path / "pairs.csv"
    call_command(
        "match_file",
        "dedupe",
        str(write(tmp_path, "in.csv", DEDUPE)),
        "--out",
        str(out),
        "--threshold",
        "0.999999",
    )
    with open(out, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(row["probability"]) for row in rows] == [1.0] * len(rows)
    assert len(rows) < 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["dedupe", "a.csv", "b.csv"], "dedupe takes 1 input file(s), got 2"),
        (["link", "a.csv"], "link takes 2 input file(s), got 1"),
        (["dedupe", "missing.csv"], "no such file"),
        (["dedupe", "noid.csv"], "the header has no 'id' column"),
        (["dedupe", "baddate.csv"], "date_of_birth '31/02/2012' is not dd/mm/yyyy or yyyy-mm-dd"),
        (["dedupe", "a.csv", "--threshold", "2"], "--threshold must be between 0 and 1"),
    ],
)
def test_explains_bad_input(tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.csv", FILE_A)
    write(tmp_path, "b.csv", FILE_B)
    write(tmp_path, "noid.csv", "name,surname\nAna,López\n")
    write(tmp_path, "baddate.csv", "id,given_names,date_of_birth\n1,Ana,31/02/2012\n")

    with pytest.raises(CommandError) as raised:
        call_command("match_file", *arguments, "--out", str(tmp_path / "out.csv"))

    assert message in str(raised.value)
    assert (tmp_path / "out.csv").exists() is False
