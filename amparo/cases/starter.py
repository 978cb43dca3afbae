"""The starter configuration in Spanish, built as amparo.forms definitions through the forms
services (published) and wired to case types:

- Protección de niñas, niños y adolescentes (in the spirit of the inter-agency CPIMS+ forms):
  registro, evaluación del interés superior, plan de caso, seguimiento, cierre; visita domiciliaria.
- Protección consular (orientación / asistencia / protección): registro consular; visita a centro
  de detención, acompañamiento.
- Medidas RUNac: legajo (the child's LEGAJOS columns), MPI, MPE, MPJ with the fields of the RUNac
  file contract.

`starter_config_load()` is idempotent and runs as the system (actor None): on an existing database
it adds the starter forms new to this version (linked to their type) and publishes the new
definition of superseded starter forms nobody edited; it changes nothing else.
`demo_roles_grant_cases()` gives the demo roles the case permissions.
"""

import copy
from typing import Any

from django.db import transaction

from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, Role
from amparo.cases import services
from amparo.cases.choices import FormPurpose
from amparo.cases.models import CaseType
from amparo.cases.services import CaseTypeInput, NamedInput, TypeFormInput
from amparo.forms import services as forms_services
from amparo.forms.models import Form

SI_NO_SD = [("si", "Sí", "Yes"), ("no", "No", "No"), ("sin_dato", "Sin dato", "No data")]


def _text(es: str, en: str = "") -> dict[str, str]:
    return {"es": es, **({"en": en} if en else {})}


def field(name: str, kind: str, es: str, en: str = "", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "label": _text(es, en), **extra}


