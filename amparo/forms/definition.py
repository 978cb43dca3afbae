"""The typed form definition stored as JSON in FormVersion.definition and Form.draft.

JSON shape (schema 1)::

    {"schema": 1, "default_language": "es", "title": {"es": "…", "en": "…"},
     "option_lists": [{"name": "sex", "options": [{"value": "f", "label": {"es": "Mujer"}}]}],
     "sections": [{"name": "general", "label": {"es": "Datos generales"}, "relevant": "",
                   "fields": [{"name": "age", "type": "integer", "label": {…}, "hint": {…},
                               "required": true, "relevant": "${consent} = 'yes'",
                               "constraint": ". < 18", "constraint_message": {…},
                               "minimum": 0, "maximum": 17, "pattern": "", "default": "",
                               "calculation": "", "options": "", "location_mode": "",
                               "sensitivity": 0, "fields": [] }]}]}

Option lists live inside the definition (not in their own table): a published version is
then one immutable document, and an XLSForm's choices sheet maps onto it one to one.

`load_definition(data)` validates everything (names, types, option lists, expressions,
references, cycles) and returns a `FormDefinition`, or raises `DefinitionError` with every
problem found. Field names are unique across the whole form (as ${name} references need).
"""

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from amparo.accounts.choices import Sensitivity
from amparo.forms import expressions
from amparo.forms.choices import (
    FILE_TYPES,
    NUMBER_TYPES,
    SELECT_TYPES,
    TEXT_TYPES,
    FieldType,
    LocationMode,
)

SCHEMA_VERSION = 1
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
MAX_NAME_LENGTH = 64

Text = dict[str, str]


@dataclass(frozen=True)
class Problem:
    """One problem in a definition: where (`path`, e.g. "sections/0/fields/2/relevant") and what."""

    path: str
    message: str


class DefinitionError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{problem.path}: {problem.message}" for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class OptionList:
    name: str
    options: tuple[Option, ...]

    def label_of(self, value: str, language: str, default_language: str) -> str:
        for option in self.options:
            if option.value == value:
                return translate(option.label, language, default_language) or value
        return value


@dataclass(frozen=True, eq=False)
class Field:
    name: str
    type: FieldType
    label: Text = field(default_factory=dict)
    hint: Text = field(default_factory=dict)
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: Text = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str = ""
    default: str = ""
    calculation: str = ""
    options: str = ""
    location_mode: str = ""
    sensitivity: int = Sensitivity.BASIC
    fields: tuple["Field", ...] = ()
    # Parsed expressions (JSON ASTs), filled by load_definition.
    relevant_ast: list[Any] | None = None
    constraint_ast: list[Any] | None = None
    calculation_ast: list[Any] | None = None
    source_path: str = ""  # where load_definition found it ("sections/0/fields/2"), for problem reports

    @property
    def is_repeat(self) -> bool:
        return self.type == FieldType.REPEAT

    @property
    def holds_value(self) -> bool:
        return self.type not in (FieldType.NOTE, FieldType.REPEAT)


@dataclass(frozen=True, eq=False)
class Section:
    name: str
    label: Text = field(default_factory=dict)
    relevant: str = ""
    fields: tuple[Field, ...] = ()
    relevant_ast: list[Any] | None = None


@dataclass(frozen=True, eq=False)
class FormDefinition:
    title: Text
    default_language: str
    sections: tuple[Section, ...]
    option_lists: tuple[OptionList, ...]
    languages: tuple[str, ...] = ("es", "en")

    def option_list(self, name: str) -> OptionList:
        for option_list in self.option_lists:
            if option_list.name == name:
                return option_list
        raise KeyError(name)

    def all_fields(self) -> Iterator[Field]:
        """Every field in document order, repeat children included (after their repeat)."""
        for section in self.sections:
            yield from _walk(section.fields)

    def field(self, name: str) -> Field:
        for candidate in self.all_fields():
            if candidate.name == name:
                return candidate
        raise KeyError(name)


def _walk(fields: tuple[Field, ...]) -> Iterator[Field]:
    for item in fields:
        yield item
        if item.is_repeat:
            yield from _walk(item.fields)


def translate(text: Text, language: str, default_language: str = "es") -> str:
    """The text in `language`, else the form's default language, else any language it has."""
    if not text:
        return ""
    return (
        text.get(language)
        or text.get(language.split("-")[0])
        or text.get(default_language)
        or next(iter(text.values()), "")
    )


