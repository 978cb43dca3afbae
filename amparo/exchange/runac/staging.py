"""On PostgreSQL a delivery's rows are loaded by loader connections, in parallel, into tables of its own.

The record tables are partitioned by delivery (migration 0003_import_speed). Each unit's rows
go into a new table, `{record table}_d{delivery id}`, made like the record table with a
`CHECK (delivery_id = …)`. A loader is an extra database connection fed by a thread of its
own: it COPYs the rows the checker hands over (a bounded queue of ~1 MB blocks, so memory
stays flat), then builds the table's indexes, the same ones the record table declares, and
commits. With two loaders, one copies and indexes a unit while the other takes the next unit
and this process checks the next block: the machine's cores work at once instead of in turn.

Nothing of this is part of the register yet: the tables are not partitions until the
import's own transaction attaches them (which finds their indexes ready and, thanks to the
CHECK, needs no scan), after every check has passed. A rejected delivery's tables are
dropped; so are those an interrupted import left behind (`sweep`), which nothing reads.

The key index is unique per delivery (migration 0004_unique_keys): when it builds, the key
is proven unique and the duplicate check in SQL is not needed; when it does not, the loader
reports it and the check runs to list every duplicate with its lines.

After the checks, the loaders also write the jurisdiction's new measures, placements and
penal stays (`derived.rebuild`) into tables of their own while the import's connection is
still reading the records, and the import's transaction swaps them in for the jurisdiction's
partitions of the derived tables (migration 0006_derived_partitions).
"""

import logging
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
import psycopg.sql
from django.conf import settings
from django.db import DatabaseError, connection

from amparo.exchange.runac import spec
from amparo.exchange.runac.loading import CheckQuery
from amparo.exchange.runac.models import RECORD_MODELS

logger = logging.getLogger(__name__)

# Blocks waiting for a loader (each about COPY_FLUSH_BYTES): the memory a slow loader can cost.
QUEUE_BLOCKS = 6
# Rows of a check's result handed over at a time.
CHECK_CHUNK_ROWS = 5_000
# Advisory lock class of an import in progress (the second key is the delivery id).
ADVISORY_CLASS = 8_2190
# A delivery's own tables: records `{table}_d{delivery}`, derived `{table}_j{jurisdiction}_d{delivery}`.
STAGING_PATTERN = (
    r"^exchange_((legajo|mpi|mpe|mpj)record|(exceptionalmeasure|measureplacement|penalstay)_j[0-9]+)_d[0-9]+$"
)
INDEX_DEFINITION = re.compile(r"^CREATE (?P<unique>UNIQUE )?INDEX \S+ ON ONLY \S+ (?P<rest>USING .+)$")

Job = Callable[[psycopg.Connection], None]


def _parent(unit: spec.Unit) -> str:
    return RECORD_MODELS[unit]._meta.db_table


def staging_name(unit: spec.Unit, delivery_id: int) -> str:
    return f"{_parent(unit)}_d{int(delivery_id)}"


def _connect() -> psycopg.Connection:
    params = connection.get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    return psycopg.connect(**params)


