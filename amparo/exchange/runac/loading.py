"""Bulk writing of checked rows (COPY on PostgreSQL, bulk_create elsewhere) and the checks
that need every row of the delivery at once, run in SQL inside the loading transaction.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, models

from amparo.exchange.runac import spec
from amparo.exchange.runac.copy_text import copy_text
from amparo.exchange.runac.errors import IssueCode, issue
from amparo.exchange.runac.models import RECORD_MODELS, Delivery
from amparo.exchange.runac.validation import ESCAPE, IssueCollector

COPY_FLUSH_BYTES = 1 << 20
BULK_BATCH = 2000


def record_columns(unit: spec.Unit) -> list[str]:
    """The record table's columns filled from a file, in the order the checker produces them."""
    names = ["file_number", "line"]
    for column in spec.COLUMNS[unit]:
        if column.kind == spec.Kind.EQUIVALENCE:
            names += [column.local_attribute, column.attribute]
        else:
            names.append(column.attribute)
    if unit == spec.Unit.LEGAJOS:
        names.append("birth_date")
    return names


class TableWriter:
    """Appends checked rows given as columns.

    With a `sink` (a loader's COPY into the delivery's own table, see staging.py) the rows go as
    COPY text, about a megabyte at a time; the table's column defaults hold the constants. Without
    one (SQLite) they go by bulk_create, each with `constants`.
    """

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        constants: dict[str, Any],
        *,
        table: str | None = None,
        sink: Any = None,
    ) -> None:
        if sink is not None and constants:
            raise ValueError("With a sink, constants are the table's column defaults.")
        self.model = model
        self.table = table or model._meta.db_table
        self.columns = list(columns)
        self.constants = constants
        self.rows = 0
        self._sink = sink  # start(sql), write(bytes), end()
        self._buffer: list[bytes] = []
        self._buffered = 0
        if sink is not None:
            sink.start(self.copy_sql())

    def copy_sql(self) -> str:
        db_columns = [
            str(cast(models.Field, self.model._meta.get_field(name)).column) for name in self.columns
        ]
        return f"COPY {self.table} ({', '.join(db_columns)}) FROM STDIN"  # noqa: S608 - names from the model

    def write(self, data: dict[str, list[Any]]) -> None:
        columns = [data[name] for name in self.columns]
        count = len(columns[0])
        self.rows += count
        if self._sink is None:
            self._write_bulk(columns)
            return
        # Columns come from the checker: text already, NULL as COPY's \\N, backslashes flagged.
        text = copy_text(columns, escape=ESCAPE in data)
        self._buffer.append(text)
        self._buffered += len(text)
        if self._buffered >= COPY_FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._sink.write(b"".join(self._buffer))
            self._buffer, self._buffered = [], 0

    def _write_bulk(self, columns: list[list[Any]]) -> None:
        names, model, constants = self.columns, self.model, self.constants
        batch = [
            model(**constants, **dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)
        ]
        model.objects.bulk_create(batch, batch_size=BULK_BATCH)  # type: ignore[attr-defined]

    def close(self) -> None:
        if self._sink is not None:
            self._flush()
            self._sink.end()