def options(name: str, items: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {"name": name, "options": [{"value": value, "label": _text(es, en)} for value, es, en in items]}


def definition(
    title_es: str,
    title_en: str,
    sections: list[tuple[str, str, list[dict[str, Any]]]],
    option_lists: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "schema": 1,
        "default_language": "es",
        "title": _text(title_es, title_en),
        "option_lists": option_lists or [],
        "sections": [
            {"name": name, "label": _text(label), "fields": fields} for name, label, fields in sections
        ],
    }


RIESGOS = options(
    "riesgos",
    [
        ("violencia_fisica", "Violencia física", "Physical violence"),
        ("abuso_sexual", "Abuso sexual", "Sexual abuse"),
        ("negligencia", "Negligencia", "Neglect"),
        ("trabajo_infantil", "Trabajo infantil", "Child labour"),
        ("situacion_calle", "Situación de calle", "Living on the street"),
        ("no_acompanado", "No acompañado / separado", "Unaccompanied / separated"),
        ("trata", "Trata", "Trafficking"),
        ("otro", "Otro", "Other"),
    ],
)
SEXO = options("sexo", [("f", "Mujer", "Female"), ("m", "Hombre", "Male"), ("x", "Otro", "Other")])
CUIDADO = options(
    "cuidado",
    [
        ("padres", "Con padre/madre", "With parents"),
        ("familia_ampliada", "Familia ampliada", "Wider family"),
        ("acogimiento", "Familia de acogida", "Foster family"),
        ("institucion", "Institución", "Institution"),
        ("solo", "Sin cuidador", "No caregiver"),
    ],
)
SINO = options("si_no_sd", SI_NO_SD)

# RUNac. Predefined (P) columns take the national values themselves; equivalence (TE) columns take
# local options, translated to national categories by each jurisdiction's equivalence table.
SI_NO_SIN_DATO_RUNAC = options(
    "si_no_sin_dato", [("SI", "Sí", "Yes"), ("NO", "No", "No"), ("SIN_DATO", "Sin dato", "No data")]
)
PUEBLO_ORIGINARIO = options(
    "pueblo_originario",
    [
        ("ninguno", "No pertenece a un pueblo originario", "None"),
        ("kolla", "Kolla", "Kolla"),
        ("guarani", "Guaraní", "Guaraní"),
        ("wichi", "Wichí", "Wichí"),
        ("qom", "Qom", "Qom"),
        ("mapuche", "Mapuche", "Mapuche"),
        ("diaguita", "Diaguita", "Diaguita"),
        ("omaguaca", "Omaguaca", "Omaguaca"),
        ("atacama", "Atacama", "Atacama"),
        ("otro", "Otro pueblo", "Another people"),
        ("sin_dato", "Sin dato", "No data"),
    ],
)
NIVEL_EDUCATIVO = options(
    "nivel_educativo",
    [
        ("sin_escolarizar", "Sin escolarizar", "Never schooled"),
        ("inicial", "Nivel inicial", "Pre-school"),
        ("primaria_incompleta", "Primaria incompleta", "Primary, not completed"),
        ("primaria_completa", "Primaria completa", "Primary completed"),
        ("secundaria_incompleta", "Secundaria incompleta", "Secondary, not completed"),
        ("secundaria_completa", "Secundaria completa", "Secondary completed"),
        ("terciaria_universitaria", "Terciaria o universitaria", "Higher education"),
        ("sin_dato", "Sin dato", "No data"),
    ],
)
TIPO_MPI = options(
    "tipo_mpi",
    [
        ("entrevista", "Entrevista", "Interview"),
        ("visita_domiciliaria", "Visita domiciliaria", "Home visit"),
        ("derivacion", "Derivación a servicio", "Referral to a service"),
        ("acompanamiento", "Acompañamiento", "Accompaniment"),
        ("articulacion", "Articulación institucional", "Inter-agency coordination"),
        ("asistencia_material", "Asistencia material", "Material assistance"),
        ("otra", "Otra", "Other"),
    ],
)
DERECHO_VULNERADO = options(
    "derecho_vulnerado",
    [
        ("violencia_fisica", "Violencia física", "Physical violence"),
        ("violencia_psicologica", "Violencia psicológica", "Psychological violence"),
        ("abuso_sexual", "Abuso sexual", "Sexual abuse"),
        ("negligencia", "Negligencia", "Neglect"),
        ("abandono", "Abandono", "Abandonment"),
        ("trabajo_infantil", "Trabajo infantil", "Child labour"),
        ("trata", "Trata", "Trafficking"),
        ("situacion_calle", "Situación de calle", "Living on the street"),
        ("consumo", "Consumo problemático", "Substance misuse"),
        ("salud", "Acceso a la salud", "Access to health care"),
        ("educacion", "Acceso a la educación", "Access to education"),
        ("documentacion", "Documentación", "Identity documents"),
        ("otro", "Otro", "Other"),
    ],
)
ORIGEN_DEMANDA = options(
    "origen_demanda",
    [
        ("102", "Línea 102", "Helpline 102"),
        ("escuela", "Escuela", "School"),
        ("salud", "Centro de salud", "Health centre"),
        ("policia", "Policía", "Police"),
        ("judicial", "Poder judicial", "Courts"),
        ("espontanea", "Demanda espontánea", "Walk-in"),
        ("organizacion_social", "Organización social", "Community organisation"),
        ("otro", "Otro", "Other"),
    ],
)
MOTIVO_CIERRE_MPI = options(
    "motivo_cierre_mpi",
    [
        ("restituido", "Derecho restituido", "Right restored"),
        ("otra_jurisdiccion", "Derivación a otra jurisdicción", "Referred to another jurisdiction"),
        ("paso_mpe", "Pasó a medida excepcional", "Became an exceptional measure"),
        ("mayoria_edad", "Mayoría de edad", "Came of age"),
        ("sin_contacto", "Sin contacto", "Lost contact"),
        ("otro", "Otro", "Other"),
    ],
)

# MPE intervention types (the national codes as local ids: a measure starts and ends on them) and
# restitution projects (a predefined column): unchanged since the first version.
TIPO_MPE = options(
    "tipo_mpe",
    [
        ("PER_INICIAL", "Inicial", "Initial"),
        ("PRORROGA", "Prórroga", "Extension"),
        ("CAMBIO_AMBITO", "Cambio de ámbito", "Change of placement"),
        ("CESE_MPE", "Cese", "End"),
    ],
)
PROYECTO_RESTITUCION = options(
    "proyecto",
    [
        ("REVINCULACION_FAMILIAR", "Revinculación familiar", "Family reunification"),
        ("FAMILIA_AMPLIADA", "Familia ampliada", "Wider family"),
        ("ADOPCION", "Adopción", "Adoption"),
        ("AUTONOMIA", "Autonomía", "Autonomy"),
        ("OTRO", "Otro", "Other"),
        ("SIN_DATO", "Sin dato", "No data"),
    ],
)
# MPE and MPJ categories: local codes a provincial area would use, some finer than the national
# categories (the equivalence table maps several of them to one category).
AMBITO_CUMPLIMIENTO = options(
    "ambito_cumplimiento",
    [
        ("familia_ampliada", "Familia ampliada", "Wider family"),
        ("referente_afectivo", "Referente afectivo o comunitario", "Trusted adult or community referent"),
        ("acogimiento", "Familia de acogimiento", "Foster family"),
        ("hogar", "Hogar o residencia", "Residential home"),
        ("terapeutico", "Dispositivo terapéutico", "Therapeutic facility"),
        ("otro", "Otro", "Other"),
    ],
)
TIPO_DISPOSITIVO_MPE = options(
    "tipo_dispositivo_mpe",
    [
        ("hogar_convivencial", "Hogar convivencial", "Group home"),
        ("pequeno_hogar", "Pequeño hogar", "Small residential home"),
        ("centro_admision", "Centro de admisión y derivación", "Admission and referral centre"),
        ("comunidad_terapeutica", "Comunidad terapéutica", "Therapeutic community"),
        ("familia_acogedora", "Programa familia acogedora", "Foster family programme"),
        ("no_corresponde", "No corresponde (sin dispositivo)", "Not applicable (no facility)"),
        ("otro", "Otro", "Other"),
    ],
)
SITUACION_AL_CESE = options(
    "situacion_al_cese",
    [
        ("reintegro", "Reintegro a la familia de origen", "Returned to the family of origin"),
        ("familia_ampliada", "Con familia ampliada", "With wider family"),
        ("guarda_adoptiva", "Guarda con fines de adopción", "Pre-adoptive placement"),
        ("autonomia", "Egreso autónomo", "Independent living"),
        ("mayoria_edad", "Mayoría de edad", "Came of age"),
        ("fallecimiento", "Fallecimiento", "Death"),
        ("otro", "Otro", "Other"),
    ],
)
TIPO_MEDIDA_PENAL = options(
    "tipo_medida_penal",
    [
        ("privativa", "Privativa de libertad", "Custodial"),
        ("restrictiva", "Restrictiva de libertad", "Restriction of liberty"),
        ("territorio", "Medida en territorio", "Community-based measure"),
        ("otra", "Otra", "Other"),
    ],
)
DISPOSITIVO_MPJ = options(
    "dispositivo_mpj",
    [
        ("centro_cerrado", "Centro cerrado", "Closed centre"),
        ("semicerrado", "Centro semicerrado", "Semi-open centre"),
        ("residencia", "Residencia socioeducativa", "Socio-educational residence"),
        ("programa", "Programa en territorio", "Community programme"),
        ("admision", "Centro de admisión", "Admission centre"),
        ("otro", "Otro", "Other"),
    ],
)
DELITO_IMPUTADO = options(
    "delito_imputado",
    [
        ("robo", "Robo", "Robbery"),
        ("hurto", "Hurto", "Theft"),
        ("danos", "Daños", "Criminal damage"),
        ("lesiones", "Lesiones", "Assault"),
        ("homicidio", "Homicidio o tentativa", "Homicide or attempt"),
        ("abuso_sexual", "Abuso sexual", "Sexual abuse"),
        ("estupefacientes", "Ley de estupefacientes", "Drug offence"),
        ("amenazas", "Amenazas", "Threats"),
        ("otro", "Otro", "Other"),
        ("sin_dato", "Sin dato", "No data"),
    ],
)
SITUACION_PROCESAL = options(
    "situacion_procesal",
    [
        ("procesado", "Procesado/a", "Charged"),
        ("responsable", "Declarado/a responsable", "Found responsible"),
        ("sobreseido", "Sobreseído/a", "Case dismissed"),
        ("sin_dato", "Sin dato", "No data"),
    ],
)
MOTIVO_EGRESO = options(
    "motivo_egreso",
    [
        ("cumplimiento", "Cumplimiento de la medida", "Measure completed"),
        ("cambio_medida", "Cambio de medida", "Measure changed"),
        ("disposicion_judicial", "Disposición judicial", "Court order"),
        ("mayoria_edad", "Mayoría de edad", "Came of age"),
        ("evasion", "Evasión", "Absconded"),
        ("fallecimiento", "Fallecimiento", "Death"),
        ("otro", "Otro", "Other"),
    ],
)

FORMS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "pna_registro": (
        "Registro de niña, niño o adolescente",
        "Child registration",
        definition(
            "Registro de niña, niño o adolescente",
            "Child registration",
            [
                (
                    "deteccion",
                    "Detección",
                    [
                        field(
                            "fecha_identificacion",
                            "date",
                            "Fecha de identificación",
                            "Identification date",
                            required=True,
                            constraint=". <= today()",
                            constraint_message=_text("No puede ser futura", "Cannot be future"),
                        ),
                        field("via_ingreso", "text", "Vía de ingreso / referente", "Referral source"),
                        field(
                            "riesgos",
                            "select_multiple",
                            "Riesgos de protección",
                            "Protection risks",
                            options="riesgos",
                            required=True,
                        ),
                        field(
                            "riesgo_principal",
                            "select_one",
                            "Riesgo principal",
                            "Main risk",
                            options="riesgos",
                        ),
                    ],
                ),
                (
                    "cuidado",
                    "Cuidado",
                    [
                        field(
                            "situacion_cuidado",
                            "select_one",
                            "Situación de cuidado",
                            "Care arrangement",
                            options="cuidado",
                        ),
                        field(
                            "cuidador_nombre",
                            "text",
                            "Nombre del cuidador/a",
                            "Caregiver's name",
                            relevant="${situacion_cuidado} != 'solo' and ${situacion_cuidado} != ''",
                        ),
                        field("separado", "yes_no", "¿Separado/a de su familia?", "Separated from family?"),
                        field(
                            "fecha_separacion",
                            "date",
                            "Fecha de separación",
                            "Date of separation",
                            relevant="${separado} = 'yes'",
                            required=True,
                        ),
                        field(
                            "hermanos",
                            "repeat",
                            "Hermanos/as",
                            "Siblings",
                            fields=[
                                field("hermano_nombre", "text", "Nombre", "Name"),
                                field("hermano_edad", "integer", "Edad", "Age", minimum=0, maximum=30),
                            ],
                        ),
                    ],
                ),
                (
                    "reservado",
                    "Información reservada",
                    [
                        field(
                            "relato", "long_text", "Relato de los hechos", "Account of events", sensitivity=2
                        ),
                        field(
                            "agresor_conocido",
                            "yes_no",
                            "¿Persona agresora conocida?",
                            "Known perpetrator?",
                            sensitivity=2,
                        ),
                    ],
                ),
            ],
            [RIESGOS, SEXO, CUIDADO],
        ),
    ),
    "pna_evaluacion": (
        "Evaluación del interés superior",
        "Best-interest assessment",
        definition(
            "Evaluación del interés superior",
            "Best-interest assessment",
            [
                (
                    "evaluacion",
                    "Evaluación",
                    [
                        field(
                            "fecha_evaluacion",
                            "date",
                            "Fecha de evaluación",
                            "Assessment date",
                            required=True,
                        ),
                        field(
                            "salud", "select_one", "Necesidades de salud", "Health needs", options="si_no_sd"
                        ),
                        field(
                            "educacion",
                            "select_one",
                            "Asiste a la escuela",
                            "Attends school",
                            options="si_no_sd",
                        ),
                        field(
                            "opinion_nna",
                            "long_text",
                            "Opinión de la niña, niño o adolescente",
                            "Child's views",
                        ),
                        field(
                            "nivel_riesgo",
                            "select_one",
                            "Nivel de riesgo evaluado",
                            "Assessed risk",
                            options="nivel",
                            required=True,
                        ),
                        field("salud_mental", "long_text", "Salud mental", "Mental health", sensitivity=2),
                    ],
                ),
            ],
            [
                SINO,
                options(
                    "nivel", [("bajo", "Bajo", "Low"), ("medio", "Medio", "Medium"), ("alto", "Alto", "High")]
                ),
            ],
        ),
    ),
    "pna_plan": (
        "Plan de caso",
        "Case plan",
        definition(
            "Plan de caso",
            "Case plan",
            [
                (
                    "plan",
                    "Plan",
                    [
                        field("fecha_plan", "date", "Fecha del plan", "Plan date", required=True),
                        field(
                            "acciones",
                            "repeat",
                            "Acciones",
                            "Actions",
                            fields=[
                                field("accion", "text", "Acción", "Action", required=True),
                                field("responsable", "text", "Responsable", "Responsible"),
                                field("plazo", "date", "Plazo", "Due date"),
                            ],
                        ),
                        field("proxima_revision", "date", "Próxima revisión", "Next review"),
                    ],
                ),
            ],
        ),
    ),
    "pna_seguimiento": (
        "Seguimiento",
        "Follow-up",
        definition(
            "Seguimiento",
            "Follow-up",
            [
                (
                    "seguimiento",
                    "Seguimiento",
                    [
                        field("fecha_seguimiento", "date", "Fecha", "Date", required=True),
                        field("avance", "select_one", "Avance del plan", "Plan progress", options="avance"),
                        field("notas", "long_text", "Notas", "Notes"),
                    ],
                ),
            ],
            [
                options(
                    "avance",
                    [
                        ("sin", "Sin avance", "None"),
                        ("parcial", "Parcial", "Partial"),
                        ("cumplido", "Cumplido", "Achieved"),
                    ],
                )
            ],
        ),
    ),
    "pna_cierre": (
        "Cierre",
        "Closure",
        definition(
            "Cierre",
            "Closure",
            [
                (
                    "cierre",
                    "Cierre",
                    [
                        field("fecha_cierre", "date", "Fecha de cierre", "Closure date", required=True),
                        field(
                            "motivo_cierre",
                            "select_one",
                            "Motivo de cierre",
                            "Reason",
                            options="motivo_cierre",
                            required=True,
                        ),
                        field(
                            "motivo_otro",
                            "text",
                            "Otro motivo",
                            "Other reason",
                            relevant="${motivo_cierre} = 'otro'",
                        ),
                    ],
                ),
            ],
            [
                options(
                    "motivo_cierre",
                    [
                        ("objetivos", "Objetivos cumplidos", "Goals met"),
                        ("mayoria_edad", "Mayoría de edad", "Came of age"),
                        ("traslado", "Traslado", "Transferred"),
                        ("otro", "Otro", "Other"),
                    ],
                )
            ],
        ),
    ),
    "pna_visita": (
        "Visita domiciliaria",
        "Home visit",
        definition(
            "Visita domiciliaria",
            "Home visit",
            [
                (
                    "visita",
                    "Visita",
                    [
                        field("presente", "yes_no", "¿Se encontró a la niña/niño?", "Child present?"),
                        field("hallazgos", "long_text", "Hallazgos", "Findings", required=True),
                    ],
                ),
            ],
        ),
    ),
    "pna_reunificacion": (
        "Reunificación familiar",
        "Family reunification",
        definition(
            "Reunificación familiar",
            "Family reunification",
            [
                (
                    "reunificacion",
                    "Reunificación",
                    [
                        field(
                            "solicitud_busqueda",
                            "text",
                            "Solicitud de búsqueda",
                            "Tracing request",
                            required=True,
                        ),
                        field("familiar", "text", "Familiar que busca", "Relative looking for the child"),
                        field(
                            "estado_reunificacion",
                            "select_one",
                            "Estado",
                            "Status",
                            options="estado_reunificacion",
                            required=True,
                        ),
                        field("notas", "long_text", "Notas", "Notes"),
                    ],
                ),
            ],
            [
                options(
                    "estado_reunificacion",
                    [
                        ("verificacion", "Verificación del vínculo", "Verifying the relationship"),
                        ("planificada", "Reunificación planificada", "Reunification planned"),
                        ("realizada", "Reunificación realizada", "Reunited"),
                        ("descartada", "Descartada", "Not pursued"),
                    ],
                )
            ],
        ),
    ),
    "cons_registro": (
        "Registro consular",
        "Consular registration",
        definition(
            "Registro consular",
            "Consular registration",
            [
                (
                    "atencion",
                    "Atención",
                    [
                        field(
                            "fecha_solicitud", "date", "Fecha de la solicitud", "Request date", required=True
                        ),
                        field("materia", "select_one", "Materia", "Matter", options="materia", required=True),
                        field("canal", "select_one", "Canal", "Channel", options="canal"),
                        field("pais_ocurrencia", "text", "País donde ocurre", "Country"),
                        field("detenido", "yes_no", "¿Persona detenida?", "Detained?"),
                        field(
                            "centro_detencion",
                            "text",
                            "Centro de detención",
                            "Detention centre",
                            relevant="${detenido} = 'yes'",
                            required=True,
                        ),
                        field("descripcion", "long_text", "Descripción", "Description"),
                        field(
                            "antecedentes_penales",
                            "long_text",
                            "Antecedentes penales",
                            "Criminal record",
                            sensitivity=2,
                        ),
                    ],
                ),
            ],
            [
                options(
                    "materia",
                    [
                        ("civil", "Civil", "Civil"),
                        ("penal", "Penal", "Criminal"),
                        ("migratorio", "Migratorio", "Migration"),
                        ("laboral", "Laboral", "Labour"),
                    ],
                ),
                options(
                    "canal",
                    [
                        ("presencial", "Presencial", "In person"),
                        ("telefono", "Teléfono", "Phone"),
                        ("correo", "Correo", "E-mail"),
                    ],
                ),
            ],
        ),
    ),
    "cons_visita_detencion": (
        "Visita a centro de detención",
        "Detention centre visit",
        definition(
            "Visita a centro de detención",
            "Detention centre visit",
            [
                (
                    "visita",
                    "Visita",
                    [
                        field("centro", "text", "Centro", "Centre", required=True),
                        field(
                            "condiciones", "select_one", "Condiciones", "Conditions", options="condiciones"
                        ),
                        field("acceso_defensa", "yes_no", "¿Tiene defensa legal?", "Has legal counsel?"),
                        field("observaciones", "long_text", "Observaciones", "Notes"),
                    ],
                ),
            ],
            [
                options(
                    "condiciones",
                    [
                        ("adecuadas", "Adecuadas", "Adequate"),
                        ("deficientes", "Deficientes", "Poor"),
                        ("graves", "Graves", "Serious"),
                    ],
                )
            ],
        ),
    ),
    "runac_legajo": (
        "Legajo RUNac (datos de la niña, niño o adolescente)",
        "RUNac file (the child's details)",
        definition(
            "Legajo RUNac (datos de la niña, niño o adolescente)",
            "RUNac file (the child's details)",
            [
                (
                    "legajo",
                    "Datos del legajo",
                    [
                        field(
                            "pueblo_originario",
                            "select_one",
                            "Pueblo originario",
                            "Indigenous people",
                            options="pueblo_originario",
                        ),
                        field(
                            "escolarizado",
                            "select_one",
                            "¿Está escolarizada/o?",
                            "Attends school?",
                            options="si_no_sin_dato",
                        ),
                        field(
                            "nivel_educativo",
                            "select_one",
                            "Nivel educativo alcanzado",
                            "Education level reached",
                            options="nivel_educativo",
                        ),
                        field(
                            "discapacidad",
                            "select_one",
                            "¿Tiene alguna discapacidad?",
                            "Has a disability?",
                            options="si_no_sin_dato",
                        ),
                        field(
                            "cud",
                            "select_one",
                            "¿Tiene Certificado Único de Discapacidad (CUD)?",
                            "Holds a disability certificate (CUD)?",
                            options="si_no_sin_dato",
                            relevant="${discapacidad} = 'SI'",
                        ),
                        field(
                            "documentado",
                            "select_one",
                            "¿Tiene documento de identidad?",
                            "Has an identity document?",
                            options="si_no_sin_dato",
                        ),
                    ],
                ),
            ],
            [PUEBLO_ORIGINARIO, NIVEL_EDUCATIVO, SI_NO_SIN_DATO_RUNAC],
        ),
    ),
    "runac_mpi": (
        "Medida de protección integral (MPI)",
        "Integral protection measure",
        definition(
            "Medida de protección integral (MPI)",
            "Integral protection measure (MPI)",
            [
                (
                    "mpi",
                    "MPI",
                    [
                        field(
                            "id_intervencion", "text", "ID de intervención", "Intervention id", required=True
                        ),
                        field(
                            "tipo_intervencion",
                            "select_one",
                            "Tipo de intervención",
                            "Intervention type",
                            options="tipo_mpi",
                        ),
                        field("motivo", "text", "Motivo", "Reason"),
                        field(
                            "derecho_vulnerado",
                            "select_one",
                            "Derecho vulnerado",
                            "Right violated",
                            options="derecho_vulnerado",
                        ),
                        field(
                            "origen_demanda",
                            "select_one",
                            "Origen de la demanda",
                            "Origin",
                            options="origen_demanda",
                        ),
                        field("organismo_interviniente", "text", "Organismo interviniente", "Agency"),
                        field("fecha_cierre", "date", "Fecha de cierre", "Closing date"),
                        field(
                            "motivo_cierre",
                            "select_one",
                            "Motivo de cierre",
                            "Closing reason",
                            options="motivo_cierre_mpi",
                        ),
                    ],
                ),
            ],
            [TIPO_MPI, DERECHO_VULNERADO, ORIGEN_DEMANDA, MOTIVO_CIERRE_MPI],
        ),
    ),
    "runac_mpe": (
        "Medida de protección excepcional (MPE)",
        "Exceptional protection measure",
        definition(
            "Medida de protección excepcional (MPE)",
            "Exceptional protection measure (MPE)",
            [
                (
                    "mpe",
                    "MPE",
                    [
                        field(
                            "id_intervencion", "text", "ID de intervención", "Intervention id", required=True
                        ),
                        field(
                            "tipo_intervencion",
                            "select_one",
                            "Tipo de intervención",
                            "Intervention type",
                            options="tipo_mpe",
                            required=True,
                        ),
                        field("motivo", "text", "Motivo", "Reason"),
                        field(
                            "derecho_vulnerado",
                            "select_one",
                            "Derecho vulnerado",
                            "Right violated",
                            options="derecho_vulnerado",
                        ),
                        field(
                            "origen_demanda",
                            "select_one",
                            "Origen de la demanda",
                            "Origin",
                            options="origen_demanda",
                        ),
                        field(
                            "ambito_cumplimiento",
                            "select_one",
                            "Ámbito de cumplimiento",
                            "Placement",
                            options="ambito_cumplimiento",
                        ),
                        field(
                            "tipo_dispositivo",
                            "select_one",
                            "Tipo de dispositivo",
                            "Facility type",
                            options="tipo_dispositivo_mpe",
                        ),
                        field(
                            "fecha_control_legalidad",
                            "date",
                            "Fecha de control de legalidad",
                            "Legality control date",
                        ),
                        field(
                            "tipo_proyecto_restitucion",
                            "select_one",
                            "Proyecto de restitución",
                            "Restitution project",
                            options="proyecto",
                        ),
                        field(
                            "situacion_al_cese",
                            "select_one",
                            "Situación al cese",
                            "Situation at end",
                            options="situacion_al_cese",
                            relevant="${tipo_intervencion} = 'CESE_MPE'",
                        ),
                        field(
                            "fecha_cese",
                            "date",
                            "Fecha de cese",
                            "End date",
                            relevant="${tipo_intervencion} = 'CESE_MPE'",
                            required=True,
                        ),
                    ],
                ),
            ],
            [
                TIPO_MPE,
                PROYECTO_RESTITUCION,
                DERECHO_VULNERADO,
                ORIGEN_DEMANDA,
                AMBITO_CUMPLIMIENTO,
                TIPO_DISPOSITIVO_MPE,
                SITUACION_AL_CESE,
            ],
        ),
    ),
    "runac_mpj": (
        "Medida penal juvenil (MPJ)",
        "Juvenile penal measure",
        definition(
            "Medida penal juvenil (MPJ)",
            "Juvenile penal measure (MPJ)",
            [
                (
                    "mpj",
                    "MPJ",
                    [
                        field(
                            "id_intervencion", "text", "ID de intervención", "Intervention id", required=True
                        ),
                        field(
                            "tipo_movimiento",
                            "select_one",
                            "Movimiento",
                            "Movement",
                            options="movimiento",
                            required=True,
                        ),
                        field(
                            "tipo_medida_penal",
                            "select_one",
                            "Tipo de medida penal",
                            "Penal measure",
                            options="tipo_medida_penal",
                            relevant="${tipo_movimiento} = 'INGRESO'",
                        ),
                        field(
                            "dispositivo",
                            "select_one",
                            "Dispositivo",
                            "Facility",
                            options="dispositivo_mpj",
                            relevant="${tipo_movimiento} = 'INGRESO'",
                        ),
                        field(
                            "organo_judicial",
                            "text",
                            "Órgano judicial",
                            "Court",
                            relevant="${tipo_movimiento} = 'INGRESO'",
                        ),
                        field(
                            "delito_imputado",
                            "select_one",
                            "Delito imputado",
                            "Alleged offence",
                            options="delito_imputado",
                            relevant="${tipo_movimiento} = 'INGRESO'",
                            sensitivity=2,
                        ),
                        field(
                            "situacion_procesal",
                            "select_one",
                            "Situación procesal",
                            "Procedural status",
                            options="situacion_procesal",
                            relevant="${tipo_movimiento} = 'INGRESO'",
                        ),
                        field(
                            "motivo_egreso",
                            "select_one",
                            "Motivo de egreso",
                            "Exit reason",
                            options="motivo_egreso",
                            relevant="${tipo_movimiento} = 'EGRESO'",
                        ),
                        field(
                            "id_ingreso_asociado",
                            "text",
                            "ID del ingreso asociado",
                            "Associated entry id",
                            relevant="${tipo_movimiento} = 'EGRESO'",
                        ),
                    ],
                ),
            ],
            [
                options("movimiento", [("INGRESO", "Ingreso", "Entry"), ("EGRESO", "Egreso", "Exit")]),
                TIPO_MEDIDA_PENAL,
                DISPOSITIVO_MPJ,
                DELITO_IMPUTADO,
                SITUACION_PROCESAL,
                MOTIVO_EGRESO,
            ],
        ),
    ),
}


