"""Fill an empty database with the demo world: units, roles, users (password amparo-demo), people."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.cases.starter import demo_roles_grant_cases, starter_config_load
from amparo.demo.areas import admin_areas_load
from amparo.demo.population import featured_families_create, population_write
from amparo.demo.runac import runac_demo_create
from amparo.demo.tracing import tracing_demo_create
from amparo.demo.world import DEMO_PASSWORD, USERS, world_create

NOT_ALLOWED = (
    "Demo data is only loaded where DEMO_DATA_ALLOWED is on (DEBUG=1): its users have a published "
    "password. Refusing to load it into this database."
)
NOT_EMPTY = (
    "This database already has users, and demo data only goes into an empty database. "
    "Use --if-empty to skip quietly (make run does)."
)


class Command(BaseCommand):
    help = "Load the demo organisation, users and about 3,000 synthetic persons into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already has users",
        )
        parser.add_argument("--seed", default="2026", help="random seed: the same seed gives the same people")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(NOT_ALLOWED)
        if User.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data not loaded: the database already has users.")
                return
            raise CommandError(NOT_EMPTY)
        started = time.monotonic()
        with transaction.atomic():
            world = world_create()
            case_types = starter_config_load(org_unit=world.units["regional"])
            demo_roles_grant_cases()
            places = admin_areas_load()
            featured = featured_families_create(world, places, seed=options["seed"])
            population = population_write(world, places, seed=options["seed"])
            tracing = tracing_demo_create(world, case_types)
            runac = runac_demo_create(world, case_types, seed=options["seed"])
            audit.record(
                actor=None,
                username="load_demo",
                action=AuditAction.DEMO_LOADED,
                extra={
                    "seed": str(options["seed"]),
                    "persons": population.persons + len(featured) + len(tracing.cases),
                    "households": population.households + 2,
                    "users": len(world.users),
                    "case_types": len(case_types),
                    "tracing_requests": len(tracing.requests),
                    "runac_legajos": len(runac.cases),
                },
            )
        persons = population.persons + len(featured) + len(tracing.cases)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {time.monotonic() - started:.1f} s: {len(world.units)} units, "
                f"{persons:,} persons, {population.households + 2:,} households."
            )
        )
        self.stdout.write(f"Users (password {DEMO_PASSWORD}):")
        for user in USERS:
            self.stdout.write(f"  {user.username:<16} {user.summary}")
