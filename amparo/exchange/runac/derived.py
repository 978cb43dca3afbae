"""Exceptional measures, their placements and penal stays, computed from a jurisdiction's newest rows.

A measure runs from a PER_INICIAL to the next CESE_MPE of the same legajo (open when there
is none); it ends on the closing row's FECHA_CESE, or its FECHA_INTERVENCION when that is
empty (never before its start). Rows are taken in date order, then by the delivery's
cut-off, then in file order. A PER_INICIAL while a measure is open continues that measure,
and a CESE_MPE with no open measure closes nothing; both are reported as warnings. Rows
between a close and the next PER_INICIAL belong to no measure. A measure's
TIPO_PROYECTO_RESTITUCION is the last non-empty one of its rows (closing row included).
Placements split a measure where AMBITO_CUMPLIMIENTO, TIPO_DISPOSITIVO or
TIPO_PROYECTO_RESTITUCION change, each value carried forward over empty ones from the
opening row on (the closing row starts no placement); a placement ends where the next one
starts, the last one where its measure ends. Penal exits close the entry named in their
ID_INGRESO_ASOCIADO: the first exit in that order closes it; a second exit, or a first exit
dated before its entry, is reported as a warning.

How: ONE ordered read per unit of the rows in scope (the legajo's newest gender and birth
date joined in). Measures and placements are computed column-wise over batches of whole
legajos (`measures`: Arrow reads the rows from `COPY (SELECT …) TO STDOUT (FORMAT csv)` on
PostgreSQL, from a cursor elsewhere). Penal stays, fewer, go through a plain state machine
per legajo over rows in COPY's text form (its escaping keeps equal values equal, and ISO
dates compare as text; a cursor's values elsewhere). The output rows are written back in
bulk: by a loader connection into a table of their own while the import's connection still
reads (see `staging`), or spooled to a bounded temporary file and copied in once the read is
over (one connection cannot read one COPY while writing another), `bulk_create` on SQLite.
Anomalies are kept as small tuples and reported at the end in file order (as the reader
finds them). Rebuilding one legajo (corrections) runs the same reads narrowed to it. Most of
the time of this step on PostgreSQL is the reading query itself (its join and sort).
"""

import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter, methodcaller
from typing import TYPE_CHECKING, Any

from django.db import connection, models

from amparo.exchange.runac import spec
from amparo.exchange.runac.errors import IssueCode, issue
from amparo.exchange.runac.measures import TableOutput, batches, copy_spool, write_all
from amparo.exchange.runac.models import (
    Delivery,
    ExceptionalMeasure,
    LegajoRecord,
    MeasurePlacement,
    MpeRecord,
    MpjRecord,
    PenalStay,
)
from amparo.exchange.runac.validation import IssueCollector

if TYPE_CHECKING:
    from amparo.exchange.runac.staging import Staging

SPOOL_MEMORY_BYTES = 2 << 20
FLUSH_ROWS = 5000
FETCH_ROWS = 5000


def _display(value: Any) -> str:
    """dd/mm/yyyy of a date as read (a date, or ISO text)."""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    return day.strftime("%d/%m/%Y")


@dataclass
class Reporter:
    """Turns anomalies of rows of the delivery being loaded into warnings of its report."""

    delivery_id: int | None = None
    file_names: dict[tuple[spec.Unit, int], str] = field(default_factory=dict)
    collector: IssueCollector | None = None

    @property
    def active(self) -> bool:
        return self.collector is not None and self.delivery_id is not None

    def warn(
        self,
        code: IssueCode,
        unit: spec.Unit,
        file_number: int,
        line: int,
        column: str,
        value: str,
        expected: str = "",
    ) -> None:
        if self.collector is None:
            return
        self.collector.add(
            issue(
                code,
                file=self.file_names[(unit, file_number)],
                line=line,
                column=column,
                value=value,
                expected=expected,
            )
        )


def _t(model: Any) -> str:
    return model._meta.db_table


# --- how values look as read: COPY text (bytes) on PostgreSQL, Python values elsewhere ---------------

_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_unescape(value: bytes) -> str:
    return re.sub(r"\\(.)", lambda match: _COPY_ESCAPES.get(match[1], match[1]), value.decode())


