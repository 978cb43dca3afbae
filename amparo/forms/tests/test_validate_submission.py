"""Server-side validation of answers: types, required-when-relevant, constraints, calculations, repeats."""

import datetime

import pytest
from django.utils import translation

from amparo.forms.definition import load_definition
from amparo.forms.submission import References, sign_file, validate_submission
from amparo.forms.tests.factories import registration_definition

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def one_field(**field):
    field.setdefault("label", {"es": "Pregunta", "en": "Question"})
    field.setdefault("name", "answer")
    return load_definition(
        {
            "option_lists": [
                {
                    "name": "colours",
                    "options": [
                        {"value": "red", "label": "Rojo"},
                        {"value": "blue", "label": "Azul"},
                        {"value": "green", "label": "Verde"},
                    ],
                }
            ],
            "sections": [{"name": "s", "fields": [field]}],
        }
    )


def validate(definition, data, **options):
    return validate_submission(definition, data, today=TODAY, **options)


@pytest.mark.parametrize(
    ("field", "raw", "stored"),
    [
        ({"type": "text"}, "  Ana  ", "Ana"),
        ({"type": "long_text"}, "line 1\r\nline 2 ", "line 1\nline 2"),
        ({"type": "integer"}, "42", 42),
        ({"type": "integer"}, -3, -3),
        ({"type": "integer"}, 7.0, 7),
        ({"type": "decimal"}, "3,75", 3.75),
        ({"type": "decimal"}, 2, 2.0),
        ({"type": "date"}, "07/05/2012", "2012-05-07"),
        ({"type": "date"}, "2012-05-07", "2012-05-07"),
        ({"type": "datetime"}, "07/05/2012 9:05", "2012-05-07T09:05"),
        ({"type": "datetime"}, "2012-05-07T09:05:33Z", "2012-05-07T09:05"),
        ({"type": "yes_no"}, "yes", True),
        ({"type": "yes_no"}, False, False),
        ({"type": "select_one", "options": "colours"}, "blue", "blue"),
        ({"type": "select_multiple", "options": "colours"}, ["green", "red", "green"], ["red", "green"]),
        ({"type": "select_multiple", "options": "colours"}, "blue red", ["red", "blue"]),
        (
            {"type": "location", "location_mode": "gps"},
            {"latitude": "-34.6037", "longitude": "-58.3816"},
            {"latitude": -34.6037, "longitude": -58.3816},
        ),
        (
            {"type": "location", "location_mode": "area"},
            {"admin_area": "12", "latitude": "1"},
            {"admin_area": 12},
        ),
    ],
)
def test_stores_each_type_in_its_own_shape(field, raw, stored):
    clean, errors = validate(one_field(**field), {"answer": raw})

    assert (clean, errors) == ({"answer": stored}, {})


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ({"type": "integer"}, "4.5", "Enter a whole number."),
        ({"type": "integer"}, True, "Enter a whole number."),
        ({"type": "decimal"}, "abc", "Enter a number."),
        ({"type": "date"}, "31/02/2020", "Enter a date as dd/mm/yyyy."),
        ({"type": "date"}, "2020/01/01", "Enter a date as dd/mm/yyyy."),
        ({"type": "datetime"}, "07/05/2012", "Enter a date and time as dd/mm/yyyy hh:mm."),
        ({"type": "yes_no"}, "maybe", "Answer yes or no."),
        ({"type": "select_one", "options": "colours"}, "purple", "Choose one of the options."),
        ({"type": "select_multiple", "options": "colours"}, ["red", "pink"], "Choose from the options."),
        ({"type": "text"}, {"nested": 1}, "Enter text."),
        ({"type": "text"}, "x" * 2001, "Write at most 2000 characters."),
        (
            {"type": "location", "location_mode": "gps"},
            {"latitude": "91", "longitude": "0"},
            "Latitude goes from -90 to 90 and longitude from -180 to 180.",
        ),
        (
            {"type": "location", "location_mode": "gps"},
            {"latitude": "10", "longitude": ""},
            "Enter both latitude and longitude in decimal degrees.",
        ),
        (
            {"type": "photo"},
            {"key": "forms/uploads/x.jpg", "name": "x.jpg", "signature": "forged"},
            "The file could not be read; upload it again.",
        ),
        ({"type": "person"}, "Ana", "Choose a person."),
    ],
)
def test_refuses_answers_of_the_wrong_type(field, raw, message):
    clean, errors = validate(one_field(**field), {"answer": raw})

    assert (clean, errors) == ({}, {"answer": [message]})


def test_required_only_when_the_field_is_relevant():
    definition = load_definition(registration_definition())

    _clean, shown = validate(
        definition, {"nombre": "Ana", "fecha_nacimiento": "01/01/2015", "escolarizado": "yes"}
    )
    _clean, hidden = validate(
        definition, {"nombre": "Ana", "fecha_nacimiento": "01/01/2015", "escolarizado": "no"}
    )

    assert shown == {"grado": ["This field is required."]}
    assert hidden == {}


def test_drops_answers_to_fields_that_are_not_relevant():
    definition = load_definition(registration_definition())

    clean, errors = validate(
        definition,
        {
            "nombre": "Ana",
            "fecha_nacimiento": "01/01/2000",
            "escolarizado": "no",
            "grado": "5",
            "riesgos": ["violencia"],
            "detalle_violencia": "detalle",
            "hermanos": [{"hermano_nombre": "Luis"}],
        },
    )

    assert errors == {}
    assert clean == {"nombre": "Ana", "fecha_nacimiento": "2000-01-01", "edad": 26, "escolarizado": False}


