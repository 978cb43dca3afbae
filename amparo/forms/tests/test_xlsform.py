"""XLSForm import and export: round trips through pyxform, every error located, nothing half-imported."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from pyxform.xls2xform import convert

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.forms import selectors, services, xlsform
from amparo.forms.definition import dump_definition, load_definition
from amparo.forms.models import Form, FormVersion
from amparo.forms.tests.factories import option, registration_definition
from amparo.forms.tests.workbooks import broken_registration, cpims_registration, row, workbook

PYXFORM_WORKBOOKS = Path(__file__).with_name("workbooks") / "pyxform"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the msgids), whatever the catalogues say."""
    with translation.override("en"):
        yield


def all_types_definition():
    definition = registration_definition()
    definition["sections"].append(
        {
            "name": "otros",
            "label": {"es": "Otros datos", "en": "Other"},
            "fields": [
                {
                    "name": "cuidador",
                    "type": "person",
                    "label": {"es": "Persona cuidadora", "en": "Caregiver"},
                },
                {
                    "name": "lugar",
                    "type": "location",
                    "location_mode": "both",
                    "label": {"es": "Lugar", "en": "Place"},
                },
                {"name": "punto", "type": "location", "location_mode": "gps", "label": {"es": "Punto GPS"}},
                {"name": "foto", "type": "photo", "label": {"es": "Foto", "en": "Photo"}, "sensitivity": 2},
                {"name": "acta", "type": "file", "label": {"es": "Acta", "en": "Record"}},
                {"name": "ingreso", "type": "datetime", "label": {"es": "Ingreso", "en": "Admission"}},
                {
                    "name": "peso",
                    "type": "decimal",
                    "label": {"es": "Peso (kg)"},
                    "minimum": 0.5,
                    "maximum": 200,
                    "constraint": ". != 100",
                    "constraint_message": {"es": "Revise el peso"},
                },
                {
                    "name": "codigo",
                    "type": "text",
                    "label": {"es": "Código"},
                    "pattern": "^[A-Z]{2}-\\d+$",
                    "default": "AA-1",
                },
                {"name": "visita", "type": "date", "label": {"es": "Visita"}, "default": "today()"},
            ],
        }
    )
    definition["option_lists"].append({"name": "vacia_no_usada", "options": [option("a", "A")]})
    return definition


def round_trip(definition):
    typed = load_definition(definition)
    exported = xlsform.write_workbook(typed, form_id="prueba", version="3")
    convert(xlsform=io.BytesIO(exported), file_type=".xlsx")  # pyxform accepts it
    return xlsform.read_workbook(exported), dump_definition(typed)


def test_every_amparo_type_survives_an_export_and_a_new_import():
    parsed, original = round_trip(all_types_definition())

    assert parsed.form_id == "prueba"
    assert parsed.warnings == []
    assert dump_definition(load_definition(parsed.definition)) == original


def test_imports_a_cpims_style_workbook_with_groups_repeats_and_translations():
    parsed = xlsform.read_workbook(cpims_registration())
    definition = load_definition(parsed.definition)

    assert parsed.form_id == "cpims_registro"
    assert parsed.warnings == ["survey row 2: metadata field 'start' (start) is not kept by Amparo"]
    assert [section.name for section in definition.sections] == ["datos_nna", "proteccion", "_s3"]
    assert definition.field("numero_documento").required is True
    assert definition.field("riesgo_otro").type == "long_text"
    assert definition.field("hermanos").is_repeat
    assert [child.name for child in definition.field("hermanos").fields] == [
        "hermano_nombre",
        "hermano_edad",
        "hermano_junto",
    ]
    assert definition.field("fecha_nacimiento").constraint_message == {
        "es": "La fecha no puede ser futura",
        "en": "Not in the future",
    }
    assert definition.field("nombres").label == {"es": "Nombres", "en": "Given names"}
    assert definition.field("apellidos").hint == {"es": "Ambos apellidos", "en": "Both surnames"}
    assert (definition.field("ubicacion").type, definition.field("ubicacion").location_mode) == (
        "location",
        "gps",
    )
    assert (definition.field("foto").type, definition.field("fecha_entrevista").type) == ("photo", "datetime")
    assert definition.title == {"es": "Registro CPIMS"}