def fetch_stream(sql: str, params: Sequence[Any], size: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """Rows of a query without holding them all (a server-side cursor on PostgreSQL)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield from rows


def _table(model: type[models.Model]) -> str:
    return model._meta.db_table


def _in(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


class DeliveryChecks:
    """Checks across all rows: unique ids, known legajos, exits pointing at an existing entry.

    `tables` names where this delivery's rows of each unit are (on PostgreSQL its own tables,
    not yet attached: see staging.py); earlier deliveries are read from the record tables.
    Units in `unique_proven` had their key proven unique by a unique index: not checked again.
    """

    def __init__(
        self,
        *,
        delivery_id: int,
        jurisdiction_id: int,
        earlier_delivery_ids: list[int],
        file_names: dict[tuple[spec.Unit, int], str],
        collector: IssueCollector,
        tables: dict[spec.Unit, str] | None = None,
        unique_proven: set[spec.Unit] | None = None,
    ) -> None:
        self.delivery_id = delivery_id
        self.jurisdiction_id = jurisdiction_id
        self.earlier = earlier_delivery_ids
        self.file_names = file_names
        self.collector = collector
        self.tables = tables or {}
        self.unique_proven = unique_proven or set()

    def run(self, units: set[spec.Unit], runner: "QueryRunner | None" = None) -> None:
        """Run every check; `runner` runs the queries elsewhere (loader connections, in parallel)."""
        queries = self.queries(units)
        if runner is not None:
            # Other connections see committed rows only: earlier deliveries are read on this one.
            runner([query for query in queries if query.own_rows_only])
            queries = [query for query in queries if not query.own_rows_only]
        for query in queries:
            for row in fetch_stream(query.sql, query.params):
                query.handle(row)

    def queries(self, units: set[spec.Unit]) -> list["CheckQuery"]:
        queries = [
            self.unique_ids(unit) for unit in spec.Unit if unit in units and unit not in self.unique_proven
        ]
        queries += [
            self.known_legajos(unit)
            for unit in (spec.Unit.MPI, spec.Unit.MPE, spec.Unit.MPJ)
            if unit in units
        ]
        if spec.Unit.MPJ in units:
            queries.append(self.exits_have_entries())
        return queries

    def _file(self, unit: spec.Unit, file_number: int) -> str:
        return self.file_names[(unit, file_number)]

    def _own(self, unit: spec.Unit) -> str:
        return self.tables.get(unit) or _table(RECORD_MODELS[unit])

    def _not_in(self, unit: spec.Unit, condition: str, params: list[Any]) -> tuple[str, list[Any]]:
        """NOT EXISTS a row of `unit` matching `condition` (alias `e`) in this or an earlier delivery."""
        own = self._own(unit)
        sql = f"NOT EXISTS (SELECT 1 FROM {own} e WHERE e.delivery_id = %s AND {condition})"  # noqa: S608
        all_params = [self.delivery_id, *params]
        if self.earlier:
            sql += (
                f" AND NOT EXISTS (SELECT 1 FROM {_table(RECORD_MODELS[unit])} e "  # noqa: S608 - names from models
                f"WHERE e.jurisdiction_id = %s AND e.delivery_id IN ({_in(self.earlier)}) AND {condition})"
            )
            all_params += [self.jurisdiction_id, *self.earlier, *params]
        return sql, all_params

    def unique_ids(self, unit: spec.Unit) -> "CheckQuery":
        table = self._own(unit)
        key = spec.KEY_COLUMN[unit].lower()
        sql = (
            f"SELECT t.{key}, t.file_number, t.line FROM {table} t "  # noqa: S608 - names from the models
            f"WHERE t.delivery_id = %s AND t.{key} IN (SELECT {key} FROM {table} "
            f"WHERE delivery_id = %s AND {key} <> '' GROUP BY {key} HAVING COUNT(*) > 1) "
            f"ORDER BY t.{key}, t.file_number, t.line"
        )
        first: tuple[str, int, int] | None = None

        def handle(row: tuple[Any, ...]) -> None:
            nonlocal first
            value, file_number, line = row
            if first is None or first[0] != value:
                first = (value, file_number, line)
                return
            where = f"{self._file(unit, first[1])}, línea {first[2]}"
            self.collector.add(
                issue(
                    IssueCode.DUPLICATE_ID,
                    file=self._file(unit, file_number),
                    line=line,
                    column=spec.KEY_COLUMN[unit],
                    value=value,
                    expected=where,
                )
            )

        return CheckQuery(sql, [self.delivery_id, self.delivery_id], handle)

    def known_legajos(self, unit: spec.Unit) -> "CheckQuery":
        missing, params = self._not_in(spec.Unit.LEGAJOS, "e.id_legajo = t.id_legajo", [])
        sql = (
            f"SELECT t.file_number, t.line, t.id_legajo FROM {self._own(unit)} t "  # noqa: S608
            f"WHERE t.delivery_id = %s AND t.id_legajo <> '' AND {missing} ORDER BY t.file_number, t.line"
        )

        def handle(row: tuple[Any, ...]) -> None:
            file_number, line, value = row
            self.collector.add(
                issue(
                    IssueCode.LEGAJO_UNKNOWN,
                    file=self._file(unit, file_number),
                    line=line,
                    column="ID_LEGAJO",
                    value=value,
                )
            )

        return CheckQuery(sql, [self.delivery_id, *params], handle, own_rows_only=not self.earlier)

    def exits_have_entries(self) -> "CheckQuery":
        missing, params = self._not_in(
            spec.Unit.MPJ,
            "e.id_intervencion = t.id_ingreso_asociado AND e.tipo_movimiento = %s "
            "AND e.id_legajo = t.id_legajo",
            [spec.ENTRY],
        )
        sql = (
            "SELECT t.file_number, t.line, t.id_ingreso_asociado, t.id_legajo "  # noqa: S608 - names from models
            f"FROM {self._own(spec.Unit.MPJ)} t "
            f"WHERE t.delivery_id = %s AND t.tipo_movimiento = %s AND t.id_ingreso_asociado <> '' "
            f"AND {missing} ORDER BY t.file_number, t.line"
        )

        def handle(row: tuple[Any, ...]) -> None:
            file_number, line, value, legajo = row
            self.collector.add(
                issue(
                    IssueCode.EXIT_WITHOUT_ENTRY,
                    file=self._file(spec.Unit.MPJ, file_number),
                    line=line,
                    column="ID_INGRESO_ASOCIADO",
                    value=value,
                    expected=legajo,
                )
            )

        params = [self.delivery_id, spec.EXIT, *params]
        return CheckQuery(sql, params, handle, own_rows_only=not self.earlier)


@dataclass
class CheckQuery:
    """A check across rows: its SQL, and what to do with each offending row it returns (in order)."""

    sql: str
    params: list[Any]
    handle: Callable[[tuple[Any, ...]], None]
    # True when it reads this delivery's rows alone (not earlier deliveries').
    own_rows_only: bool = True


QueryRunner = Callable[[list[CheckQuery]], None]


def refresh_latest(
    *, jurisdiction_id: int, delivery_id: int, replaced_id: int | None, other_ids: list[int]
) -> None:
    """Mark which loaded row is the newest version of each key of the jurisdiction.

    Rows are loaded as newest. A replaced delivery's rows stop counting; when other loaded
    deliveries of the jurisdiction share keys with the new or the replaced one, those keys
    are settled by cut-off date (the latest period wins).
    """
    deliveries = _table(Delivery)
    with connection.cursor() as cursor:
        for unit, model in RECORD_MODELS.items():
            table = _table(model)
            key = spec.KEY_COLUMN[unit].lower()
            if replaced_id is not None:
                sql = f"UPDATE {table} SET is_latest = %s WHERE delivery_id = %s"  # noqa: S608
                cursor.execute(sql, [False, replaced_id])
            if not other_ids:
                continue
            current = [delivery_id, *other_ids]
            touched = [delivery_id] if replaced_id is None else [delivery_id, replaced_id]
            newer = (
                f"EXISTS (SELECT 1 FROM {table} t2 JOIN {deliveries} d2 ON d2.id = t2.delivery_id "  # noqa: S608
                f"WHERE t2.jurisdiction_id = %s AND t2.{key} = {table}.{key} "
                f"AND t2.delivery_id IN ({_in(current)}) AND d2.cut_off > "
                f"(SELECT d1.cut_off FROM {deliveries} d1 WHERE d1.id = {table}.delivery_id))"
            )
            cursor.execute(
                f"UPDATE {table} SET is_latest = CASE WHEN {newer} THEN %s ELSE %s END "  # noqa: S608
                f"WHERE jurisdiction_id = %s AND delivery_id IN ({_in(current)}) AND {key} IN "
                f"(SELECT {key} FROM {table} WHERE delivery_id IN ({_in(touched)}))",
                [jurisdiction_id, *current, False, True, jurisdiction_id, *current, *touched],
            )