# The MPI form as first published, its categorical fields free text (every distinct value recorded
# became a local option to map); replaced by select lists with local codes.
RUNAC_MPI_V1 = definition(
    "Medida de protección integral (MPI)",
    "Integral protection measure (MPI)",
    [
        (
            "mpi",
            "MPI",
            [
                field("id_intervencion", "text", "ID de intervención", "Intervention id", required=True),
                field("tipo_intervencion", "text", "Tipo de intervención", "Intervention type"),
                field("motivo", "text", "Motivo", "Reason"),
                field("derecho_vulnerado", "text", "Derecho vulnerado", "Right violated"),
                field("origen_demanda", "text", "Origen de la demanda", "Origin"),
                field("organismo_interviniente", "text", "Organismo interviniente", "Agency"),
                field("fecha_cierre", "date", "Fecha de cierre", "Closing date"),
                field("motivo_cierre", "text", "Motivo de cierre", "Closing reason"),
            ],
        ),
    ],
)

# The MPE and MPJ forms as first published, their categorical fields free text (as the MPI form's
# were); replaced by select lists with local codes.
RUNAC_MPE_V1 = definition(
    "Medida de protección excepcional (MPE)",
    "Exceptional protection measure (MPE)",
    [
        (
            "mpe",
            "MPE",
            [
                field("id_intervencion", "text", "ID de intervención", "Intervention id", required=True),
                field(
                    "tipo_intervencion",
                    "select_one",
                    "Tipo de intervención",
                    "Intervention type",
                    options="tipo_mpe",
                    required=True,
                ),
                field("motivo", "text", "Motivo", "Reason"),
                field("derecho_vulnerado", "text", "Derecho vulnerado", "Right violated"),
                field("origen_demanda", "text", "Origen de la demanda", "Origin"),
                field("ambito_cumplimiento", "text", "Ámbito de cumplimiento", "Placement"),
                field("tipo_dispositivo", "text", "Tipo de dispositivo", "Facility type"),
                field(
                    "fecha_control_legalidad",
                    "date",
                    "Fecha de control de legalidad",
                    "Legality control date",
                ),
                field(
                    "tipo_proyecto_restitucion",
                    "select_one",
                    "Proyecto de restitución",
                    "Restitution project",
                    options="proyecto",
                ),
                field(
                    "situacion_al_cese",
                    "text",
                    "Situación al cese",
                    "Situation at end",
                    relevant="${tipo_intervencion} = 'CESE_MPE'",
                ),
                field(
                    "fecha_cese",
                    "date",
                    "Fecha de cese",
                    "End date",
                    relevant="${tipo_intervencion} = 'CESE_MPE'",
                    required=True,
                ),
            ],
        ),
    ],
    [TIPO_MPE, PROYECTO_RESTITUCION],
)
_ENTRY = "${tipo_movimiento} = 'INGRESO'"
_EXIT = "${tipo_movimiento} = 'EGRESO'"
RUNAC_MPJ_V1 = definition(
    "Medida penal juvenil (MPJ)",
    "Juvenile penal measure (MPJ)",
    [
        (
            "mpj",
            "MPJ",
            [
                field("id_intervencion", "text", "ID de intervención", "Intervention id", required=True),
                field(
                    "tipo_movimiento",
                    "select_one",
                    "Movimiento",
                    "Movement",
                    options="movimiento",
                    required=True,
                ),
                field("tipo_medida_penal", "text", "Tipo de medida penal", "Penal measure", relevant=_ENTRY),
                field("dispositivo", "text", "Dispositivo", "Facility", relevant=_ENTRY),
                field("organo_judicial", "text", "Órgano judicial", "Court", relevant=_ENTRY),
                field(
                    "delito_imputado",
                    "text",
                    "Delito imputado",
                    "Alleged offence",
                    relevant=_ENTRY,
                    sensitivity=2,
                ),
                field(
                    "situacion_procesal", "text", "Situación procesal", "Procedural status", relevant=_ENTRY
                ),
                field("motivo_egreso", "text", "Motivo de egreso", "Exit reason", relevant=_EXIT),
                field(
                    "id_ingreso_asociado",
                    "text",
                    "ID del ingreso asociado",
                    "Associated entry id",
                    relevant=_EXIT,
                ),
            ],
        ),
    ],
    [options("movimiento", [("INGRESO", "Ingreso", "Entry"), ("EGRESO", "Egreso", "Exit")])],
)

