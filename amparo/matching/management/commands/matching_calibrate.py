"""Refit the matching probabilities' calibration from reviewers' confirmed and rejected pairs
(or, with --shipped, put back the calibration shipped with Amparo). Stored as a new, audited
configuration version; the previous one stays as a revision."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.common.errors import ApplicationError
from amparo.matching.choices import RecordType
from amparo.matching.services.calibration import (
    MIN_DECISIONS,
    MIN_EACH,
    decided_pairs,
    matcher_calibration_refit,
    matcher_calibration_reset,
)


class Command(BaseCommand):
    help = __doc__.strip().splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shipped", action="store_true", help="restore the shipped calibration")
        parser.add_argument("--min-decisions", type=int, default=MIN_DECISIONS)
        parser.add_argument("--min-each", type=int, default=MIN_EACH, help="confirmed and rejected, each")
        parser.add_argument("--dry-run", action="store_true", help="only count the decisions")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            _scores, labels, _prior_weight = decided_pairs()
            confirmed = sum(labels)
            self.stdout.write(
                f"{len(labels)} decided pairs: {confirmed} confirmed, {len(labels) - confirmed} rejected"
            )
            return
        try:
            if options["shipped"]:
                config = matcher_calibration_reset(actor=None, record_type=RecordType.PERSON)
            else:
                config = matcher_calibration_refit(
                    actor=None,
                    record_type=RecordType.PERSON,
                    min_decisions=max(options["min_decisions"], 20),
                    min_each=max(options["min_each"], 5),
                )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        source = (config.definition.get("calibration") or {}).get("source", "none")
        self.stdout.write(f"configuration version {config.version}; calibration: {source}")
