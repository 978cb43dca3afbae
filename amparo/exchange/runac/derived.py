"""Exceptional measures, their placements and penal stays, computed from a jurisdiction's newest rows.

A measure runs from a PER_INICIAL to the next CESE_MPE of the same legajo (open when there
is none); it ends on the closing row's FECHA_CESE, or its FECHA_INTERVENCION when that is
empty. Rows are taken in date order, then by the delivery's cut-off, then in file order.
A PER_INICIAL while a measure is open continues that measure, and a CESE_MPE with no open
measure closes nothing; both are reported as warnings. Placements split a measure where
AMBITO_CUMPLIMIENTO, TIPO_DISPOSITIVO or TIPO_PROYECTO_RESTITUCION change. Penal exits
close the entry named in their ID_INGRESO_ASOCIADO.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db import connection, models

from amparo.exchange.runac import spec
from amparo.exchange.runac.errors import IssueCode, issue
from amparo.exchange.runac.loading import TableWriter, fetch_stream
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

BATCH = 5000


def _display(value: Any) -> str:
    """dd/mm/yyyy of a date column as the database returns it (a date, or ISO text on SQLite)."""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    return day.strftime("%d/%m/%Y")


class _Buffer:
    def __init__(self, model: type[models.Model], columns: list[str], jurisdiction_id: int) -> None:
        self.columns = columns
        self.writer = TableWriter(model, columns, {"jurisdiction_id": jurisdiction_id}, deferred=True)
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.writer.write(dict(zip(self.columns, map(list, zip(*self.rows, strict=True)), strict=True)))
            self.rows = []

    def close(self) -> int:
        self.flush()
        self.writer.close()
        return self.writer.rows


@dataclass
class Reporter:
    """Turns anomalies of rows of the delivery being loaded into warnings of its report."""

    delivery_id: int | None = None
    file_names: dict[tuple[spec.Unit, int], str] = field(default_factory=dict)
    collector: IssueCollector | None = None

    def warn(
        self, code: IssueCode, unit: spec.Unit, row: Any, column: str, value: str, expected: str = ""
    ) -> None:
        if self.collector is None or row.delivery_id != self.delivery_id:
            return
        self.collector.add(
            issue(
                code,
                file=self.file_names[(unit, row.file_number)],
                line=row.line,
                column=column,
                value=value,
                expected=expected,
            )
        )


@dataclass(slots=True)
class _MpeRow:
    id_legajo: str
    id_intervencion: str
    fecha: str
    tipo: str
    derecho: str
    origen: str
    ambito: str
    dispositivo: str
    proyecto: str
    situacion: str
    fecha_cese: str | None
    genero: str
    birth_date: str | None
    delivery_id: int
    file_number: int
    line: int


@dataclass(slots=True)
class _MpjRow:
    id_legajo: str
    id_intervencion: str
    movimiento: str
    fecha: str
    medida: str
    dispositivo: str
    delito: str
    situacion: str
    motivo_egreso: str
    asociado: str
    genero: str
    birth_date: str | None
    delivery_id: int
    file_number: int
    line: int


MEASURE_COLUMNS = [
    "id_legajo",
    "genero",
    "birth_date",
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
    "id_legajo",
    "genero",
    "birth_date",
    "measure_start",
    "from_date",
    "to_date",
    "ambito_cumplimiento",
    "tipo_dispositivo",
    "tipo_proyecto_restitucion",
]
STAY_COLUMNS = [
    "id_legajo",
    "genero",
    "birth_date",
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


def _rows(
    sql_columns: str, table: str, order: str, jurisdiction_id: int, id_legajo: str | None
) -> Iterator[tuple]:
    legajos = LegajoRecord._meta.db_table
    deliveries = Delivery._meta.db_table
    sql = (
        f"SELECT {sql_columns}, l.genero, l.birth_date, m.delivery_id, m.file_number, m.line "  # noqa: S608
        f"FROM {table} m JOIN {deliveries} d ON d.id = m.delivery_id "
        f"LEFT JOIN {legajos} l ON l.jurisdiction_id = m.jurisdiction_id AND l.id_legajo = m.id_legajo "
        f"AND l.is_latest = %s WHERE m.jurisdiction_id = %s AND m.is_latest = %s"
    )
    params: list[Any] = [True, jurisdiction_id, True]
    if id_legajo is not None:
        sql += " AND m.id_legajo = %s"
        params.append(id_legajo)
    sql += f" ORDER BY m.id_legajo, {order}, d.cut_off, m.file_number, m.line"
    return fetch_stream(sql, params)


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
    *, jurisdiction_id: int, id_legajo: str | None = None, reporter: Reporter | None = None
) -> tuple[int, int]:
    """Recompute the jurisdiction's (or one legajo's) measures, placements and penal stays.

    Returns (measures, penal stays) written.
    """
    reporter = reporter or Reporter()
    _delete(jurisdiction_id, id_legajo)
    measures = _Buffer(ExceptionalMeasure, MEASURE_COLUMNS, jurisdiction_id)
    placements = _Buffer(MeasurePlacement, PLACEMENT_COLUMNS, jurisdiction_id)
    mpe_columns = (
        "m.id_legajo, m.id_intervencion, m.fecha_intervencion, m.tipo_intervencion, m.derecho_vulnerado, "
        "m.origen_demanda, m.ambito_cumplimiento, m.tipo_dispositivo, m.tipo_proyecto_restitucion, "
        "m.situacion_al_cese, m.fecha_cese"
    )
    mpe_rows = (
        _MpeRow(*row)
        for row in _rows(
            mpe_columns, MpeRecord._meta.db_table, "m.fecha_intervencion", jurisdiction_id, id_legajo
        )
    )
    for _legajo, group in groupby(mpe_rows, key=lambda row: row.id_legajo):
        _measures_of(list(group), measures, placements, reporter)
    measure_count = measures.close()
    placements.close()

    stays = _Buffer(PenalStay, STAY_COLUMNS, jurisdiction_id)
    mpj_columns = (
        "m.id_legajo, m.id_intervencion, m.tipo_movimiento, m.fecha_movimiento, m.tipo_medida_penal, "
        "m.dispositivo, m.delito_imputado, m.situacion_procesal, m.motivo_egreso, m.id_ingreso_asociado"
    )
    mpj_rows = (
        _MpjRow(*row)
        for row in _rows(
            mpj_columns, MpjRecord._meta.db_table, "m.fecha_movimiento", jurisdiction_id, id_legajo
        )
    )
    for _legajo, penal_group in groupby(mpj_rows, key=lambda row: row.id_legajo):
        _stays_of(list(penal_group), stays, reporter)
    return measure_count, stays.close()


def _measures_of(rows: list[_MpeRow], measures: _Buffer, placements: _Buffer, reporter: Reporter) -> None:
    measure: dict[str, Any] | None = None
    place: dict[str, Any] = {}
    person = (rows[0].id_legajo, rows[0].genero or "", rows[0].birth_date)

    def close_place(start: Any, until: Any) -> None:
        placements.add(
            (*person, start, place["from"], until, place["ambito"], place["dispositivo"], place["proyecto"])
        )

    for row in rows:
        fecha = row.fecha
        if row.tipo == spec.MEASURE_START and measure is None:
            measure = {
                "start_intervention": row.id_intervencion,
                "start_date": fecha,
                "derecho": row.derecho,
                "origen": row.origen,
                "proyecto": row.proyecto,
            }
            place = {
                "from": fecha,
                "ambito": row.ambito,
                "dispositivo": row.dispositivo,
                "proyecto": row.proyecto,
            }
            continue
        if measure is None:
            if row.tipo == spec.MEASURE_END:
                reporter.warn(
                    IssueCode.MEASURE_CLOSE_WITHOUT_START,
                    spec.Unit.MPE,
                    row,
                    "TIPO_INTERVENCION",
                    row.id_legajo,
                )
            continue
        if row.tipo == spec.MEASURE_START:
            reporter.warn(
                IssueCode.MEASURE_START_WHILE_OPEN,
                spec.Unit.MPE,
                row,
                "TIPO_INTERVENCION",
                row.id_legajo,
                _display(measure["start_date"]),
            )
        if row.tipo == spec.MEASURE_END:
            end = max(row.fecha_cese or fecha, measure["start_date"])
            close_place(measure["start_date"], end)
            measures.add(
                (
                    *person,
                    measure["start_intervention"],
                    measure["start_date"],
                    row.id_intervencion,
                    end,
                    measure["derecho"],
                    measure["origen"],
                    row.situacion,
                    row.proyecto or measure["proyecto"],
                )
            )
            measure = None
            continue
        changed = {
            name: value
            for name, value in (
                ("ambito", row.ambito),
                ("dispositivo", row.dispositivo),
                ("proyecto", row.proyecto),
            )
            if value and value != place[name]
        }
        if changed:
            close_place(measure["start_date"], fecha)
            place = {**place, **changed, "from": fecha}
        if row.proyecto:
            measure["proyecto"] = row.proyecto
    if measure is not None:
        close_place(measure["start_date"], None)
        measures.add(
            (
                *person,
                measure["start_intervention"],
                measure["start_date"],
                "",
                None,
                measure["derecho"],
                measure["origen"],
                "",
                measure["proyecto"],
            )
        )


def _stays_of(rows: list[_MpjRow], stays: _Buffer, reporter: Reporter) -> None:
    person = (rows[0].id_legajo, rows[0].genero or "", rows[0].birth_date)
    entries: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.movimiento == spec.ENTRY:
            entries[row.id_intervencion] = {"row": row, "exit": None}
    for row in rows:
        if row.movimiento != spec.EXIT:
            continue
        entry = entries.get(row.asociado)
        if entry is None:
            continue
        if entry["exit"] is not None:
            reporter.warn(
                IssueCode.ENTRY_ALREADY_CLOSED,
                spec.Unit.MPJ,
                row,
                "ID_INGRESO_ASOCIADO",
                row.asociado,
                entry["exit"].id_intervencion,
            )
            continue
        if row.fecha < entry["row"].fecha:
            reporter.warn(
                IssueCode.EXIT_BEFORE_ENTRY,
                spec.Unit.MPJ,
                row,
                "FECHA_MOVIMIENTO",
                _display(row.fecha),
                _display(entry["row"].fecha),
            )
        entry["exit"] = row
    for entry in entries.values():
        start, end = entry["row"], entry["exit"]
        stays.add(
            (
                *person,
                start.id_intervencion,
                start.fecha,
                end.id_intervencion if end else "",
                end.fecha if end else None,
                start.medida,
                start.dispositivo,
                start.delito,
                start.situacion,
                end.motivo_egreso if end else "",
            )
        )
