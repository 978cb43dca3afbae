"""Spanish-aware normalisation of names, documents and dates for matching.

- Accents, case and ñ are folded ("Núñez" = "Nunez"); hyphens split compound surnames
  ("García-Márquez" → "garcia marquez").
- Particles are dropped when comparing: "de la Cruz" → "cruz", "María del Carmen" → "maria carmen".
- Given names resolve nicknames through a data file (Pepe → José, Lupe → Guadalupe,
  Chema → José María); a nickname may stand for several names (Beto → Roberto, Alberto…).
"""

import csv
import datetime
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import product
from pathlib import Path

from amparo.common.text import fold, fold_compact

NICKNAMES_FILE = Path(__file__).resolve().parent.parent / "data" / "nicknames.csv"

PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "e",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "van",
        "von",
        "der",
        "den",
        "le",
        "lo",
    }
)
MAX_ALTERNATIVES = 8


@lru_cache(maxsize=1 << 20)
def fold_name(text: str | None) -> str:
    """Folded words without particles; an all-particle name ("de la O" → "o") keeps its last word."""
    words = fold(text).split()
    kept = [word for word in words if word not in PARTICLES and not word.isdigit()]
    if not kept and words:
        kept = words[-1:]
    return " ".join(kept)


@lru_cache(maxsize=1 << 20)
def fold_identifier(text: str | None) -> str:
    """Document numbers without separators, leading zeros kept ("AB-012 3" → "ab0123")."""
    return fold_compact(text)


def load_nicknames(path: Path = NICKNAMES_FILE) -> dict[str, tuple[str, ...]]:
    """nickname → the folded given names it stands for."""
    table: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8") as handle:
        rows = (line for line in handle if line.strip() and not line.lstrip().startswith("#"))
        for row in csv.DictReader(rows):
            names = tuple(fold_name(name) for name in (row["names"] or "").split("|") if fold_name(name))
            if names:
                table[fold_name(row["nickname"])] = names
    return table


@lru_cache(maxsize=1)
def default_nicknames() -> dict[str, tuple[str, ...]]:
    return load_nicknames()


def merged_nicknames(extra: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    table = dict(default_nicknames())
    for nickname, names in (extra or {}).items():
        folded = tuple(fold_name(name) for name in names if fold_name(name))
        if folded and fold_name(nickname):
            table[fold_name(nickname)] = folded
    return table


def given_name_alternatives(folded: str, nicknames: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every reading of a folded given name with nicknames resolved, the name itself first.

    "pepe luis" → ("pepe luis", "jose luis"); "chema" → ("chema", "jose maria").
    """
    if not folded:
        return ()
    options = [(word, *nicknames.get(word, ())) for word in folded.split()]
    readings = [folded]
    for combination in product(*options):
        reading = " ".join(combination)
        if reading not in readings:
            readings.append(reading)
        if len(readings) >= MAX_ALTERNATIVES:
            break
    return tuple(readings)


_YEAR_ONLY = re.compile(r"^~?\s*(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-?(\d{1,2})-?(\d{1,2})$")
_ESTIMATED_MARKS = ("~", "c.", "ca.", "aprox", "approx", "est")


@lru_cache(maxsize=1 << 19)
def parse_birth_date(text: str | None) -> tuple[datetime.date | None, bool]:
    """(date, estimated) from dd/mm/yyyy, yyyy-mm-dd, yyyymmdd, or a year alone ("2010", "~2010").

    A year alone, or a date marked "~", "c.", "aprox", counts as estimated (mid-year for a year).
    Impossible dates give (None, False).
    """
    raw = (text or "").strip().lower()
    if not raw:
        return None, False
    estimated = False
    for mark in _ESTIMATED_MARKS:
        if raw.startswith(mark):
            estimated, raw = True, raw[len(mark) :].strip(" .:")
    year_only = _YEAR_ONLY.match(raw)
    try:
        if year_only:
            return datetime.date(int(year_only.group(1)), 7, 1), True
        if match := _DMY.match(raw):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day), estimated
        if match := _YMD.match(raw):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day), estimated
    except ValueError:
        return None, False
    return None, False
