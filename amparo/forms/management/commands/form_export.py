"""manage.py form_export FORM_ID OUT.xlsx [--number N | --draft] — write a form as an XLSForm workbook.

FORM_ID is the form's identifier (XLSForm form_id) or its number. Without --version the
latest published version is written (the draft when there is none).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.forms import selectors, services
from amparo.forms.models import Form


class Command(BaseCommand):
    help = "Export a form as an XLSForm workbook that pyxform converts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("form_id", help="the form's identifier (form_id) or number")
        parser.add_argument("output", help="the .xlsx file to write")
        parser.add_argument("--number", type=int, default=None, help="a published version number")
        parser.add_argument("--draft", action="store_true", help="export the draft instead of a version")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["form_id"]
        form = Form.objects.filter(identifier=key).first() or (
            Form.objects.filter(pk=int(key)).first() if key.isdigit() else None
        )
        if form is None:
            raise CommandError(f"no form {key!r}", returncode=1)
        version = None
        if not options["draft"]:
            if options["number"] is not None:
                version = form.versions.filter(number=options["number"]).first()
                if version is None:
                    raise CommandError(f"{form.identifier} has no version {options['version']}", returncode=1)
            else:
                version = selectors.latest_version(form)
        content = services.form_export_xlsform(actor=None, form=form, version=version)
        Path(options["output"]).write_bytes(content)
        which = f"version {version.number}" if version is not None else "draft"
        self.stdout.write(f"{form.identifier} ({which}) written to {options['output']}")
