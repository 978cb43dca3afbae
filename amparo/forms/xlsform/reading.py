"""Reading an XLSForm workbook into an Amparo definition, with every problem located by cell."""

import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zipfile import BadZipFile

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from amparo.forms.choices import FieldType
from amparo.forms.definition import (
    LANGUAGE_PATTERN,
    DefinitionError,
    load_definition,
)
from amparo.forms.xlsform.common import (
    _KNOWN_LANGUAGES,
    _SELECT,
    FALSE_WORDS,
    METADATA_TYPES,
    NEAR_TYPES,
    SIMPLE_TYPES,
    TRANSLATABLE,
    TRUE_WORDS,
    YES_NO_LIST,
    CellProblem,
    ParsedWorkbook,
    XLSFormError,
)
from amparo.forms.xlsform.writing import compose_constraint


@dataclass
class _Sheet:
    title: str
    headers: list[str]  # normalised header per column
    raw_headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]

    def column(self, header: str) -> str:
        for index, name in enumerate(self.headers):
            if name == header:
                return f"{get_column_letter(index + 1)} ({self.raw_headers[index]})"
        return header


def _normalise_header(header: str, default_language: str) -> tuple[str, str | None]:
    """'label::Español (es)' / 'label:English' → ('label::es', None); unknown languages give a warning."""
    text = header.strip()
    if "::" in text:
        separator = "::"
    elif ":" in text and text.split(":")[0].strip().lower() in TRANSLATABLE:
        separator = ":"
    else:
        return text.lower().replace(" ", "_"), None
    base, language = text.split(separator, 1)
    base = base.strip().lower().replace(" ", "_")
    if base not in TRANSLATABLE:
        return f"{base}::{language.strip()}", None
    language = language.strip()
    if base == "media" and "::" in language:
        return f"media::{language}", None
    match = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$", language)
    if match:
        return f"{base}::{match.group(1).lower()}", None
    lowered = language.lower()
    code = _KNOWN_LANGUAGES.get(lowered) or (lowered if LANGUAGE_PATTERN.match(lowered) else "")
    if code:
        return f"{base}::{code}", None
    guess = re.sub(r"[^a-z]", "", lowered)[:3]
    if len(guess) >= 2:
        warning = _(
            "column %(header)r: language %(language)r is read as code %(code)r; write it as 'Name (code)' "
            "to choose the code"
        ) % {"header": header, "language": language, "code": guess}
        return f"{base}::{guess}", warning
    return f"{base}::?", _("the language of column %(header)r is not known; write it as 'Name (code)'") % {
        "header": header
    }


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sheet(workbook: Any, name: str, default_language: str, warnings: list[str]) -> _Sheet | None:
    sheet = next(
        (candidate for candidate in workbook.worksheets if candidate.title.strip().lower() == name), None
    )
    if sheet is None:
        return None
    rows = sheet.iter_rows(values_only=True)
    header_row = next(rows, None) or ()
    raw_headers = [_cell_text(value) for value in header_row]
    headers = []
    for header in raw_headers:
        normalised, warning = _normalise_header(header, default_language) if header else ("", None)
        if warning:
            warnings.append(f"{sheet.title}: {warning}")
        headers.append(normalised)
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        record = {
            headers[index]: _cell_text(value)
            for index, value in enumerate(values)
            if index < len(headers) and headers[index]
        }
        if any(record.values()):
            parsed.append((number, record))
    return _Sheet(title=sheet.title, headers=headers, raw_headers=raw_headers, rows=parsed)


