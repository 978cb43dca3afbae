"""Writing an Amparo definition as an XLSForm workbook pyxform converts."""

import io
from typing import Any

import openpyxl

from amparo.forms import expressions
from amparo.forms.choices import FieldType
from amparo.forms.definition import (
    Field,
    FormDefinition,
    dump_definition,
    load_definition,
)
from amparo.forms.xlsform.common import (
    LANGUAGE_NAMES,
    YES_NO_LIST,
)


def _quote(text: str) -> str | None:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None


def compose_constraint(item: Field | dict[str, Any], user_constraint: str | None = None) -> str:
    """The XLSForm constraint for a field: its range and pattern, then its own constraint."""
    get = item.get if isinstance(item, dict) else lambda key, default=None: getattr(item, key, default)
    parts = []
    minimum, maximum, pattern = get("minimum", None), get("maximum", None), get("pattern", "") or ""
    if minimum not in (None, ""):
        parts.append(f". >= {expressions.to_string(float(minimum))}")
    if maximum not in (None, ""):
        parts.append(f". <= {expressions.to_string(float(maximum))}")
    if pattern and (quoted := _quote(pattern)):
        parts.append(f"regex(., {quoted})")
    constraint = get("constraint", "") if user_constraint is None else user_constraint
    if constraint:
        parts.append(f"({constraint})" if parts else constraint)
    return " and ".join(parts)


def _language_header(base: str, code: str) -> str:
    return f"{base}::{LANGUAGE_NAMES.get(code, code)} ({code})"


