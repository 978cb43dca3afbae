"""HTML for filling in and showing form answers (Django templates, one per purpose).

`render_form(definition, data=…, errors=…)` returns the fields of a form to put inside the
caller's own `<form method="post" enctype="multipart/form-data">` (the caller owns the
submit button and CSRF token). Inputs are named `{prefix}:{path}` (`f:age`,
`f:siblings/0/name`); `data_from_post` turns a POST back into nested answers for
`validate_submission`. The markup carries `data-*` attributes and a JSON block (no inline
script: CSP) that `static/forms/runtime.js` reads to show/hide relevant fields, recompute
calculations and add/remove repeat instances live.

`render_display(definition, data, clearance=…)` shows a record read-only with the labels of
the version it was filled with; answers above the viewer's clearance are left out.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amparo.accounts.choices import Sensitivity
from amparo.forms import expressions
from amparo.forms.choices import FieldType
from amparo.forms.definition import Field, FormDefinition, translate
from amparo.forms.evaluation import Scope, client_meta, run
from amparo.forms.submission import AnswerError, compiled_for, file_token, parse_answer

RADIO_LIMIT = 6
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


def format_date(value: Any) -> str:
    """ISO date → dd/mm/yyyy (anything else unchanged)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return "" if value is None else str(value)


def format_datetime(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", value):
        return f"{format_date(value[:10])} {value[11:16]}"
    return "" if value is None else str(value)


@dataclass
class BoundOption:
    value: str
    label: str
    selected: bool


@dataclass
class BoundInstance:
    path: str
    index: str
    fields: list["BoundField"]


@dataclass
class BoundField:
    field: Field
    type: str
    name: str
    path: str
    input_name: str
    input_id: str
    label: str
    hint: str
    required: bool
    hidden: bool
    value: Any = ""
    errors: list[str] = dataclass_field(default_factory=list)
    options: list[BoundOption] = dataclass_field(default_factory=list)
    as_radios: bool = False
    instances: list[BoundInstance] = dataclass_field(default_factory=list)
    template: BoundInstance | None = None
    label_html: SafeString = mark_safe("")  # noqa: S308 - empty literal
    extra: dict[str, Any] = dataclass_field(default_factory=dict)
    widget: str = ""  # the template that draws the input(s): forms/render/widgets/<type>.html
    grouped: bool = False  # several inputs under one <fieldset><legend> (radios, checkboxes, location)
    is_silent: bool = False  # a calculation without a label: computed, not shown


@dataclass
class BoundSection:
    name: str
    label: str
    hidden: bool
    fields: list[BoundField]


def _input_id(prefix: str, path: str) -> str:
    return "id_" + re.sub(r"[^A-Za-z0-9_\-]", "-", f"{prefix}-{path}")


def _label_html(text: str, scope_path: str) -> SafeString:
    """A label with ${name} references turned into live outputs (notes show answers)."""
    parts: list[str] = []
    position = 0
    for match in _REFERENCE.finditer(text):
        parts.append(str(escape(text[position : match.start()])))
        parts.append(
            f'<output data-ref="{escape(match.group(1))}" data-scope="{escape(scope_path)}"></output>'
        )
        position = match.end()
    parts.append(str(escape(text[position:])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


class _Binder:
    def __init__(
        self,
        definition: FormDefinition,
        *,
        prefix: str,
        language: str,
        errors: Mapping[str, list[str]],
        is_new: bool,
        today: str,
        admin_areas: list[tuple[int, str]] | None,
        person_labels: Mapping[int, str],
    ):
        self.definition = definition
        self.prefix = prefix
        self.language = language
        self.errors = errors
        self.is_new = is_new
        self.today = today
        self.admin_areas = admin_areas
        self.person_labels = person_labels

    def text(self, value: dict[str, str]) -> str:
        return translate(value, self.language, self.definition.default_language)

    def bind_fields(
        self, fields: tuple[Field, ...], raw: Mapping[str, Any], scope: Scope | None, path_prefix: str
    ) -> list[BoundField]:
        bound = []
        for item in fields:
            path = f"{path_prefix}/{item.name}" if path_prefix else item.name
            hidden = scope is not None and not scope.relevant.get(item.name, True)
            bound.append(self.bind(item, raw.get(item.name), scope, path, hidden))
        return bound

    def bind(self, item: Field, value: Any, scope: Scope | None, path: str, hidden: bool) -> BoundField:
        input_name = f"{self.prefix}:{path}"
        bound = BoundField(
            field=item,
            type=str(item.type),
            name=item.name,
            path=path,
            input_name=input_name,
            input_id=_input_id(self.prefix, path),
            label=self.text(item.label),
            hint=self.text(item.hint),
            required=item.required,
            hidden=hidden,
            errors=list(self.errors.get(path, [])),
        )
        if item.type == FieldType.NOTE:
            bound.label_html = _label_html(bound.label, path.rsplit("/", 1)[0] if "/" in path else "")
        if self.is_new and value is None and item.default:
            value = self.today if item.default == "today()" else item.default
        if item.is_repeat:
            instances = value if isinstance(value, list) else []
            child_scopes = scope.children.get(item.name, []) if scope is not None else []
            for index, instance in enumerate(instances):
                instance_path = f"{path}/{index}"
                child_scope = child_scopes[index] if index < len(child_scopes) else None
                bound.instances.append(
                    BoundInstance(
                        path=instance_path,
                        index=str(index),
                        fields=self.bind_fields(
                            item.fields,
                            instance if isinstance(instance, Mapping) else {},
                            child_scope,
                            instance_path,
                        ),
                    )
                )
            placeholder = f"__{item.name}__"
            template_path = f"{path}/{placeholder}"
            was_new = self.is_new
            self.is_new = True
            bound.template = BoundInstance(
                path=template_path,
                index=placeholder,
                fields=self.bind_fields(item.fields, {}, None, template_path),
            )
            self.is_new = was_new
            return bound
        bound.value = self.display_value(item, value)
        if item.type in (FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE):
            chosen = set(value if isinstance(value, list) else str(value or "").split())
            bound.options = [
                BoundOption(
                    value=option.value, label=self.text(option.label), selected=option.value in chosen
                )
                for option in self.definition.option_list(item.options).options
            ]
            bound.as_radios = item.type == FieldType.SELECT_ONE and len(bound.options) <= RADIO_LIMIT
        elif item.type == FieldType.YES_NO:
            current = (
                "yes"
                if value in (True, "yes", "true", "1", "on")
                else "no"
                if value in (False, "no", "false", "0")
                else ""
            )
            bound.options = [
                BoundOption("yes", _("Yes"), current == "yes"),
                BoundOption("no", _("No"), current == "no"),
            ]
            bound.as_radios = True
        elif item.type == FieldType.LOCATION:
            location = value if isinstance(value, Mapping) else {}
            bound.extra = {
                "mode": item.location_mode,
                "admin_area": str(location.get("admin_area") or ""),
                "latitude": "" if location.get("latitude") is None else str(location.get("latitude")),
                "longitude": "" if location.get("longitude") is None else str(location.get("longitude")),
                "areas": self.admin_areas,
            }
        elif item.type in (FieldType.PHOTO, FieldType.FILE):
            if isinstance(value, Mapping) and value.get("key"):
                bound.extra = {"token": file_token(value), "file_name": value.get("name", "")}
            elif isinstance(value, str) and value:
                bound.extra = {"token": value, "file_name": ""}
        elif item.type == FieldType.PERSON and value not in (None, ""):
            try:
                bound.extra = {"person_label": self.person_labels.get(int(value), "")}
            except (TypeError, ValueError):
                bound.extra = {}
        elif item.type == FieldType.CALCULATED and scope is not None:
            bound.value = expressions.to_string(scope.values.get(item.name, ""))
        widget = (
            "radios"
            if bound.as_radios
            else "file"
            if item.type in (FieldType.PHOTO, FieldType.FILE)
            else str(item.type)
        )
        bound.widget = f"forms/render/widgets/{widget}.html"
        bound.grouped = bound.as_radios or item.type in (FieldType.SELECT_MULTIPLE, FieldType.LOCATION)
        bound.is_silent = item.type == FieldType.CALCULATED and not bound.label
        return bound

    @staticmethod
    def display_value(item: Field, value: Any) -> Any:
        if value is None:
            return ""
        if item.type == FieldType.DATE:
            return format_date(value)
        if item.type == FieldType.DATETIME:
            return format_datetime(value)
        if item.type == FieldType.DECIMAL and isinstance(value, float):
            return expressions.to_string(value)
        if isinstance(value, list | dict | bool):
            return value
        return str(value)


def _typed_for_relevance(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, Any]:
    """Best-effort typed answers (bad ones become empty) to decide initial relevance."""

    def convert(fields: tuple[Field, ...], raw: Mapping[str, Any]) -> dict[str, Any]:
        typed: dict[str, Any] = {}
        for item in fields:
            value = raw.get(item.name)
            if item.is_repeat:
                typed[item.name] = (
                    [convert(item.fields, instance) for instance in value if isinstance(instance, Mapping)]
                    if isinstance(value, list)
                    else []
                )
            elif item.holds_value and item.type != FieldType.CALCULATED:
                try:
                    typed[item.name] = parse_answer(item, definition, value)
                except (AnswerError, KeyError, TypeError):
                    typed[item.name] = None
        return typed

    result: dict[str, Any] = {}
    for section in definition.sections:
        result.update(convert(section.fields, data))
    return result


def render_form(
    definition: FormDefinition,
    *,
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    prefix: str = "f",
    language: str | None = None,
    today: datetime.date | None = None,
    admin_areas: list[tuple[int, str]] | None = None,
    person_labels: Mapping[int, str] | None = None,
    person_search_url: str = "",
) -> SafeString:
    """The form's fields as HTML (no <form> tag, no submit button). `data` None means a new record.

    `admin_areas` offers (id, name) choices for location fields; `person_labels` names the
    persons already referenced; `person_search_url` (optional) is given to person inputs as
    `data-search-url` for a picker.
    """
    language = language or get_language() or definition.default_language
    today_text = (today or timezone.localdate()).isoformat()
    is_new = data is None
    answers: Mapping[str, Any] = data or {}
    compiled = compiled_for(definition)
    evaluation = run(compiled, _typed_for_relevance(definition, answers), today=today_text)
    if is_new:
        defaults = {
            item.name: (today_text if item.default == "today()" else item.default)
            for item in definition.all_fields()
            if item.default
        }
        if defaults:
            evaluation = run(compiled, _typed_for_relevance(definition, defaults), today=today_text)
    binder = _Binder(
        definition,
        prefix=prefix,
        language=language,
        errors=errors or {},
        is_new=is_new,
        today=format_date(today_text),
        admin_areas=admin_areas,
        person_labels=person_labels or {},
    )
    sections = [
        BoundSection(
            name=section.name,
            label=binder.text(section.label),
            hidden=not evaluation.root.relevant.get(section.name, True),
            fields=binder.bind_fields(section.fields, answers, evaluation.root, ""),
        )
        for section in definition.sections
    ]
    meta = {**client_meta(compiled), "prefix": prefix, "today": today_text}
    other_errors = {
        path: messages for path, messages in (errors or {}).items() if not _path_known(definition, path)
    }
    return render_to_string(
        "forms/render/form.html",
        {
            "sections": sections,
            "meta": meta,
            "meta_id": f"amparo-form-meta-{prefix}",
            "prefix": prefix,
            "other_errors": other_errors,
            "person_search_url": person_search_url,
        },
    )


def _path_known(definition: FormDefinition, path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(item.name == name for item in definition.all_fields())


def data_from_post(definition: FormDefinition, post: QueryDict, *, prefix: str = "f") -> dict[str, Any]:
    """Nested raw answers from a POST made with `render_form`'s inputs (repeat instances re-numbered)."""
    marker = f"{prefix}:"

    def collect(fields: tuple[Field, ...], base: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in fields:
            path = f"{base}/{item.name}" if base else item.name
            key = marker + path
            if item.is_repeat:
                indexes = sorted(
                    {
                        int(match.group(1))
                        for name in post
                        if (match := re.match(re.escape(key) + r"/(\d+)/", name))
                    }
                    | {int(value) for value in post.getlist(key + "/instances") if value.isdigit()}
                )
                data[item.name] = [collect(item.fields, f"{path}/{index}") for index in indexes]
            elif item.type == FieldType.SELECT_MULTIPLE:
                data[item.name] = [value for value in post.getlist(key) if value]
            elif item.type == FieldType.LOCATION:
                data[item.name] = {
                    part: post.get(f"{key}/{part}", "") for part in ("admin_area", "latitude", "longitude")
                }
            elif item.type in (FieldType.PHOTO, FieldType.FILE):
                data[item.name] = "" if post.get(f"{key}/clear") else post.get(f"{key}/keep", "")
            elif item.holds_value and item.type != FieldType.CALCULATED:
                data[item.name] = post.get(key, "")
        return data

    result: dict[str, Any] = {}
    for section in definition.sections:
        result.update(collect(section.fields, ""))
    return result


def merge_answers(data: dict[str, Any], by_path: Mapping[str, Any]) -> dict[str, Any]:
    """Put values keyed by field path ("siblings/0/photo") into nested answers (e.g. stored files)."""
    for path, value in by_path.items():
        parts = path.split("/")
        target: Any = data
        try:
            for part in parts[:-1]:
                target = target[int(part)] if part.isdigit() else target[part]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(target, dict):
            target[parts[-1]] = value
    return data


# --- Read-only display -------------------------------------------------------------------------


@dataclass
class ShownAnswer:
    label: str
    text: str
    type: str
    instances: list[list["ShownAnswer"]] = dataclass_field(default_factory=list)
    retired: bool = False


@dataclass
class ShownSection:
    label: str
    answers: list[ShownAnswer]


def answer_text(
    item: Field,
    value: Any,
    definition: FormDefinition,
    language: str,
    person_labels: Mapping[int, str] | None = None,
    area_labels: Mapping[int, str] | None = None,
) -> str:
    """An answer as text for people (dates dd/mm/yyyy, option labels, yes/no)."""
    if value is None or value == "" or value == []:
        return ""
    kind = item.type
    if kind == FieldType.DATE:
        return format_date(value)
    if kind == FieldType.DATETIME:
        return format_datetime(value)
    if kind == FieldType.YES_NO:
        return _("Yes") if value is True else _("No") if value is False else str(value)
    if kind in (FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE):
        try:
            option_list = definition.option_list(item.options)
        except KeyError:
            return " ".join(value) if isinstance(value, list) else str(value)
        values = value if isinstance(value, list) else [value]
        return ", ".join(
            option_list.label_of(str(choice), language, definition.default_language) for choice in values
        )
    if kind == FieldType.PERSON:
        label = (person_labels or {}).get(value) if isinstance(value, int) else None
        return label or _("Person #%(id)s") % {"id": value}
    if kind == FieldType.LOCATION and isinstance(value, Mapping):
        parts = []
        if value.get("admin_area") is not None:
            parts.append(
                (area_labels or {}).get(value["admin_area"])
                or _("Area #%(id)s") % {"id": value["admin_area"]}
            )
        if value.get("latitude") is not None:
            parts.append(f"{value['latitude']}, {value['longitude']}")
        return " · ".join(parts)
    if kind in (FieldType.PHOTO, FieldType.FILE) and isinstance(value, Mapping):
        return str(value.get("name", ""))
    if kind == FieldType.DECIMAL and isinstance(value, float):
        return expressions.to_string(value)
    return str(value)


def shown_sections(
    definition: FormDefinition,
    data: Mapping[str, Any],
    *,
    clearance: int = Sensitivity.SENSITIVE,
    language: str | None = None,
    catalogue: Mapping[str, Any] | None = None,
    person_labels: Mapping[int, str] | None = None,
    area_labels: Mapping[int, str] | None = None,
) -> list[ShownSection]:
    """What `render_display` shows, as data (for PDFs, exports or other templates)."""
    language = language or get_language() or definition.default_language

    def text_of(item: Field, value: Any) -> str:
        return answer_text(item, value, definition, language, person_labels, area_labels)

    def answers_of(fields: tuple[Field, ...], values: Mapping[str, Any]) -> list[ShownAnswer]:
        shown: list[ShownAnswer] = []
        for item in fields:
            if item.sensitivity > clearance or item.type == FieldType.NOTE or item.name not in values:
                continue
            label = translate(item.label, language, definition.default_language) or item.name
            value = values[item.name]
            if item.is_repeat:
                instances = [
                    answers_of(item.fields, instance) for instance in value if isinstance(instance, Mapping)
                ]
                shown.append(ShownAnswer(label=label, text="", type=str(item.type), instances=instances))
            else:
                shown.append(ShownAnswer(label=label, text=text_of(item, value), type=str(item.type)))
        return shown

    sections = [
        ShownSection(
            label=translate(section.label, language, definition.default_language),
            answers=answers_of(section.fields, data),
        )
        for section in definition.sections
    ]
    known = {item.name for item in definition.all_fields()}
    retired: list[ShownAnswer] = []
    for name, value in data.items():
        if name in known:
            continue
        entry = (catalogue or {}).get(name)
        item = entry.field if entry is not None else None
        if (item.sensitivity if item is not None else Sensitivity.SENSITIVE) > clearance:
            continue
        if item is not None and not item.is_repeat:
            retired.append(
                ShownAnswer(
                    label=translate(item.label, language, definition.default_language) or name,
                    text=text_of(item, value),
                    type=str(item.type),
                    retired=True,
                )
            )
        else:
            retired.append(ShownAnswer(label=name, text=str(value), type="", retired=True))
    if retired:
        sections.append(ShownSection(label=_("Answers to fields no longer in the form"), answers=retired))
    return [section for section in sections if section.answers]


def render_display(definition: FormDefinition, data: Mapping[str, Any], **options: Any) -> SafeString:
    """A record's answers, read-only, with its own version's labels (see `shown_sections`)."""
    return render_to_string(
        "forms/render/display.html", {"sections": shown_sections(definition, data, **options)}
    )
