"""PostgreSQL only: form answers are JSONB; GIN (jsonb_path_ops) indexes answer option filters
(`data @> '{"field": "value"}'`) over case form records and interventions."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS case_form_record_data_gin ON cases_caseformrecord "
        "USING gin (data jsonb_path_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS intervention_data_gin ON cases_intervention USING gin (data jsonb_path_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_form_record_data_gin")
    schema_editor.execute("DROP INDEX IF EXISTS intervention_data_gin")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
