"""Running a form's relevance (skip logic) and calculations over an answer set.

`compile_form(definition)` prepares what both evaluators need: the evaluation order and,
per node (section or field), its expressions as ASTs. `run(compiled, data, …)` walks that
order over the answers, repeat instances included, and returns the scope tree with every
node's relevance and expression value. `static/forms/runtime.js` runs the same algorithm
in the browser over the same `client_meta(compiled)`.

Scoping: inside a repeat instance, ${name} of a field of the same repeat means that
instance's answer; from outside the repeat it means the list of every instance's answer
(for count(), sum(), min(), max()); ${repeat} itself is a list with one item per instance.
A field that is not relevant counts as "" in expressions (ODK's rule).
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from amparo.forms import expressions
from amparo.forms.choices import FieldType
from amparo.forms.definition import Field, FormDefinition, Section, evaluation_order


@dataclass(frozen=True)
class Node:
    name: str
    kind: str  # "section" | "field"
    section: Section | None
    field: Field | None
    container: str  # section name or repeat name
    container_is_repeat: bool
    repeat: str | None  # the innermost repeat the node sits in (None at top level)


@dataclass(frozen=True, eq=False)
class CompiledForm:
    definition: FormDefinition
    order: tuple[str, ...]
    nodes: dict[str, Node]


def compile_form(definition: FormDefinition) -> CompiledForm:
    nodes: dict[str, Node] = {}

    def visit(fields: tuple[Field, ...], container: str, repeat: str | None) -> None:
        for item in fields:
            nodes[item.name] = Node(
                name=item.name,
                kind="field",
                section=None,
                field=item,
                container=container,
                container_is_repeat=repeat is not None and container == repeat,
                repeat=repeat,
            )
            if item.is_repeat:
                visit(item.fields, item.name, item.name)

    for section in definition.sections:
        nodes[section.name] = Node(
            name=section.name,
            kind="section",
            section=section,
            field=None,
            container="",
            container_is_repeat=False,
            repeat=None,
        )
        visit(section.fields, section.name, None)
    return CompiledForm(definition=definition, order=tuple(evaluation_order(definition)), nodes=nodes)


def expression_value(item: Field, value: Any) -> expressions.Value:
    """An answer as expressions see it (XLSForm conventions)."""
    if value is None or value == "" or value == []:
        return ""
    if item.type == FieldType.YES_NO:
        return "yes" if value is True else "no" if value is False else str(value)
    if item.type == FieldType.SELECT_MULTIPLE:
        return " ".join(value) if isinstance(value, list) else str(value)
    if item.type in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.PERSON):
        if isinstance(value, bool):
            return ""
        return float(value) if isinstance(value, int | float) else str(value)
    if item.type == FieldType.LOCATION and isinstance(value, dict):
        if value.get("latitude") is not None and value.get("longitude") is not None:
            return f"{value['latitude']} {value['longitude']}"
        return str(value.get("admin_area") or "")
    if item.type in (FieldType.PHOTO, FieldType.FILE) and isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, int | float | str):
        return value
    return ""


@dataclass(eq=False)
class Scope:
    """The root answers or one repeat instance's answers, with what evaluation found."""

    raw: Mapping[str, Any]
    repeat: str | None = None
    parent: "Scope | None" = None
    path: str = ""
    is_relevant: bool = True
    values: dict[str, expressions.Value] = field(default_factory=dict)
    relevant: dict[str, bool] = field(default_factory=dict)
    children: dict[str, list["Scope"]] = field(default_factory=dict)

    def child_path(self, name: str) -> str:
        return f"{self.path}/{name}" if self.path else name


def _build_scopes(compiled: CompiledForm, data: Mapping[str, Any]) -> tuple[Scope, dict[str, list[Scope]]]:
    by_repeat: dict[str, list[Scope]] = {}

    def build(scope: Scope, fields: tuple[Field, ...]) -> None:
        for item in fields:
            if not item.is_repeat:
                continue
            instances = scope.raw.get(item.name)
            scope.children[item.name] = []
            if not isinstance(instances, list):
                continue
            for index, instance in enumerate(instances):
                child = Scope(
                    raw=instance if isinstance(instance, Mapping) else {},
                    repeat=item.name,
                    parent=scope,
                    path=f"{scope.child_path(item.name)}/{index}",
                )
                scope.children[item.name].append(child)
                by_repeat.setdefault(item.name, []).append(child)
                build(child, item.fields)

    root = Scope(raw=data)
    for section in compiled.definition.sections:
        build(root, section.fields)
    return root, by_repeat


