"""Exceptional measures, their placements and penal stays, computed from a jurisdiction's newest rows.

A measure runs from a PER_INICIAL to the next CESE_MPE of the same legajo (open when there
is none); it ends on the closing row's FECHA_CESE, or its FECHA_INTERVENCION when that is
empty. Rows are taken in date order, then by the delivery's cut-off, then in file order.
A PER_INICIAL while a measure is open continues that measure, and a CESE_MPE with no open
measure closes nothing; both are reported as warnings. Placements split a measure where
AMBITO_CUMPLIMIENTO, TIPO_DISPOSITIVO or TIPO_PROYECTO_RESTITUCION change. Penal exits
close the entry named in their ID_INGRESO_ASOCIADO.

Everything is computed inside the database with window functions (the same SQL on
PostgreSQL and SQLite), so no row travels to Python and back: whether a measure is open
after a row is the type of the last PER_INICIAL/CESE_MPE row up to it, so a PER_INICIAL
opens a measure when the delimiter before it is not a PER_INICIAL, and a CESE_MPE closes
one when the delimiter before it is a PER_INICIAL. Carried-forward placement values use the
running-count trick (a group per non-empty value, its first value carried).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from amparo.exchange.runac import spec
from amparo.exchange.runac.errors import IssueCode, issue
from amparo.exchange.runac.loading import fetch_stream
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


def _display(value: Any) -> str:
    """dd/mm/yyyy of a date column as the database returns it (a date, or ISO text on SQLite)."""
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


# The jurisdiction's MPE rows in order with their measure numbers, while a rebuild runs:
# a temporary table of the connection (named with its schema so nothing else is touched).
SEQUENCE_NAME = "runac_mpe_sequence"


def _sequence_table() -> str:
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    return f"{schema}.{SEQUENCE_NAME}"


def _t(model: Any) -> str:
    return model._meta.db_table


def _binary() -> str:
    """Sort identifiers byte by byte on PostgreSQL (much cheaper than the locale's collation)."""
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


def _padded(expression: str) -> str:
    """A whole number as 12 digits with leading zeros, so text order is numeric order."""
    if connection.vendor == "postgresql":
        return f"LPAD(CAST({expression} AS text), 12, '0')"
    return f"PRINTF('%%012d', {expression})"


class _Query:
    """The SQL of one rebuild (its scope: a jurisdiction, or one legajo of it) and its parameters."""

    def __init__(self, jurisdiction_id: int, id_legajo: str | None) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.id_legajo = id_legajo

    def scope(self, alias: str) -> tuple[str, list[Any]]:
        sql = f"{alias}.jurisdiction_id = %s AND {alias}.is_latest = %s"
        params: list[Any] = [self.jurisdiction_id, True]
        if self.id_legajo is not None:
            sql += f" AND {alias}.id_legajo = %s"
            params.append(self.id_legajo)
        return sql, params

    def person(self) -> tuple[str, list[Any]]:
        """LEFT JOIN of the legajo's newest row (gender, birth date) as `l`, for a table aliased `x`."""
        return (
            f"LEFT JOIN {_t(LegajoRecord)} l ON l.jurisdiction_id = %s AND l.id_legajo = x.id_legajo "
            "AND l.is_latest = %s",
            [self.jurisdiction_id, True],
        )

    # --- exceptional measures ---------------------------------------------------------------------

    def sequence_table(self) -> tuple[str, list[Any]]:
        """Every MPE row in order, whether a measure was open before it, and its measure number.

        One ordering (legajo, date, cut-off, file, line) serves every window, so the rows are
        sorted once. The rows are kept in a temporary table that the measures, the placements
        and the warnings then read (computed once).
        """
        where, params = self.scope("m")
        start, end = spec.MEASURE_START, spec.MEASURE_END
        window = f"PARTITION BY id_legajo{_binary()} ORDER BY fecha, cut_off, file_number, line"
        sql = f"""
        CREATE TEMP TABLE {_sequence_table()} AS
        WITH r AS (
            SELECT m.id_legajo, m.id_intervencion, m.fecha_intervencion AS fecha, m.tipo_intervencion AS tipo,
                m.derecho_vulnerado AS derecho, m.origen_demanda AS origen, m.ambito_cumplimiento AS ambito,
                m.tipo_dispositivo AS dispositivo, m.tipo_proyecto_restitucion AS proyecto,
                m.situacion_al_cese AS situacion, m.fecha_cese, m.delivery_id, m.file_number, m.line,
                d.cut_off
            FROM {_t(MpeRecord)} m JOIN {_t(Delivery)} d ON d.id = m.delivery_id
            WHERE {where}
        ),
        sequenced AS (SELECT r.*, ROW_NUMBER() OVER ({window}) AS seq FROM r),
        marks AS (
            SELECT sequenced.*,
                MAX(CASE WHEN tipo = %s THEN seq END)
                    OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_start,
                MAX(CASE WHEN tipo = %s THEN seq END)
                    OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_end
            FROM sequenced
        ),
        flags AS (
            SELECT marks.*,
                CASE WHEN last_start IS NOT NULL AND (last_end IS NULL OR last_start > last_end)
                    THEN 1 ELSE 0 END AS was_open
            FROM marks
        ),
        numbered AS (
            SELECT flags.*,
                SUM(CASE WHEN tipo = %s AND was_open = 0 THEN 1 ELSE 0 END) OVER ({window}) AS measure
            FROM flags
        )
        SELECT numbered.*,
            CASE WHEN tipo = %s AND was_open = 0 THEN 1 ELSE 0 END AS opening,
            CASE WHEN tipo = %s AND was_open = 1 THEN 1 ELSE 0 END AS closing
        FROM numbered"""  # noqa: S608 - names from the models
        return sql, [*params, start, end, start, start, end]

    def measure_ctes(self) -> tuple[str, list[Any]]:
        """`members`: the rows inside a measure (its opening row to its closing row); `measures`."""
        sql = f"""
        members AS (SELECT * FROM {_sequence_table()} WHERE was_open = 1 OR opening = 1),
        bounds AS (
            SELECT id_legajo, measure,
                MAX(CASE WHEN opening = 1 THEN seq END) AS start_seq,
                MAX(CASE WHEN opening = 1 THEN fecha END) AS start_date,
                MAX(CASE WHEN opening = 1 THEN id_intervencion END) AS start_intervention,
                MAX(CASE WHEN opening = 1 THEN derecho END) AS derecho,
                MAX(CASE WHEN opening = 1 THEN origen END) AS origen,
                MAX(CASE WHEN closing = 1 THEN seq END) AS end_seq,
                MAX(CASE WHEN closing = 1 THEN id_intervencion END) AS end_intervention,
                MAX(CASE WHEN closing = 1 THEN situacion END) AS situacion,
                MAX(CASE WHEN closing = 1 THEN COALESCE(fecha_cese, fecha) END) AS closed_on,
                MAX(CASE WHEN proyecto <> '' THEN seq END) AS project_seq
            FROM members GROUP BY id_legajo, measure
        ),
        measures AS (
            SELECT bounds.*,
                CASE WHEN closed_on IS NULL THEN NULL WHEN closed_on > start_date THEN closed_on
                    ELSE start_date END AS end_date
            FROM bounds
        )"""  # noqa: S608 - names from the models
        return sql, []

    def insert_measures(self) -> tuple[str, list[Any]]:
        ctes, params = self.measure_ctes()
        person, person_params = self.person()
        sql = f"""
        INSERT INTO {_t(ExceptionalMeasure)} (jurisdiction_id, id_legajo, genero, birth_date,
            start_intervention, start_date, end_intervention, end_date, derecho_vulnerado,
            origen_demanda, situacion_al_cese, tipo_proyecto_restitucion)
        WITH {ctes}
        SELECT %s, x.id_legajo, COALESCE(l.genero, ''), l.birth_date, x.start_intervention,
            x.start_date, COALESCE(x.end_intervention, ''), x.end_date, x.derecho, x.origen,
            COALESCE(x.situacion, ''), COALESCE(p.proyecto, '')
        FROM measures x
        LEFT JOIN members p ON p.id_legajo = x.id_legajo AND p.measure = x.measure AND p.seq = x.project_seq
        {person}"""  # noqa: S608 - names from the models
        return sql, [*params, self.jurisdiction_id, *person_params]

    def insert_placements(self) -> tuple[str, list[Any]]:
        """Stretches of a measure with the same carried-forward setting, facility and project.

        A value carries forward until a row brings another non-empty one: the running maximum
        of "row number + value" over a measure's rows is the last non-empty value so far.
        """
        ctes, params = self.measure_ctes()
        person, person_params = self.person()
        window = f"PARTITION BY id_legajo{_binary()}, measure ORDER BY seq"
        pad = _padded("seq")

        def carried(column: str) -> str:
            return (
                f"SUBSTR(MAX(CASE WHEN opening = 1 OR {column} <> '' THEN {pad} || {column} END) "
                f"OVER ({window}), 13)"
            )

        sql = f"""
        INSERT INTO {_t(MeasurePlacement)} (jurisdiction_id, id_legajo, genero, birth_date,
            measure_start, from_date, to_date, ambito_cumplimiento, tipo_dispositivo,
            tipo_proyecto_restitucion)
        WITH {ctes},
        carried AS (
            SELECT id_legajo, measure, seq, opening, fecha, {carried("ambito")} AS a,
                {carried("dispositivo")} AS dv, {carried("proyecto")} AS pr
            FROM members WHERE closing = 0
        ),
        changes AS (
            SELECT carried.*,
                CASE WHEN opening = 1 OR a <> LAG(a) OVER ({window}) OR dv <> LAG(dv) OVER ({window})
                    OR pr <> LAG(pr) OVER ({window}) THEN 1 ELSE 0 END AS starts
            FROM carried
        ),
        stretches AS (
            SELECT id_legajo, measure, fecha AS from_date, a, dv, pr,
                LEAD(fecha) OVER ({window}) AS next_from
            FROM changes WHERE starts = 1
        )
        SELECT %s, x.id_legajo, COALESCE(l.genero, ''), l.birth_date, ms.start_date, x.from_date,
            COALESCE(x.next_from, ms.end_date), x.a, x.dv, x.pr
        FROM stretches x JOIN measures ms ON ms.id_legajo = x.id_legajo AND ms.measure = x.measure
        {person}"""  # noqa: S608 - names from the models
        return sql, [*params, self.jurisdiction_id, *person_params]

    def measure_anomalies(self, delivery_id: int) -> tuple[str, list[Any]]:
        """Delimiters of the delivery that open or close nothing, with the open measure's start."""
        ctes, params = self.measure_ctes()
        start, end = spec.MEASURE_START, spec.MEASURE_END
        sql = f"""
        WITH {ctes}
        SELECT n.tipo, n.file_number, n.line, n.id_legajo, ms.start_date
        FROM {_sequence_table()} n
        LEFT JOIN measures ms ON ms.id_legajo = n.id_legajo AND ms.measure = n.measure
        WHERE n.delivery_id = %s AND ((n.tipo = %s AND n.was_open = 1) OR (n.tipo = %s AND n.was_open = 0))
        ORDER BY n.file_number, n.line"""  # noqa: S608 - names from the models
        return sql, [*params, delivery_id, start, end]

    # --- penal stays ------------------------------------------------------------------------------

    def stay_ctes(self) -> tuple[str, list[Any]]:
        where, params = self.scope("m")
        sql = f"""
        r AS (
            SELECT m.id_legajo, m.id_intervencion, m.tipo_movimiento, m.fecha_movimiento AS fecha,
                m.tipo_medida_penal, m.dispositivo, m.delito_imputado, m.situacion_procesal,
                m.motivo_egreso, m.id_ingreso_asociado, m.delivery_id, m.file_number, m.line, d.cut_off
            FROM {_t(MpjRecord)} m JOIN {_t(Delivery)} d ON d.id = m.delivery_id
            WHERE {where}
        ),
        entries AS (SELECT * FROM r WHERE tipo_movimiento = %s),
        exits AS (
            SELECT x.*, n.fecha AS entry_date,
                ROW_NUMBER() OVER (PARTITION BY x.id_legajo, x.id_ingreso_asociado
                    ORDER BY x.fecha, x.cut_off, x.file_number, x.line) AS exit_rank
            FROM r x JOIN entries n ON n.id_legajo = x.id_legajo AND n.id_intervencion = x.id_ingreso_asociado
            WHERE x.tipo_movimiento = %s
        )"""  # noqa: S608 - names from the models
        return sql, [*params, spec.ENTRY, spec.EXIT]

    def insert_stays(self) -> tuple[str, list[Any]]:
        ctes, params = self.stay_ctes()
        person, person_params = self.person()
        sql = f"""
        INSERT INTO {_t(PenalStay)} (jurisdiction_id, id_legajo, genero, birth_date, entry_intervention,
            entry_date, exit_intervention, exit_date, tipo_medida_penal, dispositivo, delito_imputado,
            situacion_procesal, motivo_egreso)
        WITH {ctes}
        SELECT %s, x.id_legajo, COALESCE(l.genero, ''), l.birth_date, x.id_intervencion, x.fecha,
            COALESCE(e.id_intervencion, ''), e.fecha, x.tipo_medida_penal, x.dispositivo,
            x.delito_imputado, x.situacion_procesal, COALESCE(e.motivo_egreso, '')
        FROM entries x
        LEFT JOIN exits e ON e.id_legajo = x.id_legajo AND e.id_ingreso_asociado = x.id_intervencion
            AND e.exit_rank = 1
        {person}"""  # noqa: S608 - names from the models
        return sql, [*params, self.jurisdiction_id, *person_params]

    def stay_anomalies(self, delivery_id: int) -> tuple[str, list[Any]]:
        """Exits of the delivery: a second exit of an entry, or an exit dated before its entry."""
        ctes, params = self.stay_ctes()
        sql = f"""
        WITH {ctes}
        SELECT e.exit_rank, e.file_number, e.line, e.id_ingreso_asociado, e.fecha, e.entry_date,
            f.id_intervencion
        FROM exits e LEFT JOIN exits f ON f.id_legajo = e.id_legajo
            AND f.id_ingreso_asociado = e.id_ingreso_asociado AND f.exit_rank = 1
        WHERE e.delivery_id = %s AND (e.exit_rank > 1 OR e.fecha < e.entry_date)
        ORDER BY e.file_number, e.line"""  # noqa: S608 - names from the models
        return sql, [*params, delivery_id]


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
    query = _Query(jurisdiction_id, id_legajo)
    _delete(jurisdiction_id, id_legajo)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_sequence_table()}")
        cursor.execute(*query.sequence_table())
        cursor.execute(*query.insert_measures())
        measures = cursor.rowcount
        cursor.execute(*query.insert_placements())
        cursor.execute(*query.insert_stays())
        stays = cursor.rowcount
        if reporter.active:
            _report(query, reporter)
        cursor.execute(f"DROP TABLE {_sequence_table()}")
    return measures, stays


