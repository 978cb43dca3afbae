"""National RUNac indicators: `manage.py runac_indicators --jurisdiction 82 --at dd/mm/yyyy --json`."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from amparo.exchange.runac import indicators, spec
from amparo.exchange.runac.choices import Breakdown
from amparo.exchange.runac.exports import result_as_dict
from amparo.exchange.runac.models import Jurisdiction


def _date(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date dd/mm/yyyy") from error


class Command(BaseCommand):
    help = (
        "Print RUNac indicators at a date (and for a period). Keys: legajos, mpi, mpe, mpj (rows dated on "
        "or before the date), mpe_measures (exceptional measures computed), mpe_open, mpj_open, and the "
        "period's flows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--jurisdiction",
            action="append",
            default=[],
            help="INDEC code (repeatable; default: every jurisdiction)",
        )
        parser.add_argument("--at", help="dd/mm/yyyy (default: today)")
        parser.add_argument("--from", dest="period_start", help="first day of the period, dd/mm/yyyy")
        parser.add_argument("--to", dest="period_end", help="last day of the period, dd/mm/yyyy")
        parser.add_argument("--breakdown", choices=Breakdown.values, default=Breakdown.NONE)
        parser.add_argument("--json", action="store_true", help="print a JSON object")
        parser.add_argument("--tables", action="store_true", help="include every indicator table")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = options["jurisdiction"]
        unknown = sorted(set(codes) - spec.JURISDICTION_CODES)
        if unknown:
            raise CommandError(f"Unknown jurisdiction code(s): {', '.join(unknown)}")
        jurisdictions = list(
            Jurisdiction.objects.filter(code__in=codes) if codes else Jurisdiction.objects.all()
        )
        at = _date(options["at"]) if options["at"] else timezone.localdate()
        start, end = indicators.default_period(at)
        start = _date(options["period_start"]) if options["period_start"] else start
        end = _date(options["period_end"]) if options["period_end"] else end
        if start > end:
            raise CommandError("--from is after --to")
        query = indicators.IndicatorQuery(
            jurisdictions=jurisdictions,
            at=at,
            period_start=start,
            period_end=end,
            breakdown=Breakdown(options["breakdown"]),
        )
        with translation.override("es"):
            result = indicators.compute(query)
            data = result_as_dict(result, tables=options["tables"])
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"Jurisdictions: {', '.join(data['jurisdictions'])} · at {data['at']} · "
            f"period {data['period']['from']}–{data['period']['to']}"
        )
        for key, value in result.summary.items():
            self.stdout.write(f"{key:20} {value}")
