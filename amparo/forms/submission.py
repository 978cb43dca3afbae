"""Server-side validation of answers against a form version.

`validate_submission(definition, data)` → `(clean_data, errors)`:

* every answer is parsed to its type (from HTML strings or API JSON alike);
* relevance (skip logic) and calculations run server-side (`evaluation.run`); answers to
  fields that are not relevant are dropped, calculated values are computed here, never
  taken from the client;
* required (only when relevant), range, pattern and constraint are checked;
* errors are keyed by field path (`"age"`, `"siblings/0/name"`), messages in the active
  language (use `translation.override(...)` to choose it).

Stored answer types: text → str, integer → int, decimal → float, date → "YYYY-MM-DD",
date-time → "YYYY-MM-DDTHH:MM" (local time), yes/no → bool, select one → str, select
multiple → list[str] (in option order), person → int (registry.Person id), location →
{"admin_area": int?, "latitude": float?, "longitude": float?}, photo/file → a signed file
reference {"key", "name", "size", "content_type", "signature"}, repeat → list of objects,
calculated → number or str. Empty answers are left out.
"""

import datetime
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amparo.forms import expressions
from amparo.forms.choices import FieldType
from amparo.forms.definition import Field, FormDefinition, translate
from amparo.forms.evaluation import CompiledForm, Evaluation, Scope, compile_form, expression_value, run

TEXT_MAX_LENGTH = 2000
LONG_TEXT_MAX_LENGTH = 20000
FILE_SIGNING_SALT = "amparo.forms.file"

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class References:
    """How answers that point at other records are checked (injected: forms does not import registry).

    `persons(ids)` returns the ids among `ids` the current user may reference, each with a
    display label — build it from the access policy (`registry.selectors.persons_visible_to`).
    Without it, person answers are refused. `admin_areas(ids)` likewise for location areas;
    without it any positive id is accepted.
    """

    persons: Callable[[Collection[int]], Mapping[int, str]] | None = None
    admin_areas: Callable[[Collection[int]], Mapping[int, str]] | None = None


class AnswerError(ValueError):
    """An answer that cannot be read as its field's type (the message says why)."""