def test_nested_group_relevance_is_joined_to_its_fields():
    definition = load_definition(xlsform.read_workbook(cpims_registration()).definition)

    assert definition.field("numero_documento").relevant == "${documento} = 'si'"


def test_cpims_workbook_round_trips_through_export():
    imported = load_definition(xlsform.read_workbook(cpims_registration()).definition)

    parsed, original = round_trip(dump_definition(imported))

    assert dump_definition(load_definition(parsed.definition)) == original


def test_a_broken_workbook_gets_every_error_with_sheet_row_and_column():
    with pytest.raises(xlsform.XLSFormError) as caught:
        xlsform.read_workbook(broken_registration())

    assert [str(problem) for problem in caught.value.problems] == [
        "survey, row 3, column G (required): required must be yes or no "
        "(an expression such as 'maybe' is not supported)",
        "survey, row 3, column B (name): the name 'nombre' is already used at row 2",
        "survey, row 4, column A (type): the option list 'colores' is not on the choices sheet",
        "survey, row 5, column A (type): the type 'audio' is not supported",
        "survey, row 6, column H (relevant): Unexpected 'end of expression' (at character 12)",
        "survey, row 7, column B (name): the name is missing",
        "survey, row 8, column H (relevant): refers to an unknown field ${ninguno}",
        "survey, row 9, column A (type): 'begin group' is never closed with 'end group'",
        "survey, row 10, column C (label::Español (es)): a label is required",
        "choices, row 3, column B (name): the value 'si' is repeated in the list",
    ]


def test_a_broken_workbook_imports_nothing(world):
    with pytest.raises(xlsform.XLSFormError):
        services.form_import_xlsform(
            actor=world.national_admin, workbook=broken_registration(), org_unit=world.unit_a
        )

    assert (Form.objects.exists(), FormVersion.objects.exists()) == (False, False)
    assert AuditEvent.objects.filter(action__startswith="forms.").exists() is False


def test_import_publishes_and_a_changed_workbook_becomes_version_2(world):
    first = services.form_import_xlsform(
        actor=world.national_admin,
        workbook=cpims_registration(),
        org_unit=world.unit_a,
        filename="registro.xlsx",
    )
    again = services.form_import_xlsform(
        actor=world.national_admin, workbook=cpims_registration(), org_unit=world.unit_a
    )
    changed_book = openpyxl.load_workbook(io.BytesIO(cpims_registration()))
    changed_book["survey"]["C4"] = "Nombre(s)"
    output = io.BytesIO()
    changed_book.save(output)
    second = services.form_import_xlsform(
        actor=world.national_admin, workbook=output.getvalue(), org_unit=world.unit_a
    )

    assert (first.created, first.version.number, again.version.number, second.version.number) == (
        True,
        1,
        1,
        2,
    )
    assert first.form.identifier == "cpims_registro"
    assert selectors.definition_of(second.version).field("nombres").label["es"] == "Nombre(s)"
    assert AuditEvent.objects.filter(action=AuditAction.FORM_IMPORTED).count() == 3


def test_export_of_a_stored_form_is_audited_and_converts(world):
    form = services.form_import_xlsform(actor=None, workbook=cpims_registration(), org_unit=world.unit_a).form

    content = services.form_export_xlsform(
        actor=world.national_admin, form=form, version=selectors.latest_version(form)
    )

    assert convert(xlsform=io.BytesIO(content), file_type=".xlsx").xform.startswith("<?xml")
    assert (
        AuditEvent.objects.filter(action=AuditAction.FORM_EXPORTED, actor=world.national_admin).count() == 1
    )


