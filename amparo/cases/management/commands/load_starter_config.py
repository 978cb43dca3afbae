"""Load the Spanish starter configuration (forms and case types); give the demo roles case permissions."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.accounts.models import OrgUnit
from amparo.cases.starter import demo_roles_grant_cases, starter_config_load


class Command(BaseCommand):
    help = "Create the starter forms and case types (idempotent); with --demo-roles, grant case permissions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit", default="", help="code of the unit owning the forms (default: the root)"
        )
        parser.add_argument(
            "--demo-roles", action="store_true", help="add case permissions to the demo roles"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        units = (
            OrgUnit.objects.filter(code=options["unit"])
            if options["unit"]
            else OrgUnit.objects.filter(parent__isnull=True)
        )
        unit = units.order_by("id").first()
        if unit is None:
            raise CommandError("No organisation unit to own the forms: load the demo or create a unit first.")
        types = starter_config_load(org_unit=unit)
        self.stdout.write(
            self.style.SUCCESS(f"{len(types)} case types ready: {', '.join(t.code for t in types)}.")
        )
        if options["demo_roles"]:
            roles = demo_roles_grant_cases()
            self.stdout.write(f"Case permissions added to {len(roles)} roles.")
