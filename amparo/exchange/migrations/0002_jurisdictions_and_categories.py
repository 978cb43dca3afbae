"""The 24 jurisdictions (INDEC codes) and the national categories of categorias_nacionales.csv.

Self-contained (historical models, its own copy of the jurisdiction list); later changes to
the CSV are loaded with `manage.py runac_load_categories`.
"""

import csv
from pathlib import Path

from django.db import migrations

JURISDICTIONS = (
    ("02", "Ciudad Autónoma de Buenos Aires"), ("06", "Buenos Aires"), ("10", "Catamarca"), ("14", "Córdoba"),
    ("18", "Corrientes"), ("22", "Chaco"), ("26", "Chubut"), ("30", "Entre Ríos"), ("34", "Formosa"),
    ("38", "Jujuy"), ("42", "La Pampa"), ("46", "La Rioja"), ("50", "Mendoza"), ("54", "Misiones"),
    ("58", "Neuquén"), ("62", "Río Negro"), ("66", "Salta"), ("70", "San Juan"), ("74", "San Luis"),
    ("78", "Santa Cruz"), ("82", "Santa Fe"), ("86", "Santiago del Estero"), ("90", "Tucumán"),
    ("94", "Tierra del Fuego, Antártida e Islas del Atlántico Sur"),
)
CATEGORIES_CSV = Path(__file__).resolve().parent.parent / "runac" / "data" / "categorias_nacionales.csv"


def load(apps, schema_editor):
    Jurisdiction = apps.get_model("exchange", "Jurisdiction")
    NationalCategory = apps.get_model("exchange", "NationalCategory")
    for code, name in JURISDICTIONS:
        Jurisdiction.objects.get_or_create(code=code, defaults={"name": name})
    positions = {}
    with CATEGORIES_CSV.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["unidad"].strip(), row["campo"].strip())
            positions[key] = positions.get(key, -1) + 1
            NationalCategory.objects.get_or_create(
                unit=key[0], field=key[1], code=row["categoria_nacional"].strip(),
                defaults={"position": positions[key]},
            )


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