def test_yes_no_person_and_location_travel_in_amparo_columns():
    definition = load_definition(all_types_definition())
    book = openpyxl.load_workbook(io.BytesIO(xlsform.write_workbook(definition, form_id="x")))
    survey = list(book["survey"].iter_rows(values_only=True))
    header = survey[0]
    rows = {line[1]: dict(zip(header, line, strict=True)) for line in survey[1:] if line[1]}

    assert (rows["escolarizado"]["type"], rows["escolarizado"]["amparo_type"]) == (
        "select_one amparo_yes_no",
        "yes_no",
    )
    assert (rows["cuidador"]["type"], rows["cuidador"]["amparo_type"]) == ("integer", "person")
    assert (rows["lugar"]["type"], rows["lugar"]["amparo_location_mode"]) == ("geopoint", "both")
    assert rows["grado"]["constraint"] == ". >= 1 and . <= 12"
    assert rows["peso"]["constraint"] == ". >= 0.5 and . <= 200 and (. != 100)"
    assert rows["codigo"]["constraint"] == "regex(., '^[A-Z]{2}-\\d+$')"
    assert rows["foto"]["amparo_sensitivity"] == 2


@pytest.mark.parametrize(
    ("filename", "fields"),
    [
        ("group.xlsx", ["family_name", "phone_number", "age"]),
        ("text_and_integer.xlsx", ["your_name", "your_age"]),
        ("yes_or_no_question.xlsx", ["good_day"]),
        ("field-list.xlsx", ["table_list_question"]),
        ("xl_date_ambiguous_v1.xlsx", ["name1", "name2", "name3", "names", "current_date"]),
    ],
)
def test_pyxform_example_workbooks_import_and_round_trip(filename, fields):
    parsed = xlsform.read_workbook((PYXFORM_WORKBOOKS / filename).read_bytes(), filename)
    definition = load_definition(parsed.definition)

    again, original = round_trip(parsed.definition)

    assert [item.name for item in definition.all_fields()][: len(fields)] == fields
    assert dump_definition(load_definition(again.definition)) == original


@pytest.mark.parametrize(
    ("filename", "problems"),
    [
        (
            "xlsform_spec_test.xlsx",
            [
                "survey, row 37, column A (type): the type 'audio' is not supported",
                "survey, row 38, column A (type): the type 'video' is not supported",
                "choices, row 4, column C (label): an option needs a label",
                "choices, row 5, column C (label): an option needs a label",
                "settings, row 2, column B (form_id): form_id is required: "
                "a letter, then letters, digits, _ or - (at most 64)",
            ],
        ),
        (
            "choice_filter_test.xlsx",
            ["choices, row 6, column B (name): the value 'king' is repeated in the list"],
        ),
        (
            "bad_calc.xlsx",
            ['survey, row 2, column D (calculation): Unexpected character "\'" (at character 22)'],
        ),
    ],
)
def test_pyxform_example_workbooks_amparo_cannot_keep_are_refused_with_located_problems(filename, problems):
    with pytest.raises(xlsform.XLSFormError) as caught:
        xlsform.read_workbook((PYXFORM_WORKBOOKS / filename).read_bytes(), filename)

    assert [str(problem) for problem in caught.value.problems] == problems


def test_unbalanced_groups_and_repeats_are_located():
    book = workbook(
        [
            ["type", "name", "label"],
            ["begin group", "g", "G"],
            ["text", "a", "A"],
            ["end group"],
            ["begin group", "h", "H"],
            ["text", "b", "B"],
            ["end repeat"],
        ],
        None,
        [["form_id"], ["pyx"]],
    )

    with pytest.raises(xlsform.XLSFormError) as caught:
        xlsform.read_workbook(book)

    assert [str(problem) for problem in caught.value.problems] == [
        "survey, row 5, column A (type): 'begin group' is never closed with 'end group'",
        "survey, row 7, column A (type): 'end repeat' has no matching 'begin repeat'",
    ]


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(xlsform.XLSFormError) as caught:
        xlsform.read_workbook(b"not a zip file")

    assert str(caught.value.problems[0]).startswith("workbook: not an .xlsx workbook")


def test_form_id_defaults_to_the_file_name_when_settings_are_missing():
    book = workbook([["type", "name", "label"], row("text", "a", "A")[:3]])

    assert xlsform.read_workbook(book, "Ficha de visita.xlsx").form_id == "Ficha_de_visita"
