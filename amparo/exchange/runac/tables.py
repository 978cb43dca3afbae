"""National categories and equivalence-table versions: the shared writes and lookups."""

import csv
from pathlib import Path
from typing import Any

from django.db.models import Max

from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.exchange.runac.choices import EquivalenceSource
from amparo.exchange.runac.equivalences import EquivalenceRow
from amparo.exchange.runac.models import EquivalenceEntry, EquivalenceTable, Jurisdiction, NationalCategory

CATEGORIES_CSV = Path(__file__).resolve().parent / "data" / "categorias_nacionales.csv"

# (unit, field, local id) → (description, national category)
TableRows = dict[tuple[str, str, str], tuple[str, str]]


def read_categories_csv(path: Path = CATEGORIES_CSV) -> list[tuple[str, str, str]]:
    """(unit, field, category) rows of categorias_nacionales.csv, in file order."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return [
            (row["unidad"].strip(), row["campo"].strip(), row["categoria_nacional"].strip()) for row in reader
        ]


def categories_by_field() -> dict[tuple[str, str], set[str]]:
    result: dict[tuple[str, str], set[str]] = {}
    for unit, field, code in NationalCategory.objects.filter(is_active=True).values_list(
        "unit", "field", "code"
    ):
        result.setdefault((unit, field), set()).add(code)
    return result


def current_table(jurisdiction: Jurisdiction) -> EquivalenceTable | None:
    """The version in force: the newest."""
    return EquivalenceTable.objects.filter(jurisdiction=jurisdiction).order_by("-version").first()


def rows_of(table: EquivalenceTable | None) -> TableRows:
    if table is None:
        return {}
    entries = table.entries.values_list("unit", "field", "local_id", "local_description", "category__code")
    return {
        (unit, field, local_id): (description, code) for unit, field, local_id, description, code in entries
    }


def mapping_of(table: EquivalenceTable | None) -> dict[tuple[str, str], dict[str, str]]:
    """(unit, field) → {local id: national category}: what the checker translates with."""
    mapping: dict[tuple[str, str], dict[str, str]] = {}
    for (unit, field, local_id), (_description, code) in rows_of(table).items():
        mapping.setdefault((unit, field), {})[local_id] = code
    return mapping


def merge_rows(
    table: EquivalenceTable | None, rows: list[EquivalenceRow], *, replace: bool
) -> tuple[TableRows, int, int, int]:
    """The table after applying a file's rows: merged into the current one, or replacing it.

    Returns (rows, added, changed, removed).
    """
    before = rows_of(table)
    incoming = {row.key: (row.local_description, row.category) for row in rows}
    after = dict(incoming) if replace else {**before, **incoming}
    added = sum(1 for key in after if key not in before)
    changed = sum(1 for key, value in after.items() if key in before and before[key] != value)
    removed = sum(1 for key in before if key not in after)
    return after, added, changed, removed


def equivalence_version_create(
    *,
    jurisdiction: Jurisdiction,
    rows: TableRows,
    source: EquivalenceSource,
    actor: Any,
    file_name: str = "",
    note: str = "",
    stats: tuple[int, int, int] = (0, 0, 0),
) -> EquivalenceTable:
    """Save `rows` as the jurisdiction's next table version (the caller holds the transaction)."""
    number = (
        EquivalenceTable.objects.filter(jurisdiction=jurisdiction).aggregate(top=Max("version"))["top"] or 0
    ) + 1
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    added, changed, removed = stats
    table = EquivalenceTable(
        jurisdiction=jurisdiction,
        version=number,
        created_by=actor if is_user else None,
        source=source,
        file_name=file_name[:200],
        note=note[:300],
        entry_count=len(rows),
        added=added,
        changed=changed,
        removed=removed,
    )
    table.full_clean()
    table.save()
    categories = {
        (unit, field, code): pk
        for pk, unit, field, code in NationalCategory.objects.values_list("pk", "unit", "field", "code")
    }
    EquivalenceEntry.objects.bulk_create(
        [
            EquivalenceEntry(
                table=table,
                unit=unit,
                field=field,
                local_id=local_id,
                local_description=description[:300],
                category_id=categories[(unit, field, code)],
            )
            for (unit, field, local_id), (description, code) in sorted(rows.items())
        ]
    )
    audit.record(
        actor=actor,
        action=AuditAction.RUNAC_EQUIVALENCE_UPDATED,
        target=table,
        username="system",
        extra={
            "jurisdiction": jurisdiction.code,
            "version": number,
            "source": str(source),
            "added": added,
            "changed": changed,
            "removed": removed,
        },
    )
    return table