class Loader:
    """An extra connection and the thread that runs its jobs in order (COPY blocks, DDL, commit)."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.connection = _connect()
        # A loader's commit need not wait for the disk: its tables count only once the import's
        # own transaction attaches them, and that commit flushes the log up to it, loaders' rows included.
        self.connection.execute("SET synchronous_commit = off")
        self.connection.commit()
        self.jobs: queue.Queue[Job | _Barrier | None] = queue.Queue(maxsize=QUEUE_BLOCKS)
        self.error: BaseException | None = None
        # Work queued and not yet done, in bytes of COPY text (an index build counts half its table's).
        self.outstanding = 0
        self._outstanding_lock = threading.Lock()
        self._copy: Any = None
        self._copy_context: Any = None
        self.thread = threading.Thread(target=self._run, name=f"runac-loader-{number}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            if isinstance(job, _Barrier):
                job.reached.set()
                continue
            if self.error is not None:
                continue  # after a failure the rest is drained, not run
            try:
                job(self.connection)
            except BaseException as error:  # noqa: BLE001 - raised in the main thread by wait()
                self.error = error
                self._abort_copy(error)
        self._abort_copy(RuntimeError("loader stopped"))  # stopped in the middle of a file

    def submit(self, job: Job, weight: int = 0) -> None:
        if weight:
            self._add_outstanding(weight)
            inner = job

            def job(conn: psycopg.Connection) -> None:
                try:
                    inner(conn)
                finally:
                    self._add_outstanding(-weight)

        self.jobs.put(job)

    def _add_outstanding(self, weight: int) -> None:
        with self._outstanding_lock:
            self.outstanding += weight

    # COPY, block by block: the open COPY is the loader's state between jobs.
    def copy_start(self, sql: str) -> None:
        def start(conn: psycopg.Connection) -> None:
            self._copy_context = conn.cursor().copy(sql)
            self._copy = self._copy_context.__enter__()

        self.submit(start)

    def copy_write(self, data: bytes) -> None:
        self.submit(lambda conn: self._copy.write(data), weight=len(data))

    def copy_end(self) -> None:
        def end(conn: psycopg.Connection) -> None:
            context, self._copy_context, self._copy = self._copy_context, None, None
            context.__exit__(None, None, None)

        self.submit(end)

    def _abort_copy(self, error: BaseException) -> None:
        if self._copy_context is not None:
            context, self._copy_context, self._copy = self._copy_context, None, None
            try:
                context.__exit__(type(error), error, None)
            except Exception:  # noqa: BLE001, S110 - the first error is the one reported
                pass

    def commit(self) -> None:
        self.submit(lambda conn: conn.commit())

    def wait(self) -> None:
        """Wait until every job queued so far has run; a loader's failure is raised here."""
        barrier = _Barrier()
        self.jobs.put(barrier)
        barrier.reached.wait()
        self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None:
            raise DatabaseError(f"RUNac loader {self.number}: {self.error}") from self.error

    def query(self, tag: int, sql: str, params: list[Any], results: "queue.Queue[tuple[int, Any]]") -> None:
        """Stream a query's rows into `results` as (tag, chunk), then (tag, None), or (tag, error)."""

        def run(conn: psycopg.Connection) -> None:
            try:
                with conn.cursor() as settings_cursor:
                    # Fresh rows have no statistics: hash joins, not nested loops (importing._plan_for_bulk).
                    settings_cursor.execute("SET LOCAL enable_nestloop = off")
                    settings_cursor.execute("SELECT set_config('work_mem', %s, true)", [_work_mem()])
                with conn.cursor(name=f"runac_check_{tag}") as cursor:
                    cursor.execute(sql, params)
                    while rows := cursor.fetchmany(CHECK_CHUNK_ROWS):
                        results.put((tag, rows))
                conn.commit()
            except Exception as error:  # noqa: BLE001 - handed to the main thread with the results
                conn.rollback()
                results.put((tag, error))
                return
            results.put((tag, None))

        self.submit(run)

    def stop(self) -> None:
        """Stop the thread without committing (what is still queued is not run)."""
        if self.thread.is_alive():
            self.error = self.error or RuntimeError("loader stopped")
            self.jobs.put(None)
            self.thread.join()

    def close(self) -> None:
        self.stop()
        self.connection.close()


class _Barrier:
    def __init__(self) -> None:
        self.reached = threading.Event()


def _work_mem() -> str:
    return getattr(settings, "RUNAC_IMPORT_WORK_MEM", "128MB")


