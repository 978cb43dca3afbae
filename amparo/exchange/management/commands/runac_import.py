"""Check and load a RUNac delivery: `manage.py runac_import FILE... [--te TE.csv] [--json]`.

Exit status 0 when the delivery is loaded, 1 when it is rejected (nothing loaded).
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.accounts.models import User
from amparo.exchange.runac import services
from amparo.exchange.runac.choices import DeliveryChannel, DeliveryStatus
from amparo.exchange.runac.reading import Source
from amparo.exchange.runac.reports import delivery_report


class Command(BaseCommand):
    help = (
        "Validate, translate and load a RUNac delivery (all or nothing). With --te, the jurisdiction's "
        "equivalence table ({JUR}_TE.csv) is loaded or updated first, in the same transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help="the delivery's files ({JUR}_{UNIT}_{ddmmyyyy}_RUNac.txt)"
        )
        parser.add_argument("--te", dest="equivalence", help="the jurisdiction's {JUR}_TE.csv")
        parser.add_argument("--json", action="store_true", help="print a machine-readable report")
        parser.add_argument(
            "--user", help="act as this user (checks their RUNac permission for the jurisdiction)"
        )
        parser.add_argument(
            "--replace-table",
            action="store_true",
            help="with --te and no files: the file replaces the whole table instead of merging",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["files"]]
        equivalence = Path(options["equivalence"]) if options["equivalence"] else None
        for path in [*paths, *([equivalence] if equivalence else [])]:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        actor = None
        if options["user"]:
            try:
                actor = User.objects.get(username=options["user"], is_active=True)
            except User.DoesNotExist as error:
                raise CommandError(f"No active user {options['user']!r}") from error
        if not paths and equivalence is not None:
            self._table_only(actor, equivalence, options)
            return
        if not paths:
            raise CommandError("Give the delivery's files (and optionally --te TE.csv).")
        delivery = services.delivery_import(
            actor=actor,
            sources=[Source.from_path(str(path)) for path in paths],
            equivalence_source=Source.from_path(str(equivalence)) if equivalence else None,
            channel=DeliveryChannel.COMMAND,
        )
        report = delivery_report(delivery)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._print(report)
        if delivery.status != DeliveryStatus.LOADED:
            sys.exit(1)

    def _table_only(self, actor: Any, equivalence: Path, options: dict[str, Any]) -> None:
        result = services.equivalence_table_upload(
            actor=actor, source=Source.from_path(str(equivalence)), replace=options["replace_table"]
        )
        report = {
            "status": "rejected" if result.errors or result.table is None else "loaded",
            "jurisdiction": result.table.jurisdiction.code if result.table else None,
            "version": result.table.version if result.table else None,
            "changed": result.changed,
            "errors": [item.as_dict() for item in result.issues if item.severity == "error"],
            "warnings": [item.as_dict() for item in result.issues if item.severity == "warning"],
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            for item in result.issues:
                self.stdout.write(
                    f"{item.severity.upper()} {item.file}:{item.line or ''} {item.column} {item.message}"
                )
            self.stdout.write(f"{report['status']}: table version {report['version']}")
        if report["status"] != "loaded":
            sys.exit(1)

    def _print(self, report: dict[str, Any]) -> None:
        write = self.stdout.write
        for item in [*report["errors"], *report["warnings"]]:
            where = ":".join(str(part) for part in (item["file"], item["line"]) if part not in (None, ""))
            column = f" [{item['column']}]" if item["column"] else ""
            write(f"{item['severity'].upper():8} {where}{column} {item['message']}")
        if report["truncated"]:
            write(
                f"… {report['error_count']} errors and {report['warning_count']} warnings in all "
                "(the list above is cut; the xlsx report and --json hold the same first ones)."
            )
        if report["status"] == "loaded":
            counts = ", ".join(f"{unit} {count}" for unit, count in report["counts"].items())
            write(
                self.style.SUCCESS(
                    f"Loaded delivery {report['delivery']} of jurisdiction {report['jurisdiction']} "
                    f"cut-off {report['cut_off']}: {counts}; {report['measures']} exceptional measures, "
                    f"{report['penal_stays']} penal entries; {report['warning_count']} warnings; "
                    f"{report['seconds']} s."
                )
            )
            if report["replaces"]:
                write(f"It replaces delivery {report['replaces']} of the same period (kept in history).")
        else:
            write(
                self.style.ERROR(
                    f"Rejected: {report['error_count']} errors, {report['warning_count']} "
                    "warnings. Nothing was loaded."
                )
            )
