"""Load RUNac national categories: `manage.py runac_load_categories [--file categorias_nacionales.csv]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.exchange.runac import services
from amparo.exchange.runac.tables import CATEGORIES_CSV


class Command(BaseCommand):
    help = (
        "Load the national categories of every TE field (unidad,campo,categoria_nacional). New ones are "
        "added, listed ones re-activated, the others retired (kept, no longer valid in new tables)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", default=str(CATEGORIES_CSV), help="default: the copy bundled with Amparo"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = services.categories_load(path=path)
        self.stdout.write(
            f"{result['total']} categories listed: {result['created']} new, {result['updated']} "
            f"updated, {result['retired']} retired."
        )
