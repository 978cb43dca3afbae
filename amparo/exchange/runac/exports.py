"""Indicators as data: a JSON-able dict, an .xlsx workbook (one sheet per table) and a long CSV."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from amparo.exchange.runac.indicators import IndicatorResult, Table


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def table_as_dict(table: Table) -> dict[str, Any]:
    rows = [*table.rows, *([table.total] if table.total else [])]
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [key for key, _label in table.columns],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "total": _number(row.total),
                "values": {column: _number(value) for column, value in row.values.items()},
            }
            for row in rows
        ],
    }


def result_as_dict(result: IndicatorResult, *, tables: bool = False) -> dict[str, Any]:
    query = result.query
    data: dict[str, Any] = {
        "jurisdictions": [jurisdiction.code for jurisdiction in query.jurisdictions],
        "jurisdiction": query.jurisdictions[0].code if len(query.jurisdictions) == 1 else None,
        "at": f"{query.at:%d/%m/%Y}",
        "period": {"from": f"{query.period_start:%d/%m/%Y}", "to": f"{query.period_end:%d/%m/%Y}"},
        "breakdown": str(query.breakdown),
        **result.summary,
    }
    if tables:
        data["tables"] = [table_as_dict(table) for table in result.tables]
    return data


def _parameters(result: IndicatorResult) -> list[list[Any]]:
    query = result.query
    return [
        ["Jurisdicciones", ", ".join(f"{item.code} {item.name}" for item in query.jurisdictions)],
        ["Fecha de referencia", f"{query.at:%d/%m/%Y}"],
        ["Período", f"{query.period_start:%d/%m/%Y} – {query.period_end:%d/%m/%Y}"],
        ["Desagregación", str(query.breakdown.label)],
    ]


def indicators_workbook(result: IndicatorResult) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet = workbook.create_sheet("Parámetros")
    for line in _parameters(result):
        sheet.append(line)
    used: set[str] = set()
    for index, table in enumerate(result.tables, start=1):
        name = f"{index:02d} {table.key}"[:31]
        while name in used:
            name = name[:-1]
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append([str(table.title)])
        header = ["", *[label for _key, label in table.columns], "Total"]
        cells = []
        for title in header:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in [*table.rows, *([table.total] if table.total else [])]:
            sheet.append(
                [row.label, *[_number(row.values[key]) for key, _label in table.columns], _number(row.total)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def indicators_csv(result: IndicatorResult) -> str:
    """Long format: one line per table, row and column (the total column is "TOTAL")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["indicador", "titulo", "fila", "columna", "valor"])
    for table in result.tables:
        for row in [*table.rows, *([table.total] if table.total else [])]:
            for key, label in table.columns:
                writer.writerow([table.key, str(table.title), row.label, label, _number(row.values[key])])
            writer.writerow([table.key, str(table.title), row.label, "TOTAL", _number(row.total)])
    return buffer.getvalue()
