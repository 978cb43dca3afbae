"""Bulk writing of checked rows (COPY on PostgreSQL, bulk_create elsewhere) and the checks
that need every row of the delivery at once, run in SQL inside the loading transaction.
"""

import tempfile
from collections.abc import Iterator, Sequence
from typing import Any, cast

from django.conf import settings
from django.db import connection, models

from amparo.exchange.runac import spec
from amparo.exchange.runac.copy_text import copy_text
from amparo.exchange.runac.errors import IssueCode, issue
from amparo.exchange.runac.models import RECORD_MODELS, Delivery, LegajoRecord, MpjRecord
from amparo.exchange.runac.validation import ESCAPE, IssueCollector

COPY_FLUSH_BYTES = 1 << 20
SPOOL_MEMORY_BYTES = 2 << 20
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


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


class TableWriter:
    """Appends rows given as columns; COPY … FROM STDIN on PostgreSQL, bulk_create otherwise.

    With `deferred`, PostgreSQL rows are spooled to a temporary file (memory stays bounded)
    and copied on `close()`: a connection in COPY mode cannot also read, which a writer fed
    from a query on the same connection needs.
    """

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        constants: dict[str, Any],
        *,
        deferred: bool = False,
        prepared: bool = False,
        table: str | None = None,
    ) -> None:
        self.model = model
        # COPY target on PostgreSQL: the model's table, or a delivery's own table (see DeliveryTables).
        self.table = table or model._meta.db_table
        self.columns = list(columns)
        self.constants = constants
        self.rows = 0
        # Prepared columns come from the checker: text already, NULL as COPY's \\N, backslashes flagged.
        self.prepared = prepared
        self.is_postgres = connection.vendor == "postgresql"
        self._copy: Any = None
        self._copy_context: Any = None
        self._cursor: Any = None
        self._spool: Any = None
        self._buffer: list[bytes] = []
        self._buffered = 0
        if self.is_postgres:
            self._constants_text = [_constant_text(value) for value in constants.values()]
            if deferred:
                self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
            else:
                self._start_copy()

    def _start_copy(self) -> None:
        model = self.model
        names = [*self.constants, *self.columns]
        db_columns = [str(cast(models.Field, model._meta.get_field(name)).column) for name in names]
        connection.ensure_connection()
        self._cursor = connection.connection.cursor()
        self._copy_context = self._cursor.copy(
            f"COPY {self.table} ({', '.join(db_columns)}) FROM STDIN"  # noqa: S608 - names from the model
        )
        self._copy = self._copy_context.__enter__()

    def write(self, data: dict[str, list[Any]]) -> None:
        columns = [data[name] for name in self.columns]
        count = len(columns[0])
        self.rows += count
        if self.is_postgres:
            self._write_copy(columns, escape=ESCAPE in data)
        else:
            self._write_bulk(columns, count)

    def _write_copy(self, columns: list[list[Any]], *, escape: bool) -> None:
        count = len(columns[0])
        text_columns = [[text] * count for text in self._constants_text]
        if self.prepared:
            self._buffer_data(copy_text([*text_columns, *columns], escape=escape))
            return
        nulls = 0
        for values in columns:
            if not self.prepared and ((values and not isinstance(values[0], str)) or None in values):
                nulls += values.count(None)
                values = ["\\N" if value is None else str(value) for value in values]
            text_columns.append(values)
        body = "\n".join(map("\t".join, zip(*text_columns, strict=True)))
        if escape or (not self.prepared and body.count("\\") != nulls):
            # Rare: a backslash in the data must be doubled for COPY's text format.
            text_columns = [
                [value if value == "\\N" else _copy_escape(value) for value in values]
                for values in text_columns
            ]
            body = "\n".join(map("\t".join, zip(*text_columns, strict=True)))
        self._buffer_data((body + "\n").encode())

    def _buffer_data(self, data: bytes) -> None:
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= COPY_FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            data = b"".join(self._buffer)
            if self._spool is not None:
                self._spool.write(data)
            else:
                self._copy.write(data)
            self._buffer, self._buffered = [], 0

    def _write_bulk(self, columns: list[list[Any]], count: int) -> None:
        names = self.columns
        model = self.model
        constants = self.constants
        batch = [
            model(**constants, **dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)
        ]
        model.objects.bulk_create(batch, batch_size=BULK_BATCH)  # type: ignore[attr-defined]

    def close(self) -> None:
        if not self.is_postgres:
            return
        self._flush()
        if self._spool is not None:
            self._spool.seek(0)
            if self.rows:
                self._start_copy()
                while block := self._spool.read(COPY_FLUSH_BYTES):
                    self._copy.write(block)
            self._spool.close()
            self._spool = None
        if self._copy_context is not None:
            self._copy_context.__exit__(None, None, None)
            self._cursor.close()
            self._copy_context = None


