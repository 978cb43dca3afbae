"""The browser's evaluator (expressions.js + runtime.js, run under node) and the server's agree."""

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from amparo.forms import expressions
from amparo.forms.definition import load_definition
from amparo.forms.evaluation import client_meta, compile_form, run
from amparo.forms.tests.expression_cases import CASES, CURRENT, NOW, TODAY, VALUES
from amparo.forms.tests.factories import registration_definition

NODE = shutil.which("node") or "/usr/bin/node"
HELPER = Path(__file__).with_name("node_evaluate.js")
needs_node = pytest.mark.skipif(not Path(NODE).exists(), reason="node is not installed")


def describe(value: Any) -> tuple[str, str]:
    if isinstance(value, list):
        return "list", json.dumps([expressions.to_string(item) for item in value], separators=(",", ":"))
    if isinstance(value, bool):
        return "bool", expressions.to_string(value)
    if isinstance(value, int | float):
        return "num", expressions.to_string(value)
    return "str", str(value)


def python_case(text: str) -> tuple[str, str]:
    environment = expressions.Environment(
        lookup=lambda name: VALUES.get(name, ""), current=CURRENT, today=TODAY, now=NOW
    )
    return describe(expressions.evaluate(expressions.parse(text), environment))


def node(payload: dict[str, Any]) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - fixed program and arguments
        [NODE, str(HELPER)], input=json.dumps(payload), capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(completed.stdout)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_python_evaluator_gives_the_expected_value(text, expected):
    assert python_case(text) == expected


@needs_node
def test_javascript_evaluator_agrees_on_every_case():
    jobs = [
        {"ast": expressions.parse(text), "values": VALUES, "current": CURRENT, "today": TODAY, "now": NOW}
        for text, _expected in CASES
    ]

    results = node({"cases": jobs})["cases"]

    disagreements = [
        (text, expected, tuple(result))
        for (text, expected), result in zip(CASES, results, strict=True)
        if tuple(result) != expected
    ]
    assert disagreements == []


def _python_form_run(definition: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    compiled = compile_form(load_definition(definition))
    evaluation = run(
        compiled, data, today=TODAY, converter=lambda _item, value: "" if value is None else value
    )
    out: dict[str, Any] = {}

    def walk(scope: Any) -> None:
        for name, relevant in scope.relevant.items():
            key = f"{scope.path}/{name}" if scope.path else name
            out[key] = [relevant, list(describe(scope.values.get(name, "")))]
        for instances in scope.children.values():
            for instance in instances:
                walk(instance)

    walk(evaluation.root)
    return out


FORM_ANSWERS: list[dict[str, Any]] = [
    {
        "fecha_nacimiento": "2016-03-15",
        "escolarizado": "yes",
        "grado": 4.0,
        "riesgos": "calle violencia",
        "hermanos": [
            {"hermano_nombre": "Luis", "hermano_edad": 8.0},
            {"hermano_nombre": "Eva", "hermano_edad": 3.0},
        ],
    },
    {
        "fecha_nacimiento": "2000-01-01",
        "escolarizado": "no",
        "riesgos": "violencia",
        "hermanos": [{"hermano_edad": 10.0}],
    },
    {"escolarizado": "", "hermanos": []},
]


@needs_node
@pytest.mark.parametrize("answers", FORM_ANSWERS, ids=["child-with-siblings", "adult", "empty"])
def test_browser_runtime_agrees_on_relevance_and_calculations(answers):
    definition = registration_definition()
    meta = client_meta(compile_form(load_definition(definition)))

    browser = node({"forms": [{"meta": meta, "data": answers, "today": TODAY}]})["forms"][0]

    assert browser == _python_form_run(definition, answers)


def test_form_run_hides_protection_for_adults_and_counts_siblings():
    child, adult = (_python_form_run(registration_definition(), answers) for answers in FORM_ANSWERS[:2])

    assert (child["proteccion"][0], child["detalle_violencia"][0], child["total_hermanos"][1]) == (
        True,
        True,
        ["num", "2"],
    )
    assert (child["hermanos/0/hermano_escuela"][0], child["hermanos/1/hermano_escuela"][0]) == (True, False)
    assert (adult["proteccion"][0], adult["riesgos"][0], adult["hermanos/0/hermano_escuela"][0]) == (
        False,
        False,
        False,
    )
    assert adult["edad"][1] == ["num", "26"]
    assert not math.isnan(float(child["edad"][1][1]))


NESTED = {
    "sections": [
        {
            "name": "s",
            "fields": [
                {"name": "threshold", "type": "integer", "label": "T"},
                {
                    "name": "households",
                    "type": "repeat",
                    "label": "H",
                    "fields": [
                        {"name": "head_age", "type": "integer", "label": "A"},
                        {
                            "name": "members",
                            "type": "repeat",
                            "label": "M",
                            "relevant": "${head_age} >= 18",
                            "fields": [
                                {"name": "age", "type": "integer", "label": "A"},
                                {
                                    "name": "minor",
                                    "type": "calculated",
                                    "calculation": "${age} < ${threshold}",
                                },
                                {
                                    "name": "older_than_head",
                                    "type": "yes_no",
                                    "label": "O",
                                    "relevant": "${age} > ${head_age}",
                                },
                            ],
                        },
                        {"name": "size", "type": "calculated", "calculation": "count(${members})"},
                    ],
                },
                {"name": "everyone", "type": "calculated", "calculation": "sum(${size})"},
                {"name": "oldest", "type": "calculated", "calculation": "max(${age})"},
            ],
        }
    ]
}


@needs_node
def test_browser_runtime_agrees_on_nested_repeats():
    answers = {
        "threshold": 18.0,
        "households": [
            {"head_age": 40.0, "members": [{"age": 12.0}, {"age": 45.0}]},
            {"head_age": 16.0, "members": [{"age": 3.0}]},
        ],
    }
    meta = client_meta(compile_form(load_definition(NESTED)))

    browser = node({"forms": [{"meta": meta, "data": answers, "today": TODAY}]})["forms"][0]
    server = _python_form_run(NESTED, answers)

    assert browser == server
    assert (server["households/0/members/1/older_than_head"][0], server["households/1/members"][0]) == (
        True,
        False,
    )
    assert (server["everyone"][1], server["oldest"][1]) == (["num", "2"], ["num", "45"])
