"""National categories: loaded by the migration, reloaded by the command."""

import pytest
from django.core.management import call_command

from amparo.exchange.runac import spec
from amparo.exchange.runac.models import Jurisdiction, NationalCategory


@pytest.mark.django_db
def test_the_migration_loads_24_jurisdictions_and_every_category():
    assert list(Jurisdiction.objects.values_list("code", flat=True)) == [
        code for code, _name in spec.JURISDICTIONS
    ]
    assert NationalCategory.objects.filter(is_active=True).count() == 143
    assert list(
        NationalCategory.objects.filter(unit="MPE", field="TIPO_INTERVENCION").values_list("code", flat=True)
    ) == ["PER_INICIAL", "PRORROGA", "CAMBIO_AMBITO", "CONTROL_LEGALIDAD", "SEGUIMIENTO", "CESE_MPE", "OTRA"]


@pytest.mark.django_db
def test_reloading_adds_new_and_retires_missing_categories(tmp_path, capsys):
    path = tmp_path / "categorias_nacionales.csv"
    path.write_text(
        "unidad,campo,categoria_nacional\nMPI,TIPO_INTERVENCION,ENTREVISTA\nMPI,TIPO_INTERVENCION,TALLER\n",
        encoding="utf-8",
    )

    call_command("runac_load_categories", "--file", str(path))

    assert capsys.readouterr().out == "2 categories listed: 1 new, 0 updated, 142 retired.\n"
    assert list(NationalCategory.objects.filter(is_active=True).values_list("code", flat=True)) == [
        "ENTREVISTA",
        "TALLER",
    ]
    assert NationalCategory.objects.count() == 144
