"""PostgreSQL loader connections: what a delivery's own tables leave behind, whatever happens."""

import psycopg
import pytest
from django.db import connection

from amparo.exchange.runac import staging
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.errors import IssueCode
from amparo.exchange.runac.models import ExceptionalMeasure, LegajoRecord, MpiRecord, PenalStay
from amparo.exchange.tests.builders import (
    a_small_delivery,
    errors_of,
    import_paths,
    legajo,
    mpe,
    mpi,
    name,
    write_delivery,
)

pytestmark = [
    pytest.mark.usefixtures("table_82"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="loader connections are PostgreSQL's"),
]


def _exists(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        return cursor.fetchone()[0] is not None


def _delivery_tables(delivery_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname ~ %s", [rf"^exchange_.*record_d{delivery_id}$"]
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def outside():
    """A connection of its own, committing for real (as an interrupted import would have)."""
    with staging._connect() as conn:
        conn.autocommit = True
        yield conn


def test_a_clean_delivery_proves_its_keys_unique_by_index_and_runs_no_duplicate_query(tmp_path):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        delivery = import_paths(write_delivery(tmp_path, a_small_delivery()))

    assert delivery.status == DeliveryStatus.LOADED
    assert not any("HAVING COUNT(*) > 1" in query["sql"] for query in queries.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = to_regclass(%s) AND indisunique",
            [f"exchange_mpirecord_d{delivery.pk}"],
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert any("(id_intervencion, delivery_id)" in definition for definition in definitions)


def test_a_duplicate_key_and_an_unknown_legajo_are_both_reported(tmp_path):
    units = {
        "LEGAJOS": [legajo()],
        "MPI": [mpi(), mpi(FECHA_INTERVENCION="16/01/2023")],
        "MPE": [mpe(ID_LEGAJO="L9")],
    }

    delivery = import_paths(write_delivery(tmp_path, units))

    assert delivery.status == DeliveryStatus.REJECTED
    codes = [item["code"] for item in delivery.issues if item["severity"] == "error"]
    assert codes == [IssueCode.DUPLICATE_ID, IssueCode.LEGAJO_UNKNOWN]
    assert errors_of(delivery)[0][:3] == (name("MPI"), 3, "ID_INTERVENCION")
    assert _delivery_tables(delivery.pk) == []
    assert not MpiRecord.objects.exists()


def test_a_loader_that_fails_rejects_the_delivery_and_leaves_nothing(tmp_path, monkeypatch):
    def failing_build(self, staged):
        def fail(conn):
            raise psycopg.errors.DiskFull("no space left on device")

        staged.loader.submit(fail)

    monkeypatch.setattr(staging.Staging, "build_indexes", failing_build)

    delivery = import_paths(write_delivery(tmp_path, a_small_delivery()))

    assert delivery.status == DeliveryStatus.REJECTED
    assert [item["code"] for item in delivery.issues] == [IssueCode.LOAD_FAILED]
    assert _delivery_tables(delivery.pk) == []
    assert not LegajoRecord.objects.exists()


def test_tables_left_by_an_interrupted_import_are_swept_but_not_those_of_an_import_running(tmp_path, outside):
    left, running = "exchange_mpirecord_d900001", "exchange_mpirecord_d900002"
    for table in (left, running):
        outside.execute(f"CREATE TABLE {table} (LIKE exchange_mpirecord)")
    try:
        with staging._connect() as busy:  # an import of delivery 900002 in progress holds its lock
            busy.execute("SELECT pg_advisory_xact_lock(%s, %s)", [staging.ADVISORY_CLASS, 900002])

            delivery = import_paths(write_delivery(tmp_path, a_small_delivery()))

            assert delivery.status == DeliveryStatus.LOADED
            assert not _exists(left)
            assert _exists(running)
    finally:
        for table in (left, running):
            outside.execute(f"DROP TABLE IF EXISTS {table}")


def _derived_partitions(jurisdiction_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'exchange_exceptionalmeasure'::regclass AND c.relname ~ %s",
            [rf"_j{jurisdiction_id}(_|$)"],
        )
        return sorted(row[0] for row in cursor.fetchall())


def test_a_jurisdictions_measures_are_swapped_in_whole_at_each_load(tmp_path):
    first = import_paths(write_delivery(tmp_path / "first", a_small_delivery()))
    assert _derived_partitions(first.jurisdiction_id) == [
        f"exchange_exceptionalmeasure_j{first.jurisdiction_id}_d{first.pk}"
    ]

    again = import_paths(write_delivery(tmp_path / "again", a_small_delivery()))

    assert again.status == DeliveryStatus.LOADED
    assert _derived_partitions(again.jurisdiction_id) == [
        f"exchange_exceptionalmeasure_j{again.jurisdiction_id}_d{again.pk}"
    ]
    assert ExceptionalMeasure.objects.filter(jurisdiction_id=again.jurisdiction_id).count() == 1
    assert PenalStay.objects.filter(jurisdiction_id=again.jurisdiction_id).count() == 1


def test_a_failure_after_the_measures_leaves_neither_records_nor_measures(tmp_path, monkeypatch):
    from django.db import DatabaseError

    from amparo.audit.choices import AuditAction
    from amparo.exchange.runac import importing

    record = importing.audit.record

    def failing_audit(**kwargs):
        if kwargs["action"] == AuditAction.RUNAC_DELIVERY_LOADED:
            raise DatabaseError("the audit log is unavailable")
        return record(**kwargs)

    monkeypatch.setattr(importing.audit, "record", failing_audit)

    delivery = import_paths(write_delivery(tmp_path, a_small_delivery()))

    assert delivery.status == DeliveryStatus.REJECTED
    assert [item["code"] for item in delivery.issues] == [IssueCode.LOAD_FAILED]
    assert not LegajoRecord.objects.exists()
    assert not ExceptionalMeasure.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname ~ '^exchange_.*_d[0-9]+$' AND NOT relispartition"
        )
        assert [row[0] for row in cursor.fetchall()] == []


def test_one_loader_is_enough(tmp_path, settings):
    settings.RUNAC_IMPORT_LOADERS = 1

    first = import_paths(write_delivery(tmp_path / "first", a_small_delivery()))
    again = import_paths(write_delivery(tmp_path / "again", a_small_delivery()))

    assert first.status == again.status == DeliveryStatus.LOADED
    assert LegajoRecord.objects.filter(is_latest=True).count() == 1
    assert ExceptionalMeasure.objects.filter(jurisdiction_id=again.jurisdiction_id).count() == 1
