"""manage.py form_import / form_export: exit 0 when done, 1 with every problem printed."""

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from pyxform.xls2xform import convert

from amparo.forms.models import Form, FormVersion
from amparo.forms.tests.workbooks import broken_registration, cpims_registration


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the msgids), whatever the catalogues say."""
    with translation.override("en"):
        yield


def test_form_import_creates_and_publishes_the_form(world, tmp_path):
    path = tmp_path / "registro.xlsx"
    path.write_bytes(cpims_registration())
    out, err = io.StringIO(), io.StringIO()

    call_command("form_import", str(path), "--unit", world.unit_a.code, stdout=out, stderr=err)

    form = Form.objects.get(identifier="cpims_registro")
    assert (form.org_unit, FormVersion.objects.get(form=form).number) == (world.unit_a, 1)
    assert out.getvalue() == f"cpims_registro: created, version 1 (form id {form.pk})\n"
    assert err.getvalue() == "warning: survey row 2: metadata field 'start' (start) is not kept by Amparo\n"


def test_form_import_prints_every_problem_and_exits_1(world, tmp_path):
    path = tmp_path / "roto.xlsx"
    path.write_bytes(broken_registration())
    err = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("form_import", str(path), stderr=err)

    lines = err.getvalue().splitlines()
    assert caught.value.returncode == 1
    assert str(caught.value) == "roto.xlsx: 10 problem(s); nothing was imported."
    assert len(lines) == 10
    assert lines[0].startswith("survey, row 3, column G (required): ")
    assert lines[-1] == "choices, row 3, column B (name): the value 'si' is repeated in the list"
    assert Form.objects.exists() is False


def test_form_export_writes_a_workbook_pyxform_converts(world, tmp_path):
    source = tmp_path / "registro.xlsx"
    source.write_bytes(cpims_registration())
    call_command("form_import", str(source), stdout=io.StringIO(), stderr=io.StringIO())
    target = tmp_path / "out.xlsx"
    out = io.StringIO()

    call_command("form_export", "cpims_registro", str(target), stdout=out)

    assert out.getvalue() == f"cpims_registro (version 1) written to {target}\n"
    assert convert(xlsform=str(target)).xform.startswith("<?xml")


def test_form_export_of_an_unknown_form_exits_1(world, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("form_export", "nope", str(tmp_path / "x.xlsx"))

    assert (caught.value.returncode, str(caught.value)) == (1, "no form 'nope'")


def test_form_import_exit_status_seen_by_the_shell(tmp_path):
    path = tmp_path / "roto.xlsx"
    path.write_bytes(broken_registration())

    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "form_import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db",
            "PATH": "/usr/bin:/bin",
        },
        check=False,
    )

    assert completed.returncode == 1
    assert "nothing was imported" in completed.stderr


def test_the_documented_example_workbook_imports(world):
    example = settings.BASE_DIR / "docs" / "examples" / "registro_cpims.xlsx"
    out = io.StringIO()

    call_command("form_import", str(example), stdout=out, stderr=io.StringIO())

    assert out.getvalue().startswith("cpims_registro: created, version 1")
