"""Measures, placements and penal stays lose their indexes.

Only the indicators read them, a jurisdiction's rows whole (counts over dates), and a scan of
a partition serves that as well as any index; an import rebuilt the indexes of the ~300,000
derived rows of a large jurisdiction every time, for nothing. On PostgreSQL the primary key
goes too: ids come from the table's sequence and no row is ever looked up by its id. A table
without a primary key has no replica identity for logical replication (docs/administration.md).
"""

from django.db import migrations

TABLES = ["exchange_exceptionalmeasure", "exchange_measureplacement", "exchange_penalstay"]


def drop_primary_keys(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_pkey")


def add_primary_keys(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, jurisdiction_id)")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0006_derived_partitions")]

    operations = [
        migrations.RemoveIndex(model_name="exceptionalmeasure", name="runac_measure_idx"),
        migrations.RemoveIndex(model_name="measureplacement", name="runac_placement_idx"),
        migrations.RemoveIndex(model_name="penalstay", name="runac_penal_stay_idx"),
        migrations.RunPython(drop_primary_keys, add_primary_keys),
    ]
