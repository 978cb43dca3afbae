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
import html
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe
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
    html: tuple[str, str] | None = None  # (value, label) escaped once per form version and language


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
    html: SafeString = mark_safe("")  # noqa: S308 - empty literal; the fields drawn by fields_html


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


# Definitions are parsed once per published version and kept (forms.selectors.definition_of): their
# translated, escaped option lists are kept alongside, and go when the definition goes.
_OPTION_CACHE: "weakref.WeakKeyDictionary[FormDefinition, dict[tuple[str, str], Any]]" = (
    weakref.WeakKeyDictionary()
)


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

    def options_of(self, name: str) -> list[tuple[str, str, tuple[str, str]]]:
        """(value, label, escaped pair) of an option list, computed once per form version and language."""
        per_definition = _OPTION_CACHE.setdefault(self.definition, {})
        key = (name, self.language)
        cached = per_definition.get(key)
        if cached is None:
            cached = [
                (option.value, label, (_e(option.value), _e(label)))
                for option in self.definition.option_list(name).options
                for label in (self.text(option.label),)
            ]
            per_definition[key] = cached
        return cached

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
                BoundOption(value=value, label=label, selected=value in chosen, html=escaped)
                for value, label, escaped in self.options_of(item.options)
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
    for section in sections:
        section.html = fields_html(section.fields, {"person_search_url": person_search_url})
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


# --- One-pass field HTML --------------------------------------------------------------------------
# The field templates (forms/render/field.html and widgets/*.html) cost one template include and
# context push per field and per option: about two thirds of a 200-field form page. The common
# widgets are drawn here in Python instead, with the same markup and the same escaping
# (`conditional_escape`, as template autoescaping); location, file and person inputs keep their
# templates (rare, and they carry more logic).

_TEMPLATE_WIDGETS = frozenset({FieldType.LOCATION, FieldType.PHOTO, FieldType.FILE, FieldType.PERSON})


