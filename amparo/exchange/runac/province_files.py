"""The zip of a province's RUNac delivery: the four files, the table in force, a summary, the selection."""

import csv
import datetime
import io
import zipfile

from django.utils import translation
from django.utils.translation import gettext as _

from amparo.exchange.runac import spec
from amparo.exchange.runac.equivalences import write_equivalence_csv
from amparo.exchange.runac.province import DeliveryBuild, Unit

SUMMARY_NAME = "RESUMEN.txt"
SELECTION_NAME = "SELECCION_LEGAJOS.csv"


def file_text(unit: Unit, rows: list[list[str]]) -> str:
    """One delivery file: header, tab-separated rows, LF line ends."""
    lines = ["\t".join(spec.header(unit)), *("\t".join(row) for row in rows)]
    return "\n".join(lines) + "\n"


def delivery_files(build: DeliveryBuild) -> dict[str, bytes]:
    """The four files and the equivalence table in force, by name, UTF-8 without BOM."""
    files = {build.file_name(unit): file_text(unit, build.rows[unit]).encode() for unit in Unit}
    files[build.equivalence_file_name] = write_equivalence_csv(build.equivalence_rows).encode()
    return files


def selection_csv(build: DeliveryBuild) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["ID_LEGAJO", "regla", "intervenciones"])
    writer.writerows([item.legajo, item.rule.value, item.interventions] for item in build.selections)
    return buffer.getvalue()


def summary_text(build: DeliveryBuild, *, generated_at: datetime.datetime) -> str:
    """The human summary kept in the zip: counts, files, rules, problems (pseudonyms only)."""
    with translation.override("es"):
        lines = [
            _("RUNac delivery of jurisdiction %(code)s") % {"code": build.jurisdiction},
            _("Period: %(start)s to %(end)s (cut-off %(end)s)")
            % {"start": build.period_from.strftime("%d/%m/%Y"), "end": build.period_to.strftime("%d/%m/%Y")},
            _("Generated: %(when)s") % {"when": generated_at.strftime("%d/%m/%Y %H:%M")},
            _("Equivalence table: version %(version)s")
            % {"version": build.table_version if build.table_version is not None else "—"},
            "",
            _("Files:"),
            *(f"  {build.file_name(unit)}: {len(build.rows[unit])}" for unit in Unit),
            f"  {build.equivalence_file_name}: {len(build.equivalence_rows)}",
            "",
            _("Legajos by selection rule:"),
            *(f"  {rule}: {count}" for rule, count in build.rule_counts.items()),
            "",
            _("Errors: %(errors)s · warnings: %(warnings)s")
            % {"errors": len(build.errors), "warnings": len(build.warnings)},
        ]
        for item in build.problems:
            place = " ".join(
                part for part in (item.unit, item.legajo, item.intervention, item.column) if part
            )
            lines.append(f"  [{item.severity}] {place}: {item.message}")
    return "\n".join(lines) + "\n"


def delivery_zip(build: DeliveryBuild, *, generated_at: datetime.datetime) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in delivery_files(build).items():
            archive.writestr(name, content)
        archive.writestr(SUMMARY_NAME, summary_text(build, generated_at=generated_at).encode())
        archive.writestr(SELECTION_NAME, selection_csv(build).encode())
    return buffer.getvalue()


def zip_name(build: DeliveryBuild) -> str:
    return f"{build.jurisdiction}_{build.cut_off_text}_RUNac.zip"
