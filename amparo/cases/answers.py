"""Typed copies of the date and number answers of case form records (`CaseAnswerValue`).

A range over a JSON answer (`data->>'fecha' BETWEEN …`) cannot use an index on both PostgreSQL
and SQLite, and without one a date range on a form answer reads every record that matches the
other filters. So every write of a `CaseFormRecord` also writes one row per date / integer /
decimal answer — top-level fields as `name`, fields inside repeat groups as `group/name` (one row
per instance) — taken from the answers the forms engine has just validated, and the case list
filters date ranges (and repeat-group ranges) through the `(form, field, value)` indexes.

`answer_values` is pure; `rows_for_record` and `rebuild` keep the table in step. The data migration
that fills the table for existing records and the benchmark's loader call `rebuild`.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from amparo.forms.choices import FieldType
from amparo.forms.definition import Field, FormDefinition

TYPED = frozenset({FieldType.DATE, FieldType.INTEGER, FieldType.DECIMAL})
PATH_SEPARATOR = "/"


def _typed(item: Field, value: Any) -> tuple[datetime.date | None, float | None] | None:
    if value is None or value == "":
        return None
    if item.type == FieldType.DATE:
        if not isinstance(value, str):
            return None
        try:
            return datetime.date.fromisoformat(value), None
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None, float(value)


def _walk(
    fields: Iterable[Field], answers: Mapping[str, Any], prefix: str
) -> Iterator[tuple[str, datetime.date | None, float | None]]:
    for item in fields:
        value = answers.get(item.name)
        if item.is_repeat:
            if isinstance(value, list):
                for entry in value:
                    if isinstance(entry, Mapping):
                        yield from _walk(item.fields, entry, f"{prefix}{item.name}{PATH_SEPARATOR}")
            continue
        if item.type not in TYPED:
            continue
        typed = _typed(item, value)
        if typed is not None:
            yield f"{prefix}{item.name}", typed[0], typed[1]


def answer_values(
    definition: FormDefinition, data: Mapping[str, Any]
) -> list[tuple[str, datetime.date | None, float | None]]:
    """(field path, date, number) for every date / integer / decimal answer in `data`."""
    if not isinstance(data, Mapping):
        return []
    return [row for section in definition.sections for row in _walk(section.fields, data, "")]


def rows_for_record(record: Any, definition: FormDefinition, model: Any) -> list[Any]:
    """Unsaved `model` rows (CaseAnswerValue or its historical twin) for one record."""
    return [
        model(
            record_id=record.pk,
            case_id=record.case_id,
            form_id=record.form_id,
            field=path,
            date_value=date_value,
            number_value=number_value,
        )
        for path, date_value, number_value in answer_values(definition, record.data)
    ]


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
                    if child.type in TYPED:
                        paths.append(
                            (item.name, child.name, f"{item.name}{PATH_SEPARATOR}{child.name}", child)
                        )
            elif item.type in TYPED:
                paths.append(("", item.name, item.name, item))
    return paths


def _rebuild_in_sql(
    connection: Any, record_table: str, value_table: str, version_id: int, paths: list
) -> None:
    """PostgreSQL: the same rows as `answer_values`, written set-based (a million records in a minute,
    where reading them into Python takes far longer). Values are those the engine stores: ISO dates
    (strings) and JSON numbers (booleans are not numbers in JSON)."""
    for group, name, path, item in paths:
        source = "r.data" if not group else "e"
        if item.type == FieldType.DATE:
            value, column = f"({source}->>%(name)s)::date", "date_value"
            check = (
                f"jsonb_typeof({source}->%(name)s) = 'string' "
                f"AND ({source}->>%(name)s) ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'"
            )
        else:
            value, column = f"({source}->>%(name)s)::double precision", "number_value"
            check = f"jsonb_typeof({source}->%(name)s) = 'number'"
        join = (
            ""
            if not group
            else " CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.data->%(group)s) = "
            "'array' THEN r.data->%(group)s ELSE '[]'::jsonb END) AS e"
        )
        extra = "" if not group else " AND jsonb_typeof(e) = 'object'"
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{value_table}" (record_id, case_id, form_id, field, {column}) '  # noqa: S608
                f'SELECT r.id, r.case_id, r.form_id, %(path)s, {value} FROM "{record_table}" AS r{join} '
                f"WHERE r.form_version_id = %(version)s{extra} AND {check}",
                {"name": name, "group": group, "path": path, "version": version_id},
            )


def rebuild(*, record_model: Any, version_model: Any, value_model: Any, batch: int = 5000) -> int:
    """Fill the typed table again from every record (used by the data migration and benchmarks).

    Takes the model classes so a migration can pass its historical models. Returns the rows written.
    On PostgreSQL the forms without nested repeats are filled with one INSERT … SELECT per field.
    """
    from django.db import connections

    from amparo.forms.definition import load_definition

    value_model.objects.all().delete()
    connection = connections[value_model.objects.db]
    definitions: dict[int, FormDefinition] = {}
    in_sql: set[int] = set()
    used = record_model.objects.values_list("form_version_id", flat=True).distinct().order_by()
    for version in version_model.objects.filter(pk__in=used):
        definitions[version.pk] = load_definition(version.definition)
        paths = _typed_paths(definitions[version.pk])
        if connection.vendor == "postgresql" and paths is not None:
            _rebuild_in_sql(
                connection, record_model._meta.db_table, value_model._meta.db_table, version.pk, paths
            )
            in_sql.add(version.pk)
    pending: list[Any] = []
    written = value_model.objects.count() if in_sql else 0
    records = record_model.objects.exclude(form_version_id__in=in_sql)
    records = records.only("pk", "case_id", "form_id", "form_version_id", "data").order_by("pk")
    for record in records.iterator(chunk_size=2000):
        definition = definitions.get(record.form_version_id)
        if definition is None:
            definition = load_definition(version_model.objects.get(pk=record.form_version_id).definition)
            definitions[record.form_version_id] = definition
        pending += rows_for_record(record, definition, value_model)
        if len(pending) >= batch:
            value_model.objects.bulk_create(pending)
            written += len(pending)
            pending = []
    value_model.objects.bulk_create(pending)
    return written + len(pending)