# --- Loading and validation ----------------------------------------------------------------------


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.names: dict[str, str] = {}
        self.has_unknown_references = False

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def unknown_reference(self, path: str, name: str) -> None:
        self.has_unknown_references = True
        self.problem(path, _("refers to an unknown field %(reference)s") % {"reference": "${" + name + "}"})

    def text(self, value: Any, path: str) -> Text:
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            return {"es": value}
        if not isinstance(value, dict):
            self.problem(path, _("must be an object of language code → text"))
            return {}
        result: Text = {}
        for language, text in value.items():
            if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
                self.problem(path, _("%(language)r is not a language code") % {"language": language})
            elif not isinstance(text, str):
                self.problem(f"{path}/{language}", _("must be text"))
            elif text.strip():
                result[language] = text.strip()
        return result

    def name(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not NAME_PATTERN.match(value) or len(value) > MAX_NAME_LENGTH:
            self.problem(
                path,
                _(
                    "a name starts with a letter or _ and holds only letters, digits, _ . - "
                    "(at most %(length)s)"
                )
                % {"length": MAX_NAME_LENGTH},
            )
            return str(value)
        if value in self.names:
            self.problem(
                path,
                _("the name %(name)r is already used at %(path)s")
                % {"name": value, "path": self.names[value]},
            )
        else:
            self.names[value] = path
        return value

    def expression(self, value: Any, path: str, *, allow_current: bool) -> tuple[str, list[Any] | None]:
        if value in (None, ""):
            return "", None
        if not isinstance(value, str):
            self.problem(path, _("must be an expression (text)"))
            return "", None
        text = value.strip()
        if not text:
            return "", None
        try:
            ast = expressions.parse(text)
        except expressions.ExpressionError as error:
            self.problem(
                path,
                _("%(message)s (at character %(position)s)")
                % {"message": error.message, "position": error.position + 1},
            )
            return text, None
        if not allow_current and expressions.uses_current(ast):
            self.problem(path, _("'.' (the current answer) may only be used in a constraint"))
        return text, ast

    def number(self, value: Any, path: str) -> float | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(path, _("must be a number"))
            return None
        try:
            return float(value)
        except ValueError:
            self.problem(path, _("must be a number"))
            return None


def _check_default(loader: _Loader, item: Field, path: str, option_lists: dict[str, OptionList]) -> None:
    """A default must be a valid answer of the field's type."""
    if not item.default:
        return
    value = item.default
    ok = True
    if item.type == FieldType.INTEGER:
        ok = re.fullmatch(r"-?\d+", value) is not None
    elif item.type == FieldType.DECIMAL:
        ok = re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", value) is not None
    elif item.type == FieldType.DATE:
        ok = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None or value == "today()"
    elif item.type == FieldType.YES_NO:
        ok = value in ("yes", "no")
    elif item.type in SELECT_TYPES and item.options in option_lists:
        allowed = {option.value for option in option_lists[item.options].options}
        ok = all(word in allowed for word in value.split(" ") if word)
    elif item.type in (FieldType.REPEAT, FieldType.CALCULATED, FieldType.NOTE, *FILE_TYPES):
        loader.problem(f"{path}/default", _("this type of field takes no default"))
        return
    if not ok:
        loader.problem(
            f"{path}/default", _("%(value)r is not a valid answer for this field") % {"value": value}
        )


def _load_field(
    loader: _Loader, data: Any, path: str, option_lists: dict[str, OptionList], *, depth: int
) -> Field | None:
    if not isinstance(data, dict):
        loader.problem(path, _("must be an object"))
        return None
    name = loader.name(data.get("name"), f"{path}/name")
    raw_type = data.get("type")
    if raw_type not in FieldType.values:
        loader.problem(f"{path}/type", _("unknown field type %(type)r") % {"type": raw_type})
        return None
    field_type = FieldType(raw_type)
    relevant, relevant_ast = loader.expression(data.get("relevant"), f"{path}/relevant", allow_current=False)
    constraint, constraint_ast = loader.expression(
        data.get("constraint"), f"{path}/constraint", allow_current=True
    )
    calculation, calculation_ast = loader.expression(
        data.get("calculation"), f"{path}/calculation", allow_current=False
    )
    label = loader.text(data.get("label"), f"{path}/label")
    options = data.get("options") or ""
    sensitivity = data.get("sensitivity", Sensitivity.BASIC)
    if sensitivity not in Sensitivity.values:
        loader.problem(f"{path}/sensitivity", _("must be one of %(values)s") % {"values": Sensitivity.values})
        sensitivity = Sensitivity.SENSITIVE
    pattern = data.get("pattern") or ""
    if pattern:
        try:
            re.compile(pattern)
        except re.error as error:
            loader.problem(f"{path}/pattern", _("not a valid pattern: %(error)s") % {"error": error})
    location_mode = data.get("location_mode") or ""
    children: tuple[Field, ...] = ()
    if field_type == FieldType.REPEAT:
        raw_children = data.get("fields") or []
        if not isinstance(raw_children, list) or not raw_children:
            loader.problem(f"{path}/fields", _("a repeat group needs at least one field"))
        elif depth >= 3:
            loader.problem(path, _("repeat groups nest at most three deep"))
        else:
            loaded = [
                _load_field(loader, child, f"{path}/fields/{index}", option_lists, depth=depth + 1)
                for index, child in enumerate(raw_children)
            ]
            children = tuple(child for child in loaded if child is not None)
    elif data.get("fields"):
        loader.problem(f"{path}/fields", _("only repeat groups hold fields"))
    if field_type in SELECT_TYPES and options not in option_lists:
        loader.problem(
            f"{path}/options", _("choose an option list (unknown list %(list)r)") % {"list": options}
        )
    if field_type not in SELECT_TYPES and options:
        loader.problem(f"{path}/options", _("only select fields use an option list"))
    if field_type == FieldType.CALCULATED and calculation_ast is None and not calculation:
        loader.problem(f"{path}/calculation", _("a calculated value needs a calculation"))
    if field_type != FieldType.CALCULATED and calculation:
        loader.problem(f"{path}/calculation", _("only calculated values have a calculation"))
    if field_type == FieldType.LOCATION and location_mode not in LocationMode.values:
        loader.problem(
            f"{path}/location_mode", _("must be one of %(values)s") % {"values": LocationMode.values}
        )
    if field_type != FieldType.LOCATION and location_mode:
        loader.problem(f"{path}/location_mode", _("only location fields have a mode"))
    minimum = loader.number(data.get("minimum"), f"{path}/minimum")
    maximum = loader.number(data.get("maximum"), f"{path}/maximum")
    if (minimum is not None or maximum is not None) and field_type not in NUMBER_TYPES:
        loader.problem(f"{path}/minimum", _("only numbers have a range"))
    if minimum is not None and maximum is not None and minimum > maximum:
        loader.problem(f"{path}/maximum", _("the maximum is below the minimum"))
    if pattern and field_type not in TEXT_TYPES:
        loader.problem(f"{path}/pattern", _("only text fields have a pattern"))
    if not label and field_type not in (FieldType.CALCULATED, FieldType.NOTE):
        loader.problem(f"{path}/label", _("a label is required"))
    required = data.get("required", False)
    if not isinstance(required, bool):
        loader.problem(f"{path}/required", _("must be true or false"))
        required = False
    if required and field_type in (FieldType.NOTE, FieldType.CALCULATED, FieldType.REPEAT):
        loader.problem(f"{path}/required", _("this type of field cannot be required"))
    default = data.get("default") or ""
    if not isinstance(default, str):
        default = str(default)
    item = Field(
        name=name,
        type=field_type,
        label=label,
        hint=loader.text(data.get("hint"), f"{path}/hint"),
        required=required,
        relevant=relevant,
        constraint=constraint,
        constraint_message=loader.text(data.get("constraint_message"), f"{path}/constraint_message"),
        minimum=minimum,
        maximum=maximum,
        pattern=pattern,
        default=default.strip(),
        calculation=calculation,
        options=options,
        location_mode=location_mode,
        sensitivity=int(sensitivity),
        fields=children,
        relevant_ast=relevant_ast,
        constraint_ast=constraint_ast,
        calculation_ast=calculation_ast,
        source_path=path,
    )
    _check_default(loader, item, path, option_lists)
    return item


def _load_option_lists(loader: _Loader, data: Any) -> dict[str, OptionList]:
    if data in (None, ""):
        return {}
    if not isinstance(data, list):
        loader.problem("option_lists", _("must be a list"))
        return {}
    lists: dict[str, OptionList] = {}
    for index, raw in enumerate(data):
        path = f"option_lists/{index}"
        if not isinstance(raw, dict):
            loader.problem(path, _("must be an object"))
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            loader.problem(f"{path}/name", _("an option list needs a name (letters, digits, _ . -)"))
            continue
        if name in lists:
            loader.problem(f"{path}/name", _("the option list %(list)r is defined twice") % {"list": name})
            continue
        options: list[Option] = []
        seen: set[str] = set()
        raw_options = raw.get("options") or []
        if not isinstance(raw_options, list) or not raw_options:
            loader.problem(f"{path}/options", _("an option list needs at least one option"))
            raw_options = []
        for option_index, raw_option in enumerate(raw_options):
            option_path = f"{path}/options/{option_index}"
            if not isinstance(raw_option, dict):
                loader.problem(option_path, _("must be an object"))
                continue
            value = raw_option.get("value")
            value = (
                str(value).strip()
                if isinstance(value, str | int | float) and not isinstance(value, bool)
                else ""
            )
            if not value or " " in value:
                loader.problem(f"{option_path}/value", _("an option needs a value without spaces"))
                continue
            if value in seen:
                loader.problem(
                    f"{option_path}/value",
                    _("the value %(value)r is repeated in the list") % {"value": value},
                )
                continue
            seen.add(value)
            label = loader.text(raw_option.get("label"), f"{option_path}/label")
            if not label:
                loader.problem(f"{option_path}/label", _("an option needs a label"))
            options.append(Option(value=value, label=label))
        lists[name] = OptionList(name=name, options=tuple(options))
    return lists


def load_definition(data: Any) -> FormDefinition:
    """Validate a JSON definition and return it typed, or raise DefinitionError with every problem."""
    loader = _Loader()
    if not isinstance(data, dict):
        raise DefinitionError([Problem("", "a form definition must be an object")])
    if data.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
        loader.problem("schema", _("unsupported schema version %(schema)r") % {"schema": data.get("schema")})
    default_language = data.get("default_language") or "es"
    if not isinstance(default_language, str) or not LANGUAGE_PATTERN.match(default_language):
        loader.problem("default_language", _("must be a language code such as es"))
        default_language = "es"
    title = loader.text(data.get("title"), "title")
    option_lists = _load_option_lists(loader, data.get("option_lists"))
    sections: list[Section] = []
    raw_sections = data.get("sections") or []
    if not isinstance(raw_sections, list):
        loader.problem("sections", _("must be a list"))
        raw_sections = []
    for index, raw in enumerate(raw_sections):
        path = f"sections/{index}"
        if not isinstance(raw, dict):
            loader.problem(path, _("must be an object"))
            continue
        name = loader.name(raw.get("name"), f"{path}/name")
        relevant, relevant_ast = loader.expression(
            raw.get("relevant"), f"{path}/relevant", allow_current=False
        )
        raw_fields = raw.get("fields") or []
        if not isinstance(raw_fields, list):
            loader.problem(f"{path}/fields", _("must be a list"))
            raw_fields = []
        loaded = [
            _load_field(loader, item, f"{path}/fields/{field_index}", option_lists, depth=0)
            for field_index, item in enumerate(raw_fields)
        ]
        sections.append(
            Section(
                name=name,
                label=loader.text(raw.get("label"), f"{path}/label"),
                relevant=relevant,
                relevant_ast=relevant_ast,
                fields=tuple(item for item in loaded if item is not None),
            )
        )
    definition = FormDefinition(
        title=title,
        default_language=default_language,
        sections=tuple(sections),
        option_lists=tuple(option_lists.values()),
        languages=_languages(data, default_language),
    )
    _check_references(loader, definition)
    if loader.problems:
        raise DefinitionError(loader.problems)
    return definition


def _languages(data: dict[str, Any], default_language: str) -> tuple[str, ...]:
    languages = data.get("languages")
    if (
        isinstance(languages, list)
        and all(isinstance(code, str) and LANGUAGE_PATTERN.match(code) for code in languages)
        and languages
    ):
        return tuple(languages)
    return tuple(dict.fromkeys([default_language, "es", "en"]))


def _check_references(loader: _Loader, definition: FormDefinition) -> None:
    # Names of fields that failed to load still count, so one broken field reports once.
    section_names = {section.name for section in definition.sections}
    field_names = {item.name for item in definition.all_fields()} | (set(loader.names) - section_names)
    names = field_names
    for section_index, section in enumerate(definition.sections):
        if section.relevant_ast is not None:
            for reference in expressions.references(section.relevant_ast) - field_names:
                loader.unknown_reference(f"sections/{section_index}/relevant", reference)
    for item, path in _field_paths(definition):
        for attribute in ("relevant", "constraint", "calculation"):
            ast = getattr(item, f"{attribute}_ast")
            if ast is None:
                continue
            for reference in sorted(expressions.references(ast)):
                if reference not in names or reference not in field_names:
                    loader.unknown_reference(f"{path}/{attribute}", reference)
                elif reference == item.name and attribute != "constraint":
                    loader.problem(
                        f"{path}/{attribute}", _("a field cannot refer to itself (use '.' in a constraint)")
                    )
    if not loader.has_unknown_references:
        try:
            evaluation_order(definition)
        except CycleError as error:
            loader.problem("sections", str(error))


def _field_paths(definition: FormDefinition) -> Iterator[tuple[Field, str]]:
    for item in definition.all_fields():
        yield item, item.source_path


def _is_blank(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str | dict) and not value)


