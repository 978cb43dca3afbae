"""Measures, placements and penal stays no longer copy the child's gender and birth date.

The indicators join the legajo's newest row when a breakdown by gender or age group needs
them, as they already did for MPI/MPE/MPJ rows. So the measures' ordered reads at every load
no longer join the jurisdiction's legajos (a hash of a quarter of a million rows for the 1M
benchmark delivery, built twice, before the first row), and the derived rows are narrower.
Migrating back adds the columns again and fills them from the newest legajo rows.
"""

from django.db import migrations

TABLES = ["exchange_exceptionalmeasure", "exchange_measureplacement", "exchange_penalstay"]


def refill(apps, schema_editor) -> None:
    for table in TABLES:
        schema_editor.execute(
            f"UPDATE {table} SET genero = l.genero, birth_date = l.birth_date "  # noqa: S608 - names above
            "FROM exchange_legajorecord l WHERE l.jurisdiction_id = "
            f"{table}.jurisdiction_id AND l.id_legajo = {table}.id_legajo AND l.is_latest"
        )


class Migration(migrations.Migration):
    dependencies = [("exchange", "0009_derived_ids_cached")]

    operations = [
        # Runs last when migrating back, once the columns are there again.
        migrations.RunPython(migrations.RunPython.noop, refill),
        *[
            migrations.RemoveField(model_name=model, name=name)
            for model in ("exceptionalmeasure", "measureplacement", "penalstay")
            for name in ("birth_date", "genero")
        ],
    ]
