"""The expression parser: precedence, AST shape, errors with positions, references."""

import pytest
from django.utils import translation

from amparo.forms.expressions import ExpressionError, parse, references, uses_current


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the msgids), whatever the catalogues say."""
    with translation.override("en"):
        yield


def test_parses_precedence_into_a_json_ast():
    assert parse("${a} + 2 * 3 > 4 or not(${b} = 'x')") == [
        "or",
        [">", ["+", ["ref", "a"], ["*", ["num", 2.0], ["num", 3.0]]], ["num", 4.0]],
        ["fn", "not", [["=", ["ref", "b"], ["str", "x"]]]],
    ]


def test_and_binds_tighter_than_or():
    assert parse("${a} or ${b} and ${c}") == ["or", ["ref", "a"], ["and", ["ref", "b"], ["ref", "c"]]]


def test_parses_current_value_negation_and_hyphenated_functions():
    assert parse("-. >= count-selected(${s})") == [
        ">=",
        ["neg", ["cur"]],
        ["fn", "count-selected", [["ref", "s"]]],
    ]


def test_references_lists_every_field_once():
    assert references(parse("if(${a} > 1, ${b}, concat(${a}, ${c}))")) == {"a", "b", "c"}


def test_uses_current_finds_dot_anywhere():
    assert (uses_current(parse("regex(., 'x')")), uses_current(parse("${a} > 1"))) == (True, False)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "The expression is empty", 0),
        ("${a} +", "Unexpected 'end of expression'", 6),
        ("(${a} > 1", "Expected ')', found 'end of expression'", 9),
        ("${a} > 1)", "Unexpected ')'", 8),
        ("eval(${a})", "Unknown function eval()", 0),
        ("selected(${a})", "selected() takes 2 argument(s)", 0),
        ("${a} = yes", "Unknown name 'yes' (field references are written ${name})", 7),
        ("${a} # 2", "Unexpected character '#'", 5),
        ("${a} = 'open", 'Unexpected character "\'"', 7),
    ],
)
def test_rejects_invalid_text_with_message_and_position(text, message, position):
    with pytest.raises(ExpressionError) as caught:
        parse(text)

    assert (caught.value.message, caught.value.position) == (message, position)