# Starter definitions published by earlier versions of this file. A form whose latest version is
# still one of them (not edited locally) and has no unpublished draft gets the current starter
# definition as a new version when the configuration is loaded again; records keep the version
# they were filled with, so old answers stay readable.
SUPERSEDED: dict[str, tuple[dict[str, Any], ...]] = {
    "runac_mpi": (RUNAC_MPI_V1,),
    "runac_mpe": (RUNAC_MPE_V1,),
    "runac_mpj": (RUNAC_MPJ_V1,),
}

# The RUNac type's case forms: the legajo form, filled when the case is opened.
RUNAC_TYPE_FORMS: list[tuple[str, FormPurpose]] = [("runac_legajo", FormPurpose.REGISTRATION)]


def _starter_source(identifier: str, definition_: dict[str, Any]) -> dict[str, Any]:
    """The definition as `form_create` stores it (its title from the form's titles); a deep copy."""
    title_es, title_en, _source = FORMS[identifier]
    return {**copy.deepcopy(definition_), "title": {"es": title_es, "en": title_en}}


def _checksum(identifier: str, definition_: dict[str, Any]) -> str:
    _typed, canonical = forms_services.validated(_starter_source(identifier, definition_))
    return forms_services.checksum(canonical)


def _upgrade(form: Form) -> bool:
    """Publish the current starter definition of an untouched, superseded starter form."""
    superseded = SUPERSEDED.get(form.identifier)
    latest = form.versions.order_by("-number").first()
    if not superseded or latest is None or form.draft_checksum != latest.checksum:
        return False
    if latest.checksum not in {_checksum(form.identifier, item) for item in superseded}:
        return False  # already current, or edited locally: left as it is
    source = _starter_source(form.identifier, FORMS[form.identifier][2])
    form = forms_services.form_draft_save(actor=None, form=form, definition=source)
    forms_services.form_publish(actor=None, form=form)
    return True


