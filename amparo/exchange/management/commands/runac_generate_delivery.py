"""Generate a province's RUNac delivery from its own cases (province side; not synthetic data).

    manage.py runac_generate_delivery --jurisdiction 38 --from 01/01/2022 --to 31/12/2022 --out DIR|FILE.zip

Writes the zip (the four files, {JUR}_TE.csv, RESUMEN.txt, SELECCION_LEGAJOS.csv) or, when
--out is a directory, the files themselves. Prints counts and every problem found; exits 1
when a problem would make the national node reject the delivery (the files are written
anyway, so they can be looked at). Without --user it runs as the system (all the
jurisdiction's cases); with --user, as that user, under their permissions.
"""

import datetime
import json
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.accounts.models import User
from amparo.common.errors import ApplicationError
from amparo.exchange.runac import province_services
from amparo.exchange.runac.models import Jurisdiction


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError as error:
        raise CommandError(f"{option} must be dd/mm/yyyy") from error


class Command(BaseCommand):
    help = "Generate a jurisdiction's RUNac delivery (four files + TE table) from its cases in Amparo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jurisdiction", required=True, help="INDEC code, e.g. 38")
        parser.add_argument("--from", dest="period_from", required=True, help="first day, dd/mm/yyyy")
        parser.add_argument("--to", dest="period_to", required=True, help="cut-off date, dd/mm/yyyy")
        parser.add_argument("--out", required=True, help="a directory, or a file name ending in .zip")
        parser.add_argument("--user", help="generate as this user (default: the system)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        period_from = _date(options["period_from"], "--from")
        period_to = _date(options["period_to"], "--to")
        jurisdiction = (
            Jurisdiction.objects.select_related("org_unit").filter(code=options["jurisdiction"]).first()
        )
        if jurisdiction is None:
            raise CommandError(f"Unknown jurisdiction {options['jurisdiction']!r}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Unknown or inactive user {options['user']!r}")
        try:
            generated = province_services.delivery_generate(
                actor=actor,
                jurisdiction=jurisdiction,
                period_from=period_from,
                period_to=period_to,
                username="runac_generate_delivery",
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        out = Path(options["out"])
        if out.suffix.lower() == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(generated.content)
            written = [str(out)]
        else:
            out.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(BytesIO(generated.content)) as archive:
                archive.extractall(out)
                written = [str(out / name) for name in archive.namelist()]
        build = generated.build
        result = {
            "jurisdiction": build.jurisdiction,
            "from": period_from.strftime("%d/%m/%Y"),
            "to": period_to.strftime("%d/%m/%Y"),
            "written": written,
            "counts": build.counts,
            "rules": build.rule_counts,
            "table_version": build.table_version,
            "errors": [_problem(item) for item in build.errors],
            "warnings": [_problem(item) for item in build.warnings],
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"Written: {', '.join(written)}")
            self.stdout.write(f"Rows: {build.counts}; legajos by rule: {build.rule_counts}")
            for item in build.problems:
                self.stdout.write(f"  [{item.severity}] {_place(item)}: {item.message}")
        if build.errors:
            raise SystemExit(1)


def _place(item: Any) -> str:
    return " ".join(part for part in (str(item.unit), item.legajo, item.intervention, item.column) if part)


def _problem(item: Any) -> dict[str, str]:
    return {
        "code": str(item.code),
        "unit": str(item.unit),
        "legajo": item.legajo,
        "intervention": item.intervention,
        "column": item.column,
        "value": item.value,
        "message": item.message,
    }