class _Values:
    """Constants of the state machines in the form the rows are read in."""

    def __init__(self, *, is_copy: bool, delivery_id: int | None) -> None:
        self.is_copy = is_copy
        if is_copy:
            encode: Callable[[str], Any] = str.encode
            self.null: Any = b"\\N"
        else:
            encode = str
            self.null = None
        self.empty = encode("")
        self.entry = encode(spec.ENTRY)
        self.exit = encode(spec.EXIT)
        # Rows of this delivery are the ones whose anomalies are reported (none: no report).
        self.reported: Any = (
            None if delivery_id is None else (encode(str(delivery_id)) if is_copy else delivery_id)
        )
        self.reported_delivery = delivery_id

    def text(self, value: Any) -> str:
        return _copy_unescape(value) if self.is_copy else value

    def day(self, value: Any) -> str:
        return _display(value.decode() if self.is_copy else value)


# --- reading ---------------------------------------------------------------------------------------


class _Query:
    """The ordered reads of one rebuild (its scope: a jurisdiction, or one legajo of it)."""

    def __init__(self, jurisdiction_id: int, id_legajo: str | None) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.id_legajo = id_legajo
        self.is_postgres = connection.vendor == "postgresql"

    def _select(self, model: type[models.Model], columns: str, date: str) -> tuple[str, list[Any]]:
        where = "m.jurisdiction_id = %s AND m.is_latest = %s"
        # The legajo's subquery comes first in the text, then the scope.
        params: list[Any] = [self.jurisdiction_id, True, self.jurisdiction_id, True]
        if self.id_legajo is not None:
            where += " AND m.id_legajo = %s"
            params.append(self.id_legajo)
        # Byte order on PostgreSQL (much cheaper than the locale's; any order groups a legajo's rows).
        binary = ' COLLATE "C"' if self.is_postgres else ""
        sql = f"""
        SELECT m.id_legajo, {columns}, m.delivery_id, m.file_number, m.line,
            COALESCE(l.genero, ''), l.birth_date, 0
        FROM {_t(model)} m JOIN {_t(Delivery)} d ON d.id = m.delivery_id
        LEFT JOIN (SELECT id_legajo, genero, birth_date FROM {_t(LegajoRecord)}
            WHERE jurisdiction_id = %s AND is_latest = %s) l ON l.id_legajo = m.id_legajo
        WHERE {where}
        ORDER BY m.id_legajo{binary}, m.{date}, d.cut_off, m.file_number, m.line"""  # noqa: S608 - names from the models
        return sql, params

    def mpe(self) -> tuple[str, list[Any]]:
        return self._select(
            MpeRecord,
            "m.id_intervencion, m.fecha_intervencion, m.tipo_intervencion, m.derecho_vulnerado, "
            "m.origen_demanda, m.ambito_cumplimiento, m.tipo_dispositivo, m.tipo_proyecto_restitucion, "
            "m.situacion_al_cese, m.fecha_cese",
            "fecha_intervencion",
        )

    def mpj(self) -> tuple[str, list[Any]]:
        return self._select(
            MpjRecord,
            "m.id_intervencion, m.tipo_movimiento, m.fecha_movimiento, m.tipo_medida_penal, m.dispositivo, "
            "m.delito_imputado, m.situacion_procesal, m.motivo_egreso, m.id_ingreso_asociado",
            "fecha_movimiento",
        )


def _legajos(sql: str, params: Sequence[Any], *, is_copy: bool) -> Iterator[list[Any]]:
    """The query's rows grouped by legajo (its first column), one legajo's rows at a time."""
    if is_copy:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
            # One row per block; the last column is a constant that takes the line's newline.
            rows: Iterable[Any] = map(methodcaller("split", b"\t"), map(bytes, copy))
            for _legajo, group in groupby(rows, key=itemgetter(0)):
                yield list(group)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)

        def fetched() -> Iterator[Any]:
            while batch := cursor.fetchmany(FETCH_ROWS):
                yield from batch

        for _legajo, group in groupby(fetched(), key=itemgetter(0)):
            yield list(group)


# --- writing ---------------------------------------------------------------------------------------


