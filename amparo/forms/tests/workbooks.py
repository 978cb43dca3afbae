"""XLSForm workbooks written in tests with openpyxl (a CPIMS+-style registration, a broken one)."""

import io
from typing import Any

import openpyxl

SURVEY_HEADER = [
    "type",
    "name",
    "label::Español (es)",
    "label::English (en)",
    "hint::Español (es)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::Español (es)",
    "constraint_message::English (en)",
    "calculation",
    "default",
    "appearance",
]


def workbook(
    survey: list[list[Any]], choices: list[list[Any]] | None = None, settings: list[list[Any]] | None = None
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices is not None:
        choice_sheet = book.create_sheet("choices")
        for row in choices:
            choice_sheet.append(row)
    if settings is not None:
        settings_sheet = book.create_sheet("settings")
        for row in settings:
            settings_sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def row(type_: str, name: str = "", es: str = "", en: str = "", **columns: Any) -> list[Any]:
    values = {"type": type_, "name": name, "label::Español (es)": es, "label::English (en)": en}
    aliases = {
        "hint_es": "hint::Español (es)",
        "hint_en": "hint::English (en)",
        "message_es": "constraint_message::Español (es)",
        "message_en": "constraint_message::English (en)",
    }
    for key, value in columns.items():
        values[aliases.get(key, key)] = value
    return [values.get(header, "") for header in SURVEY_HEADER]


def cpims_registration() -> bytes:
    """A child-protection registration in the spirit of CPIMS+: groups, a nested group, a repeat,
    skip logic, constraints, calculations, hints and Spanish/English labels."""
    survey = [
        SURVEY_HEADER,
        row("start", "start"),
        row("begin group", "datos_nna", "Datos de la niña, niño o adolescente", "Child's details"),
        row("text", "nombres", "Nombres", "Given names", required="yes"),
        row("text", "apellidos", "Apellidos", "Surnames", hint_es="Ambos apellidos", hint_en="Both surnames"),
        row(
            "date",
            "fecha_nacimiento",
            "Fecha de nacimiento",
            "Date of birth",
            required="yes",
            constraint=". <= today()",
            message_es="La fecha no puede ser futura",
            message_en="Not in the future",
        ),
        row("calculate", "edad", calculation="int((today() - ${fecha_nacimiento}) div 365.25)"),
        row("select_one sexo", "sexo", "Sexo", "Sex", required="yes"),
        row("select_one si_no", "documento", "¿Tiene documento de identidad?", "Has an identity document?"),
        row("begin group", "documento_detalle", "Documento", "Document", relevant="${documento} = 'si'"),
        row("text", "numero_documento", "Número", "Number", required="yes"),
        row("end group"),
        row("end group"),
        row(
            "begin group",
            "proteccion",
            "Evaluación de protección",
            "Protection assessment",
            relevant="${edad} < 18",
        ),
        row("select_multiple riesgos", "riesgos", "Riesgos identificados", "Risks identified"),
        row(
            "text",
            "riesgo_otro",
            "Otro riesgo",
            "Other risk",
            relevant="selected(${riesgos}, 'otro')",
            required="yes",
            appearance="multiline",
        ),
        row(
            "integer",
            "nivel_riesgo",
            "Nivel de riesgo (1-3)",
            "Risk level (1-3)",
            constraint=". >= 1 and . <= 3",
            message_es="Entre 1 y 3",
            message_en="Between 1 and 3",
        ),
        row("begin repeat", "hermanos", "Hermanas y hermanos", "Siblings"),
        row("text", "hermano_nombre", "Nombre", "Name", required="yes"),
        row("integer", "hermano_edad", "Edad", "Age", constraint=". >= 0"),
        row(
            "select_one si_no",
            "hermano_junto",
            "¿Vive con el NNA?",
            "Lives with the child?",
            relevant="${hermano_edad} < 18",
        ),
        row("end repeat"),
        row("calculate", "total_hermanos", calculation="count(${hermanos})"),
        row(
            "note",
            "resumen",
            "Hermanos registrados: ${total_hermanos}",
            "Siblings recorded: ${total_hermanos}",
        ),
        row("end group"),
        row("geopoint", "ubicacion", "Ubicación de la entrevista", "Interview location"),
        row("image", "foto", "Fotografía", "Photo"),
        row("dateTime", "fecha_entrevista", "Fecha y hora de la entrevista", "Interview date and time"),
    ]
    choices = [
        ["list_name", "name", "label::Español (es)", "label::English (en)"],
        ["sexo", "f", "Mujer", "Female"],
        ["sexo", "m", "Hombre", "Male"],
        ["sexo", "x", "Otro", "Other"],
        ["si_no", "si", "Sí", "Yes"],
        ["si_no", "no", "No", "No"],
        ["riesgos", "calle", "Situación de calle", "Living on the street"],
        ["riesgos", "trabajo", "Trabajo infantil", "Child labour"],
        ["riesgos", "separado", "Separado de su familia", "Separated from family"],
        ["riesgos", "otro", "Otro", "Other"],
    ]
    settings = [
        ["form_id", "form_title", "default_language", "version"],
        ["cpims_registro", "Registro CPIMS", "Español (es)", "2026112201"],
    ]
    return workbook(survey, choices, settings)


def broken_registration() -> bytes:
    """Every kind of mistake at once, on known cells."""
    survey = [
        SURVEY_HEADER,
        row("text", "nombre", "Nombre", "Name", required="yes"),  # row 2: fine
        row("integer", "nombre", "Edad", "Age", required="maybe"),  # row 3: duplicate name, bad required
        row("select_one colores", "color", "Color", "Colour"),  # row 4: unknown list
        row("audio", "voz", "Voz", "Voice"),  # row 5: unsupported type
        row("text", "apodo", "Apodo", "Nickname", relevant="${nombre} = "),  # row 6: broken expression
        row("text", "", "Sin nombre", "No name"),  # row 7: missing name
        row("integer", "hijos", "Hijos", "Children", relevant="${ninguno} > 0"),  # row 8: unknown reference
        row("begin group", "grupo", "Grupo", "Group"),  # row 9: never closed
        row("text", "dentro", "", ""),  # row 10: missing label
    ]
    choices = [
        ["list_name", "name", "label::Español (es)", "label::English (en)"],
        ["si_no", "si", "Sí", "Yes"],
        ["si_no", "si", "Sí otra vez", "Yes again"],
    ]  # row 3: duplicate
    settings = [["form_id", "form_title"], ["roto", "Formulario roto"]]
    return workbook(survey, choices, settings)
