"""A delivery's validation report: as a dict (JSON), and as the spreadsheet the province fixes from."""

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from amparo.exchange.runac.models import Delivery

REPORT_COLUMNS = ("Archivo", "Línea", "Columna", "Valor", "Tipo", "Código", "Mensaje")
SEVERITY_LABELS = {"error": "Error", "warning": "Advertencia"}


def delivery_report(delivery: Delivery) -> dict[str, Any]:
    """The machine-readable report printed by `runac_import --json`."""
    issues = delivery.issues
    return {
        "delivery": delivery.pk,
        "status": "loaded" if delivery.status in ("loaded", "superseded") else str(delivery.status),
        "jurisdiction": delivery.jurisdiction.code if delivery.jurisdiction else None,
        "cut_off": f"{delivery.cut_off:%d/%m/%Y}" if delivery.cut_off else None,
        "replaces": delivery.replaces_id,
        "equivalence_table_version": delivery.equivalence_table.version
        if delivery.equivalence_table
        else None,
        "files": delivery.files,
        "counts": delivery.counts,
        "measures": delivery.measure_count,
        "penal_stays": delivery.penal_stay_count,
        "error_count": delivery.error_count,
        "warning_count": delivery.warning_count,
        "truncated": delivery.issues_truncated,
        "errors": [item for item in issues if item["severity"] == "error"],
        "warnings": [item for item in issues if item["severity"] == "warning"],
        "seconds": delivery.seconds,
        "timings": delivery.timings,
    }


def report_workbook(delivery: Delivery) -> bytes:
    """An .xlsx with a summary sheet and one row per problem (file, line, column, value, message)."""
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Resumen")
    bold = Font(bold=True)
    jurisdiction = delivery.jurisdiction
    summary.append(["Entrega RUNac", delivery.pk])
    summary.append(["Jurisdicción", f"{jurisdiction.code} {jurisdiction.name}" if jurisdiction else "—"])
    summary.append(["Fecha de corte", f"{delivery.cut_off:%d/%m/%Y}" if delivery.cut_off else "—"])
    summary.append(
        [
            "Estado",
            "Cargada"
            if delivery.status in ("loaded", "superseded")
            else "Rechazada"
            if delivery.status == "rejected"
            else str(delivery.status),
        ]
    )
    summary.append(["Errores", delivery.error_count])
    summary.append(["Advertencias", delivery.warning_count])
    if delivery.issues_truncated:
        summary.append(["Nota", f"Se listan los primeros {len(delivery.issues)} problemas."])
    summary.append([])
    summary.append(["Archivo", "Filas"])
    for item in delivery.files:
        summary.append([item.get("name", ""), item.get("rows", item.get("rows_checked", ""))])
    sheet = workbook.create_sheet("Problemas")
    header = []
    for title in REPORT_COLUMNS:
        cell = _cell(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for item in delivery.issues:
        sheet.append(
            [
                item["file"],
                item["line"],
                item["column"],
                item["value"],
                SEVERITY_LABELS.get(item["severity"], item["severity"]),
                item["code"],
                item["message"],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    return WriteOnlyCell(sheet, value=value)
