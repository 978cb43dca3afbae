"""manage.py form_import FILE.xlsx [--unit CODE] — import an XLSForm and publish it.

Exit 0 when imported; exit 1 with every problem (sheet, row, column) printed otherwise.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.accounts.models import OrgUnit
from amparo.common.errors import ApplicationError
from amparo.forms import services, xlsform
from amparo.forms.xlsform import XLSFormError


class Command(BaseCommand):
    help = "Import an XLSForm workbook (survey / choices / settings) as a form and publish it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument(
            "--unit", default="", help="code of the owning unit for a new form (default: the root)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        content = path.read_bytes()
        try:
            xlsform.read_workbook(content, path.name)  # the file first: its problems before anything else
            unit = self._unit(options["unit"])
            outcome = services.form_import_xlsform(
                actor=None, workbook=content, org_unit=unit, filename=path.name
            )
        except XLSFormError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}: {len(error.problems)} problem(s); nothing was imported.", returncode=1
            ) from error
        except ApplicationError as error:
            raise CommandError(error.message, returncode=1) from error
        for warning in outcome.warnings:
            self.stderr.write(f"warning: {warning}")
        verb = "created" if outcome.created else "updated"
        self.stdout.write(
            f"{outcome.form.identifier}: {verb}, version {outcome.version.number} (form id {outcome.form.pk})"
        )

    @staticmethod
    def _unit(code: str) -> OrgUnit:
        units = OrgUnit.objects.filter(is_active=True)
        unit = (
            units.filter(code=code).first()
            if code
            else units.filter(parent__isnull=True).order_by("id").first()
        )
        if unit is None:
            raise CommandError(
                f"no organisation unit {code!r}" if code else "no organisation unit exists yet", returncode=1
            )
        return unit