class _Output:
    """Rows of one derived table: COPY text spooled to a bounded temporary file, or model instances."""

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], *, is_copy: bool, sink: Any = None
    ) -> None:
        self.model = model
        self.columns = list(columns)
        self.is_copy = is_copy
        self.rows: list[Any] = []
        self.count = 0
        # A loader's COPY into a new table for the jurisdiction (staging.Staging.derived_sink), fed as
        # rows come: the loader writes while this connection is still reading.
        self._sink = sink
        self._spool: Any = (
            tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
            if is_copy and sink is None
            else None
        )

        # Rows are appended directly (`add`); `spill` writes them out once there are enough.
        self.add = self.rows.append

    def spill(self) -> None:
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        rows = self.rows
        self.count += len(rows)
        if not rows:
            return
        if self._sink is not None:
            self._sink.write(b"\n".join(map(b"\t".join, rows)) + b"\n")
        elif self.is_copy:
            self._spool.write(b"\n".join(map(b"\t".join, rows)) + b"\n")
        else:
            names, model = self.columns, self.model
            model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows])  # type: ignore[attr-defined]
        rows.clear()

    def close(self) -> int:
        """Write what is spooled (the reading COPY must be over); the number of rows."""
        self.flush()
        if self._sink is not None:
            self._sink.end()
        elif self.is_copy:
            spool, self._spool = self._spool, None
            if self.count:
                copy_spool(self.model, self.columns, spool)
            spool.close()
        return self.count


PERSON = ["jurisdiction_id", "id_legajo", "genero", "birth_date"]
MEASURE_COLUMNS = [
    *PERSON,
    "start_intervention",
    "start_date",
    "end_intervention",
    "end_date",
    "derecho_vulnerado",
    "origen_demanda",
    "situacion_al_cese",
    "tipo_proyecto_restitucion",
]
PLACEMENT_COLUMNS = [
    *PERSON,
    "measure_start",
    "from_date",
    "to_date",
    "ambito_cumplimiento",
    "tipo_dispositivo",
    "tipo_proyecto_restitucion",
]
STAY_COLUMNS = [
    *PERSON,
    "entry_intervention",
    "entry_date",
    "exit_intervention",
    "exit_date",
    "tipo_medida_penal",
    "dispositivo",
    "delito_imputado",
    "situacion_procesal",
    "motivo_egreso",
]

# An anomaly: (file number, line, code, value, expected) as read; sorted and reported at the end.
Anomaly = tuple[Any, Any, IssueCode, Any, Any]


# --- the state machines ----------------------------------------------------------------------------


def _stays(rows: list[Any], jurisdiction: Any, v: _Values, stays: _Output, found: list[Anomaly]) -> None:
    """One legajo's MPJ rows, in order: each entry with the first exit that names it."""
    first = rows[0]
    person = (jurisdiction, first[0], first[13], first[14])
    entry_kind, reported = v.entry, v.reported
    entries = {row[1]: row for row in rows if row[2] == entry_kind}
    exits: dict[Any, Any] = {}
    for row in rows:
        if row[2] != v.exit or (entry := entries.get(row[9])) is None:
            continue
        closing = exits.get(row[9])
        if closing is None:
            exits[row[9]] = row
            if row[10] == reported and row[3] < entry[3]:
                found.append((row[11], row[12], IssueCode.EXIT_BEFORE_ENTRY, row[3], entry[3]))
        elif row[10] == reported:
            found.append((row[11], row[12], IssueCode.ENTRY_ALREADY_CLOSED, row[9], closing[1]))
    empty, null = v.empty, v.null
    for key, entry in entries.items():
        exit_row = exits.get(key)
        stays.add(
            (
                *person,
                key,
                entry[3],
                empty if exit_row is None else exit_row[1],
                null if exit_row is None else exit_row[3],
                entry[4],
                entry[5],
                entry[6],
                entry[7],
                empty if exit_row is None else exit_row[8],
            )
        )


# --- the rebuild -----------------------------------------------------------------------------------


def _delete(jurisdiction_id: int, id_legajo: str | None) -> None:
    with connection.cursor() as cursor:
        for model in (ExceptionalMeasure, MeasurePlacement, PenalStay):
            sql = f"DELETE FROM {model._meta.db_table} WHERE jurisdiction_id = %s"  # noqa: S608
            params: list[Any] = [jurisdiction_id]
            if id_legajo is not None:
                sql += " AND id_legajo = %s"
                params.append(id_legajo)
            cursor.execute(sql, params)


