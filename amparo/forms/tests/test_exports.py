"""Exports across versions: one table for records of every version, retired fields kept, clearance applied."""

import copy
import datetime

import pytest
import time_machine
from django.utils import translation

from amparo.accounts.choices import Sensitivity
from amparo.forms import selectors, services
from amparo.forms.exports import export_columns, export_row
from amparo.forms.submission import validate_submission
from amparo.forms.tests.factories import form_with, registration_definition


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


def second_version(definition):
    changed = copy.deepcopy(definition)
    fields = changed["sections"][0]["fields"]
    changed["sections"][0]["fields"] = [item for item in fields if item["name"] != "sexo"]
    changed["sections"][0]["fields"].append(
        {"name": "nacionalidad", "type": "text", "label": {"es": "Nacionalidad", "en": "Nationality"}}
    )
    return changed


@time_machine.travel(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC), tick=False)
def test_records_of_two_versions_share_one_table_and_keep_retired_answers(world):
    form, first = form_with(registration_definition(), unit=world.unit_a)
    old_record, _errors = validate_submission(
        selectors.definition_of(first),
        {
            "nombre": "Ana",
            "fecha_nacimiento": "01/02/2015",
            "sexo": "f",
            "riesgos": ["calle"],
            "hermanos": [{"hermano_nombre": "Luis", "hermano_edad": "8"}, {"hermano_nombre": "Eva"}],
        },
    )
    services.form_draft_save(actor=None, form=form, definition=second_version(registration_definition()))
    second = services.form_publish(actor=None, form=form)
    new_record, _errors = validate_submission(
        selectors.definition_of(second),
        {"nombre": "Beto", "fecha_nacimiento": "10/10/2010", "nacionalidad": "Paraguaya"},
    )

    columns = export_columns(selectors.field_catalogue(form), clearance=Sensitivity.RESTRICTED)
    rows = [export_row(columns, record) for record in (old_record, new_record)]

    assert [column.label for column in columns] == [
        "Nombre",
        "Fecha de nacimiento",
        "edad",
        "Sexo",
        "¿Va a la escuela?",
        "Grado",
        "Riesgos",
        "Hermanos › Nombre",
        "Hermanos › Edad",
        "Hermanos › ¿Va a la escuela?",
        "total_hermanos",
        "Nacionalidad",
    ]
    assert rows == [
        ["Ana", "01/02/2015", "11", "Mujer", "", "", "Situación de calle", "Luis | Eva", "8", "", "2", ""],
        ["Beto", "10/10/2010", "16", "", "", "", "", "", "", "", "0", "Paraguaya"],
    ]


def test_columns_above_the_clearance_are_left_out(world):
    form, _first = form_with(registration_definition(), unit=world.unit_a)

    basic = [
        column.name for column in export_columns(selectors.field_catalogue(form), clearance=Sensitivity.BASIC)
    ]
    sensitive = [
        column.name
        for column in export_columns(selectors.field_catalogue(form), clearance=Sensitivity.SENSITIVE)
    ]

    assert ("riesgos" in basic, "detalle_violencia" in basic) == (False, False)
    assert ("riesgos" in sensitive, "detalle_violencia" in sensitive) == (True, True)