def _texts(record: dict[str, Any], base: str, default_language: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    if record.get(base):
        texts[default_language] = record[base]
    prefix = f"{base}::"
    for key, value in record.items():
        if key.startswith(prefix) and value and not key.endswith("::?"):
            texts[key[len(prefix) :]] = value
    return texts


@dataclass
class _Container:
    kind: str  # "root" | "group" | "repeat"
    row: int
    data: dict[str, Any]  # the section or repeat field being filled
    relevant: str = ""  # a flattened (nested) group's relevance, applied to its children
    flattened: bool = False


def _join_relevance(outer: str, inner: str) -> str:
    if outer and inner:
        return f"({outer}) and ({inner})"
    return outer or inner


class _Reader:
    def __init__(self, content: bytes, filename: str):
        self.content = content
        self.filename = filename
        self.problems: list[CellProblem] = []
        self.warnings: list[str] = []
        # where each definition path came from: path → (sheet, row)
        self.origins: dict[str, tuple[str, int]] = {}
        self.survey: _Sheet | None = None
        self.choices: _Sheet | None = None

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(CellProblem(sheet, row, column, message))

    def read(self) -> ParsedWorkbook:
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(self.content), read_only=True, data_only=True)
        except (BadZipFile, OSError, KeyError, ValueError) as error:
            raise XLSFormError(
                [CellProblem("", 0, "", _("not an .xlsx workbook (%(error)s)") % {"error": error})]
            ) from error
        settings = _read_sheet(workbook, "settings", "es", self.warnings)
        setting_values = settings.rows[0][1] if settings and settings.rows else {}
        default_language = self._default_language(setting_values, settings)
        self.survey = _read_sheet(workbook, "survey", default_language, self.warnings)
        self.choices = _read_sheet(workbook, "choices", default_language, self.warnings)
        workbook.close()
        if self.survey is None:
            raise XLSFormError([CellProblem("survey", 0, "", _("the workbook has no 'survey' sheet"))])
        form_id = self._form_id(setting_values, settings)
        option_lists, list_rows = self._option_lists(default_language)
        sections = self._survey(default_language, option_lists)
        title = {default_language: setting_values.get("form_title") or form_id}
        if setting_values.get("amparo_title_en"):
            title["en"] = setting_values["amparo_title_en"]
        languages = sorted(
            {
                key.split("::")[1]
                for key in self.survey.headers + (self.choices.headers if self.choices else [])
                if "::" in key and key.split("::")[0] in ("label", "hint") and not key.endswith("::?")
            }
            | {default_language}
        )
        languages.sort(key=lambda code: (code != default_language, code))
        used_lists = {item.get("options") for item in _all_raw_fields(sections)}
        definition = {
            "schema": 1,
            "default_language": default_language,
            "languages": languages,
            "title": title,
            "option_lists": [
                {"name": name, "options": options}
                for name, options in option_lists.items()
                if name in used_lists or name != YES_NO_LIST
            ],
            "sections": sections,
        }
        self._validate(definition, list_rows)
        if self.problems:
            raise XLSFormError(self.problems)
        self._pyxform()
        if self.problems:
            raise XLSFormError(self.problems)
        return ParsedWorkbook(form_id=form_id, definition=definition, warnings=self.warnings)

    def _default_language(self, values: dict[str, Any], settings: _Sheet | None) -> str:
        text = values.get("default_language", "")
        if not text:
            return "es"
        match = re.search(r"\(([A-Za-z]{2,3})\)\s*$", text)
        code = match.group(1).lower() if match else _KNOWN_LANGUAGES.get(text.lower(), text.lower())
        if not LANGUAGE_PATTERN.match(code):
            assert settings is not None
            self.problem(
                settings.title,
                2,
                settings.column("default_language"),
                _("%(text)r is not a language; write it as 'Español (es)'") % {"text": text},
            )
            return "es"
        return code

    def _form_id(self, values: dict[str, Any], settings: _Sheet | None) -> str:
        form_id = str(values.get("form_id", ""))
        if not form_id and self.filename:
            form_id = re.sub(r"\.xlsx?$", "", self.filename.rsplit("/", 1)[-1], flags=re.IGNORECASE)
            form_id = re.sub(r"[^A-Za-z0-9_\-]+", "_", form_id).strip("_")
        if not re.match(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$", form_id or ""):
            sheet = settings.title if settings else "settings"
            column = settings.column("form_id") if settings else "form_id"
            self.problem(
                sheet,
                2 if settings else 0,
                column,
                _("form_id is required: a letter, then letters, digits, _ or - (at most 64)"),
            )
        return form_id

    def _option_lists(self, default_language: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        rows: dict[str, Any] = {}
        if self.choices is None:
            return lists, rows
        sheet = self.choices
        list_key = "list_name" if "list_name" in sheet.headers else "list name"
        for number, record in sheet.rows:
            list_name = record.get(list_key) or record.get("list_name", "")
            if not list_name:
                self.problem(sheet.title, number, sheet.column("list_name"), _("list_name is missing"))
                continue
            options = lists.setdefault(list_name, [])
            rows.setdefault(list_name, {"row": number, "options": []})["options"].append(number)
            options.append(
                {"value": record.get("name", ""), "label": _texts(record, "label", default_language)}
            )
        return lists, rows

    def _survey(self, default_language: str, option_lists: dict[str, Any]) -> list[dict[str, Any]]:
        assert self.survey is not None
        sheet = self.survey
        sections: list[dict[str, Any]] = []
        stack: list[_Container] = [_Container("root", 0, {})]
        implicit: dict[str, Any] | None = None

        def add(item: dict[str, Any], number: int) -> None:
            nonlocal implicit
            top = stack[-1]
            if top.kind == "root":
                if implicit is None:
                    implicit = {"name": f"_s{len(sections) + 1}", "fields": []}
                    self.origins[f"sections/{len(sections)}"] = (sheet.title, number)
                    sections.append(implicit)
                target = implicit
            else:
                target = top.data
            flattened = [
                container.relevant for container in stack if container.flattened and container.relevant
            ]
            relevant = ""
            for condition in flattened:
                relevant = _join_relevance(relevant, condition)
            if relevant:
                item["relevant"] = _join_relevance(relevant, item.get("relevant", ""))
            path = self._path_of(sections, stack, target, len(target["fields"]))
            self.origins[path] = (sheet.title, number)
            target["fields"].append(item)

        for number, record in sheet.rows:
            raw_type = re.sub(r"\s+", " ", record.get("type", "")).strip()
            lowered = raw_type.lower().replace("_", " ")
            name = record.get("name", "")
            if not raw_type:
                self.problem(sheet.title, number, sheet.column("type"), _("the type is missing"))
                continue
            if lowered in ("begin group", "begin repeat"):
                kind = "group" if lowered == "begin group" else "repeat"
                label = _texts(record, "label", default_language)
                if kind == "repeat":
                    if record.get("repeat_count"):
                        self.warnings.append(
                            _(
                                "%(sheet)s row %(row)s: repeat_count is ignored; the person filling the form "
                                "adds the instances"
                            )
                            % {"sheet": sheet.title, "row": number}
                        )
                    data = {
                        "name": name,
                        "type": "repeat",
                        "label": label,
                        "fields": [],
                        **self._common(record, default_language),
                    }
                    add(data, number)
                    stack.append(_Container("repeat", number, data))
                elif stack[-1].kind == "root":
                    implicit = None
                    data = {
                        "name": name,
                        "label": label,
                        "relevant": record.get("relevant", ""),
                        "fields": [],
                    }
                    self.origins[f"sections/{len(sections)}"] = (sheet.title, number)
                    sections.append(data)
                    stack.append(_Container("group", number, data))
                else:
                    stack.append(
                        _Container(
                            "group",
                            number,
                            stack[-1].data,
                            relevant=record.get("relevant", ""),
                            flattened=True,
                        )
                    )
                    self._check_name(name, number)
                continue
            if lowered in ("end group", "end repeat"):
                kind = "group" if lowered == "end group" else "repeat"
                if len(stack) == 1 or stack[-1].kind != kind:
                    self.problem(
                        sheet.title,
                        number,
                        sheet.column("type"),
                        _("'%(type)s' has no matching 'begin %(kind)s'") % {"type": raw_type, "kind": kind},
                    )
                else:
                    stack.pop()
                continue
            item = self._field(raw_type, lowered, record, number, default_language, option_lists)
            if item is not None:
                add(item, number)
        for container in stack[1:]:
            self.problem(
                sheet.title,
                container.row,
                sheet.column("type"),
                _("'begin %(kind)s' is never closed with 'end %(kind)s'") % {"kind": container.kind},
            )
        return sections

    def _path_of(
        self, sections: list[dict[str, Any]], stack: list[_Container], target: dict[str, Any], index: int
    ) -> str:
        for section_index, section in enumerate(sections):
            found = _find_path(section, target, f"sections/{section_index}")
            if found is not None:
                return f"{found}/fields/{index}"
        return f"sections/{len(sections) - 1}/fields/{index}"

    def _check_name(self, name: str, number: int) -> None:
        assert self.survey is not None
        if not name:
            self.problem(self.survey.title, number, self.survey.column("name"), _("the name is missing"))

    def _common(self, record: dict[str, Any], default_language: str) -> dict[str, Any]:
        assert self.survey is not None
        data: dict[str, Any] = {}
        if record.get("relevant"):
            data["relevant"] = record["relevant"]
        sensitivity = record.get("amparo_sensitivity", "")
        if sensitivity:
            if sensitivity in ("0", "1", "2"):
                data["sensitivity"] = int(sensitivity)
            else:
                data["sensitivity"] = sensitivity  # reported by load_definition with the cell
        return data

    def _field(
        self,
        raw_type: str,
        lowered: str,
        record: dict[str, Any],
        number: int,
        default_language: str,
        option_lists: dict[str, Any],
    ) -> dict[str, Any] | None:
        assert self.survey is not None
        sheet = self.survey
        base = lowered.split(" ")[0].removeprefix("uri:")
        if base in METADATA_TYPES:
            self.warnings.append(
                _("%(sheet)s row %(row)s: metadata field %(name)r (%(type)s) is not kept by Amparo")
                % {"sheet": sheet.title, "row": number, "name": record.get("name"), "type": raw_type}
            )
            return None
        amparo_type = record.get("amparo_type", "").strip()
        options = ""
        select = _SELECT.match(raw_type.strip())
        if select is not None:
            unsupported = (
                select.group("rest").strip()
                or select.group("list").endswith((".csv", ".xml", ".geojson"))
                or raw_type.lower().startswith(("select_one_from_file", "select_multiple_from_file"))
            )
            if unsupported:
                self.problem(
                    sheet.title,
                    number,
                    sheet.column("type"),
                    _("'%(type)s' is not supported: write select_one LIST or select_multiple LIST")
                    % {"type": raw_type},
                )
                return None
            kind = select.group("kind").lower()
            field_type = FieldType.SELECT_ONE if kind == "one" else FieldType.SELECT_MULTIPLE
            options = select.group("list")
            if options not in option_lists:
                self.problem(
                    sheet.title,
                    number,
                    sheet.column("type"),
                    _("the option list %(list)r is not on the choices sheet") % {"list": options},
                )
        elif lowered in SIMPLE_TYPES:
            field_type = SIMPLE_TYPES[lowered]
        elif raw_type.lower() in SIMPLE_TYPES:
            field_type = SIMPLE_TYPES[raw_type.lower()]
        elif lowered in NEAR_TYPES:
            field_type, how = NEAR_TYPES[lowered]
            self.warnings.append(
                _("%(sheet)s row %(row)s: %(type)s field %(name)r is %(how)s")
                % {
                    "sheet": sheet.title,
                    "row": number,
                    "type": raw_type,
                    "name": record.get("name"),
                    "how": how,
                }
            )
        else:
            self.problem(
                sheet.title,
                number,
                sheet.column("type"),
                _("the type '%(type)s' is not supported") % {"type": raw_type},
            )
            return None
        if record.get("choice_filter"):
            self.warnings.append(
                _("%(sheet)s row %(row)s: choice_filter is ignored (every option is offered)")
                % {"sheet": sheet.title, "row": number}
            )
        appearance = record.get("appearance", "")
        if field_type == FieldType.TEXT and "multiline" in appearance:
            field_type = FieldType.LONG_TEXT
        mode = ""
        if amparo_type:
            if amparo_type not in FieldType.values:
                self.problem(
                    sheet.title,
                    number,
                    sheet.column("amparo_type"),
                    _("unknown type %(type)r") % {"type": amparo_type},
                )
            else:
                field_type = FieldType(amparo_type)
            if field_type in (FieldType.YES_NO,):
                options = ""
            if field_type == FieldType.LOCATION:
                mode = record.get("amparo_location_mode", "") or "gps"
        elif field_type == FieldType.LOCATION:
            mode = "gps"
        if field_type == FieldType.YES_NO:
            options = ""
        item: dict[str, Any] = {
            "name": record.get("name", ""),
            "type": str(field_type),
            "label": _texts(record, "label", default_language),
            **self._common(record, default_language),
        }
        if not record.get("name"):
            self.problem(sheet.title, number, sheet.column("name"), _("the name is missing"))
        hint = _texts(record, "hint", default_language)
        if hint:
            item["hint"] = hint
        required = record.get("required", "").strip().lower()
        if required in TRUE_WORDS:
            item["required"] = True
        elif required not in FALSE_WORDS:
            self.problem(
                sheet.title,
                number,
                sheet.column("required"),
                _("required must be yes or no (an expression such as %(value)r is not supported)")
                % {"value": required},
            )
        for key in ("calculation", "default"):
            if record.get(key):
                item[key] = record[key]
        message = _texts(record, "constraint_message", default_language)
        if message:
            item["constraint_message"] = message
        for key in ("pattern", "minimum", "maximum"):
            if record.get(f"amparo_{key}"):
                item[key] = record[f"amparo_{key}"]
        constraint = record.get("constraint", "")
        if constraint:
            item["constraint"] = _strip_composed(constraint, item)
        if options:
            item["options"] = options
        if mode:
            item["location_mode"] = mode
        if record.get("read_only", "").lower() in TRUE_WORDS and field_type not in (
            FieldType.NOTE,
            FieldType.CALCULATED,
        ):
            self.warnings.append(
                _("%(sheet)s row %(row)s: read_only is ignored") % {"sheet": sheet.title, "row": number}
            )
        return item

    def _validate(self, definition: dict[str, Any], list_rows: dict[str, Any]) -> None:
        try:
            load_definition(definition)
        except DefinitionError as error:
            reported = {(problem.sheet, problem.row, problem.column) for problem in self.problems}
            known = list(self.problems)
            self.problems = []
            for problem in error.problems:
                self._locate(problem.path, self._rows_in(problem.message), definition, list_rows)
            fresh = [
                problem
                for problem in self.problems
                if (problem.sheet, problem.row, problem.column) not in reported
            ]
            self.problems = known + fresh
        self.problems.sort(key=lambda problem: (problem.sheet != "survey", problem.sheet, problem.row))

    def _rows_in(self, message: str) -> str:
        """Internal paths in a message ("…used at sections/0/fields/2/name") → "row N"."""

        def replace(match: re.Match[str]) -> str:
            origin = self.origins.get(match.group(1))
            return _("row %(row)s") % {"row": origin[1]} if origin else match.group(0)

        return re.sub(r"(sections(?:/[^/\s]+)*?)/name\b", replace, message)

    def _locate(self, path: str, message: str, definition: dict[str, Any], list_rows: dict[str, Any]) -> None:
        assert self.survey is not None
        parts = path.split("/")
        if parts[0] == "option_lists" and len(parts) >= 2 and self.choices is not None:
            list_name = definition["option_lists"][int(parts[1])]["name"]
            info = list_rows.get(list_name, {"row": 0, "options": []})
            row = info["row"]
            column = self.choices.column("list_name")
            if len(parts) >= 4 and parts[2] == "options":
                row = info["options"][int(parts[3])]
                attribute = parts[4] if len(parts) > 4 else "name"
                column = self.choices.column("name" if attribute == "value" else attribute)
                if attribute == "label":
                    column = self._language_column(self.choices, "label")
            self.problem(self.choices.title, row, column, message)
            return
        if parts[0] == "sections":
            base_path, attribute = "", ""
            for size in range(len(parts), 0, -1):
                prefix = "/".join(parts[:size])
                if prefix in self.origins:
                    base_path, attribute = prefix, parts[size] if size < len(parts) else ""
                    break
            sheet, row = self.origins.get(base_path, (self.survey.title, 0))
            column_name = {
                "options": "type",
                "location_mode": "amparo_location_mode",
                "sensitivity": "amparo_sensitivity",
                "minimum": "amparo_minimum",
                "maximum": "amparo_maximum",
                "pattern": "amparo_pattern",
            }.get(attribute, attribute)
            if column_name in ("label", "hint", "constraint_message"):
                column = self._language_column(self.survey, column_name)
            elif column_name in ("", "fields"):
                column = self.survey.column("type")
            else:
                column = self.survey.column(column_name)
            self.problem(sheet, row, column, message)
            return
        self.problem(self.survey.title, 0, "", f"{path}: {message}")

    @staticmethod
    def _language_column(sheet: _Sheet, base: str) -> str:
        for header in sheet.headers:
            if header == base or header.startswith(f"{base}::"):
                return sheet.column(header)
        return base

    def _pyxform(self) -> None:
        try:
            convert(xlsform=io.BytesIO(self.content), file_type=".xlsx", warnings=[])
        except PyXFormError as error:
            text = str(error)
            match = re.search(r"\[row\s*:\s*(\d+)\]", text)
            sheet = "survey"
            sheet_match = re.search(r"sheet '?(\w+)'?", text, flags=re.IGNORECASE)
            if sheet_match and sheet_match.group(1).lower() in ("choices", "settings", "survey"):
                sheet = sheet_match.group(1).lower()
            self.problem(sheet, int(match.group(1)) if match else 0, "", f"pyxform: {text}")
        except Exception as error:  # noqa: BLE001 - pyxform raises many kinds on broken workbooks
            self.problem("", 0, "", _("pyxform could not convert the workbook: %(error)s") % {"error": error})


def _find_path(container: dict[str, Any], target: dict[str, Any], path: str) -> str | None:
    if container is target:
        return path
    for index, item in enumerate(container.get("fields", [])):
        if item.get("type") == "repeat":
            found = _find_path(item, target, f"{path}/fields/{index}")
            if found is not None:
                return found
    return None


def _all_raw_fields(sections: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    def walk(fields: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in fields:
            yield item
            yield from walk(item.get("fields", []))

    for section in sections:
        yield from walk(section.get("fields", []))


def read_workbook(content: bytes, filename: str = "") -> ParsedWorkbook:
    """Parse and check an XLSForm workbook; raises XLSFormError with every problem found."""
    return _Reader(content, filename).read()


def _strip_composed(constraint: str, item: dict[str, Any]) -> str:
    prefix = compose_constraint(item, user_constraint="")
    if not prefix:
        return constraint
    if constraint == prefix:
        return ""
    if constraint.startswith(prefix + " and (") and constraint.endswith(")"):
        return constraint[len(prefix) + len(" and (") : -1]
    return constraint