def _form(identifier: str, org_unit: OrgUnit, created: set[str]) -> Form:
    """The starter form: created and published when missing (noted in `created`), else upgraded."""
    existing = Form.objects.filter(identifier=identifier).first()
    if existing is not None:
        _upgrade(existing)
        return existing
    title_es, title_en, source = FORMS[identifier]
    form = forms_services.form_create(
        actor=None,
        identifier=identifier,
        title_es=title_es,
        title_en=title_en,
        org_unit=org_unit,
        definition=source,
    )
    forms_services.form_publish(actor=None, form=form)
    created.add(identifier)
    return form


def _link_new_forms(case_type: CaseType, new: list[TypeFormInput]) -> None:
    """Add starter forms new to this database to an existing type, keeping everything else.

    A new registration form becomes "other" when the type already has a registration form.
    """
    if not new:
        return
    links = list(case_type.type_forms.select_related("form"))
    has_registration = any(link.purpose == FormPurpose.REGISTRATION for link in links)
    for item in new:
        if item.purpose == FormPurpose.REGISTRATION and has_registration:
            item.purpose = FormPurpose.OTHER
    services.case_type_save(
        actor=None,
        case_type=case_type,
        data=CaseTypeInput(
            code=case_type.code,
            name_es=case_type.name_es,
            name_en=case_type.name_en,
            number_prefix=case_type.number_prefix,
            is_active=case_type.is_active,
            forms=[TypeFormInput(link.form, FormPurpose(link.purpose)) for link in links] + new,
            classifications=[
                NamedInput(item.code, item.name_es, item.name_en)
                for item in case_type.classifications.filter(is_active=True)
            ],
            intervention_types=[
                NamedInput(item.code, item.name_es, item.name_en, form=item.form)
                for item in case_type.intervention_types.filter(is_active=True).select_related("form")
            ],
        ),
    )