def _e(value: Any) -> str:
    """`conditional_escape` without its lazy-string wrapper (a third of the page's time)."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def _invalid(bound: BoundField) -> str:
    return ' aria-invalid="true"' if bound.errors else ""


_TEXTS: dict[tuple[str, str], str] = {}


def _t(message: str) -> str:
    """A fixed UI string, translated to the active language and escaped (memoised per language)."""
    key = (get_language() or "", message)
    text = _TEXTS.get(key)
    if text is None:
        text = _TEXTS[key] = _e(_(message))
    return text


def _option(option: BoundOption) -> tuple[str, str]:
    return option.html or (_e(option.value), _e(option.label))


def _widget_html(bound: BoundField) -> str:
    name, ident, value = _e(bound.input_name), _e(bound.input_id), _e(bound.value)
    kind = bound.field.type
    if bound.as_radios or kind == FieldType.SELECT_MULTIPLE:
        kind_attr, css = ("radio", "choices-inline") if bound.as_radios else ("checkbox", "choices-list")
        choices = "".join(
            f'<label><input type="{kind_attr}" name="{name}" value="{pair[0]}"'
            f"{' checked' if option.selected else ''}{f' id="{ident}"' if index == 0 else ''}>"
            f" {pair[1]}</label>"
            for index, option in enumerate(bound.options)
            for pair in (_option(option),)
        )
        return f'<div class="{css}">{choices}</div>'
    if kind == FieldType.SELECT_ONE:
        options = "".join(
            f'<option value="{pair[0]}"{" selected" if option.selected else ""}>{pair[1]}</option>'
            for option in bound.options
            for pair in (_option(option),)
        )
        empty = '<option value="">—</option>'
        return f'<select id="{ident}" name="{name}"{_invalid(bound)}>{empty}{options}</select>'
    if kind == FieldType.CALCULATED:
        return f'<output id="{ident}" class="calculated" data-calc-path="{_e(bound.path)}">{value}</output>'
    if kind == FieldType.LONG_TEXT:
        return f'<textarea id="{ident}" name="{name}" rows="3"{_invalid(bound)}>{value}</textarea>'
    if kind == FieldType.DATE:
        return (
            f'<input type="text" inputmode="numeric" id="{ident}" name="{name}" value="{value}" '
            f'placeholder="{_t("dd/mm/yyyy")}" autocomplete="off" data-kind="date"{_invalid(bound)}>'
        )
    if kind == FieldType.DATETIME:
        return (
            f'<input type="text" id="{ident}" name="{name}" value="{value}" '
            f'placeholder="{_t("dd/mm/yyyy hh:mm")}" autocomplete="off" '
            f'data-kind="datetime"{_invalid(bound)}>'
        )
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        mode = "numeric" if kind == FieldType.INTEGER else "decimal"
        return (
            f'<input type="text" inputmode="{mode}" id="{ident}" name="{name}" value="{value}" '
            f'data-kind="{kind}"{_invalid(bound)}>'
        )
    return f'<input type="text" id="{ident}" name="{name}" value="{value}" maxlength="2000"{_invalid(bound)}>'


def _instance_html(repeat: BoundField, instance: BoundInstance, context: dict[str, Any]) -> str:
    return (
        f'<div class="repeat-instance" data-repeat-instance="{_e(repeat.name)}" '
        f'data-path="{_e(instance.path)}">\n'
        f'  <input type="hidden" name="{_e(repeat.input_name)}/instances" value="{_e(instance.index)}">\n'
        f"  {fields_html(instance.fields, context)}\n"
        f'  <button type="button" class="secondary outline small repeat-remove" data-repeat-remove>'
        f"{_t('Remove')}</button>\n</div>"
    )


def _field_html(bound: BoundField, context: dict[str, Any]) -> str:
    hidden = " hidden" if bound.hidden else ""
    hint = _e(bound.hint)
    if bound.type == FieldType.REPEAT:
        instances = "".join(_instance_html(bound, instance, context) for instance in bound.instances)
        template = _instance_html(bound, bound.template, context) if bound.template else ""
        add = _("Add to “%(label)s”") % {"label": _e(bound.label)}
        return (
            f'<fieldset class="form-repeat" data-node="{_e(bound.name)}" '
            f'data-path="{_e(bound.path)}"{hidden}>\n'
            f"  <legend>{_e(bound.label)}</legend>\n"
            f"  {f'<small class="form-hint">{hint}</small>' if bound.hint else ''}\n"
            f'  <div class="repeat-list" data-repeat-list="{_e(bound.name)}">{instances}</div>\n'
            f'  <template data-repeat-template="{_e(bound.name)}">{template}</template>\n'
            f'  <button type="button" class="secondary small" data-repeat-add="{_e(bound.name)}">'
            f"+ {add}</button>\n"
            "</fieldset>"
        )
    if bound.type == FieldType.NOTE:
        return (
            f'<div class="form-field form-note" data-node="{_e(bound.name)}" '
            f'data-path="{_e(bound.path)}"{hidden}><p>{bound.label_html}</p>'
            f"{f'<small class="form-hint">{hint}</small>' if bound.hint else ''}</div>"
        )
    if bound.field.type in _TEMPLATE_WIDGETS:
        return render_to_string("forms/render/field.html", {**context, "bound": bound})
    ident = _e(bound.input_id)
    required = f' <span class="required-mark" title="{_t("Required")}">*</span>' if bound.required else ""
    if bound.grouped:
        described = f' aria-describedby="{ident}-hint"' if bound.hint else ""
        legend = f"<legend>{_e(bound.label)}{required}</legend>"
        head = f'<fieldset class="choice-group"{described}>\n    {legend}\n  '
        tail = "\n  </fieldset>"
    else:
        head, tail = f'<label for="{ident}">{_e(bound.label)}{required}</label>', ""
    errors = ""
    if bound.errors:
        items = "".join(f"<li>{_e(message)}</li>" for message in bound.errors)
        errors = f'<ul class="errorlist" data-errors-for="{_e(bound.path)}">{items}</ul>'
    return (
        f'<div class="form-field form-field-{_e(bound.type)}{" is-silent" if bound.is_silent else ""}" '
        f'data-node="{_e(bound.name)}" data-path="{_e(bound.path)}"{hidden}>\n'
        f"  {head}\n  {_widget_html(bound)}{tail}\n"
        f"  {f'<small class="form-hint" id="{ident}-hint">{hint}</small>' if bound.hint else ''}\n"
        f"  {errors}\n</div>"
    )


def fields_html(fields: list[BoundField], context: dict[str, Any]) -> SafeString:
    """The HTML of bound fields, in one pass (see above); `context` is what templated widgets need."""
    return mark_safe("".join(_field_html(bound, context) for bound in fields))  # noqa: S308 - escaped above