def write_workbook(definition: FormDefinition, *, form_id: str, version: str = "") -> bytes:
    """An XLSForm workbook of the definition (survey, choices, settings sheets)."""
    languages = list(
        dict.fromkeys([definition.default_language, *definition.languages, *_used_languages(definition)])
    )
    text_columns = [(base, code) for base in ("label", "hint") for code in languages]
    message_columns = [("constraint_message", code) for code in languages]
    headers = (
        ["type", "name"]
        + [_language_header(base, code) for base, code in text_columns]
        + ["required", "relevant", "constraint"]
        + [_language_header(base, code) for base, code in message_columns]
        + [
            "calculation",
            "default",
            "appearance",
            "amparo_type",
            "amparo_sensitivity",
            "amparo_minimum",
            "amparo_maximum",
            "amparo_pattern",
            "amparo_location_mode",
        ]
    )
    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    survey.append(headers)
    needs_yes_no = False

    def row(values: dict[str, Any], texts: dict[tuple[str, str], str]) -> list[Any]:
        cells: list[Any] = [values.get("type", ""), values.get("name", "")]
        cells += [texts.get((base, code), "") for base, code in text_columns]
        cells += [values.get("required", ""), values.get("relevant", ""), values.get("constraint", "")]
        cells += [texts.get((base, code), "") for base, code in message_columns]
        cells += [
            values.get(key, "")
            for key in (
                "calculation",
                "default",
                "appearance",
                "amparo_type",
                "amparo_sensitivity",
                "amparo_minimum",
                "amparo_maximum",
                "amparo_pattern",
                "amparo_location_mode",
            )
        ]
        return cells

    def texts_of(
        label: dict[str, str], hint: dict[str, str] | None = None, message: dict[str, str] | None = None
    ) -> dict[tuple[str, str], str]:
        texts = {("label", code): text for code, text in label.items()}
        texts.update({("hint", code): text for code, text in (hint or {}).items()})
        texts.update({("constraint_message", code): text for code, text in (message or {}).items()})
        return texts

    def write_fields(fields: tuple[Field, ...]) -> None:
        nonlocal needs_yes_no
        for item in fields:
            values: dict[str, Any] = {"name": item.name, "relevant": item.relevant}
            if item.sensitivity:
                values["amparo_sensitivity"] = item.sensitivity
            if item.is_repeat:
                survey.append(row({**values, "type": "begin repeat"}, texts_of(item.label, item.hint)))
                write_fields(item.fields)
                survey.append(row({"type": "end repeat"}, {}))
                continue
            values["type"], amparo_type, appearance = _xlsform_type(item)
            if item.type == FieldType.YES_NO:
                needs_yes_no = True
            values["amparo_type"] = amparo_type
            values["appearance"] = appearance
            values["required"] = "yes" if item.required else ""
            values["constraint"] = compose_constraint(item)
            values["calculation"] = item.calculation
            values["default"] = item.default
            if item.minimum is not None:
                values["amparo_minimum"] = expressions.to_string(item.minimum)
            if item.maximum is not None:
                values["amparo_maximum"] = expressions.to_string(item.maximum)
            values["amparo_pattern"] = item.pattern
            values["amparo_location_mode"] = item.location_mode if item.type == FieldType.LOCATION else ""
            survey.append(row(values, texts_of(item.label, item.hint, item.constraint_message)))

    for section in definition.sections:
        survey.append(
            row(
                {"type": "begin group", "name": section.name, "relevant": section.relevant},
                texts_of(section.label),
            )
        )
        write_fields(section.fields)
        survey.append(row({"type": "end group"}, {}))

    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name"] + [_language_header("label", code) for code in languages])
    for option_list in definition.option_lists:
        for option in option_list.options:
            choices.append(
                [option_list.name, option.value] + [option.label.get(code, "") for code in languages]
            )
    if needs_yes_no and all(option_list.name != YES_NO_LIST for option_list in definition.option_lists):
        yes = {"es": "Sí", "en": "Yes"}
        no = {"es": "No", "en": "No"}
        choices.append([YES_NO_LIST, "yes"] + [yes.get(code, "Yes") for code in languages])
        choices.append([YES_NO_LIST, "no"] + [no.get(code, "No") for code in languages])
    settings = workbook.create_sheet("settings")
    title = definition.title
    settings.append(["form_id", "form_title", "version", "default_language", "amparo_title_en"])
    settings.append(
        [
            form_id,
            title.get(definition.default_language) or next(iter(title.values()), form_id),
            version,
            f"{LANGUAGE_NAMES.get(definition.default_language, definition.default_language)} "
            f"({definition.default_language})",
            title.get("en", "") if definition.default_language != "en" else "",
        ]
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _used_languages(definition: FormDefinition) -> list[str]:
    codes: set[str] = set(definition.title)
    for section in definition.sections:
        codes.update(section.label)
    for item in definition.all_fields():
        codes.update(item.label, item.hint, item.constraint_message)
    for option_list in definition.option_lists:
        for choice in option_list.options:
            codes.update(choice.label)
    return sorted(codes)


def _xlsform_type(item: Field) -> tuple[str, str, str]:
    """(XLSForm type, amparo_type when XLSForm has no equivalent, appearance)."""
    kind = item.type
    if kind == FieldType.TEXT:
        return "text", "", ""
    if kind == FieldType.LONG_TEXT:
        return "text", "", "multiline"
    if kind in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.DATE, FieldType.NOTE, FieldType.FILE):
        return str(kind), "", ""
    if kind == FieldType.DATETIME:
        return "dateTime", "", ""
    if kind == FieldType.YES_NO:
        return f"select_one {YES_NO_LIST}", "yes_no", ""
    if kind in (FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE):
        return f"{kind} {item.options}", "", ""
    if kind == FieldType.PERSON:
        return "integer", "person", ""
    if kind == FieldType.LOCATION:
        return "geopoint", "location" if item.location_mode != "gps" else "", ""
    if kind == FieldType.PHOTO:
        return "image", "", ""
    if kind == FieldType.CALCULATED:
        return "calculate", "", ""
    raise ValueError(kind)


def canonical(definition: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a definition (for round-trip comparisons)."""
    return dump_definition(load_definition(definition))