def _type(
    code: str,
    name_es: str,
    name_en: str,
    prefix: str,
    forms: list[tuple[str, FormPurpose]],
    classifications: list[tuple[str, str, str]],
    interventions: list[tuple[str, str, str, str]],
    org_unit: OrgUnit,
) -> CaseType:
    """The starter case type: created when missing; when it exists, starter forms new to this
    database are linked to it (its other settings, which an administrator may have changed, stay)."""
    created: set[str] = set()
    type_forms = [
        TypeFormInput(_form(identifier, org_unit, created), purpose) for identifier, purpose in forms
    ]
    intervention_forms = {f: _form(f, org_unit, created) for _c, _es, _en, f in interventions if f}
    existing = CaseType.objects.filter(code=code).first()
    if existing is not None:
        _link_new_forms(existing, [item for item in type_forms if item.form.identifier in created])
        return existing
    return services.case_type_save(
        actor=None,
        data=CaseTypeInput(
            code=code,
            name_es=name_es,
            name_en=name_en,
            number_prefix=prefix,
            forms=type_forms,
            classifications=[NamedInput(c, es, en) for c, es, en in classifications],
            intervention_types=[
                NamedInput(c, es, en, form=intervention_forms[f] if f else None)
                for c, es, en, f in interventions
            ],
        ),
    )


