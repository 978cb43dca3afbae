"""Answers as table rows, for Excel/CSV exports and reports across every version of a form.

Columns come from the form's field catalogue (every field any version had, in order of first
appearance), so records filled with different versions share one table: a field a later
version dropped keeps its column, filled for the records that have it. A field inside a repeat
group gets one column holding every instance's answer joined with " | ". Columns above the
viewer's clearance are left out.

    columns = export_columns(selectors.field_catalogue(form), clearance=clearance)
    header = [column.label for column in columns]
    rows = [export_row(columns, record.data, person_labels=…) for record in records]
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from amparo.forms.choices import FieldType
from amparo.forms.definition import Field, FormDefinition, translate
from amparo.forms.rendering import answer_text
from amparo.forms.selectors import CatalogueEntry

INSTANCE_SEPARATOR = " | "


@dataclass(frozen=True)
class ExportColumn:
    name: str  # the field's name ("age"), or "repeat/field" for a field inside a repeat group
    label: str
    field: Field
    definition: FormDefinition
    repeat: str | None


def export_columns(
    catalogue: Mapping[str, CatalogueEntry], *, clearance: int, language: str | None = None
) -> list[ExportColumn]:
    """One column per answer-holding field the viewer may see (notes and repeat headers excluded)."""
    language = language or get_language() or "es"
    hidden_repeats = {
        name
        for name, entry in catalogue.items()
        if entry.field.is_repeat and entry.field.sensitivity > clearance
    }
    columns = []
    for name, entry in catalogue.items():
        item = entry.field
        if not item.holds_value or item.type == FieldType.NOTE or item.sensitivity > clearance:
            continue
        if entry.repeat in hidden_repeats:
            continue
        label = translate(item.label, language, entry.definition.default_language) or name
        if entry.repeat:
            parent = catalogue.get(entry.repeat)
            parent_label = (
                translate(parent.field.label, language, parent.definition.default_language)
                if parent is not None
                else entry.repeat
            )
            label = f"{parent_label or entry.repeat} › {label}"
        columns.append(
            ExportColumn(
                name=f"{entry.repeat}/{name}" if entry.repeat else name,
                label=label,
                field=item,
                definition=entry.definition,
                repeat=entry.repeat,
            )
        )
    return columns


def _instances(data: Mapping[str, Any], repeat: str) -> list[Mapping[str, Any]]:
    """Every instance of `repeat`, looking inside other repeat groups too (nested repeats)."""
    found: list[Mapping[str, Any]] = []
    for key, value in data.items():
        if not isinstance(value, list):
            continue
        instances = [instance for instance in value if isinstance(instance, Mapping)]
        if key == repeat:
            found.extend(instances)
        else:
            for instance in instances:
                found.extend(_instances(instance, repeat))
    return found


def export_row(
    columns: list[ExportColumn],
    data: Mapping[str, Any],
    *,
    language: str | None = None,
    person_labels: Mapping[int, str] | None = None,
    area_labels: Mapping[int, str] | None = None,
) -> list[str]:
    """The record's answers as text, one per column ("" when it has none)."""
    language = language or get_language() or "es"
    row = []
    for column in columns:

        def text(value: Any, column: ExportColumn = column) -> str:
            return answer_text(column.field, value, column.definition, language, person_labels, area_labels)

        if column.repeat:
            values = [text(instance.get(column.field.name)) for instance in _instances(data, column.repeat)]
            row.append(INSTANCE_SEPARATOR.join(value for value in values if value))
        else:
            row.append(text(data.get(column.field.name)))
    return row
