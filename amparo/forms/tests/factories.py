"""Definitions and forms for tests: small realistic ones, built through the services."""

from typing import Any, Literal, overload

from amparo.accounts.models import OrgUnit
from amparo.forms import services
from amparo.forms.models import Form, FormVersion


def option(value: str, es: str, en: str = "") -> dict[str, Any]:
    return {"value": value, "label": {"es": es, **({"en": en} if en else {})}}


def registration_definition() -> dict[str, Any]:
    """A CPIMS+-style child registration: skip logic, calculations, a repeat, sensitive fields."""
    return {
        "schema": 1,
        "default_language": "es",
        "title": {"es": "Registro de niña, niño o adolescente", "en": "Child registration"},
        "option_lists": [
            {
                "name": "sexo",
                "options": [
                    option("f", "Mujer", "Female"),
                    option("m", "Hombre", "Male"),
                    option("x", "Otro", "Other"),
                ],
            },
            {
                "name": "riesgos",
                "options": [
                    option("calle", "Situación de calle", "Living on the street"),
                    option("trabajo", "Trabajo infantil", "Child labour"),
                    option("violencia", "Violencia", "Violence"),
                ],
            },
            {
                "name": "parentesco",
                "options": [option("hermano", "Hermano/a", "Sibling"), option("primo", "Primo/a", "Cousin")],
            },
        ],
        "sections": [
            {
                "name": "identificacion",
                "label": {"es": "Identificación", "en": "Identification"},
                "fields": [
                    {
                        "name": "nombre",
                        "type": "text",
                        "label": {"es": "Nombre", "en": "Name"},
                        "required": True,
                    },
                    {
                        "name": "fecha_nacimiento",
                        "type": "date",
                        "label": {"es": "Fecha de nacimiento", "en": "Date of birth"},
                        "required": True,
                        "constraint": ". <= today()",
                        "constraint_message": {"es": "No puede ser futura", "en": "Cannot be in the future"},
                    },
                    {"name": "edad", "type": "calculated", "calculation": "age(${fecha_nacimiento})"},
                    {
                        "name": "sexo",
                        "type": "select_one",
                        "label": {"es": "Sexo", "en": "Sex"},
                        "options": "sexo",
                    },
                    {
                        "name": "escolarizado",
                        "type": "yes_no",
                        "label": {"es": "¿Va a la escuela?", "en": "Attends school?"},
                    },
                    {
                        "name": "grado",
                        "type": "integer",
                        "label": {"es": "Grado", "en": "Grade"},
                        "relevant": "${escolarizado} = 'yes'",
                        "required": True,
                        "minimum": 1,
                        "maximum": 12,
                    },
                ],
            },
            {
                "name": "proteccion",
                "label": {"es": "Protección", "en": "Protection"},
                "relevant": "${edad} < 18",
                "fields": [
                    {
                        "name": "riesgos",
                        "type": "select_multiple",
                        "label": {"es": "Riesgos", "en": "Risks"},
                        "options": "riesgos",
                        "sensitivity": 1,
                    },
                    {
                        "name": "detalle_violencia",
                        "type": "long_text",
                        "label": {"es": "Detalle de la violencia", "en": "Violence details"},
                        "relevant": "selected(${riesgos}, 'violencia')",
                        "sensitivity": 2,
                        "required": True,
                    },
                    {
                        "name": "hermanos",
                        "type": "repeat",
                        "label": {"es": "Hermanos", "en": "Siblings"},
                        "fields": [
                            {
                                "name": "hermano_nombre",
                                "type": "text",
                                "label": {"es": "Nombre", "en": "Name"},
                                "required": True,
                            },
                            {
                                "name": "hermano_edad",
                                "type": "integer",
                                "label": {"es": "Edad", "en": "Age"},
                                "minimum": 0,
                            },
                            {
                                "name": "hermano_escuela",
                                "type": "yes_no",
                                "label": {"es": "¿Va a la escuela?", "en": "In school?"},
                                "relevant": "${hermano_edad} >= 6",
                            },
                        ],
                    },
                    {"name": "total_hermanos", "type": "calculated", "calculation": "count(${hermanos})"},
                    {
                        "name": "nota",
                        "type": "note",
                        "label": {
                            "es": "Hermanos registrados: ${total_hermanos}",
                            "en": "Siblings: ${total_hermanos}",
                        },
                    },
                ],
            },
        ],
    }


@overload
def form_with(
    definition: dict[str, Any], *, unit: OrgUnit, identifier: str = ..., publish: Literal[True] = ...
) -> tuple[Form, FormVersion]: ...


@overload
def form_with(
    definition: dict[str, Any], *, unit: OrgUnit, identifier: str = ..., publish: Literal[False]
) -> tuple[Form, None]: ...


def form_with(
    definition: dict[str, Any], *, unit: OrgUnit, identifier: str = "registro", publish: bool = True
) -> tuple[Form, FormVersion | None]:
    title = definition.get("title", {})
    form = services.form_create(
        actor=None,
        identifier=identifier,
        title_es=title.get("es", identifier),
        title_en=title.get("en", ""),
        org_unit=unit,
        definition=definition,
    )
    version = services.form_publish(actor=None, form=form) if publish else None
    return form, version
