"""Load N synthetic persons (benchmarks, load tests). Streams in batches: memory stays flat at a million."""

import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from amparo.accounts.choices import OrgUnitKind
from amparo.accounts.models import OrgUnit
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.registry.synthetic.bulk import analyze_registry_tables, persons_bulk_create, stored_places
from amparo.registry.synthetic.contact import Place
from amparo.registry.synthetic.generator import AGE_PROFILES, NATIONALITY_MIX, PersonMaker, SyntheticPerson

NOT_ALLOWED = (
    "Synthetic persons may only be generated where demo data is allowed (DEBUG=1); "
    "they would pollute a real registry."
)


class Command(BaseCommand):
    help = "Generate N synthetic persons (a document each, an address for some) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="how many persons")
        parser.add_argument(
            "--unit", help="code of the owning unit (default: spread over every office-level unit)"
        )
        parser.add_argument("--seed", default="1", help="random seed: the same seed gives the same persons")
        parser.add_argument("--batch", type=int, default=10_000, help="persons written per transaction")
        parser.add_argument("--profile", choices=sorted(AGE_PROFILES), default="population", help="age mix")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(NOT_ALLOWED)
        count, batch_size = options["count"], options["batch"]
        if count < 1 or batch_size < 1:
            raise CommandError("count and --batch must be positive")
        units = self._units(options["unit"])
        places: dict[str, list[Place]] = {}
        for unit in units:
            country = unit.country_code or "MX"
            if country not in places:
                places[country] = stored_places(country)
        maker = PersonMaker(seed=f"generate-persons-{options['seed']}", today=timezone.localdate())
        id_rng = random.Random(f"generate-persons-ids-{options['seed']}")
        self.stdout.write(
            f"Generating {count:,} persons into {len(units)} unit(s) on {connection.vendor}, "
            f"{batch_size:,} per batch…"
        )
        sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
        started = time.monotonic()
        written = 0
        # The next batch is drawn in a thread while the database stores the current one (two cores).
        with ThreadPoolExecutor(max_workers=1) as drawer:
            pending = drawer.submit(_draw, maker, units, places, sizes[0], options["profile"])
            for index in range(len(sizes)):
                persons = pending.result()
                if index + 1 < len(sizes):
                    pending = drawer.submit(_draw, maker, units, places, sizes[index + 1], options["profile"])
                with transaction.atomic():
                    persons_bulk_create(persons, rng=id_rng)
                written += len(persons)
                elapsed = time.monotonic() - started
                self.stdout.write(f"  {written:>11,} / {count:,}  {written / elapsed:,.0f} persons/s")
        with transaction.atomic():
            audit.record(
                actor=None,
                username="generate_persons",
                action=AuditAction.PERSONS_GENERATED,
                extra={"count": count, "seed": str(options["seed"]), "org_units": [u.pk for u in units]},
            )
        elapsed = time.monotonic() - started
        analyze_registry_tables()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count:,} persons in {elapsed:,.1f} s ({count / elapsed:,.0f} persons/s)."
            )
        )

    def _units(self, code: str | None) -> list[OrgUnit]:
        if code:
            unit = OrgUnit.objects.active().filter(code=code).first()
            if unit is None:
                raise CommandError(f"No active unit with code {code!r}.")
            return [unit]
        units = list(OrgUnit.objects.active().exclude(kind__in=[OrgUnitKind.REGION, OrgUnitKind.COUNTRY]))
        if not units:
            raise CommandError("No office-level units to own the persons: run load_demo or pass --unit CODE.")
        return units


def _draw(
    maker: PersonMaker, units: list[OrgUnit], places: dict[str, list[Place]], size: int, profile: str
) -> list[SyntheticPerson]:
    """`size` persons spread over `units` (only this function uses `maker`'s random stream)."""
    rng = maker.rng
    persons = []
    for _ in range(size):
        unit = units[0] if len(units) == 1 else rng.choice(units)
        country = unit.country_code or "MX"
        persons.append(
            maker.person(
                nationality=maker.nationality(NATIONALITY_MIX.get(country, {country: 1.0})),
                place=rng.choice(places[country]),
                org_unit_id=unit.pk,
                age=maker.age(profile),
                address_share=0.4,
                gps_share=0.0,
            )
        )
    return persons
