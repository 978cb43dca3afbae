"""On PostgreSQL the measures, placements and penal stays become partitioned by jurisdiction.

A jurisdiction's derived rows are recomputed whole after every load. With a partition per
jurisdiction, an import writes the new rows through a loader connection into a table of their
own while its own connection is still reading the records (see `derived.py` and
`staging.py`), and swaps it in for the old partition: no delete of the old rows, no index
updated row by row. A DEFAULT partition takes rows of a jurisdiction that has none of its own
(a one-legajo rebuild, or rows written elsewhere than by an import). SQLite is left as it is.
"""

from django.db import migrations

TABLES = {
    "exchange_exceptionalmeasure": ("runac_measure_idx", "jurisdiction_id, start_date"),
    "exchange_measureplacement": ("runac_placement_idx", "jurisdiction_id, from_date"),
    "exchange_penalstay": ("runac_penal_stay_idx", "jurisdiction_id, entry_date"),
}


def _rebuild(schema_editor, *, partitioned: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for table, (index, columns) in TABLES.items():
        old = f"{table}_before_0006"
        execute(f"ALTER TABLE {table} RENAME TO {old}")
        execute(f"ALTER INDEX {table}_pkey RENAME TO {old}_pkey")
        execute(f"DROP INDEX {index}")
        tail = " PARTITION BY LIST (jurisdiction_id)" if partitioned else ""
        execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING IDENTITY){tail}"
        )
        key = "id, jurisdiction_id" if partitioned else "id"
        execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key})")
        execute(f"CREATE INDEX {index} ON {table} ({columns})")
        if partitioned:
            execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f"SELECT DISTINCT jurisdiction_id FROM {old} ORDER BY 1")  # noqa: S608
                jurisdictions = [row[0] for row in cursor.fetchall()]
            for jurisdiction_id in jurisdictions:
                execute(
                    f"CREATE TABLE {table}_j{int(jurisdiction_id)} PARTITION OF {table} "
                    f"FOR VALUES IN ({int(jurisdiction_id)})"
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

    dependencies = [("exchange", "0005_records_in_copy_order")]

    operations = [migrations.RunPython(partition, unpartition)]