@transaction.atomic
def starter_config_load(*, org_unit: OrgUnit) -> list[CaseType]:
    """Create the starter forms (owned by `org_unit`, usually the root) and case types.

    Run again on an existing database (`manage.py load_starter_config`), it brings the starter
    configuration up to date without undoing local changes: a starter form new to this version
    is created and linked to its type; a starter form whose definition this version replaced is
    published anew, unless an administrator changed it (see SUPERSEDED).
    """
    return [
        _type(
            "proteccion_nna",
            "Protección de niñas, niños y adolescentes",
            "Child protection",
            "PNA",
            [
                ("pna_registro", FormPurpose.REGISTRATION),
                ("pna_evaluacion", FormPurpose.ASSESSMENT),
                ("pna_plan", FormPurpose.CASE_PLAN),
                ("pna_seguimiento", FormPurpose.FOLLOW_UP),
                ("pna_cierre", FormPurpose.CLOSURE),
            ],
            [
                ("prevencion", "Prevención", "Prevention"),
                ("proteccion", "Protección", "Protection"),
                ("proteccion_especial", "Protección especial", "Special protection"),
            ],
            [
                ("visita_domiciliaria", "Visita domiciliaria", "Home visit", "pna_visita"),
                ("derivacion", "Derivación a servicio", "Referral to a service", ""),
                ("reunificacion", "Reunificación familiar", "Family reunification", "pna_reunificacion"),
            ],
            org_unit,
        ),
        _type(
            "proteccion_consular",
            "Protección consular",
            "Consular protection",
            "CONS",
            [("cons_registro", FormPurpose.REGISTRATION)],
            [
                ("orientacion", "Orientación", "Guidance"),
                ("asistencia", "Asistencia", "Assistance"),
                ("proteccion", "Protección", "Protection"),
            ],
            [
                (
                    "visita_detencion",
                    "Visita a centro de detención",
                    "Detention centre visit",
                    "cons_visita_detencion",
                ),
                ("acompanamiento", "Acompañamiento a audiencia", "Court accompaniment", ""),
            ],
            org_unit,
        ),
        _type(
            "medidas_runac",
            "Medidas de protección (RUNac)",
            "Protection measures (RUNac)",
            "RUNAC",
            RUNAC_TYPE_FORMS,
            [
                ("civil", "Civil", "Civil"),
                ("penal", "Penal", "Criminal"),
                ("migratorio", "Migratorio", "Migration"),
            ],
            [
                ("mpi", "Medida de protección integral (MPI)", "Integral protection (MPI)", "runac_mpi"),
                (
                    "mpe",
                    "Medida de protección excepcional (MPE)",
                    "Exceptional protection (MPE)",
                    "runac_mpe",
                ),
                ("mpj", "Medida penal juvenil (MPJ)", "Juvenile penal measure (MPJ)", "runac_mpj"),
            ],
            org_unit,
        ),
    ]


# Which demo roles get which case permissions (by the demo's role names).
DEMO_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "Trabajador/a de casos": [Permission.CASE_VIEW, Permission.CASE_CREATE, Permission.CASE_EDIT],
    "Administrador/a de unidad": [Permission.CASE_VIEW, Permission.CASE_CREATE, Permission.CASE_EDIT],
    "Supervisor/a": [
        Permission.CASE_VIEW,
        Permission.CASE_CREATE,
        Permission.CASE_EDIT,
        Permission.CASE_CLOSE,
    ],
    "Cónsul": [Permission.CASE_VIEW, Permission.CASE_CREATE, Permission.CASE_EDIT, Permission.CASE_CLOSE],
    "Analista": [Permission.CASE_VIEW],
}


@transaction.atomic
def demo_roles_grant_cases() -> list[Role]:
    """Add the case permissions to the demo roles (system roles edited as the system, no actor)."""
    changed = []
    for name, permissions in DEMO_ROLE_PERMISSIONS.items():
        role = Role.objects.filter(name=name).first()
        if role is None:
            continue
        missing = [str(permission) for permission in permissions if permission not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])
            changed.append(role)
    return changed