Converter = Callable[[Field, Any], expressions.Value]


@dataclass(eq=False)
class Evaluation:
    """The outcome of `run`: the scope tree, and how to evaluate more expressions in it."""

    compiled: CompiledForm
    root: Scope
    by_repeat: dict[str, list[Scope]]
    today: str
    now: str

    def lookup(self, scope: Scope, name: str) -> expressions.Value:
        node = self.compiled.nodes.get(name)
        if node is None:
            return ""
        if node.repeat is None:
            return self.root.values.get(name, "")
        current: Scope | None = scope
        while current is not None:
            if current.repeat == node.repeat:
                return current.values.get(name, "")
            current = current.parent
        return [instance.values.get(name, "") for instance in self.by_repeat.get(node.repeat, [])]

    def environment(self, scope: Scope, current: expressions.Value = "") -> expressions.Environment:
        return expressions.Environment(
            lookup=lambda name: self.lookup(scope, name), current=current, today=self.today, now=self.now
        )

    def holds(self, ast: list[Any] | None, scope: Scope, current: expressions.Value = "") -> bool:
        if ast is None:
            return True
        return expressions.to_boolean(expressions.evaluate(ast, self.environment(scope, current)))


def run(
    compiled: CompiledForm,
    data: Mapping[str, Any],
    *,
    today: str = "",
    now: str = "",
    converter: Converter = expression_value,
) -> Evaluation:
    """Evaluate relevance and calculations in the compiled order over `data` (typed answers)."""
    today = today or timezone.localdate().isoformat()
    now = now or timezone.localtime().replace(microsecond=0, tzinfo=None).isoformat()
    root, by_repeat = _build_scopes(compiled, data)
    evaluation = Evaluation(compiled=compiled, root=root, by_repeat=by_repeat, today=today, now=now)
    nodes = compiled.nodes
    for name in compiled.order:
        node = nodes[name]
        if node.kind == "section":
            assert node.section is not None
            root.relevant[name] = evaluation.holds(node.section.relevant_ast, root)
            continue
        item = node.field
        assert item is not None
        scopes = [root] if node.repeat is None else by_repeat.get(node.repeat, [])
        for scope in scopes:
            container_ok = (
                scope.is_relevant if node.container_is_repeat else root.relevant.get(node.container, True)
            )
            relevant = container_ok and evaluation.holds(item.relevant_ast, scope)
            scope.relevant[name] = relevant
            if item.is_repeat:
                instances = scope.children.get(name, [])
                for instance in instances:
                    instance.is_relevant = relevant
                scope.values[name] = ["" for _instance in instances] if relevant else []
            elif not relevant:
                scope.values[name] = ""
            elif item.calculation_ast is not None:
                result = expressions.evaluate(item.calculation_ast, evaluation.environment(scope))
                scope.values[name] = _calculated(result)
            else:
                scope.values[name] = converter(item, scope.raw.get(name))
    return evaluation


def _calculated(result: expressions.Value) -> expressions.Value:
    if isinstance(result, float) and (math.isnan(result) or math.isinf(result)):
        return ""
    if isinstance(result, list):
        return expressions.to_string(result)
    return result


def client_meta(compiled: CompiledForm) -> dict[str, Any]:
    """What the browser runtime needs: evaluation order and each node's ASTs and place."""
    nodes: dict[str, dict[str, Any]] = {}
    for name, node in compiled.nodes.items():
        entry: dict[str, Any] = {
            "kind": node.kind,
            "container": node.container,
            "inRepeat": node.container_is_repeat,
            "repeat": node.repeat,
        }
        if node.section is not None:
            entry["relevant"] = node.section.relevant_ast
        if node.field is not None:
            entry["type"] = str(node.field.type)
            entry["relevant"] = node.field.relevant_ast
            entry["calculation"] = node.field.calculation_ast
        nodes[name] = entry
    return {"order": list(compiled.order), "nodes": nodes}
