"""On PostgreSQL the derived tables' id sequences hand out ids 1,000 at a time (CACHE 1000).

Measures, placements and penal stays are written by COPY, a quarter of a million rows per
large jurisdiction at every load, each taking its id from the table's sequence. With the
default CACHE 1 every row locks the shared sequence and every 32nd writes to the WAL; with a
cache a loader takes its numbers from its own cache. In an isolated COPY of the 1M benchmark's
174,415 placements the backend's CPU went from ~0.61 to ~0.39 s (best of six). The record
tables' sequences have had the same setting since 0004_unique_keys. Ids stay unique; unused
cached ids are skipped (gaps carry no meaning, and nothing reads these tables by id).
"""

from django.db import migrations

TABLES = ["exchange_exceptionalmeasure", "exchange_measureplacement", "exchange_penalstay"]


def _cache(schema_editor, size: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE {size}")


def cached(apps, schema_editor) -> None:
    _cache(schema_editor, 1000)


def uncached(apps, schema_editor) -> None:
    _cache(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0008_runac_ids_bytewise")]

    operations = [migrations.RunPython(cached, uncached)]
