"""Validation of form definitions: every problem reported with its path; canonical JSON round trip."""

import copy

import pytest
from django.utils import translation

from amparo.forms.definition import DefinitionError, dump_definition, evaluation_order, load_definition
from amparo.forms.tests.factories import registration_definition


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the msgids), whatever the catalogues say."""
    with translation.override("en"):
        yield


def problems_of(definition):
    with pytest.raises(DefinitionError) as caught:
        load_definition(definition)
    return [(problem.path, problem.message) for problem in caught.value.problems]


def section(*fields, **extra):
    return {"sections": [{"name": "s", "fields": list(fields), **extra}]}


def test_registration_definition_loads_and_dumps_to_the_same_json():
    definition = load_definition(registration_definition())

    assert load_definition(dump_definition(definition)) is not None
    assert dump_definition(load_definition(dump_definition(definition))) == dump_definition(definition)
    assert [item.name for item in definition.all_fields()][:3] == ["nombre", "fecha_nacimiento", "edad"]


def test_reports_every_problem_at_once():
    definition = section(
        {"name": "a", "type": "integer", "label": "A", "relevant": "${zz} > 1"},
        {"name": "a", "type": "text", "label": "A2"},
        {"name": "2bad", "type": "text", "label": "X"},
        {"name": "kind", "type": "select_one", "label": "K", "options": "missing"},
        {"name": "t", "type": "hologram", "label": "T"},
        {"name": "n", "type": "integer", "label": "N", "minimum": 5, "maximum": 1},
        {"name": "c", "type": "calculated"},
        {"name": "nolabel", "type": "text"},
        {"name": "p", "type": "text", "label": "P", "pattern": "("},
        {"name": "r", "type": "text", "label": "R", "relevant": ". > 1"},
    )

    assert problems_of(definition) == [
        ("sections/0/fields/1/name", "the name 'a' is already used at sections/0/fields/0/name"),
        (
            "sections/0/fields/2/name",
            "a name starts with a letter or _ and holds only letters, digits, _ . - (at most 64)",
        ),
        ("sections/0/fields/3/options", "choose an option list (unknown list 'missing')"),
        ("sections/0/fields/4/type", "unknown field type 'hologram'"),
        ("sections/0/fields/5/maximum", "the maximum is below the minimum"),
        ("sections/0/fields/6/calculation", "a calculated value needs a calculation"),
        ("sections/0/fields/7/label", "a label is required"),
        (
            "sections/0/fields/8/pattern",
            "not a valid pattern: missing ), unterminated subpattern at position 0",
        ),
        ("sections/0/fields/9/relevant", "'.' (the current answer) may only be used in a constraint"),
        ("sections/0/fields/0/relevant", "refers to an unknown field ${zz}"),
    ]


def test_rejects_expressions_that_refer_to_each_other_in_a_circle():
    definition = section(
        {"name": "a", "type": "calculated", "calculation": "${b} + 1"},
        {"name": "b", "type": "calculated", "calculation": "${a} + 1"},
    )

    assert problems_of(definition) == [("sections", "these fields refer to each other in a circle: a, b")]


def test_rejects_a_field_referring_to_itself_outside_a_constraint():
    definition = section({"name": "a", "type": "integer", "label": "A", "relevant": "${a} > 1"})

    assert problems_of(definition) == [
        ("sections/0/fields/0/relevant", "a field cannot refer to itself (use '.' in a constraint)")
    ]


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        (
            {"name": "d", "type": "date", "label": "D", "default": "31/12/2020"},
            ("sections/0/fields/0/default", "'31/12/2020' is not a valid answer for this field"),
        ),
        (
            {"name": "y", "type": "yes_no", "label": "Y", "default": "si"},
            ("sections/0/fields/0/default", "'si' is not a valid answer for this field"),
        ),
        (
            {"name": "f", "type": "photo", "label": "F", "default": "x"},
            ("sections/0/fields/0/default", "this type of field takes no default"),
        ),
        (
            {"name": "l", "type": "location", "label": "L"},
            ("sections/0/fields/0/location_mode", "must be one of ['area', 'gps', 'both']"),
        ),
        (
            {"name": "r", "type": "repeat", "label": "R", "fields": []},
            ("sections/0/fields/0/fields", "a repeat group needs at least one field"),
        ),
        (
            {"name": "n", "type": "note", "label": "N", "required": True},
            ("sections/0/fields/0/required", "this type of field cannot be required"),
        ),
        (
            {"name": "t", "type": "text", "label": "T", "minimum": 1},
            ("sections/0/fields/0/minimum", "only numbers have a range"),
        ),
        (
            {"name": "t", "type": "text", "label": "T", "sensitivity": 7},
            ("sections/0/fields/0/sensitivity", "must be one of [0, 1, 2]"),
        ),
    ],
)
def test_rejects_properties_that_do_not_fit_the_type(field, problem):
    assert problems_of(section(field)) == [problem]


def test_option_lists_need_unique_values_without_spaces_and_labels():
    definition = {
        "option_lists": [
            {
                "name": "l",
                "options": [
                    {"value": "a", "label": "A"},
                    {"value": "a", "label": "A2"},
                    {"value": "b c", "label": "B"},
                    {"value": "d"},
                ],
            }
        ],
        **section({"name": "s1", "type": "select_one", "label": "S", "options": "l"}),
    }

    assert problems_of(definition) == [
        ("option_lists/0/options/1/value", "the value 'a' is repeated in the list"),
        ("option_lists/0/options/2/value", "an option needs a value without spaces"),
        ("option_lists/0/options/3/label", "an option needs a label"),
    ]


def test_evaluation_order_puts_dependencies_first_and_keeps_document_order_otherwise():
    definition = load_definition(
        section(
            {"name": "total", "type": "calculated", "calculation": "sum(${age})"},
            {"name": "show", "type": "yes_no", "label": "S", "relevant": "${total} > 1"},
            {
                "name": "kids",
                "type": "repeat",
                "label": "K",
                "fields": [{"name": "age", "type": "integer", "label": "A"}],
            },
            {"name": "later", "type": "text", "label": "L"},
        )
    )

    assert evaluation_order(definition) == ["s", "kids", "age", "total", "show", "later"]


def test_dump_keeps_zero_ranges_and_sensitivity():
    definition = registration_definition()
    changed = copy.deepcopy(definition)
    changed["sections"][0]["fields"][5]["minimum"] = 0

    dumped = dump_definition(load_definition(changed))

    grade = dumped["sections"][0]["fields"][5]
    assert (grade["minimum"], grade["maximum"], "sensitivity" in grade) == (0.0, 12.0, False)
    assert dumped["sections"][1]["fields"][1]["sensitivity"] == 2
