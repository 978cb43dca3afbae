"""Write a synthetic RUNac delivery (the four files and {JUR}_TE.csv) into a directory."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.exchange.runac.generator import INJECTIONS, generate_delivery

ROWS_PER_LEGAJO = 4.0


class Command(BaseCommand):
    help = "Generate a valid synthetic RUNac delivery, optionally with planted errors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory")
        parser.add_argument("--jurisdiction", default="82", help="INDEC code (default 82, Santa Fe)")
        parser.add_argument("--cut-off", default="30/06/2023", help="dd/mm/yyyy (default 30/06/2023)")
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--legajos", type=int, help="number of files (legajos)")
        size.add_argument("--rows", type=int, help="about this many rows across the four files")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="L", help="prefix of the ID_LEGAJO pseudonyms")
        parser.add_argument(
            "--inject",
            action="append",
            default=[],
            choices=INJECTIONS,
            help="plant an error of this kind (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cut_off = datetime.datetime.strptime(options["cut_off"], "%d/%m/%Y").date()  # noqa: DTZ007
        except ValueError as error:
            raise CommandError("--cut-off must be dd/mm/yyyy") from error
        legajos = options["legajos"] or (round(options["rows"] / ROWS_PER_LEGAJO) if options["rows"] else 100)
        result = generate_delivery(
            options["directory"],
            jurisdiction=options["jurisdiction"],
            cut_off=cut_off,
            legajos=legajos,
            seed=options["seed"],
            inject=options["inject"],
            prefix=options["prefix"],
        )
        self.stdout.write(
            json.dumps(
                {
                    "files": [str(path) for path in result.files],
                    "equivalence_file": str(result.equivalence_file),
                    "counts": result.counts,
                    "total_rows": result.total_rows,
                    "measures": result.measures,
                    "measures_open": result.measures_open,
                    "penal_entries": result.penal_entries,
                    "penal_open": result.penal_open,
                    "planted": [
                        {"code": str(item.code), "file": item.file, "line": item.line, "column": item.column}
                        for item in result.planted
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