def test_computes_calculations_on_the_server_and_ignores_client_values():
    definition = load_definition(registration_definition())

    clean, errors = validate(
        definition,
        {
            "nombre": "Ana",
            "fecha_nacimiento": "15/03/2016",
            "edad": 99,
            "total_hermanos": 42,
            "hermanos": [
                {"hermano_nombre": "Luis", "hermano_edad": "8", "hermano_escuela": "yes"},
                {"hermano_nombre": "Eva", "hermano_edad": "3", "hermano_escuela": "yes"},
            ],
        },
    )

    assert errors == {}
    assert (clean["edad"], clean["total_hermanos"]) == (10, 2)
    assert clean["hermanos"] == [
        {"hermano_nombre": "Luis", "hermano_edad": 8, "hermano_escuela": True},
        {"hermano_nombre": "Eva", "hermano_edad": 3},
    ]


def test_keys_errors_inside_repeats_by_instance_path():
    definition = load_definition(registration_definition())

    _clean, errors = validate(
        definition,
        {
            "nombre": "Ana",
            "fecha_nacimiento": "15/03/2016",
            "hermanos": [{"hermano_nombre": "Luis", "hermano_edad": "-1"}, {"hermano_edad": "x"}],
        },
    )

    assert errors == {
        "hermanos/0/hermano_edad": ["Enter 0 or more."],
        "hermanos/1/hermano_nombre": ["This field is required."],
        "hermanos/1/hermano_edad": ["Enter a whole number."],
    }


def test_checks_range_pattern_and_constraint_with_the_forms_own_message():
    ranged = one_field(type="integer", minimum=1, maximum=12)
    patterned = one_field(type="text", pattern=r"^[A-Z]{3}\d{3}$")
    constrained = one_field(
        type="date",
        constraint=". <= today()",
        constraint_message={"es": "No puede ser futura", "en": "Cannot be in the future"},
    )

    assert validate(ranged, {"answer": "0"})[1] == {"answer": ["Enter 1 or more."]}
    assert validate(ranged, {"answer": "13"})[1] == {"answer": ["Enter 12 or less."]}
    assert validate(ranged, {"answer": "12"})[1] == {}
    assert validate(patterned, {"answer": "abc123"})[1] == {
        "answer": ["The answer does not have the expected format."]
    }
    assert validate(patterned, {"answer": "ABC123"})[1] == {}
    assert validate(constrained, {"answer": "23/11/2026"})[1] == {"answer": ["Cannot be in the future"]}
    assert validate(constrained, {"answer": "22/11/2026"})[1] == {}
    with translation.override("es"):
        assert validate(constrained, {"answer": "01/01/2030"})[1] == {"answer": ["No puede ser futura"]}


def test_constraint_sees_other_answers_and_siblings_in_the_same_instance():
    definition = load_definition(
        {
            "sections": [
                {
                    "name": "s",
                    "fields": [
                        {"name": "mother_age", "type": "integer", "label": "M"},
                        {
                            "name": "children",
                            "type": "repeat",
                            "label": "C",
                            "fields": [
                                {
                                    "name": "child_age",
                                    "type": "integer",
                                    "label": "A",
                                    "constraint": ". < ${mother_age}",
                                    "constraint_message": {"en": "Younger than the mother"},
                                },
                            ],
                        },
                    ],
                }
            ]
        }
    )

    _clean, errors = validate(
        definition, {"mother_age": "30", "children": [{"child_age": "5"}, {"child_age": "31"}]}
    )

    assert errors == {"children/1/child_age": ["Younger than the mother"]}


def test_person_answers_are_checked_through_the_references_given():
    definition = one_field(type="person")
    visible = References(persons=lambda ids: {7: "Ana Pérez"} if 7 in ids else {})

    assert validate(definition, {"answer": "7"}, references=visible) == ({"answer": 7}, {})
    assert validate(definition, {"answer": "8"}, references=visible)[1] == {
        "answer": ["That person does not exist or you may not see them."]
    }
    assert validate(definition, {"answer": "7"})[1] == {
        "answer": ["That person does not exist or you may not see them."]
    }


def test_admin_areas_are_checked_when_a_lookup_is_given():
    definition = one_field(type="location", location_mode="both")
    areas = References(admin_areas=lambda ids: {3: "Lima"} if 3 in ids else {})

    assert validate(definition, {"answer": {"admin_area": "3"}}, references=areas) == (
        {"answer": {"admin_area": 3}},
        {},
    )
    assert validate(definition, {"answer": {"admin_area": "4"}}, references=areas)[1] == {
        "answer": ["Choose an administrative area."]
    }


def test_accepts_file_references_signed_by_the_server_only():
    definition = one_field(type="file")
    reference = sign_file(
        {
            "key": "forms/uploads/2026/11/a.pdf",
            "name": "informe.pdf",
            "size": 10,
            "content_type": "application/pdf",
        }
    )
    forged = {**reference, "key": "forms/uploads/2026/11/someone-else.pdf"}

    assert validate(definition, {"answer": reference}) == ({"answer": reference}, {})
    assert validate(definition, {"answer": forged})[1] == {
        "answer": ["The file could not be read; upload it again."]
    }


def test_carries_answers_to_retired_fields_from_the_previous_data():
    definition = one_field(type="text")

    clean, errors = validate(
        definition,
        {"answer": "new", "old_field": "sent by client"},
        previous={"answer": "old", "old_field": "kept", "older": [1, 2]},
    )

    assert (clean, errors) == ({"answer": "new", "old_field": "kept", "older": [1, 2]}, {})


def test_unknown_keys_in_the_submission_are_dropped():
    clean, errors = validate(one_field(type="text"), {"answer": "x", "injected": "<script>"})

    assert (clean, errors) == ({"answer": "x"}, {})
