"""`manage.py runac_import`: exit status 0 loaded / 1 rejected, and the --json report."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import Delivery, EquivalenceTable, LegajoRecord
from amparo.exchange.tests.builders import a_small_delivery, equivalence_csv, legajo, name, write_delivery


def run(*args, capsys):
    try:
        call_command("runac_import", *[str(arg) for arg in args])
    except SystemExit as exit_status:
        code = exit_status.code
    else:
        code = 0
    return code, capsys.readouterr().out


@pytest.fixture
def table_file(tmp_path):
    path = tmp_path / "82_TE.csv"
    path.write_text(equivalence_csv(), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_loads_with_the_table_and_exits_0(tmp_path, table_file, capsys):
    paths = write_delivery(tmp_path, a_small_delivery())

    code, out = run(*paths, "--te", table_file, "--json", capsys=capsys)

    report = json.loads(out)
    assert code == 0
    assert {
        key: report[key]
        for key in (
            "status",
            "jurisdiction",
            "cut_off",
            "counts",
            "measures",
            "penal_stays",
            "error_count",
            "errors",
            "equivalence_table_version",
        )
    } == {
        "status": "loaded",
        "jurisdiction": "82",
        "cut_off": "30/06/2023",
        "counts": {"LEGAJOS": 1, "MPI": 1, "MPE": 1, "MPJ": 1},
        "measures": 1,
        "penal_stays": 1,
        "error_count": 0,
        "errors": [],
        "equivalence_table_version": 1,
    }
    assert Delivery.objects.get().status == DeliveryStatus.LOADED


@pytest.mark.django_db
def test_rejects_and_exits_1_with_every_error_in_json(tmp_path, table_file, capsys):
    paths = write_delivery(
        tmp_path, {"LEGAJOS": [legajo(GENERO="M"), legajo(ID_LEGAJO="L2", FECHA_CREACION="")]}
    )

    code, out = run(*paths, "--te", table_file, "--json", capsys=capsys)

    report = json.loads(out)
    assert code == 1
    assert report["status"] == "rejected"
    assert [(item["file"], item["line"], item["column"], item["code"]) for item in report["errors"]] == [
        (name("LEGAJOS"), 2, "GENERO", "predefined_value"),
        (name("LEGAJOS"), 3, "FECHA_CREACION", "required"),
    ]
    assert report["errors"][1]["message"] == "La columna FECHA_CREACION es obligatoria y está vacía."
    assert LegajoRecord.objects.exists() is False
    assert EquivalenceTable.objects.exists() is False


@pytest.mark.django_db
def test_text_report_without_json(tmp_path, table_file, capsys):
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo(GENERO="M")]})

    code, out = run(*paths, "--te", table_file, capsys=capsys)

    assert code == 1
    assert out.splitlines() == [
        f"ERROR    {name('LEGAJOS')}:2 [GENERO] 'M' no es un valor admitido en GENERO; los valores "
        "son: MUJER, VARON, "
        "MUJER_TRANS, VARON_TRANS, NO_BINARIO, OTRO, SIN_DATO.",
        "Rejected: 1 errors, 0 warnings. Nothing was loaded.",
    ]


@pytest.mark.django_db
def test_table_alone_loads_a_version(table_file, capsys):
    code, out = run("--te", table_file, "--json", capsys=capsys)

    assert code == 0
    assert json.loads(out)["version"] == 1
    # one local id per national category, plus a second one per field
    assert EquivalenceTable.objects.get().entry_count == 143 + 18


@pytest.mark.django_db
def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("runac_import", str(tmp_path / "82_LEGAJOS_30062023_RUNac.txt"))


@pytest.mark.django_db
def test_user_without_the_jurisdiction_is_refused(tmp_path, table_file, runac, capsys):
    paths = write_delivery(tmp_path, a_small_delivery())

    code, out = run(*paths, "--te", table_file, "--json", "--user", "province_14", capsys=capsys)

    report = json.loads(out)
    assert code == 1
    assert [(item["code"], item["message"]) for item in report["errors"]] == [
        ("not_allowed", "No tiene permiso para enviar entregas de la jurisdicción 82.")
    ]
    assert report["jurisdiction"] is None