class LoaderCopy:
    """What `TableWriter` writes COPY text into when a loader does the copying."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def start(self, sql: str, *options: str) -> None:
        # FREEZE: the table was created in the loader's transaction, so its rows can be written
        # frozen and all-visible; reading them later (checks, measures) sets no hint bits.
        self.loader.copy_start(f"{sql} ({', '.join(['FREEZE', *options])})")

    def write(self, data: bytes) -> None:
        if self.loader.error is not None:
            error = self.loader.error
            raise DatabaseError(f"RUNac loader {self.loader.number}: {error}") from error
        self.loader.copy_write(data)

    def end(self) -> None:
        self.loader.copy_end()


@dataclass
class StagedUnit:
    unit: spec.Unit
    name: str
    loader: Loader
    size: int = 0  # bytes of its files
    # Set by the loader once the per-delivery unique key index is built: no key is repeated.
    indexed: bool = False


@dataclass
class Staging:
    """A delivery's tables being loaded by loader connections (PostgreSQL only)."""

    delivery_id: int
    loaders: list[Loader] = field(default_factory=list)
    units: dict[spec.Unit, StagedUnit] = field(default_factory=dict)
    # Derived tables (measures, placements, stays) written for a jurisdiction: model table → new table.
    derived: dict[str, str] = field(default_factory=dict)
    derived_loaders: dict[str, Loader] = field(default_factory=dict)
    derived_jurisdiction: int | None = None

    @classmethod
    def start(cls, delivery_id: int) -> "Staging":
        """Open the loaders; hold the import's advisory lock in the caller's transaction; sweep leftovers."""
        count = max(1, int(getattr(settings, "RUNAC_IMPORT_LOADERS", 2)))
        staging = cls(delivery_id=int(delivery_id))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_CLASS, staging.delivery_id])
        try:
            staging.loaders = [Loader(number) for number in range(1, count + 1)]
            sweep(staging.loaders[0].connection, keep=staging.delivery_id)
        except BaseException:
            staging.close()
            raise
        return staging

    def unit_for(self, unit: spec.Unit, size: int) -> StagedUnit:
        """The unit's table, created on its first file by the loader with the least left to do."""
        staged = self.units.get(unit)
        if staged is None:
            loader = min(self.loaders, key=lambda item: item.outstanding)
            staged = StagedUnit(unit=unit, name=staging_name(unit, self.delivery_id), loader=loader)
            self.units[unit] = staged
            loader.submit(self._create(staged))
        staged.size += size
        return staged

    def _create(self, staged: StagedUnit) -> Job:
        parent, name, delivery_id = _parent(staged.unit), staged.name, self.delivery_id

        def create(conn: psycopg.Connection) -> None:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [parent])
                sequence = cursor.fetchone()[0]  # type: ignore[index]
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
                cursor.execute(
                    f"CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
                    f"CONSTRAINT {name}_delivery CHECK (delivery_id = {delivery_id}))"
                )
                _ids_from(cursor, name, sequence)

        return create

    def set_defaults(self, staged: StagedUnit, columns: dict[str, Any]) -> None:
        """Column defaults for the rows of the next file (constants not sent with every row)."""
        name = staged.name

        def alter(conn: psycopg.Connection) -> None:
            with conn.cursor() as cursor:
                for column, value in columns.items():
                    cursor.execute(
                        psycopg.sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                            psycopg.sql.Identifier(name),
                            psycopg.sql.Identifier(column),
                            psycopg.sql.Literal(value),
                        )
                    )

        staged.loader.submit(alter)

    def build_indexes(self, staged: StagedUnit) -> None:
        """After the unit's last file: its indexes, the unique key first (its failure means duplicates)."""
        parent, name = _parent(staged.unit), staged.name

        def build(conn: psycopg.Connection) -> None:
            with conn.cursor() as cursor:
                _use_maintenance_work_mem(cursor)
                for statement, unique in index_statements(cursor, parent, name):
                    if not unique:
                        cursor.execute(statement)
                        continue
                    cursor.execute("SAVEPOINT runac_unique")
                    try:
                        cursor.execute(statement)
                    except psycopg.errors.UniqueViolation:
                        cursor.execute("ROLLBACK TO SAVEPOINT runac_unique")
                        cursor.execute("RELEASE SAVEPOINT runac_unique")  # back in the transaction proper
                        return  # duplicates: the delivery is rejected, no other index is needed
                    cursor.execute("RELEASE SAVEPOINT runac_unique")
            staged.indexed = True

        staged.loader.submit(build, weight=staged.size // 2)

    def tables(self) -> dict[spec.Unit, str]:
        return {unit: staged.name for unit, staged in self.units.items()}

    def unique_proven(self) -> set[spec.Unit]:
        return {unit for unit, staged in self.units.items() if staged.indexed}

    def finish(self) -> None:
        """Wait for every loader to copy, index and commit."""
        for loader in self.loaders:
            loader.commit()
        for loader in self.loaders:
            loader.wait()

    def run_queries(self, queries: list[CheckQuery]) -> None:
        """Run the checks' queries on the loaders at once; rows reach each query's handler in order.

        The delivery's tables are committed by then, so the loaders' connections see them.
        """
        results: queue.Queue[tuple[int, Any]] = queue.Queue(maxsize=2 * len(self.loaders))
        for tag, query in enumerate(queries):
            self.loaders[tag % len(self.loaders)].query(tag, query.sql, query.params, results)
        pending, failure = len(queries), None
        while pending:  # every query's end is awaited, even after a failure: no loader is left blocked
            tag, rows = results.get()
            if rows is None or isinstance(rows, BaseException):
                pending -= 1
                failure = failure or rows
            elif failure is None:
                try:
                    for row in rows:
                        queries[tag].handle(row)
                except Exception as error:  # noqa: BLE001 - raised once the loaders are done
                    failure = error
        if failure is not None:
            raise DatabaseError(f"RUNac check: {failure}") from failure

    def attach(self) -> None:
        """Make the loaded tables the delivery's partitions (in the caller's transaction)."""
        with connection.cursor() as cursor:
            for staged in self.units.values():
                cursor.execute(
                    f"ALTER TABLE {_parent(staged.unit)} ATTACH PARTITION {staged.name} "
                    f"FOR VALUES IN ({self.delivery_id})"
                )

    def stop(self) -> None:
        for loader in self.loaders:
            loader.stop()

    def drop(self) -> None:
        """Drop the delivery's tables (a rejected delivery), through a loader's own connection."""
        names = [staged.name for staged in self.units.values()] + list(self.derived.values())
        if not self.loaders or not names:
            return
        conn = self.loaders[0].connection
        conn.rollback()
        with conn.cursor() as cursor:
            for name in names:
                cursor.execute(
                    "SELECT c.relispartition FROM pg_class c WHERE c.oid = to_regclass(%s)", [name]
                )
                row = cursor.fetchone()
                if row is not None and not row[0]:
                    cursor.execute(f"DROP TABLE {name}")
        conn.commit()

    # --- derived tables: a jurisdiction's measures, placements and stays, swapped in whole ---------

    def derived_sink(
        self, table: str, columns: list[str], jurisdiction_id: int, loader_number: int, *, csv: bool = False
    ) -> LoaderCopy:
        """A new table for `table`'s rows of the jurisdiction, filled by COPY (text, or CSV) on a loader.

        Its columns are read here, on the import's connection: the loader must not lock the
        partitioned table, whose partitions the import's transaction swaps (and so locks).
        """
        name = f"{table}_j{int(jurisdiction_id)}_d{self.delivery_id}"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT string_agg(format('%%I %%s%%s%%s', a.attname, format_type(a.atttypid, a.atttypmod), "
                "CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || quote_ident(c.collname) "
                "ELSE '' END, CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum) "
                "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                "LEFT JOIN pg_collation c ON c.oid = a.attcollation "
                "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped",
                [table],
            )
            definition = cursor.fetchone()[0]
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
        self.derived[table] = name
        self.derived_jurisdiction = int(jurisdiction_id)
        loader = self.derived_loaders[name] = self.loaders[loader_number % len(self.loaders)]

        def create(conn: psycopg.Connection) -> None:
            with conn.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
                cursor.execute(
                    f"CREATE TABLE {name} ({definition}, CONSTRAINT {name}_scope "
                    f"CHECK (jurisdiction_id = {int(jurisdiction_id)}))"
                )
                _ids_from(cursor, name, sequence)

        loader.submit(create)
        sink = LoaderCopy(loader)
        sink.start(f"COPY {name} ({', '.join(columns)}) FROM STDIN", *(["FORMAT csv"] if csv else []))
        return sink

    def swap_derived(self) -> None:
        """Index and commit the new derived tables, then make each the jurisdiction's partition.

        In the caller's transaction: the jurisdiction's old partition is dropped, its rows in the
        DEFAULT partition deleted, and the new table attached (its CHECK spares the scan).
        """
        if not self.derived:
            return
        statements: dict[str, list[tuple[str, bool]]] = {}
        with connection.cursor() as cursor:
            for table, name in self.derived.items():
                statements[name] = index_statements(cursor, table, name)
        for loader in self.loaders:
            for name in self.derived.values():
                if self.derived_loaders[name] is loader:
                    loader.submit(_build_all(statements[name]))
            loader.commit()
        for loader in self.loaders:
            loader.wait()
        jurisdiction = self.derived_jurisdiction
        with connection.cursor() as cursor:
            for table, name in self.derived.items():
                cursor.execute(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = to_regclass(%s) AND pg_get_expr(c.relpartbound, c.oid) IN (%s, %s)",
                    [table, f"FOR VALUES IN ('{jurisdiction}')", f"FOR VALUES IN ({jurisdiction})"],
                )
                for (partition,) in cursor.fetchall():
                    cursor.execute(f"DROP TABLE {partition}")
                default = f"{table}_default"
                cursor.execute(f"DELETE FROM {default} WHERE jurisdiction_id = %s", [jurisdiction])  # noqa: S608
                cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES IN ({jurisdiction})")

    def close(self) -> None:
        for loader in self.loaders:
            try:
                loader.close()
            except Exception:  # noqa: BLE001 - closing must not hide the import's own outcome
                logger.exception("RUNac loader %s could not be closed", loader.number)


def _ids_from(cursor: Any, name: str, sequence: str) -> None:
    """Ids of a new table from the record or derived table's own sequence (unique across partitions)."""
    default = psycopg.sql.SQL("ALTER TABLE {} ALTER COLUMN id SET DEFAULT nextval({}::regclass)")
    cursor.execute(default.format(psycopg.sql.Identifier(name), psycopg.sql.Literal(sequence)))


def _build_all(statements: list[tuple[str, bool]]) -> Job:
    def build(conn: psycopg.Connection) -> None:
        with conn.cursor() as cursor:
            _use_maintenance_work_mem(cursor)
            for statement, _unique in statements:
                cursor.execute(statement)

    return build


def _use_maintenance_work_mem(cursor: Any) -> None:
    """Index builds sort in memory (RUNAC_IMPORT_MAINTENANCE_WORK_MEM), for this transaction."""
    memory = getattr(settings, "RUNAC_IMPORT_MAINTENANCE_WORK_MEM", "256MB")
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [memory])


def index_statements(cursor: Any, parent: str, name: str) -> list[tuple[str, bool]]:
    """The record table's indexes as statements for table `name` (unique ones first).

    Attaching a partition reuses an index of the partition that matches the parent's, so the
    loader builds exactly what the parent declares: read from the catalogue, not repeated here.
    """
    cursor.execute(
        # Unique keys first (their failure is the duplicate check), then the primary key, then the rest.
        "SELECT pg_get_indexdef(i.indexrelid), i.indisprimary, i.indisunique FROM pg_index i "
        "WHERE i.indrelid = to_regclass(%s) ORDER BY i.indisunique DESC, i.indisprimary, i.indexrelid",
        [parent],
    )
    statements: list[tuple[str, bool]] = []
    for number, (definition, primary, unique) in enumerate(cursor.fetchall()):
        if primary:
            columns = definition[definition.index("(") :]
            statements.append((f"ALTER TABLE {name} ADD CONSTRAINT {name}_pkey PRIMARY KEY {columns}", True))
            continue
        match = INDEX_DEFINITION.match(definition)
        if match is None:
            raise DatabaseError(f"Unexpected index definition on {parent}: {definition}")
        kind = "UNIQUE INDEX" if match.group("unique") else "INDEX"
        statements.append((f"CREATE {kind} {name}_i{number} ON {name} {match.group('rest')}", bool(unique)))
    return statements


def sweep(conn: psycopg.Connection, *, keep: int) -> list[str]:
    """Drop delivery tables an interrupted import left behind (never attached, import not running).

    An import in progress holds its delivery's advisory lock until its transaction ends, and
    a table being attached is locked by that transaction: both are left alone.
    """
    dropped: list[str] = []
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition "
            "AND c.relname ~ %s",
            [STAGING_PATTERN],
        )
        names = [row[0] for row in cursor.fetchall()]
    for name in names:
        delivery_id = int(name.rsplit("_d", 1)[1])
        if delivery_id == keep:
            continue
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [ADVISORY_CLASS, delivery_id])
            if not cursor.fetchone()[0]:  # type: ignore[index]
                conn.rollback()
                continue
            try:
                cursor.execute(f"LOCK TABLE {name} IN ACCESS EXCLUSIVE MODE NOWAIT")
            except (psycopg.errors.LockNotAvailable, psycopg.errors.UndefinedTable):
                conn.rollback()
                continue
            cursor.execute("SELECT relispartition FROM pg_class WHERE oid = to_regclass(%s)", [name])
            row = cursor.fetchone()
            if row is not None and not row[0]:
                cursor.execute(f"DROP TABLE {name}")
                dropped.append(name)
        conn.commit()
    if dropped:
        logger.warning("Dropped RUNac tables left by interrupted imports: %s", ", ".join(dropped))
    return dropped