class CycleError(ValueError):
    pass


def evaluation_order(definition: FormDefinition) -> list[str]:
    """Sections and fields in the order relevance and calculations must be evaluated.

    Document order, except that a node comes after everything its relevance or calculation
    refers to and after its section / repeat group. Both evaluators (Python and the browser)
    follow this one list. Raises CycleError when expressions refer to each other in a circle.
    """
    position: dict[str, int] = {}
    depends: dict[str, set[str]] = {}
    for section in definition.sections:
        position[section.name] = len(position)
        depends[section.name] = (
            expressions.references(section.relevant_ast) if section.relevant_ast else set()
        )

        def visit(fields: tuple[Field, ...], container: str) -> None:
            for item in fields:
                position[item.name] = len(position)
                needs = {container}
                for ast in (item.relevant_ast, item.calculation_ast):
                    if ast is not None:
                        needs |= expressions.references(ast)
                depends[item.name] = needs - {item.name}
                if item.is_repeat:
                    visit(item.fields, item.name)

        visit(section.fields, section.name)
    waiting = {name: set(needs) & position.keys() for name, needs in depends.items()}
    dependants: dict[str, list[str]] = {name: [] for name in position}
    for name, needs in waiting.items():
        for need in needs:
            dependants[need].append(name)
    ready = [(position[name], name) for name, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _position, name = heapq.heappop(ready)
        order.append(name)
        for dependant in dependants[name]:
            waiting[dependant].discard(name)
            if not waiting[dependant]:
                heapq.heappush(ready, (position[dependant], dependant))
    if len(order) < len(position):
        stuck = sorted((name for name in position if name not in order), key=position.__getitem__)
        raise CycleError(
            _("these fields refer to each other in a circle: %(names)s") % {"names": ", ".join(stuck)}
        )
    return order


def dump_definition(definition: FormDefinition) -> dict[str, Any]:
    """The canonical JSON of a definition (what is stored; round-trips through load_definition)."""

    def dump_field(item: Field) -> dict[str, Any]:
        data: dict[str, Any] = {"name": item.name, "type": str(item.type), "label": item.label}
        optional = {
            "hint": item.hint,
            "required": item.required,
            "relevant": item.relevant,
            "constraint": item.constraint,
            "constraint_message": item.constraint_message,
            "minimum": item.minimum,
            "maximum": item.maximum,
            "pattern": item.pattern,
            "default": item.default,
            "calculation": item.calculation,
            "options": item.options,
            "location_mode": item.location_mode,
            "sensitivity": item.sensitivity,
        }
        data.update({key: value for key, value in optional.items() if not _is_blank(value)})
        if item.sensitivity == Sensitivity.BASIC:
            del data["sensitivity"]
        if item.is_repeat:
            data["fields"] = [dump_field(child) for child in item.fields]
        return data

    return {
        "schema": SCHEMA_VERSION,
        "default_language": definition.default_language,
        "languages": list(definition.languages),
        "title": definition.title,
        "option_lists": [
            {
                "name": option_list.name,
                "options": [{"value": option.value, "label": option.label} for option in option_list.options],
            }
            for option_list in definition.option_lists
        ],
        "sections": [
            {
                key: value
                for key, value in {
                    "name": section.name,
                    "label": section.label,
                    "relevant": section.relevant,
                    "fields": [dump_field(item) for item in section.fields],
                }.items()
                if value not in ("", {}) or key == "fields"
            }
            for section in definition.sections
        ],
    }


def empty_definition(title: Text, default_language: str = "es") -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "default_language": default_language,
        "title": title,
        "option_lists": [],
        "sections": [],
    }
