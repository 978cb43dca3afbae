"""On PostgreSQL, RUNac ids compare as bytes (collation "C").

The RUNac ids (ID_LEGAJO, ID_INTERVENCION, ID_INGRESO_ASOCIADO) are codes: their order is
bytewise wherever they are sorted, compared or indexed. That is cheaper than the locale's
(the key indexes of a 1M-row delivery build about a third faster) and the same on every
server. Django's model state does not know the collation: an AlterField on these columns
would reset it, and must re-apply this migration's ALTERs. SQLite is left as it is.
"""

from django.db import migrations

from amparo.exchange.runac import spec

ID_COLUMNS = {
    "exchange_legajorecord": ["id_legajo"],
    "exchange_mpirecord": ["id_legajo", "id_intervencion"],
    "exchange_mperecord": ["id_legajo", "id_intervencion"],
    "exchange_mpjrecord": ["id_legajo", "id_intervencion", "id_ingreso_asociado"],
    "exchange_exceptionalmeasure": ["id_legajo"],
    "exchange_measureplacement": ["id_legajo"],
    "exchange_penalstay": ["id_legajo"],
}


def _collate(schema_editor, collation: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in ID_COLUMNS.items():
        changes = ", ".join(
            f"ALTER COLUMN {column} TYPE varchar({spec.MAX_ID_LENGTH}) COLLATE {collation}" for column in columns
        )
        schema_editor.execute(f"ALTER TABLE {table} {changes}")


def bytewise(apps, schema_editor) -> None:
    _collate(schema_editor, '"C"')


def by_locale(apps, schema_editor) -> None:
    _collate(schema_editor, '"default"')


class Migration(migrations.Migration):
    dependencies = [("exchange", "0007_derived_without_indexes")]

    operations = [migrations.RunPython(bytewise, by_locale)]
