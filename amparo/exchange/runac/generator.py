"""Synthetic RUNac deliveries in the exact file format, for tests, demos and the benchmark.

`generate_delivery` writes the four files and the jurisdiction's `{JUR}_TE.csv`, streaming
(memory does not grow with the number of rows), and returns what it wrote: row counts,
the counts the national node must compute (measures, open measures, open penal entries at
the cut-off) and, when asked, one error of each requested kind at a known file, line and
column. No personal data: identifiers are pseudonyms, places are department names.
"""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from amparo.exchange.runac import spec
from amparo.exchange.runac.equivalences import write_equivalence_csv
from amparo.exchange.runac.errors import IssueCode
from amparo.exchange.runac.tables import read_categories_csv

PLACES = (
    ("Rosario", "Rosario"),
    ("La Capital", "Santa Fe"),
    ("General López", "Venado Tuerto"),
    ("San Martín", "Sastre"),
    ("Castellanos", "Rafaela"),
    ("Vera", "Vera"),
    ("San Jerónimo", "Coronda"),
    ("Nueve de Julio", "Tostado"),
    ("Ñorquín", "El Huecú"),
)
AGENCIES = ("Equipo territorial", "Servicio local", "Delegación regional", "Defensoría")
COURTS = ("Juzgado Penal de Menores N.º 1", "Juzgado Penal de Menores N.º 2", "Cámara de Apelación")


class Injection:
    """Kinds of error the generator can plant (each in a known place) — see INJECTIONS."""

    FILE_NAME = "file_name"
    FILE_NAME_TOLERATED = "file_name_tolerated"
    HEADER_ORDER = "header_order"
    HEADER_MISSING = "header_missing"
    ROW_WIDTH = "row_width"
    REQUIRED = "required"
    DATE = "date"
    DATE_IMPOSSIBLE = "date_impossible"
    INTEGER = "integer"
    PREDEFINED = "predefined"
    EQUIVALENCE = "equivalence"
    DUPLICATE = "duplicate"
    UNKNOWN_LEGAJO = "unknown_legajo"
    ORPHAN_EXIT = "orphan_exit"
    EXIT_WITHOUT_ENTRY_ID = "exit_without_entry_id"
    CLOSING_ONLY = "closing_only"
    MOVEMENT_FIELD = "movement_field"
    LATIN1 = "latin1"


INJECTIONS = tuple(value for name, value in vars(Injection).items() if name.isupper())


@dataclass(frozen=True)
class Planted:
    """An error (or warning) the generator planted, where the validator must find it."""

    code: IssueCode
    file: str
    line: int | None
    column: str