def _report(query: _Query, reporter: Reporter) -> None:
    delivery_id = reporter.delivery_id
    assert delivery_id is not None
    for tipo, file_number, line, id_legajo, open_since in fetch_stream(*query.measure_anomalies(delivery_id)):
        if tipo == spec.MEASURE_START:
            reporter.warn(
                IssueCode.MEASURE_START_WHILE_OPEN,
                spec.Unit.MPE,
                file_number,
                line,
                "TIPO_INTERVENCION",
                id_legajo,
                _display(open_since),
            )
        else:
            reporter.warn(
                IssueCode.MEASURE_CLOSE_WITHOUT_START,
                spec.Unit.MPE,
                file_number,
                line,
                "TIPO_INTERVENCION",
                id_legajo,
            )
    for rank, file_number, line, entry, exit_date, entry_date, first_exit in fetch_stream(
        *query.stay_anomalies(delivery_id)
    ):
        if rank > 1:
            reporter.warn(
                IssueCode.ENTRY_ALREADY_CLOSED,
                spec.Unit.MPJ,
                file_number,
                line,
                "ID_INGRESO_ASOCIADO",
                entry,
                first_exit,
            )
        else:
            reporter.warn(
                IssueCode.EXIT_BEFORE_ENTRY,
                spec.Unit.MPJ,
                file_number,
                line,
                "FECHA_MOVIMIENTO",
                _display(exit_date),
                _display(entry_date),
            )
