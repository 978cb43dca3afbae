"""A small case configuration for tests: a registration form with options, dates, numbers, text,
skip logic and a sensitive field; a follow-up form; an intervention form; a case type using them."""

from dataclasses import dataclass
from typing import Any

from amparo.accounts.models import OrgUnit
from amparo.cases import services
from amparo.cases.choices import FormPurpose
from amparo.cases.models import CaseType
from amparo.cases.services import CaseTypeInput, NamedInput, TypeFormInput
from amparo.forms.models import Form
from amparo.forms.tests.factories import form_with, option


def registration_definition() -> dict[str, Any]:
    return {
        "schema": 1,
        "default_language": "es",
        "title": {"es": "Registro de protección", "en": "Protection registration"},
        "option_lists": [
            {
                "name": "motivo",
                "options": [
                    option("violencia", "Violencia", "Violence"),
                    option("abandono", "Abandono", "Neglect"),
                    option("migracion", "Migración no acompañada", "Unaccompanied migration"),
                ],
            },
            {
                "name": "necesidades",
                "options": [
                    option("salud", "Salud", "Health"),
                    option("educacion", "Educación", "Education"),
                ],
            },
        ],
        "sections": [
            {
                "name": "ingreso",
                "label": {"es": "Ingreso", "en": "Intake"},
                "fields": [
                    {
                        "name": "motivo",
                        "type": "select_one",
                        "label": {"es": "Motivo", "en": "Reason"},
                        "options": "motivo",
                        "required": True,
                    },
                    {
                        "name": "fecha_ingreso",
                        "type": "date",
                        "label": {"es": "Fecha de ingreso", "en": "Intake date"},
                    },
                    {
                        "name": "edad",
                        "type": "integer",
                        "label": {"es": "Edad", "en": "Age"},
                        "minimum": 0,
                        "maximum": 17,
                    },
                    {
                        "name": "necesidades",
                        "type": "select_multiple",
                        "label": {"es": "Necesidades"},
                        "options": "necesidades",
                    },
                    {"name": "lugar", "type": "text", "label": {"es": "Lugar de detección", "en": "Place"}},
                    {
                        "name": "acompanado",
                        "type": "yes_no",
                        "label": {"es": "¿Viaja acompañado?", "en": "Travelling with an adult?"},
                    },
                    {
                        "name": "acompanante",
                        "type": "text",
                        "label": {"es": "Nombre del acompañante", "en": "Companion's name"},
                        "relevant": "${acompanado} = 'yes'",
                        "required": True,
                    },
                    {
                        "name": "relato",
                        "type": "long_text",
                        "label": {"es": "Relato", "en": "Account"},
                        "sensitivity": 2,
                    },
                    {
                        "name": "hermanos",
                        "type": "repeat",
                        "label": {"es": "Hermanos", "en": "Siblings"},
                        "fields": [
                            {"name": "hermano_nombre", "type": "text", "label": {"es": "Nombre"}},
                            {"name": "hermano_edad", "type": "integer", "label": {"es": "Edad", "en": "Age"}},
                            {"name": "hermano_nacimiento", "type": "date", "label": {"es": "Nacimiento"}},
                            {
                                "name": "hermano_necesidad",
                                "type": "select_one",
                                "options": "necesidades",
                                "label": {"es": "Necesidad", "en": "Need"},
                            },
                            {
                                "name": "hermano_paradero",
                                "type": "integer",
                                "label": {"es": "Código de paradero"},
                                "sensitivity": 2,
                            },
                        ],
                    },
                ],
            }
        ],
    }


def follow_up_definition() -> dict[str, Any]:
    return {
        "schema": 1,
        "default_language": "es",
        "title": {"es": "Seguimiento"},
        "option_lists": [],
        "sections": [
            {
                "name": "s",
                "label": {"es": "Seguimiento"},
                "fields": [
                    {"name": "avance", "type": "long_text", "label": {"es": "Avance"}},
                ],
            }
        ],
    }


def visit_definition() -> dict[str, Any]:
    return {
        "schema": 1,
        "default_language": "es",
        "title": {"es": "Visita domiciliaria"},
        "option_lists": [],
        "sections": [
            {
                "name": "s",
                "label": {"es": "Visita"},
                "fields": [
                    {"name": "hallazgos", "type": "text", "label": {"es": "Hallazgos"}, "required": True},
                    {"name": "proxima_visita", "type": "date", "label": {"es": "Próxima visita"}},
                    {"name": "ninos_presentes", "type": "yes_no", "label": {"es": "¿Niños presentes?"}},
                    {
                        "name": "observacion_reservada",
                        "type": "text",
                        "label": {"es": "Observación reservada"},
                        "sensitivity": 2,
                    },
                ],
            }
        ],
    }


@dataclass
class CaseConfig:
    case_type: CaseType
    registration: Form
    follow_up: Form
    visit: Form


def case_config_create(*, unit: OrgUnit, code: str = "prot") -> CaseConfig:
    registration, _v = form_with(registration_definition(), unit=unit, identifier=f"{code}_registro")
    follow_up, _v2 = form_with(follow_up_definition(), unit=unit, identifier=f"{code}_seguimiento")
    visit, _v3 = form_with(visit_definition(), unit=unit, identifier=f"{code}_visita")
    case_type = services.case_type_save(
        actor=None,
        data=CaseTypeInput(
            code=code,
            name_es="Protección especial",
            name_en="Special protection",
            number_prefix="PROT",
            forms=[
                TypeFormInput(registration, FormPurpose.REGISTRATION),
                TypeFormInput(follow_up, FormPurpose.FOLLOW_UP),
            ],
            classifications=[
                NamedInput("orientacion", "Orientación", "Guidance"),
                NamedInput("asistencia", "Asistencia", "Assistance"),
                NamedInput("proteccion", "Protección", "Protection"),
            ],
            intervention_types=[
                NamedInput("visita", "Visita domiciliaria", "Home visit", form=visit),
                NamedInput("llamada", "Llamada", "Call"),
            ],
        ),
    )
    return CaseConfig(case_type=case_type, registration=registration, follow_up=follow_up, visit=visit)