def rebuild(
    *,
    jurisdiction_id: int,
    id_legajo: str | None = None,
    reporter: Reporter | None = None,
    staging: "Staging | None" = None,
) -> tuple[int, int]:
    """Recompute the jurisdiction's (or one legajo's) measures, placements and penal stays.

    With `staging` (an import's loaders, PostgreSQL, a whole jurisdiction) the rows are written
    by the loaders into new tables while this connection reads, and swapped in for the
    jurisdiction's partitions of the derived tables (migration 0006); otherwise the old rows are
    deleted and the new ones copied in. Returns (measures, penal stays) written.
    """
    reporter = reporter or Reporter()
    is_copy = connection.vendor == "postgresql"
    v = _Values(is_copy=is_copy, delivery_id=reporter.delivery_id if reporter.active else None)
    jurisdiction: Any = str(jurisdiction_id).encode() if is_copy else jurisdiction_id
    query = _Query(jurisdiction_id, id_legajo)
    swap = staging is not None and is_copy and id_legajo is None and len(staging.loaders) > 1

    def sink(model: type[models.Model], columns: list[str], loader: int, *, csv: bool = False) -> Any:
        if not swap:
            return None
        db_columns = [str(model._meta.get_field(name).column) for name in columns]  # type: ignore[union-attr]
        return staging.derived_sink(model._meta.db_table, db_columns, jurisdiction_id, loader, csv=csv)  # type: ignore[union-attr]

    if not swap:
        _delete(jurisdiction_id, id_legajo)
    # Measures and placements are written side by side (two loaders), column-wise; stays after them.
    measures = TableOutput(
        ExceptionalMeasure, MEASURE_COLUMNS, sink(ExceptionalMeasure, MEASURE_COLUMNS, 0, csv=True)
    )
    placements = TableOutput(
        MeasurePlacement, PLACEMENT_COLUMNS, sink(MeasurePlacement, PLACEMENT_COLUMNS, 1, csv=True)
    )
    measure_anomalies = write_all(
        batches(*query.mpe()), jurisdiction_id, v.reported_delivery, measures, placements
    )
    measure_count, _ = measures.close(), placements.close()
    stay_anomalies: list[Anomaly] = []
    stays = _Output(PenalStay, STAY_COLUMNS, is_copy=is_copy, sink=sink(PenalStay, STAY_COLUMNS, 0))
    for rows in _legajos(*query.mpj(), is_copy=is_copy):
        _stays(rows, jurisdiction, v, stays, stay_anomalies)
        stays.spill()
    stay_count = stays.close()
    if swap:
        staging.swap_derived()  # type: ignore[union-attr]
    if reporter.active:
        _report(_Values(is_copy=False, delivery_id=None), reporter, measure_anomalies, spec.Unit.MPE)
        _report(v, reporter, stay_anomalies, spec.Unit.MPJ)
    return measure_count, stay_count


COLUMNS = {
    IssueCode.MEASURE_CLOSE_WITHOUT_START: "TIPO_INTERVENCION",
    IssueCode.MEASURE_START_WHILE_OPEN: "TIPO_INTERVENCION",
    IssueCode.EXIT_BEFORE_ENTRY: "FECHA_MOVIMIENTO",
    IssueCode.ENTRY_ALREADY_CLOSED: "ID_INGRESO_ASOCIADO",
}


def _report(v: _Values, reporter: Reporter, found: list[Anomaly], unit: spec.Unit) -> None:
    """Warnings in file order (file number, line), as the delivery's rows are read."""
    for file_number, line, code, value, expected in sorted(
        found, key=lambda item: (int(item[0]), int(item[1]))
    ):
        if code == IssueCode.MEASURE_CLOSE_WITHOUT_START:
            texts = (v.text(value), "")
        elif code == IssueCode.MEASURE_START_WHILE_OPEN:
            texts = (v.text(value), v.day(expected))
        elif code == IssueCode.EXIT_BEFORE_ENTRY:
            texts = (v.day(value), v.day(expected))
        else:
            texts = (v.text(value), v.text(expected))
        reporter.warn(code, unit, int(file_number), int(line), COLUMNS[code], *texts)