class DeliveryTables:
    """On PostgreSQL, a delivery's rows of each unit go into a table of their own.

    The record tables are partitioned by delivery (migration 0003_import_speed). The loader
    creates the delivery's table for a unit with no index, COPYs the rows into it, and then
    attaches it as the delivery's partition: attaching builds the indexes in bulk, once,
    which is far cheaper than updating three or four B-trees for every copied row. A
    `CHECK (delivery_id = …)` constraint spares PostgreSQL the scan that would otherwise
    prove the rows belong to the partition. Everything happens inside the loading
    transaction: a rejected delivery leaves no table behind. Elsewhere (SQLite) the rows go
    straight into the record tables.
    """

    def __init__(self, delivery_id: int) -> None:
        self.delivery_id = int(delivery_id)
        self.enabled = connection.vendor == "postgresql"
        self.tables: dict[spec.Unit, str] = {}

    def table_for(self, unit: spec.Unit, constants: dict[str, Any]) -> str | None:
        """The table a file of the unit is copied into (created on first use); None: the model's.

        `constants` (delivery, jurisdiction, file number …) become the table's column defaults
        for this file, so they are not sent with every row.
        """
        if not self.enabled:
            return None
        model = RECORD_MODELS[unit]
        parent = _table(model)
        name = f"{parent}_d{self.delivery_id}"
        with connection.cursor() as cursor:
            if unit not in self.tables:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [parent])
                sequence = cursor.fetchone()[0]
                cursor.execute(
                    f"CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
                    f"CONSTRAINT {name}_delivery CHECK (delivery_id = {self.delivery_id}))"
                )
                cursor.execute(
                    f"ALTER TABLE {name} ALTER COLUMN id SET DEFAULT nextval(%s::regclass)", [sequence]
                )
                self.tables[unit] = name
            for attribute, value in constants.items():
                column = cast(models.Field, model._meta.get_field(attribute)).column
                cursor.execute(f"ALTER TABLE {name} ALTER COLUMN {column} SET DEFAULT %s", [value])
        return name

    def attach(self) -> None:
        """Make the copied rows part of the record tables, building their indexes in bulk."""
        if not self.tables:
            return
        with connection.cursor() as cursor:
            work_mem = getattr(settings, "RUNAC_IMPORT_MAINTENANCE_WORK_MEM", "256MB")
            cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [work_mem])
            for unit, name in self.tables.items():
                parent = _table(RECORD_MODELS[unit])
                cursor.execute(
                    f"ALTER TABLE {parent} ATTACH PARTITION {name} FOR VALUES IN ({self.delivery_id})"
                )


def _constant_text(value: Any) -> str:
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


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
    """Checks across all rows: unique ids, known legajos, exits pointing at an existing entry."""

    def __init__(
        self,
        *,
        delivery_id: int,
        jurisdiction_id: int,
        earlier_delivery_ids: list[int],
        file_names: dict[tuple[spec.Unit, int], str],
        collector: IssueCollector,
    ) -> None:
        self.delivery_id = delivery_id
        self.jurisdiction_id = jurisdiction_id
        self.known_deliveries = [delivery_id, *earlier_delivery_ids]
        self.file_names = file_names
        self.collector = collector

    def run(self, units: set[spec.Unit]) -> None:
        for unit in spec.Unit:
            if unit in units:
                self.unique_ids(unit)
        for unit in (spec.Unit.MPI, spec.Unit.MPE, spec.Unit.MPJ):
            if unit in units:
                self.known_legajos(unit)
        if spec.Unit.MPJ in units:
            self.exits_have_entries()

    def _file(self, unit: spec.Unit, file_number: int) -> str:
        return self.file_names[(unit, file_number)]

    def unique_ids(self, unit: spec.Unit) -> None:
        table = _table(RECORD_MODELS[unit])
        key = spec.KEY_COLUMN[unit].lower()
        sql = (
            f"SELECT t.{key}, t.file_number, t.line FROM {table} t "  # noqa: S608 - names from the models
            f"WHERE t.delivery_id = %s AND t.{key} IN (SELECT {key} FROM {table} "
            f"WHERE delivery_id = %s AND {key} <> '' GROUP BY {key} HAVING COUNT(*) > 1) "
            f"ORDER BY t.{key}, t.file_number, t.line"
        )
        first: tuple[str, int, int] | None = None
        for value, file_number, line in fetch_stream(sql, [self.delivery_id, self.delivery_id]):
            if first is None or first[0] != value:
                first = (value, file_number, line)
                continue
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

    def known_legajos(self, unit: spec.Unit) -> None:
        table = _table(RECORD_MODELS[unit])
        legajos = _table(LegajoRecord)
        sql = (
            f"SELECT t.file_number, t.line, t.id_legajo FROM {table} t WHERE t.delivery_id = %s "  # noqa: S608
            f"AND t.id_legajo <> '' AND NOT EXISTS (SELECT 1 FROM {legajos} l WHERE l.jurisdiction_id = %s "
            f"AND l.id_legajo = t.id_legajo AND l.delivery_id IN ({_in(self.known_deliveries)})) "
            f"ORDER BY t.file_number, t.line"
        )
        params = [self.delivery_id, self.jurisdiction_id, *self.known_deliveries]
        for file_number, line, value in fetch_stream(sql, params):
            self.collector.add(
                issue(
                    IssueCode.LEGAJO_UNKNOWN,
                    file=self._file(unit, file_number),
                    line=line,
                    column="ID_LEGAJO",
                    value=value,
                )
            )

    def exits_have_entries(self) -> None:
        table = _table(MpjRecord)
        sql = (
            f"SELECT t.file_number, t.line, t.id_ingreso_asociado, t.id_legajo FROM {table} t "  # noqa: S608
            f"WHERE t.delivery_id = %s AND t.tipo_movimiento = %s AND t.id_ingreso_asociado <> '' "
            f"AND NOT EXISTS (SELECT 1 FROM {table} e WHERE e.jurisdiction_id = %s "
            f"AND e.id_intervencion = t.id_ingreso_asociado AND e.tipo_movimiento = %s "
            f"AND e.id_legajo = t.id_legajo AND e.delivery_id IN ({_in(self.known_deliveries)})) "
            f"ORDER BY t.file_number, t.line"
        )
        params = [self.delivery_id, spec.EXIT, self.jurisdiction_id, spec.ENTRY, *self.known_deliveries]
        for file_number, line, value, legajo in fetch_stream(sql, params):
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
