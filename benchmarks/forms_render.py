"""Form engine benchmark: render and validate a 200-field form with 3 repeat groups.

    uv run python benchmarks/forms_render.py               # 200 rounds
    uv run python benchmarks/forms_render.py --rounds 50   # a quick run

In-process server time only (no database, no network): the cases helper's record save adds
its own query on top. Measures, over a filled record (3 instances in each repeat group):
- render: `render_form(definition, data=…)` → the HTML of the whole form;
- validate: `data_from_post(…)` + `validate_submission(…)` on the POST that HTML produces.
Goal (issue 4): render + save p95 ≤ 150 ms. Prints the figures and writes them into docs/forms.md.

`build_definition()` and `build_answers()` are reusable by other benchmarks (cases).
"""

import argparse
import datetime
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.http import QueryDict  # noqa: E402
from django.utils import timezone as django_timezone  # noqa: E402
from django.utils import translation  # noqa: E402

from amparo.forms.definition import FormDefinition, load_definition  # noqa: E402
from amparo.forms.rendering import data_from_post, render_form  # noqa: E402
from amparo.forms.submission import validate_submission  # noqa: E402

GOAL_MS = 150.0
RESULTS_START, RESULTS_END = "<!-- benchmark:forms:start -->", "<!-- benchmark:forms:end -->"
TYPES = [
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
    "yes_no",
    "long_text",
    "datetime",
    "text",
]


def _field(name: str, kind: str, index: int, previous: str | None) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": name,
        "type": kind,
        "label": {"es": f"Pregunta {name}", "en": f"Question {name}"},
        "hint": {"es": "Ayuda"},
    }
    if kind in ("select_one", "select_multiple"):
        field["options"] = "opciones"
    if kind == "integer":
        field.update(minimum=0, maximum=1000)
    if kind == "text" and index % 3 == 0:
        field["pattern"] = "^[A-Za-z ]+$"
    if index % 4 == 0 and previous:
        field["relevant"] = f"${{{previous}}} != ''"
    if index % 5 == 0:
        field["required"] = True
    if kind == "date":
        field["constraint"] = ". <= today()"
    return field


def build_definition(fields: int = 200, repeats: int = 3, per_repeat: int = 8) -> dict[str, Any]:
    """`fields` fields in 5 sections; `repeats` repeat groups of `per_repeat` fields; some calculations."""
    sections: list[dict[str, Any]] = [
        {"name": f"seccion_{number}", "label": {"es": f"Sección {number}"}, "fields": []}
        for number in range(5)
    ]
    count = 0
    previous: str | None = None
    index = 0
    while count < fields - repeats * (per_repeat + 1) - 4:
        kind = TYPES[index % len(TYPES)]
        name = f"campo_{index}"
        sections[index % 5]["fields"].append(_field(name, kind, index, previous))
        previous = name if kind in ("text", "integer") else previous
        index += 1
        count += 1
    for number in range(repeats):
        children = [
            _field(f"r{number}_campo_{child}", TYPES[child % len(TYPES)], child + 1, None)
            for child in range(per_repeat)
        ]
        children[1]["relevant"] = f"${{r{number}_campo_0}} != ''"
        sections[number + 1]["fields"].append(
            {
                "name": f"grupo_{number}",
                "type": "repeat",
                "label": {"es": f"Grupo {number}"},
                "fields": children,
            }
        )
    sections[4]["fields"] += [
        {"name": "suma", "type": "calculated", "calculation": "sum(${r0_campo_1}) + count(${grupo_1})"},
        {"name": "edad", "type": "calculated", "calculation": "age(${campo_3})"},
        {"name": "mayor", "type": "calculated", "calculation": "if(${edad} >= 18, 'sí', 'no')"},
        {"name": "nota_final", "type": "note", "label": {"es": "Total: ${suma}"}},
    ]
    return {
        "schema": 1,
        "title": {"es": "Formulario de 200 campos"},
        "sections": sections,
        "option_lists": [
            {
                "name": "opciones",
                "options": [{"value": f"o{value}", "label": {"es": f"Opción {value}"}} for value in range(8)],
            }
        ],
    }


def _answer(kind: str, index: int) -> Any:
    return {
        "text": "Texto de prueba",
        "long_text": "Línea uno\nLínea dos",
        "integer": index % 90 + 1,
        "decimal": 3.5,
        "date": "2012-05-07",
        "datetime": "2026-11-20T10:30",
        "select_one": "o2",
        "select_multiple": ["o1", "o3"],
        "yes_no": True,
    }.get(kind)


def build_answers(definition: FormDefinition, instances: int = 3) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for section in definition.sections:
        for index, item in enumerate(section.fields):
            if item.is_repeat:
                answers[item.name] = [
                    {child.name: _answer(child.type, position) for child in item.fields}
                    for position in range(instances)
                ]
            elif item.holds_value and item.type != "calculated":
                answers[item.name] = _answer(item.type, index)
    return answers


def post_from_html(html: str) -> QueryDict:
    """What a browser would send for the rendered form (text inputs, checked choices, selected options)."""
    post = QueryDict(mutable=True)
    for tag in re.findall(r"<input [^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or "__" in name.group(1):
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox") and " checked" not in tag:
            continue
        post.appendlist(name.group(1), value.group(1) if value else "")
    for name, body in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        if "__" not in name:
            post.appendlist(name, body)
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        if chosen and "__" not in name:
            post.appendlist(name, chosen.group(1))
    return post


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/forms.md")
    options = parser.parse_args()
    translation.activate("es")
    definition = load_definition(build_definition())
    field_count = sum(1 for _item in definition.all_fields())
    answers = build_answers(definition)
    html = render_form(definition, data=answers)
    post = post_from_html(html)
    clean, errors = validate_submission(
        definition, data_from_post(definition, post), today=django_timezone.localdate()
    )
    assert errors == {}, errors
    render_ms: list[float] = []
    validate_ms: list[float] = []
    for _round in range(options.rounds):
        started = time.perf_counter()
        render_form(definition, data=answers)
        render_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        validate_submission(definition, data_from_post(definition, post))
        validate_ms.append((time.perf_counter() - started) * 1000)
    total = [render + check for render, check in zip(render_ms, validate_ms, strict=True)]
    rows = [
        ("render_form", render_ms),
        ("data_from_post + validate_submission", validate_ms),
        ("render + validate", total),
    ]
    lines = [
        f"{field_count} fields (3 repeat groups × 3 instances, {len(clean)} answers stored), "
        f"{options.rounds} rounds, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPU(s), "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d}.",
        "",
        "| step | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for label, values in rows:
        lines.append(
            f"| {label} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} | "
            f"{max(values):.1f} |"
        )
    verdict = "meets" if percentile(total, 0.95) <= GOAL_MS else "MISSES"
    lines += [
        "",
        f"Goal: render + save p95 ≤ {GOAL_MS:.0f} ms — the form engine's share {verdict} it "
        f"({percentile(total, 0.95):.1f} ms).",
    ]
    report = "\n".join(lines)
    print(report)
    if not options.no_write:
        document = ROOT / "docs" / "forms.md"
        text = document.read_text() if document.exists() else ""
        block = f"{RESULTS_START}\n{report}\n{RESULTS_END}"
        if RESULTS_START in text:
            text = re.sub(
                re.escape(RESULTS_START) + r".*?" + re.escape(RESULTS_END), lambda _m: block, text, flags=re.S
            )
        else:
            text += f"\n## Performance\n\n{block}\n"
        document.write_text(text)
    return 0 if verdict == "meets" else 1


if __name__ == "__main__":
    sys.exit(main())
