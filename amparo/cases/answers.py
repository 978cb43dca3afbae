"""Typed copies of the answers of case form records (`CaseAnswerValue`), for filters an index answers.

A range over a JSON answer (`data->>'fecha' BETWEEN …`) cannot use an index on both PostgreSQL
and SQLite, and a JSON option match (`data @> …`) cannot be combined with a range or the access
scope in one index. So every write of a `CaseFormRecord` also writes one row per:

- date / integer / decimal answer (`date_value`, `number_value`);
- option answer — select one, each value of a select multiple, yes/no as "true"/"false"
  (`option_value`; values longer than `OPTION_MAX_LENGTH` are left to the JSON);
- short text answer inside a repeat group (`text_value`; top-level text filters read the JSON,
  a B-tree would not help a "contains" there).

Top-level fields are stored as `name`, fields inside repeat groups as `group/name` (one row per
instance). Every row also carries the case's unit and type (denormalised, kept in step by the
services: `sync_case_scope`), so "type + option + date range within my units" is answered by two
index scans of this table, without reading the cases.

`answer_values` is pure; `rows_for_record`, `changed_fields` and `rebuild` keep the table in step.
The data migrations and the benchmark's loader call `rebuild`.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from amparo.forms.choices import FieldType
from amparo.forms.definition import Field, FormDefinition

RANGED = frozenset({FieldType.DATE, FieldType.INTEGER, FieldType.DECIMAL})
OPTIONS = frozenset({FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE, FieldType.YES_NO})
TEXTS_IN_REPEATS = frozenset({FieldType.TEXT})
TYPED = RANGED | OPTIONS  # typed at any level; TEXTS_IN_REPEATS only inside repeat groups
PATH_SEPARATOR = "/"
OPTION_MAX_LENGTH = 255


class Answer(NamedTuple):
    field: str
    date_value: datetime.date | None = None
    number_value: float | None = None
    option_value: str | None = None
    text_value: str | None = None


def _typed(item: Field, path: str, value: Any) -> list[Answer]:
    if value is None or value == "":
        return []
    kind = item.type
    if kind == FieldType.DATE:
        if not isinstance(value, str):
            return []
        try:
            return [Answer(path, date_value=datetime.date.fromisoformat(value))]
        except ValueError:
            return []
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return []
        return [Answer(path, number_value=float(value))]
    if kind == FieldType.YES_NO:
        return [Answer(path, option_value="true" if value else "false")] if isinstance(value, bool) else []
    if kind == FieldType.SELECT_ONE:
        values = [value]
    elif kind == FieldType.SELECT_MULTIPLE:
        values = value if isinstance(value, list) else []
    else:  # short text inside a repeat group
        return [Answer(path, text_value=value)] if isinstance(value, str) else []
    return [
        Answer(path, option_value=choice)
        for choice in values
        if isinstance(choice, str) and choice and len(choice) <= OPTION_MAX_LENGTH
    ]


def _walk(fields: Iterable[Field], answers: Mapping[str, Any], prefix: str) -> Iterator[Answer]:
    for item in fields:
        value = answers.get(item.name)
        if item.is_repeat:
            if isinstance(value, list):
                for entry in value:
                    if isinstance(entry, Mapping):
                        yield from _walk(item.fields, entry, f"{prefix}{item.name}{PATH_SEPARATOR}")
            continue
        if item.type in TYPED or (prefix and item.type in TEXTS_IN_REPEATS):
            yield from _typed(item, f"{prefix}{item.name}", value)


def answer_values(definition: FormDefinition, data: Mapping[str, Any]) -> list[Answer]:
    """Every typed answer in `data` (see the module's docstring for which)."""
    if not isinstance(data, Mapping):
        return []
    return [row for section in definition.sections for row in _walk(section.fields, data, "")]


def typed_option(value: Any) -> str | None:
    """The `option_value` an option filter's value is stored as, or None when it is not stored typed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value and len(value) <= OPTION_MAX_LENGTH:
        return value
    return None


def _typed_rows(
    model: Any, definition: FormDefinition, data: Any, keys: dict[str, Any], only: set[str] | None = None
) -> list[Any]:
    """Unsaved `model` rows, one per typed answer of `data` (or of the field paths in `only`),
    each carrying `keys` (what the answers belong to: record or intervention, case, unit, type)."""
    return [
        model(
            **keys,
            field=answer.field,
            date_value=answer.date_value,
            number_value=answer.number_value,
            option_value=answer.option_value,
            text_value=answer.text_value,
        )
        for answer in answer_values(definition, data)
        if only is None or answer.field in only
    ]


def rows_for_record(
    record: Any,
    definition: FormDefinition,
    model: Any,
    *,
    org_unit_id: int,
    case_type_id: int,
    only: set[str] | None = None,
) -> list[Any]:
    """Unsaved `model` rows (CaseAnswerValue or its historical twin) for one record (or for the
    field paths in `only`)."""
    keys = {
        "record_id": record.pk,
        "case_id": record.case_id,
        "form_id": record.form_id,
        "org_unit_id": org_unit_id,
        "case_type_id": case_type_id,
    }
    return _typed_rows(model, definition, record.data, keys, only)


def rows_for_intervention(
    intervention: Any, definition: FormDefinition, model: Any, *, org_unit_id: int, case_type_id: int
) -> list[Any]:
    """Unsaved `model` rows (InterventionAnswerValue or its historical twin) for one intervention."""
    keys = {
        "intervention_id": intervention.pk,
        "case_id": intervention.case_id,
        "intervention_type_id": intervention.intervention_type_id,
        "org_unit_id": org_unit_id,
        "case_type_id": case_type_id,
    }
    return _typed_rows(model, definition, intervention.data, keys)


def rebuild_interventions(*, intervention_model: Any, version_model: Any, value_model: Any) -> int:
    """Fill the interventions' typed table again (read in Python: interventions are far fewer than
    case records). Returns the rows written."""
    from amparo.forms.definition import load_definition

    value_model.objects.all().delete()
    definitions: dict[int, FormDefinition] = {}
    pending: list[Any] = []
    written = 0
    interventions = intervention_model.objects.filter(form_version__isnull=False).select_related("case")
    interventions = interventions.only(
        "pk", "case_id", "intervention_type_id", "form_version_id", "data", "case__org_unit_id",
        "case__case_type_id",
    ).order_by("pk")  # fmt: skip
    for intervention in interventions.iterator(chunk_size=2000):
        definition = definitions.get(intervention.form_version_id)
        if definition is None:
            version = version_model.objects.get(pk=intervention.form_version_id)
            definition = definitions[version.pk] = load_definition(version.definition)
        pending += rows_for_intervention(
            intervention,
            definition,
            value_model,
            org_unit_id=intervention.case.org_unit_id,
            case_type_id=intervention.case.case_type_id,
        )
        if len(pending) >= 5000:
            value_model.objects.bulk_create(pending)
            written, pending = written + len(pending), []
    value_model.objects.bulk_create(pending)
    return written + len(pending)


def changed_fields(
    before: FormDefinition | None,
    previous: Mapping[str, Any] | None,
    after: FormDefinition,
    data: Mapping[str, Any],
) -> set[str]:
    """Field paths whose typed rows differ between the stored answers and the new ones (all of
    them when the previous answers are unknown: `before` None)."""
    new = Counter(answer_values(after, data))
    if before is None or previous is None:
        return {answer.field for answer in new}
    old = Counter(answer_values(before, previous))
    return {answer.field for answer in (old - new) + (new - old)}


def _typed_paths(definition: FormDefinition) -> list[tuple[str, str, str, Field]] | None:
    """(group, field name, path, field) of the typed fields, one repeat level at most; None when the
    form nests repeats (then the records are read in Python)."""
    paths: list[tuple[str, str, str, Field]] = []
    for section in definition.sections:
        for item in section.fields:
            if item.is_repeat:
                for child in item.fields:
                    if child.is_repeat:
                        return None
                    if child.type in TYPED or child.type in TEXTS_IN_REPEATS:
                        paths.append(
                            (item.name, child.name, f"{item.name}{PATH_SEPARATOR}{child.name}", child)
                        )
            elif item.type in TYPED:
                paths.append(("", item.name, item.name, item))
    return paths


def _value_sql(item: Field, source: str) -> tuple[str, str, str, str]:
    """(column, value, extra FROM, condition) selecting what `_typed` keeps, on PostgreSQL."""
    answer = f"{source}->%(name)s"
    if item.type == FieldType.DATE:
        return (
            "date_value",
            f"({source}->>%(name)s)::date",
            "",
            f"jsonb_typeof({answer}) = 'string' "
            f"AND ({source}->>%(name)s) ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'",
        )
    if item.type in (FieldType.INTEGER, FieldType.DECIMAL):
        return (
            "number_value",
            f"({source}->>%(name)s)::double precision",
            "",
            f"jsonb_typeof({answer}) = 'number'",
        )
    if item.type == FieldType.YES_NO:
        return "option_value", f"({source}->>%(name)s)", "", f"jsonb_typeof({answer}) = 'boolean'"
    length = f"BETWEEN 1 AND {OPTION_MAX_LENGTH}"
    if item.type == FieldType.SELECT_ONE:
        return (
            "option_value",
            f"({source}->>%(name)s)",
            "",
            f"jsonb_typeof({answer}) = 'string' AND char_length({source}->>%(name)s) {length}",
        )
    if item.type == FieldType.SELECT_MULTIPLE:
        return (
            "option_value",
            "o.value #>> '{}'",
            f" CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof({answer}) = 'array' "
            f"THEN {answer} ELSE '[]'::jsonb END) AS o",
            f"jsonb_typeof(o.value) = 'string' AND char_length(o.value #>> '{{}}') {length}",
        )
    return "text_value", f"({source}->>%(name)s)", "", f"jsonb_typeof({answer}) = 'string'"


def _rebuild_in_sql(connection: Any, tables: Mapping[str, str], version_id: int, paths: list) -> None:
    """PostgreSQL: the same rows as `answer_values`, written set-based (a million records in a minute
    or two, where reading them into Python takes far longer). Values are those the engine stores:
    ISO dates (strings), JSON numbers and booleans, option values as strings."""
    for group, name, path, item in paths:
        source = "r.data" if not group else "e"
        column, value, extra_from, check = _value_sql(item, source)
        join = (
            ""
            if not group
            else " CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.data->%(group)s) = "
            "'array' THEN r.data->%(group)s ELSE '[]'::jsonb END) AS e"
        )
        extra = "" if not group else " AND jsonb_typeof(e) = 'object'"
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{tables["value"]}" (record_id, case_id, form_id, org_unit_id, case_type_id, '  # noqa: S608
                f"field, {column}) "
                f"SELECT r.id, r.case_id, r.form_id, c.org_unit_id, c.case_type_id, %(path)s, {value} "
                f'FROM "{tables["record"]}" AS r JOIN "{tables["case"]}" AS c ON c.id = r.case_id'
                f"{join}{extra_from} "
                f"WHERE r.form_version_id = %(version)s{extra} AND {check}",
                {"name": name, "group": group, "path": path, "version": version_id},
            )


def rebuild(*, record_model: Any, version_model: Any, value_model: Any, batch: int = 5000) -> int:
    """Fill the typed table again from every record (used by the data migrations and benchmarks).

    Takes the model classes so a migration can pass its historical models. Returns the rows written.
    On PostgreSQL the table is truncated and the forms without nested repeats are filled with one
    INSERT … SELECT per field.
    """
    from django.db import connections

    from amparo.forms.definition import load_definition

    connection = connections[value_model.objects.db]
    tables = {
        "record": record_model._meta.db_table,
        "value": value_model._meta.db_table,
        "case": record_model._meta.get_field("case").related_model._meta.db_table,
    }
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:  # inside a transaction, pending FK checks forbid TRUNCATE
            cursor.execute(f'TRUNCATE "{tables["value"]}"')
    else:
        value_model.objects.all().delete()
    definitions: dict[int, FormDefinition] = {}
    in_sql: set[int] = set()
    used = record_model.objects.values_list("form_version_id", flat=True).distinct().order_by()
    for version in version_model.objects.filter(pk__in=used):
        definitions[version.pk] = load_definition(version.definition)
        paths = _typed_paths(definitions[version.pk])
        if connection.vendor == "postgresql" and paths is not None:
            _rebuild_in_sql(connection, tables, version.pk, paths)
            in_sql.add(version.pk)
    pending: list[Any] = []
    written = value_model.objects.count() if in_sql else 0
    records = record_model.objects.exclude(form_version_id__in=in_sql).select_related("case")
    records = records.only(
        "pk", "case_id", "form_id", "form_version_id", "data", "case__org_unit_id", "case__case_type_id"
    ).order_by("pk")
    for record in records.iterator(chunk_size=2000):
        definition = definitions.get(record.form_version_id)
        if definition is None:
            definition = load_definition(version_model.objects.get(pk=record.form_version_id).definition)
            definitions[record.form_version_id] = definition
        pending += rows_for_record(
            record,
            definition,
            value_model,
            org_unit_id=record.case.org_unit_id,
            case_type_id=record.case.case_type_id,
        )
        if len(pending) >= batch:
            value_model.objects.bulk_create(pending)
            written += len(pending)
            pending = []
    value_model.objects.bulk_create(pending)
    return written + len(pending)