@dataclass
class GeneratedDelivery:
    directory: Path
    files: list[Path]
    equivalence_file: Path
    counts: dict[str, int]
    legajos: int
    measures: int
    measures_open: int
    penal_entries: int
    penal_open: int
    planted: list[Planted] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def local_ids(categories: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """The synthetic province's local ids: national category → "1", "2" … per field."""
    ids: dict[tuple[str, str], dict[str, str]] = {}
    for unit, field_name, code in categories:
        per_field = ids.setdefault((unit, field_name), {})
        per_field[code] = str(len(per_field) + 1)
    return ids


def equivalence_rows(ids: dict[tuple[str, str], dict[str, str]]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for (unit, field_name), codes in ids.items():
        for code, local in codes.items():
            rows.append((unit, field_name, local, code.replace("_", " ").capitalize(), code))
        # A second local id for the same national category (many-to-one is normal).
        first = next(iter(codes))
        rows.append(
            (
                unit,
                field_name,
                f"{len(codes) + 1}",
                f"{first.replace('_', ' ').capitalize()} (antiguo)",
                first,
            )
        )
    return rows


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


class _Writer:
    def __init__(self, path: Path, unit: spec.Unit, encoding: str, header: list[str]) -> None:
        self.path = path
        self.unit = unit
        self.handle: TextIO = path.open("w", encoding=encoding, newline="")
        self.handle.write("\t".join(header) + "\n")
        self.rows = 0

    def row(self, values: list[str]) -> int:
        self.handle.write("\t".join(values) + "\n")
        self.rows += 1
        return self.rows + 1  # its line number (the header is line 1)

    def close(self) -> None:
        self.handle.close()


def file_name(jurisdiction: str, unit: str, cut_off: datetime.date, suffix: str = "") -> str:
    return f"{jurisdiction}_{unit}_{cut_off:%d%m%Y}{suffix}_RUNac.txt"


def generate_delivery(
    directory: Path | str,
    *,
    jurisdiction: str = "82",
    cut_off: datetime.date = datetime.date(2023, 6, 30),
    legajos: int = 100,
    seed: int = 1,
    inject: Iterable[str] = (),
    prefix: str = "L",
) -> GeneratedDelivery:
    """Write a valid delivery of `legajos` files (about 4.3 rows each across the four files)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    inject = set(inject)
    unknown = inject - set(INJECTIONS)
    if unknown:
        raise ValueError(f"Unknown injections: {sorted(unknown)}")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    ids = local_ids(read_categories_csv())
    encoding = "cp1252" if Injection.LATIN1 in inject else "utf-8"
    planted: list[Planted] = []

    te_path = directory / f"{jurisdiction}_TE.csv"
    te_path.write_text(write_equivalence_csv(equivalence_rows(ids)), encoding="utf-8")

    def local(unit: str, field_name: str, national: str | None = None) -> str:
        codes = ids[(unit, field_name)]
        return codes[national] if national else rng.choice(list(codes.values()))

    names = {unit: file_name(jurisdiction, unit.value, cut_off) for unit in spec.Unit}
    if Injection.FILE_NAME_TOLERATED in inject:
        names[spec.Unit.MPI] = f"{jurisdiction} _ mpi _ {cut_off:%d%m%Y}_RUNac.TXT"
        planted.append(Planted(IssueCode.FILE_NAME_TOLERATED, names[spec.Unit.MPI], None, ""))
    headers = {unit: spec.header(unit) for unit in spec.Unit}
    if Injection.HEADER_ORDER in inject:
        header = headers[spec.Unit.MPI]
        header[3], header[4] = header[4], header[3]
        planted.append(Planted(IssueCode.HEADER_ORDER, names[spec.Unit.MPI], 1, "TIPO_INTERVENCION"))
        planted.append(Planted(IssueCode.HEADER_ORDER, names[spec.Unit.MPI], 1, "MOTIVO"))
    if Injection.HEADER_MISSING in inject:
        headers[spec.Unit.MPE] = [
            name for name in headers[spec.Unit.MPE] if name != "FECHA_CONTROL_LEGALIDAD"
        ]
        planted.append(
            Planted(IssueCode.HEADER_MISSING_COLUMN, names[spec.Unit.MPE], 1, "FECHA_CONTROL_LEGALIDAD")
        )
    writers = {unit: _Writer(directory / names[unit], unit, encoding, headers[unit]) for unit in spec.Unit}

    period_start = cut_off - datetime.timedelta(days=365 * 2)
    span = (cut_off - period_start).days
    counters = {"mpi": 0, "mpe": 0, "mpj": 0}
    measures = measures_open = penal_entries = penal_open = 0

    def next_id(kind: str) -> str:
        counters[kind] += 1
        return f"{kind.upper()}-{counters[kind]:07d}"

    def legajo_row(legajo_id: str, created: datetime.date, age: int) -> list[str]:
        birth = created - datetime.timedelta(days=365 * age + rng.randrange(365))
        knows_birth = rng.random() < 0.9
        department, locality = rng.choice(PLACES)
        return [
            legajo_id,
            _date(created),
            rng.choice(spec.GENDERS[:6] if rng.random() < 0.95 else spec.GENDERS),
            _date(birth) if knows_birth else "",
            "" if knows_birth else str(age),
            local("LEGAJOS", "NACIONALIDAD"),
            department,
            locality,
            rng.choice(spec.SI_NO),
            rng.choice(spec.SI_NO),
            local("LEGAJOS", "PUEBLO_ORIGINARIO"),
            local("LEGAJOS", "NIVEL_EDUCATIVO"),
            rng.choice(spec.SI_NO),
            rng.choice(spec.SI_NO),
        ]

    def mpi_row(legajo_id: str, day: datetime.date) -> list[str]:
        closed = rng.random() < 0.4
        return [
            legajo_id,
            next_id("mpi"),
            _date(day),
            local("MPI", "TIPO_INTERVENCION"),
            "Situación relevada por el equipo",
            local("MPI", "DERECHO_VULNERADO"),
            local("MPI", "ORIGEN_DEMANDA"),
            rng.choice(AGENCIES),
            _date(day) if closed else "",
            local("MPI", "MOTIVO_CIERRE") if closed else "",
        ]

    def mpe_row(legajo_id: str, day: datetime.date, kind: str, closing: bool = False) -> list[str]:
        return [
            legajo_id,
            next_id("mpe"),
            _date(day),
            local("MPE", "TIPO_INTERVENCION", kind),
            "Medida excepcional de protección",
            local("MPE", "DERECHO_VULNERADO"),
            local("MPE", "ORIGEN_DEMANDA"),
            local("MPE", "AMBITO_CUMPLIMIENTO"),
            local("MPE", "TIPO_DISPOSITIVO"),
            _date(day) if kind == "PER_INICIAL" else "",
            rng.choice(spec.RESTITUTION_PROJECTS),
            local("MPE", "SITUACION_AL_CESE") if closing else "",
            _date(day) if closing else "",
        ]

    def mpj_entry(legajo_id: str, day: datetime.date) -> list[str]:
        return [
            legajo_id,
            next_id("mpj"),
            spec.ENTRY,
            _date(day),
            local("MPJ", "TIPO_MEDIDA_PENAL"),
            local("MPJ", "DISPOSITIVO"),
            rng.choice(COURTS),
            local("MPJ", "DELITO_IMPUTADO"),
            local("MPJ", "SITUACION_PROCESAL"),
            "",
            "",
        ]

    def mpj_exit(legajo_id: str, day: datetime.date, entry_id: str) -> list[str]:
        return [
            legajo_id,
            next_id("mpj"),
            spec.EXIT,
            _date(day),
            "",
            "",
            "",
            "",
            "",
            local("MPJ", "MOTIVO_EGRESO"),
            entry_id,
        ]

    def later(day: datetime.date) -> datetime.date:
        remaining = (cut_off - day).days
        return day + datetime.timedelta(days=rng.randrange(remaining + 1)) if remaining > 0 else day

    first_legajo = ""
    for index in range(1, legajos + 1):
        legajo_id = f"{prefix}{index:07d}"
        first_legajo = first_legajo or legajo_id
        created = period_start + datetime.timedelta(days=rng.randrange(span))
        age = rng.randrange(18)
        writers[spec.Unit.LEGAJOS].row(legajo_row(legajo_id, created, age))
        for _ in range(1 + (rng.random() < 0.6) + (rng.random() < 0.4)):
            writers[spec.Unit.MPI].row(mpi_row(legajo_id, later(created)))
        if rng.random() < 0.35:
            measures += 1
            start = later(created)
            writers[spec.Unit.MPE].row(mpe_row(legajo_id, start, "PER_INICIAL"))
            day = start
            for _ in range(rng.randrange(3)):
                day = later(day)
                writers[spec.Unit.MPE].row(
                    mpe_row(legajo_id, day, rng.choice(["PRORROGA", "CAMBIO_AMBITO", "SEGUIMIENTO"]))
                )
            end = later(day)
            if rng.random() < 0.55 and end < cut_off:
                writers[spec.Unit.MPE].row(mpe_row(legajo_id, end, "CESE_MPE", closing=True))
            else:
                measures_open += 1
        if age >= 14 and rng.random() < 0.5:
            penal_entries += 1
            entry_day = later(created)
            entry = mpj_entry(legajo_id, entry_day)
            writers[spec.Unit.MPJ].row(entry)
            exit_day = later(entry_day)
            if rng.random() < 0.5 and exit_day < cut_off:
                writers[spec.Unit.MPJ].row(mpj_exit(legajo_id, exit_day, entry[1]))
            else:
                penal_open += 1

    _plant(
        inject,
        writers,
        names,
        planted,
        rng_values={"first_legajo": first_legajo, "cut_off": cut_off},
        rows={"legajo": legajo_row, "mpi": mpi_row, "mpe": mpe_row, "entry": mpj_entry, "exit": mpj_exit},
    )
    for writer in writers.values():
        writer.close()
    files = [writer.path for writer in writers.values()]
    if Injection.FILE_NAME in inject:
        bad = directory / f"{jurisdiction}-MPI-{cut_off:%d%m%Y}.txt"
        files[1].rename(bad)
        files[1] = bad
        planted.append(Planted(IssueCode.FILE_NAME_INVALID, bad.name, None, ""))
    if Injection.LATIN1 in inject:  # only files with a non-ASCII character can tell
        for path in files:
            if any(byte >= 0x80 for byte in path.read_bytes()):
                planted.append(Planted(IssueCode.ENCODING_FALLBACK, path.name, None, ""))
    counts = {unit.value: writers[unit].rows for unit in spec.Unit}
    return GeneratedDelivery(
        directory=directory,
        files=files,
        equivalence_file=te_path,
        counts=counts,
        legajos=legajos,
        measures=measures,
        measures_open=measures_open,
        penal_entries=penal_entries,
        penal_open=penal_open,
        planted=planted,
    )


def _plant(
    inject: set[str],
    writers: dict[spec.Unit, _Writer],
    names: dict[spec.Unit, str],
    planted: list[Planted],
    rng_values: dict,
    rows: dict,
) -> None:
    """Append one row per requested error at the end of its file (so its line is known)."""
    cut_off: datetime.date = rng_values["cut_off"]
    day = cut_off - datetime.timedelta(days=10)
    legajo = rng_values["first_legajo"]
    legajos, mpi, mpe, mpj = (writers[unit] for unit in spec.Unit)

    def plant(writer: _Writer, values: list[str], code: IssueCode, column: str) -> None:
        line = writer.row(values)
        planted.append(Planted(code, names[writer.unit], line, column))

    if Injection.PREDEFINED in inject:
        values = rows["legajo"]("X-GENERO", day, 10)
        values[2] = "mujer"
        plant(legajos, values, IssueCode.PREDEFINED_VALUE, "GENERO")
    if Injection.INTEGER in inject:
        values = rows["legajo"]("X-EDAD", day, 10)
        values[3], values[4] = "", "diez"
        plant(legajos, values, IssueCode.INTEGER_FORMAT, "EDAD_AL_INGRESO")
    if Injection.DUPLICATE in inject:
        plant(legajos, rows["legajo"](legajo, day, 10), IssueCode.DUPLICATE_ID, "ID_LEGAJO")
    if Injection.EQUIVALENCE in inject:
        values = rows["mpi"](legajo, day)
        values[3] = "999"
        plant(mpi, values, IssueCode.EQUIVALENCE_MISSING, "TIPO_INTERVENCION")
    if Injection.REQUIRED in inject:
        values = rows["mpi"](legajo, day)
        values[2] = ""
        plant(mpi, values, IssueCode.REQUIRED, "FECHA_INTERVENCION")
    if Injection.UNKNOWN_LEGAJO in inject:
        plant(mpi, rows["mpi"]("NO-EXISTE", day), IssueCode.LEGAJO_UNKNOWN, "ID_LEGAJO")
    if Injection.CLOSING_ONLY in inject:
        values = rows["mpe"](legajo, day, "SEGUIMIENTO")
        values[12] = _date(day)
        plant(mpe, values, IssueCode.CLOSING_ONLY, "FECHA_CESE")
    if Injection.DATE_IMPOSSIBLE in inject:
        values = rows["mpe"](legajo, day, "SEGUIMIENTO")
        values[2] = "31/02/2023"
        plant(mpe, values, IssueCode.DATE_FORMAT, "FECHA_INTERVENCION")
    if Injection.MOVEMENT_FIELD in inject:
        values = rows["entry"](legajo, day)
        values[9] = values[4]
        plant(mpj, values, IssueCode.MOVEMENT_FIELD_NOT_EMPTY, "MOTIVO_EGRESO")
    if Injection.EXIT_WITHOUT_ENTRY_ID in inject:
        plant(mpj, rows["exit"](legajo, day, ""), IssueCode.EXIT_ENTRY_REQUIRED, "ID_INGRESO_ASOCIADO")
    if Injection.ORPHAN_EXIT in inject:
        plant(
            mpj,
            rows["exit"](legajo, day, "MPJ-NO-EXISTE"),
            IssueCode.EXIT_WITHOUT_ENTRY,
            "ID_INGRESO_ASOCIADO",
        )
    if Injection.ROW_WIDTH in inject:
        plant(mpj, [*rows["entry"](legajo, day), "de más"], IssueCode.ROW_WIDTH, "")
    if Injection.DATE in inject:  # last: a bad row at the very end of the last file
        values = rows["entry"](legajo, day)
        values[3] = f"{day:%Y-%m-%d}"
        plant(mpj, values, IssueCode.DATE_FORMAT, "FECHA_MOVIMIENTO")
