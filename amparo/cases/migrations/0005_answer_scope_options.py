"""Typed answers gain the case's unit and type (denormalised) and option / repeat-group text answers.

The table is emptied, changed and filled again with `answers.rebuild` (on PostgreSQL one
INSERT … SELECT per field joined to the cases, set-based). Not atomic on purpose: on PostgreSQL the
fill commits before the indexes are built (building them once is faster than updating them per row,
and an index cannot be created in a transaction with pending foreign-key checks). If it stops
half-way, run it again: the first step empties the table.
"""

import django.db.models.deletion
from django.db import migrations, models


def clear(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("TRUNCATE cases_caseanswervalue")
    else:
        apps.get_model("cases", "CaseAnswerValue").objects.all().delete()


def fill(apps, schema_editor):
    """Typed rows, with unit and type, for every record written so far."""
    from amparo.cases.answers import rebuild

    rebuild(
        record_model=apps.get_model("cases", "CaseFormRecord"),
        version_model=apps.get_model("forms", "FormVersion"),
        value_model=apps.get_model("cases", "CaseAnswerValue"),
    )


def analyze(apps, schema_editor):
    """PostgreSQL: statistics on (form, field, option) combinations — assumed independent, a
    (field, option) pair was estimated 6 times too rare, enough to pick a plan probing 100,000
    cases — then VACUUM ANALYZE (the visibility map lets the filters use index-only scans)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS case_answer_option_stats (mcv) "
        "ON form_id, field, option_value FROM cases_caseanswervalue"
    )
    schema_editor.execute("ALTER STATISTICS case_answer_option_stats SET STATISTICS 1000")
    schema_editor.execute("VACUUM ANALYZE cases_caseanswervalue")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS case_answer_option_stats")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0004_answer_values"),
        ("forms", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(clear, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="caseanswervalue", name="case_answer_date_idx"),
        migrations.RemoveIndex(model_name="caseanswervalue", name="case_answer_number_idx"),
        migrations.RemoveIndex(model_name="caseanswervalue", name="case_answer_case_idx"),
        migrations.AddField(
            model_name="caseanswervalue",
            name="org_unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=0,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="accounts.orgunit",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseanswervalue",
            name="case_type",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=0,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cases.casetype",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseanswervalue",
            name="option_value",
            field=models.CharField(max_length=255, null=True),
        ),
        migrations.AddField(
            model_name="caseanswervalue",
            name="text_value",
            field=models.TextField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="caseanswervalue",
            index=models.Index(
                condition=models.Q(("date_value__isnull", False)),
                fields=["form", "field", "date_value", "org_unit", "case_type", "case"],
                name="case_answer_date_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="caseanswervalue",
            index=models.Index(
                condition=models.Q(("number_value__isnull", False)),
                fields=["form", "field", "number_value", "org_unit", "case_type", "case"],
                name="case_answer_number_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="caseanswervalue",
            index=models.Index(
                condition=models.Q(("option_value__isnull", False)),
                fields=["form", "field", "option_value", "org_unit", "case_type", "case"],
                name="case_answer_option_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="caseanswervalue",
            index=models.Index(fields=["case", "form", "field"], name="case_answer_case_idx"),
        ),
        migrations.RunPython(analyze, drop_statistics),
    ]
