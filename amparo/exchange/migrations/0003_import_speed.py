"""Import speed: on PostgreSQL the four RUNac record tables become partitioned by delivery.

Each loaded delivery's rows of a unit live in a partition of their own. The loader fills a
new table by COPY with no index, then attaches it as the delivery's partition, which builds
the indexes in bulk (see `amparo/exchange/runac/loading.py`); a re-sent period keeps the
previous delivery's partition as history. The primary key becomes (id, delivery_id) (a
partitioned table's unique keys must hold the partition key); ids still come from one
sequence. Existing rows are moved into per-delivery partitions. SQLite is left as it is.
"""

from django.db import migrations

TABLES = {
    "exchange_legajorecord": {
        "runac_legajo_key_idx": "jurisdiction_id, id_legajo",
        "runac_legajo_delivery_idx": "delivery_id, file_number, line",
    },
    "exchange_mpirecord": {
        "runac_mpi_key_idx": "jurisdiction_id, id_intervencion",
        "runac_mpi_delivery_idx": "delivery_id, file_number, line",
    },
    "exchange_mperecord": {
        "runac_mpe_key_idx": "jurisdiction_id, id_intervencion",
        "runac_mpe_legajo_idx": "jurisdiction_id, id_legajo",
        "runac_mpe_delivery_idx": "delivery_id, file_number, line",
    },
    "exchange_mpjrecord": {
        "runac_mpj_key_idx": "jurisdiction_id, id_intervencion",
        "runac_mpj_legajo_idx": "jurisdiction_id, id_legajo",
        "runac_mpj_delivery_idx": "delivery_id, file_number, line",
    },
}


def _rebuild(schema_editor, *, partitioned: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for table, indexes in TABLES.items():
        old = f"{table}_before_0003"
        execute(f"ALTER TABLE {table} RENAME TO {old}")
        execute(f"ALTER INDEX {table}_pkey RENAME TO {old}_pkey")
        for name in indexes:
            execute(f"DROP INDEX {name}")
        tail = " PARTITION BY LIST (delivery_id)" if partitioned else ""
        execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING IDENTITY){tail}"
        )
        key = "id, delivery_id" if partitioned else "id"
        execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key})")
        for name, columns in indexes.items():
            execute(f"CREATE INDEX {name} ON {table} ({columns})")
        if partitioned:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f"SELECT DISTINCT delivery_id FROM {old} ORDER BY 1")  # noqa: S608
                deliveries = [row[0] for row in cursor.fetchall()]
            for delivery_id in deliveries:
                execute(
                    f"CREATE TABLE {table}_d{int(delivery_id)} PARTITION OF {table} "
                    f"FOR VALUES IN ({int(delivery_id)})"
                )
        execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608
        execute(f"DROP TABLE {old}")
        execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def partition(apps, schema_editor) -> None:
    _rebuild(schema_editor, partitioned=True)


def unpartition(apps, schema_editor) -> None:
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("exchange", "0002_jurisdictions_and_categories")]

    operations = [migrations.RunPython(partition, unpartition)]