_DATE_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_DATETIME = re.compile(
    r"^\s*(?:(\d{4})-(\d{2})-(\d{2})|(\d{1,2})/(\d{1,2})/(\d{4}))[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)
_YES = {"yes", "true", "1", "on", "si", "sí"}
_NO = {"no", "false", "0", "off"}


def parse_date(value: Any) -> str:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    match = _DATE_ISO.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _DATE_DMY.match(text)
        if not match:
            raise AnswerError(_("Enter a date as dd/mm/yyyy."))
        day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError as error:
        raise AnswerError(_("Enter a date as dd/mm/yyyy.")) from error


def parse_datetime(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None).isoformat(timespec="minutes")
    match = _DATETIME.match(str(value))
    if not match:
        raise AnswerError(_("Enter a date and time as dd/mm/yyyy hh:mm."))
    parts = match.groups()
    if parts[0] is not None:
        year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
    else:
        day, month, year = int(parts[3]), int(parts[4]), int(parts[5])
    try:
        moment = datetime.datetime(year, month, day, int(parts[6]), int(parts[7]))  # noqa: DTZ001 - local wall time
    except ValueError as error:
        raise AnswerError(_("Enter a date and time as dd/mm/yyyy hh:mm.")) from error
    return moment.isoformat(timespec="minutes")


def _parse_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise AnswerError(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not re.fullmatch(r"-?\d{1,15}", text):
        raise AnswerError(_("Enter a whole number."))
    return int(text)


def _parse_decimal(value: Any) -> float:
    if isinstance(value, bool):
        raise AnswerError(_("Enter a number."))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        if not re.fullmatch(r"-?(\d{1,15}(\.\d*)?|\.\d+)", text):
            raise AnswerError(_("Enter a number."))
        number = float(text)
    if math.isnan(number) or math.isinf(number):
        raise AnswerError(_("Enter a number."))
    return number


def _parse_location(item: Field, value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        parts = value.split()
        value = {"latitude": parts[0], "longitude": parts[1]} if len(parts) >= 2 else {"admin_area": value}
    if not isinstance(value, Mapping):
        raise AnswerError(_("Enter a location."))
    result: dict[str, Any] = {}
    area = value.get("admin_area")
    if area not in (None, "") and item.location_mode in ("area", "both"):
        try:
            result["admin_area"] = _parse_integer(area)
        except AnswerError as error:
            raise AnswerError(_("Choose an administrative area.")) from error
    latitude, longitude = value.get("latitude"), value.get("longitude")
    if item.location_mode in ("gps", "both") and (latitude not in (None, "") or longitude not in (None, "")):
        try:
            lat, lng = _parse_decimal(latitude), _parse_decimal(longitude)
        except AnswerError as error:
            raise AnswerError(_("Enter both latitude and longitude in decimal degrees.")) from error
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise AnswerError(_("Latitude goes from -90 to 90 and longitude from -180 to 180."))
        result["latitude"], result["longitude"] = round(lat, 6), round(lng, 6)
    return result or None


def sign_file(reference: Mapping[str, Any]) -> dict[str, Any]:
    """Sign a stored file's reference so a client can send it back but not forge one."""
    payload = {key: reference[key] for key in ("key", "name", "size", "content_type")}
    return {**payload, "signature": signing.dumps(payload["key"], salt=FILE_SIGNING_SALT)}


def _parse_file(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = signing.loads(value, salt=FILE_SIGNING_SALT + ".reference")
        except signing.BadSignature as error:
            raise AnswerError(_("The file could not be read; upload it again.")) from error
    if not isinstance(value, Mapping) or not all(key in value for key in ("key", "name", "signature")):
        raise AnswerError(_("The file could not be read; upload it again."))
    try:
        key = signing.loads(value["signature"], salt=FILE_SIGNING_SALT)
    except signing.BadSignature as error:
        raise AnswerError(_("The file could not be read; upload it again.")) from error
    if key != value["key"]:
        raise AnswerError(_("The file could not be read; upload it again."))
    return {
        "key": value["key"],
        "name": str(value["name"])[:200],
        "size": int(value.get("size") or 0),
        "content_type": str(value.get("content_type") or "")[:100],
        "signature": value["signature"],
    }


def file_token(reference: Mapping[str, Any]) -> str:
    """The whole reference as one signed string, for a hidden form input."""
    return signing.dumps(dict(reference), salt=FILE_SIGNING_SALT + ".reference")


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value in ([], {})


def parse_answer(item: Field, definition: FormDefinition, value: Any) -> Any:
    """One answer parsed to its stored type; None when empty. Raises AnswerError with a message."""
    if _is_empty(value):
        return None
    kind = item.type
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise AnswerError(_("Enter text."))
        text = str(value).strip() if kind == FieldType.TEXT else str(value).replace("\r\n", "\n").strip()
        limit = TEXT_MAX_LENGTH if kind == FieldType.TEXT else LONG_TEXT_MAX_LENGTH
        if len(text) > limit:
            raise AnswerError(_("Write at most %(limit)s characters.") % {"limit": limit})
        return text
    if kind == FieldType.INTEGER:
        return _parse_integer(value)
    if kind == FieldType.DECIMAL:
        return _parse_decimal(value)
    if kind == FieldType.DATE:
        return parse_date(value)
    if kind == FieldType.DATETIME:
        return parse_datetime(value)
    if kind == FieldType.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise AnswerError(_("Answer yes or no."))
    if kind == FieldType.SELECT_ONE:
        allowed = [option.value for option in definition.option_list(item.options).options]
        if str(value) not in allowed:
            raise AnswerError(_("Choose one of the options."))
        return str(value)
    if kind == FieldType.SELECT_MULTIPLE:
        chosen = value.split() if isinstance(value, str) else value
        if not isinstance(chosen, list | tuple):
            raise AnswerError(_("Choose from the options."))
        allowed = [option.value for option in definition.option_list(item.options).options]
        if any(str(choice) not in allowed for choice in chosen):
            raise AnswerError(_("Choose from the options."))
        picked = {str(choice) for choice in chosen}
        return [option for option in allowed if option in picked] or None
    if kind == FieldType.PERSON:
        try:
            return _parse_integer(value)
        except AnswerError as error:
            raise AnswerError(_("Choose a person.")) from error
    if kind == FieldType.LOCATION:
        return _parse_location(item, value)
    if kind in (FieldType.PHOTO, FieldType.FILE):
        return _parse_file(value)
    return None


def _parse_scope(
    fields: tuple[Field, ...],
    raw: Mapping[str, Any],
    path: str,
    definition: FormDefinition,
    errors: dict[str, str],
) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in fields:
        field_path = f"{path}/{item.name}" if path else item.name
        value = raw.get(item.name)
        if item.is_repeat:
            instances = value if isinstance(value, list) else []
            parsed[item.name] = [
                _parse_scope(
                    item.fields,
                    instance if isinstance(instance, Mapping) else {},
                    f"{field_path}/{index}",
                    definition,
                    errors,
                )
                for index, instance in enumerate(instances)
            ]
        elif item.holds_value and item.type != FieldType.CALCULATED:
            try:
                parsed[item.name] = parse_answer(item, definition, value)
            except AnswerError as error:
                errors[field_path] = str(error)
                parsed[item.name] = None
    return parsed


_COMPILED: dict[int, CompiledForm] = {}


def compiled_for(definition: FormDefinition) -> CompiledForm:
    """Compile once per definition object (versions are immutable, so callers may cache them)."""
    key = id(definition)
    compiled = _COMPILED.get(key)
    if compiled is None or compiled.definition is not definition:
        compiled = compile_form(definition)
        if len(_COMPILED) > 500:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    return compiled


def _stored_calculation(value: expressions.Value) -> Any:
    if value == "" or value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return expressions.to_string(value)


def _local(moment: datetime.datetime | None) -> datetime.datetime:
    if moment is None:
        return timezone.localtime()
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def validate_submission(
    definition: FormDefinition,
    data: Mapping[str, Any],
    *,
    previous: Mapping[str, Any] | None = None,
    references: References | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    language: str | None = None,
) -> tuple[dict[str, Any], Errors]:
    """Validate `data` against a form definition; returns (clean_data, errors by field path).

    `previous` is the record's data before this edit: answers it holds for fields this
    definition does not have (fields retired in a later version) are carried over untouched,
    so editing a record never loses them. `references` checks person and area answers.
    """
    language = language or get_language() or definition.default_language
    references = references or References()
    parse_errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for section in definition.sections:
        parsed.update(_parse_scope(section.fields, data, "", definition, parse_errors))
    compiled = compiled_for(definition)
    evaluation = run(
        compiled,
        parsed,
        today=(today or timezone.localdate()).isoformat(),
        now=_local(now).replace(microsecond=0, tzinfo=None).isoformat(),
    )
    errors: Errors = {}
    clean: dict[str, Any] = {}
    person_answers: list[tuple[str, int]] = []
    area_answers: list[tuple[str, int]] = []

    def check(
        fields: tuple[Field, ...], scope: Scope, raw: Mapping[str, Any], target: dict[str, Any]
    ) -> None:
        for item in fields:
            name = item.name
            path = scope.child_path(name)
            if not scope.relevant.get(name, False):
                continue
            if item.is_repeat:
                instances = []
                for instance_scope in scope.children.get(name, []):
                    instance_data: dict[str, Any] = {}
                    check(item.fields, instance_scope, instance_scope.raw, instance_data)
                    instances.append(instance_data)
                if instances:
                    target[name] = instances
                continue
            if item.type == FieldType.NOTE:
                continue
            if item.type == FieldType.CALCULATED:
                stored = _stored_calculation(scope.values.get(name, ""))
                if stored is not None:
                    target[name] = stored
                continue
            if path in parse_errors:
                errors.setdefault(path, []).append(parse_errors[path])
                continue
            value = raw.get(name)
            if value is None:
                if item.required:
                    errors.setdefault(path, []).append(_("This field is required."))
                continue
            message = _check_value(item, value, scope, evaluation, definition, language)
            if message:
                errors.setdefault(path, []).append(message)
                continue
            if item.type == FieldType.PERSON:
                person_answers.append((path, value))
            if item.type == FieldType.LOCATION and value.get("admin_area") is not None:
                area_answers.append((path, value["admin_area"]))
            target[name] = value

    for section in definition.sections:
        check(section.fields, evaluation.root, evaluation.root.raw, clean)
    _check_references(person_answers, area_answers, references, errors)
    if previous:
        known = {item.name for item in definition.all_fields()}
        for key, value in previous.items():
            if key not in known:
                clean[key] = value
    return clean, errors


def _check_value(
    item: Field, value: Any, scope: Scope, evaluation: Evaluation, definition: FormDefinition, language: str
) -> str:
    custom = translate(item.constraint_message, language, definition.default_language)
    if item.minimum is not None and value < item.minimum:
        return custom or _("Enter %(minimum)s or more.") % {"minimum": expressions.to_string(item.minimum)}
    if item.maximum is not None and value > item.maximum:
        return custom or _("Enter %(maximum)s or less.") % {"maximum": expressions.to_string(item.maximum)}
    if item.pattern and isinstance(value, str) and re.search(item.pattern, value) is None:
        return custom or _("The answer does not have the expected format.")
    if item.constraint_ast is not None:
        current = expression_value(item, value)
        if not evaluation.holds(item.constraint_ast, scope, current):
            return custom or _("The answer is not allowed.")
    return ""


def _check_references(
    person_answers: list[tuple[str, int]],
    area_answers: list[tuple[str, int]],
    references: References,
    errors: Errors,
) -> None:
    if person_answers:
        allowed = references.persons({value for _path, value in person_answers}) if references.persons else {}
        for path, value in person_answers:
            if value not in allowed:
                errors.setdefault(path, []).append(_("That person does not exist or you may not see them."))
    if area_answers and references.admin_areas is not None:
        known = references.admin_areas({value for _path, value in area_answers})
        for path, value in area_answers:
            if value not in known:
                errors.setdefault(path, []).append(_("Choose an administrative area."))
    for path, value in area_answers:
        if value <= 0 and path not in errors:
            errors.setdefault(path, []).append(_("Choose an administrative area."))
