"""On PostgreSQL each record table's key index becomes unique per delivery: (key, delivery_id).

A delivery's keys (ID_LEGAJO in LEGAJOS, ID_INTERVENCION in MPI/MPE/MPJ) must be unique
within it. The loaders build this index on a delivery's own table before it is attached
(see `amparo/exchange/runac/staging.py`): when it builds, the keys are proven unique and
the duplicate check in SQL is skipped. The key comes first so lookups by key alone still use
it; the jurisdiction column is dropped from it because every partition holds one delivery of
one jurisdiction. The index keeps its name, so the models' state (which SQLite follows: there
duplicates are found by the SQL check alone) is unchanged.

The id sequences hand out ids 1,000 at a time to each connection (CACHE 1000): a loader
copying half a million rows takes a number from its own cache instead of the shared sequence
each time. Ids stay increasing within a connection, so a delivery's rows still come in file
order by id; a closed connection's unused ids are skipped (gaps carry no meaning).
"""

from django.db import migrations

KEYS = {
    "exchange_legajorecord": ("runac_legajo_key_idx", "id_legajo"),
    "exchange_mpirecord": ("runac_mpi_key_idx", "id_intervencion"),
    "exchange_mperecord": ("runac_mpe_key_idx", "id_intervencion"),
    "exchange_mpjrecord": ("runac_mpj_key_idx", "id_intervencion"),
}


def unique_keys(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (name, key) in KEYS.items():
        schema_editor.execute(f"DROP INDEX {name}")
        schema_editor.execute(f"CREATE UNIQUE INDEX {name} ON {table} ({key}, delivery_id)")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE 1000")


def plain_keys(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (name, key) in KEYS.items():
        schema_editor.execute(f"DROP INDEX {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON {table} (jurisdiction_id, {key})")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE 1")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("exchange", "0003_import_speed")]

    operations = [migrations.RunPython(unique_keys, plain_keys)]
