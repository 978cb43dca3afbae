"""Find the same person within one CSV file or across two, with a match probability per pair.

    manage.py match_file dedupe IN.csv --out PAIRS.csv [--threshold 0.5]
    manage.py match_file link A.csv B.csv --out PAIRS.csv [--threshold 0.5]

Input: UTF-8 CSV with a header, an `id` column and any of given_names, first_surname,
second_surname, sex, date_of_birth (dd/mm/yyyy or yyyy-mm-dd; an age-estimated date such as
"~2010" is allowed), document_number, nationality, department, municipality, address. Unknown
columns are ignored, missing values are empty. Output: id_a,id_b,probability — one row per pair
at or above the threshold, most probable first.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.common.errors import ApplicationError
from amparo.matching.choices import FileMode
from amparo.matching.services.files import match_records, read_records, write_pairs


class Command(BaseCommand):
    help = __doc__.strip().splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "mode", choices=[FileMode.DEDUPE, FileMode.LINK], help="dedupe one file or link two"
        )
        parser.add_argument("files", nargs="+", help="IN.csv (dedupe) or A.csv B.csv (link)")
        parser.add_argument("--out", required=True, help="where to write id_a,id_b,probability")
        parser.add_argument("--threshold", type=float, default=0.5, help="lowest probability written (0.5)")

    def handle(self, *args: Any, **options: Any) -> None:
        mode, files, threshold = options["mode"], options["files"], options["threshold"]
        expected = 1 if mode == FileMode.DEDUPE else 2
        if len(files) != expected:
            raise CommandError(f"{mode} takes {expected} input file(s), got {len(files)}")
        if not 0 <= threshold <= 1:
            raise CommandError("--threshold must be between 0 and 1")
        started = time.monotonic()
        try:
            frames = [read_records(path, name=path) for path in files]
        except FileNotFoundError as error:
            raise CommandError(f"no such file: {error.filename}") from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        pairs = match_records(mode, frames[0], frames[1] if len(frames) > 1 else None, threshold=threshold)
        with open(options["out"], "w", encoding="utf-8", newline="") as handle:
            write_pairs(pairs, handle)
        rows = " + ".join(f"{len(frame):,}" for frame in frames)
        self.stderr.write(
            f"{len(pairs):,} pair(s) at or above {threshold} from {rows} rows written to {options['out']} "
            f"in {time.monotonic() - started:.1f} s"
        )
