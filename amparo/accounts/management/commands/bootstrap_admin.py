import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from amparo.accounts.choices import OrgUnitKind, Permission, Scope, Sensitivity
from amparo.accounts.models import OrgUnit, Role, User
from amparo.accounts.services import org_unit_create, role_create, role_grant, user_create

SYSTEM_ADMIN_ROLE = "Administrador/a del sistema"


class Command(BaseCommand):
    help = (
        "Create the root unit, the system administrator role and the first administrator (production setup)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--unit-name", default="Plataforma regional")
        parser.add_argument("--unit-code", default="regional")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"user {options['username']!r} already exists")
        password = os.environ.get("AMPARO_ADMIN_PASSWORD") or self._ask_password()
        try:
            with transaction.atomic():
                root = OrgUnit.objects.filter(parent__isnull=True, code=options["unit_code"]).first()
                if root is None:
                    root = org_unit_create(
                        name=options["unit_name"], code=options["unit_code"], kind=OrgUnitKind.REGION
                    )
                role = Role.objects.filter(name=SYSTEM_ADMIN_ROLE).first() or role_create(
                    actor=None,
                    name=SYSTEM_ADMIN_ROLE,
                    permissions=list(Permission.values),
                    sensitivity_clearance=Sensitivity.SENSITIVE,
                    description="Every permission, everywhere. Give it to very few people.",
                )
                user = user_create(
                    actor=None,
                    username=options["username"],
                    password=password,
                    home_unit=root,
                    email=options["email"],
                )
                role_grant(actor=None, user=user, role=role, org_unit=root, scope=Scope.ALL)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"administrator {user.username} created at {root.name}"))

    def _ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("passwords do not match")
        return first
