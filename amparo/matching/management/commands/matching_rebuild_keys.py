"""Rebuild the matching keys of every active person (after changing the matcher's blocking rules
or nicknames, or to backfill a registry loaded in bulk) and the name frequencies."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amparo.matching.services.keys import person_keys_rebuild


class Command(BaseCommand):
    help = __doc__.strip().splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=20_000, help="persons per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"\r{done:,} / {total:,} persons", ending="")
            self.stdout.flush()

        done = person_keys_rebuild(batch_size=options["batch"], progress=progress)
        self.stdout.write(f"\nkeys rebuilt for {done:,} persons")
