"""The demo's RUNac province: Jujuy's child-protection area (INDEC 38) records its legajos in Amparo.

Jurisdiction 38 is tied to the area's unit; its equivalence table maps every option of the
starter RUNac forms; about three dozen children of the area get a "Medidas de protección (RUNac)" case
with its legajo form filled (pueblo originario, schooling, disability, documents) and MPI, MPE
and MPJ interventions between 2021 and 2023 (one child has a second case: still one legajo) —
enough for rules A, B and C to select different legajos in the first delivery (2022)
and in the semesters after it.
`runac.jujuy` generates the delivery; `runac.nacional` imports it on the national pages.
"""

import datetime
import random
from dataclasses import dataclass
from typing import Any

from amparo.cases import services as case_services
from amparo.cases.models import Case, CaseType
from amparo.cases.services import CaseOpenInput
from amparo.demo.world import DemoWorld
from amparo.exchange.runac import services as runac_services
from amparo.exchange.runac.choices import EquivalenceSource
from amparo.exchange.runac.models import Jurisdiction
from amparo.exchange.runac.province_types import LEGAJO_FORM
from amparo.exchange.runac.tables import equivalence_version_create
from amparo.registry.models import Person

PROVINCE_UNIT = "ar-jujuy-ninez"
JURISDICTION = "38"
LEGAJOS = 36

# (unit, field, local id, local description, national category): Jujuy's equivalence table.
TABLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("LEGAJOS", "NACIONALIDAD", "AR", "Argentina", "ARGENTINA"),
    ("LEGAJOS", "NACIONALIDAD", "BO", "Bolivia", "BOLIVIANA"),
    ("LEGAJOS", "NACIONALIDAD", "PE", "Perú", "PERUANA"),
    ("LEGAJOS", "NACIONALIDAD", "PY", "Paraguay", "PARAGUAYA"),
    ("LEGAJOS", "NACIONALIDAD", "VE", "Venezuela", "VENEZOLANA"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "ninguno", "No pertenece a un pueblo originario", "NINGUNO"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "kolla", "Kolla", "KOLLA"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "guarani", "Guaraní", "GUARANI"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "wichi", "Wichí", "WICHI"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "qom", "Qom", "QOM"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "mapuche", "Mapuche", "MAPUCHE"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "diaguita", "Diaguita", "DIAGUITA"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "omaguaca", "Omaguaca", "OTRO"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "atacama", "Atacama", "OTRO"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "otro", "Otro pueblo", "OTRO"),
    ("LEGAJOS", "PUEBLO_ORIGINARIO", "sin_dato", "Sin dato", "SIN_DATO"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "sin_escolarizar", "Sin escolarizar", "SIN_ESCOLARIZAR"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "inicial", "Nivel inicial", "INICIAL"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "primaria_incompleta", "Primaria incompleta", "PRIMARIO_INCOMPLETO"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "primaria_completa", "Primaria completa", "PRIMARIO_COMPLETO"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "secundaria_incompleta", "Secundaria incompleta", "SECUNDARIO_INCOMPLETO"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "secundaria_completa", "Secundaria completa", "SECUNDARIO_COMPLETO"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "terciaria_universitaria", "Terciaria o universitaria", "SUPERIOR"),
    ("LEGAJOS", "NIVEL_EDUCATIVO", "sin_dato", "Sin dato", "SIN_DATO"),
    ("MPI", "TIPO_INTERVENCION", "entrevista", "Entrevista", "ENTREVISTA"),
    ("MPI", "TIPO_INTERVENCION", "visita_domiciliaria", "Visita domiciliaria", "VISITA_DOMICILIARIA"),
    ("MPI", "TIPO_INTERVENCION", "derivacion", "Derivación a servicio", "DERIVACION_SERVICIO"),
    ("MPI", "TIPO_INTERVENCION", "acompanamiento", "Acompañamiento", "ACOMPANAMIENTO"),
    ("MPI", "TIPO_INTERVENCION", "articulacion", "Articulación institucional", "ARTICULACION_INSTITUCIONAL"),
    ("MPI", "TIPO_INTERVENCION", "asistencia_material", "Asistencia material", "ASISTENCIA_MATERIAL"),
    ("MPI", "TIPO_INTERVENCION", "otra", "Otra", "OTRA"),
    ("MPI", "DERECHO_VULNERADO", "negligencia", "Negligencia", "NEGLIGENCIA"),
    ("MPI", "DERECHO_VULNERADO", "violencia_fisica", "Violencia física", "VIOLENCIA_FISICA"),
    ("MPI", "DERECHO_VULNERADO", "salud", "Acceso a la salud", "FALTA_ACCESO_SALUD"),
    ("MPI", "DERECHO_VULNERADO", "educacion", "Acceso a la educación", "FALTA_ACCESO_EDUCACION"),
    ("MPI", "DERECHO_VULNERADO", "documentacion", "Documentación", "FALTA_DOCUMENTACION"),
    ("MPI", "DERECHO_VULNERADO", "violencia_psicologica", "Violencia psicológica", "VIOLENCIA_PSICOLOGICA"),
    ("MPI", "DERECHO_VULNERADO", "abuso_sexual", "Abuso sexual", "ABUSO_SEXUAL"),
    ("MPI", "DERECHO_VULNERADO", "abandono", "Abandono", "ABANDONO"),
    ("MPI", "DERECHO_VULNERADO", "trabajo_infantil", "Trabajo infantil", "EXPLOTACION_LABORAL"),
    ("MPI", "DERECHO_VULNERADO", "trata", "Trata", "TRATA"),
    ("MPI", "DERECHO_VULNERADO", "situacion_calle", "Situación de calle", "SITUACION_DE_CALLE"),
    ("MPI", "DERECHO_VULNERADO", "consumo", "Consumo problemático", "CONSUMO_PROBLEMATICO"),
    ("MPI", "DERECHO_VULNERADO", "otro", "Otro", "OTRO"),
    ("MPI", "ORIGEN_DEMANDA", "escuela", "Escuela", "ESCUELA"),
    ("MPI", "ORIGEN_DEMANDA", "102", "Línea 102", "LINEA_102"),
    ("MPI", "ORIGEN_DEMANDA", "salud", "Centro de salud", "CENTRO_SALUD"),
    ("MPI", "ORIGEN_DEMANDA", "espontanea", "Demanda espontánea", "DEMANDA_ESPONTANEA"),
    ("MPI", "ORIGEN_DEMANDA", "policia", "Policía", "POLICIA"),
    ("MPI", "ORIGEN_DEMANDA", "judicial", "Poder judicial", "PODER_JUDICIAL"),
    ("MPI", "ORIGEN_DEMANDA", "organizacion_social", "Organización social", "ORGANIZACION_SOCIAL"),
    ("MPI", "ORIGEN_DEMANDA", "otro", "Otro", "OTRO"),
    ("MPI", "MOTIVO_CIERRE", "restituido", "Derecho restituido", "DERECHO_RESTITUIDO"),
    ("MPI", "MOTIVO_CIERRE", "paso_mpe", "Pasó a medida excepcional", "PASO_A_MPE"),
    (
        "MPI",
        "MOTIVO_CIERRE",
        "otra_jurisdiccion",
        "Derivación a otra jurisdicción",
        "DERIVACION_OTRA_JURISDICCION",
    ),
    ("MPI", "MOTIVO_CIERRE", "mayoria_edad", "Mayoría de edad", "MAYORIA_DE_EDAD"),
    ("MPI", "MOTIVO_CIERRE", "sin_contacto", "Sin contacto", "SIN_CONTACTO"),
    ("MPI", "MOTIVO_CIERRE", "otro", "Otro", "OTRO"),
    ("MPE", "TIPO_INTERVENCION", "PER_INICIAL", "Inicial", "PER_INICIAL"),
    ("MPE", "TIPO_INTERVENCION", "PRORROGA", "Prórroga", "PRORROGA"),
    ("MPE", "TIPO_INTERVENCION", "CAMBIO_AMBITO", "Cambio de ámbito", "CAMBIO_AMBITO"),
    ("MPE", "TIPO_INTERVENCION", "CESE_MPE", "Cese", "CESE_MPE"),
    ("MPE", "DERECHO_VULNERADO", "violencia_fisica", "Violencia física", "VIOLENCIA_FISICA"),
    ("MPE", "DERECHO_VULNERADO", "abuso_sexual", "Abuso sexual", "ABUSO_SEXUAL"),
    ("MPE", "DERECHO_VULNERADO", "abandono", "Abandono", "ABANDONO"),
    ("MPE", "DERECHO_VULNERADO", "violencia_psicologica", "Violencia psicológica", "VIOLENCIA_PSICOLOGICA"),
    ("MPE", "DERECHO_VULNERADO", "negligencia", "Negligencia", "NEGLIGENCIA"),
    ("MPE", "DERECHO_VULNERADO", "trabajo_infantil", "Trabajo infantil", "EXPLOTACION_LABORAL"),
    ("MPE", "DERECHO_VULNERADO", "trata", "Trata", "TRATA"),
    ("MPE", "DERECHO_VULNERADO", "situacion_calle", "Situación de calle", "SITUACION_DE_CALLE"),
    ("MPE", "DERECHO_VULNERADO", "consumo", "Consumo problemático", "CONSUMO_PROBLEMATICO"),
    ("MPE", "DERECHO_VULNERADO", "salud", "Acceso a la salud", "FALTA_ACCESO_SALUD"),
    ("MPE", "DERECHO_VULNERADO", "educacion", "Acceso a la educación", "FALTA_ACCESO_EDUCACION"),
    ("MPE", "DERECHO_VULNERADO", "documentacion", "Documentación", "FALTA_DOCUMENTACION"),
    ("MPE", "DERECHO_VULNERADO", "otro", "Otro", "OTRO"),
    ("MPE", "ORIGEN_DEMANDA", "102", "Línea 102", "LINEA_102"),
    ("MPE", "ORIGEN_DEMANDA", "judicial", "Poder judicial", "PODER_JUDICIAL"),
    ("MPE", "ORIGEN_DEMANDA", "escuela", "Escuela", "ESCUELA"),
    ("MPE", "ORIGEN_DEMANDA", "salud", "Centro de salud", "CENTRO_SALUD"),
    ("MPE", "ORIGEN_DEMANDA", "policia", "Policía", "POLICIA"),
    ("MPE", "ORIGEN_DEMANDA", "espontanea", "Demanda espontánea", "DEMANDA_ESPONTANEA"),
    ("MPE", "ORIGEN_DEMANDA", "organizacion_social", "Organización social", "ORGANIZACION_SOCIAL"),
    ("MPE", "ORIGEN_DEMANDA", "otro", "Otro", "OTRO"),
    ("MPE", "AMBITO_CUMPLIMIENTO", "familia_ampliada", "Familia ampliada", "FAMILIA_AMPLIADA"),
    ("MPE", "AMBITO_CUMPLIMIENTO", "hogar", "Hogar", "DISPOSITIVO_INSTITUCIONAL"),
    ("MPE", "AMBITO_CUMPLIMIENTO", "acogimiento", "Familia de acogimiento", "FAMILIA_DE_ACOGIMIENTO"),
    (
        "MPE",
        "AMBITO_CUMPLIMIENTO",
        "referente_afectivo",
        "Referente afectivo o comunitario",
        "REFERENTE_AFECTIVO",
    ),
    ("MPE", "AMBITO_CUMPLIMIENTO", "terapeutico", "Dispositivo terapéutico", "DISPOSITIVO_TERAPEUTICO"),
    ("MPE", "AMBITO_CUMPLIMIENTO", "otro", "Otro", "OTRO"),
    ("MPE", "TIPO_DISPOSITIVO", "hogar_convivencial", "Hogar convivencial", "HOGAR_CONVIVENCIAL"),
    (
        "MPE",
        "TIPO_DISPOSITIVO",
        "familia_acogedora",
        "Programa familia acogedora",
        "PROGRAMA_FAMILIA_ACOGEDORA",
    ),
    ("MPE", "TIPO_DISPOSITIVO", "no_corresponde", "No corresponde", "NO_CORRESPONDE"),
    ("MPE", "TIPO_DISPOSITIVO", "pequeno_hogar", "Pequeño hogar", "RESIDENCIA_PEQUENA"),
    ("MPE", "TIPO_DISPOSITIVO", "centro_admision", "Centro de admisión y derivación", "CENTRO_DE_ADMISION"),
    ("MPE", "TIPO_DISPOSITIVO", "comunidad_terapeutica", "Comunidad terapéutica", "COMUNIDAD_TERAPEUTICA"),
    ("MPE", "TIPO_DISPOSITIVO", "otro", "Otro", "OTRO"),
    ("MPE", "SITUACION_AL_CESE", "reintegro", "Reintegro a la familia", "REINTEGRO_FAMILIA_ORIGEN"),
    ("MPE", "SITUACION_AL_CESE", "familia_ampliada", "Familia ampliada", "FAMILIA_AMPLIADA"),
    ("MPE", "SITUACION_AL_CESE", "autonomia", "Autonomía", "AUTONOMIA"),
    ("MPE", "SITUACION_AL_CESE", "guarda_adoptiva", "Guarda con fines de adopción", "ADOPCION"),
    ("MPE", "SITUACION_AL_CESE", "mayoria_edad", "Mayoría de edad", "MAYORIA_DE_EDAD"),
    ("MPE", "SITUACION_AL_CESE", "fallecimiento", "Fallecimiento", "FALLECIMIENTO"),
    ("MPE", "SITUACION_AL_CESE", "otro", "Otro", "OTRO"),
    ("MPJ", "TIPO_MEDIDA_PENAL", "privativa", "Privativa de libertad", "PRIVATIVA_LIBERTAD"),
    ("MPJ", "TIPO_MEDIDA_PENAL", "restrictiva", "Restrictiva de libertad", "RESTRICTIVA_LIBERTAD"),
    ("MPJ", "TIPO_MEDIDA_PENAL", "territorio", "En territorio", "EN_TERRITORIO"),
    ("MPJ", "TIPO_MEDIDA_PENAL", "otra", "Otra", "OTRA"),
    ("MPJ", "DISPOSITIVO", "centro_cerrado", "Centro cerrado", "CENTRO_CERRADO"),
    ("MPJ", "DISPOSITIVO", "residencia", "Residencia socioeducativa", "RESIDENCIA_SOCIOEDUCATIVA"),
    ("MPJ", "DISPOSITIVO", "programa", "Programa en territorio", "PROGRAMA_EN_TERRITORIO"),
    ("MPJ", "DISPOSITIVO", "semicerrado", "Centro semicerrado", "CENTRO_SEMICERRADO"),
    ("MPJ", "DISPOSITIVO", "admision", "Centro de admisión", "CENTRO_DE_ADMISION"),
    ("MPJ", "DISPOSITIVO", "otro", "Otro", "OTRO"),
    ("MPJ", "DELITO_IMPUTADO", "robo", "Robo", "CONTRA_LA_PROPIEDAD"),
    ("MPJ", "DELITO_IMPUTADO", "lesiones", "Lesiones", "CONTRA_LAS_PERSONAS"),
    ("MPJ", "DELITO_IMPUTADO", "hurto", "Hurto", "CONTRA_LA_PROPIEDAD"),
    ("MPJ", "DELITO_IMPUTADO", "danos", "Daños", "CONTRA_LA_PROPIEDAD"),
    ("MPJ", "DELITO_IMPUTADO", "homicidio", "Homicidio o tentativa", "CONTRA_LAS_PERSONAS"),
    ("MPJ", "DELITO_IMPUTADO", "abuso_sexual", "Abuso sexual", "CONTRA_LA_INTEGRIDAD_SEXUAL"),
    ("MPJ", "DELITO_IMPUTADO", "estupefacientes", "Ley de estupefacientes", "ESTUPEFACIENTES"),
    ("MPJ", "DELITO_IMPUTADO", "amenazas", "Amenazas", "CONTRA_LA_LIBERTAD"),
    ("MPJ", "DELITO_IMPUTADO", "otro", "Otro", "OTRO"),
    ("MPJ", "DELITO_IMPUTADO", "sin_dato", "Sin dato", "SIN_DATO"),
    ("MPJ", "SITUACION_PROCESAL", "procesado", "Procesado", "PROCESADO"),
    ("MPJ", "SITUACION_PROCESAL", "responsable", "Declarado responsable", "DECLARADO_RESPONSABLE"),
    ("MPJ", "SITUACION_PROCESAL", "sobreseido", "Sobreseído", "SOBRESEIDO"),
    ("MPJ", "SITUACION_PROCESAL", "sin_dato", "Sin dato", "SIN_DATO"),
    ("MPJ", "MOTIVO_EGRESO", "cumplimiento", "Cumplimiento de la medida", "CUMPLIMIENTO_MEDIDA"),
    ("MPJ", "MOTIVO_EGRESO", "disposicion_judicial", "Disposición judicial", "DISPOSICION_JUDICIAL"),
    ("MPJ", "MOTIVO_EGRESO", "cambio_medida", "Cambio de medida", "CAMBIO_DE_MEDIDA"),
    ("MPJ", "MOTIVO_EGRESO", "mayoria_edad", "Mayoría de edad", "MAYORIA_DE_EDAD"),
    ("MPJ", "MOTIVO_EGRESO", "evasion", "Evasión", "EVASION"),
    ("MPJ", "MOTIVO_EGRESO", "fallecimiento", "Fallecimiento", "FALLECIMIENTO"),
    ("MPJ", "MOTIVO_EGRESO", "otro", "Otro", "OTRO"),
)


# The options the demo's interventions draw from (the table maps every option of the starter forms).
DRAWN: dict[tuple[str, str], list[str]] = {
    ("MPI", "TIPO_INTERVENCION"): ["entrevista", "visita_domiciliaria", "derivacion", "acompanamiento"],
    ("MPI", "DERECHO_VULNERADO"): ["negligencia", "violencia_fisica", "salud", "educacion", "documentacion"],
    ("MPI", "ORIGEN_DEMANDA"): ["escuela", "102", "salud", "espontanea"],
    ("MPE", "DERECHO_VULNERADO"): ["violencia_fisica", "abuso_sexual", "abandono"],
    ("MPE", "ORIGEN_DEMANDA"): ["102", "judicial", "escuela"],
    ("MPE", "AMBITO_CUMPLIMIENTO"): ["familia_ampliada", "hogar", "acogimiento"],
    ("MPE", "TIPO_DISPOSITIVO"): ["hogar_convivencial", "familia_acogedora", "no_corresponde"],
    ("MPE", "SITUACION_AL_CESE"): ["reintegro", "familia_ampliada", "autonomia"],
    ("MPJ", "TIPO_MEDIDA_PENAL"): ["privativa", "restrictiva", "territorio"],
    ("MPJ", "DISPOSITIVO"): ["centro_cerrado", "residencia", "programa"],
    ("MPJ", "DELITO_IMPUTADO"): ["robo", "lesiones"],
    ("MPJ", "SITUACION_PROCESAL"): ["procesado", "responsable"],
    ("MPJ", "MOTIVO_EGRESO"): ["cumplimiento", "disposicion_judicial"],
}


def _values(table_unit: str, field: str) -> list[str]:
    if (table_unit, field) in DRAWN:
        return DRAWN[(table_unit, field)]
    return [local for unit, name, local, _d, _c in TABLE if (unit, name) == (table_unit, field)]


@dataclass
class RunacDemo:
    jurisdiction: Jurisdiction
    cases: list[Case]


class _Legajo:
    def __init__(self, rng: random.Random, case: Case, number: int) -> None:
        self.rng = rng
        self.case = case
        self.number = number
        self.counter = 0
        self.items: list[tuple[str, datetime.date, dict[str, Any]]] = []

    def _id(self, unit: str) -> str:
        self.counter += 1
        return f"{unit}-38-{self.number:03d}-{self.counter}"

    def pick(self, unit: str, field: str) -> str:
        return self.rng.choice(_values(unit, field))

    def mpi(self, day: datetime.date, **values: Any) -> None:
        data = {
            "id_intervencion": self._id("MPI"),
            "tipo_intervencion": self.pick("MPI", "TIPO_INTERVENCION"),
            "motivo": self.rng.choice(
                [
                    "Inasistencia escolar reiterada",
                    "Consulta por situación de riesgo",
                    "Control de salud pendiente",
                ]
            ),
            "derecho_vulnerado": self.pick("MPI", "DERECHO_VULNERADO"),
            "origen_demanda": self.pick("MPI", "ORIGEN_DEMANDA"),
            "organismo_interviniente": self.rng.choice(
                ["Servicio local de protección", "Equipo territorial Ramal"]
            ),
        }
        self.items.append(("mpi", day, data | values))

    def mpe(self, day: datetime.date, kind: str, **values: Any) -> None:
        data = {
            "id_intervencion": self._id("MPE"),
            "tipo_intervencion": kind,
            "motivo": "Medida excepcional",
            "derecho_vulnerado": self.pick("MPE", "DERECHO_VULNERADO"),
            "origen_demanda": self.pick("MPE", "ORIGEN_DEMANDA"),
            "ambito_cumplimiento": self.pick("MPE", "AMBITO_CUMPLIMIENTO"),
            "tipo_dispositivo": self.pick("MPE", "TIPO_DISPOSITIVO"),
            "tipo_proyecto_restitucion": self.rng.choice(
                ["REVINCULACION_FAMILIAR", "FAMILIA_AMPLIADA", "AUTONOMIA"]
            ),
        }
        if kind == "PER_INICIAL":
            data["fecha_control_legalidad"] = (day + datetime.timedelta(days=20)).isoformat()
        if kind == "CESE_MPE":
            data |= {
                "situacion_al_cese": self.pick("MPE", "SITUACION_AL_CESE"),
                "fecha_cese": day.isoformat(),
            }
        self.items.append(("mpe", day, data | values))

    def entry(self, day: datetime.date) -> str:
        identifier = self._id("MPJ")
        self.items.append(
            (
                "mpj",
                day,
                {
                    "id_intervencion": identifier,
                    "tipo_movimiento": "INGRESO",
                    "tipo_medida_penal": self.pick("MPJ", "TIPO_MEDIDA_PENAL"),
                    "dispositivo": self.pick("MPJ", "DISPOSITIVO"),
                    "organo_judicial": "Juzgado de Menores N.º 1 de San Salvador de Jujuy",
                    "delito_imputado": self.pick("MPJ", "DELITO_IMPUTADO"),
                    "situacion_procesal": self.pick("MPJ", "SITUACION_PROCESAL"),
                },
            )
        )
        return identifier

    def exit(self, day: datetime.date, entry_id: str) -> None:
        self.items.append(
            (
                "mpj",
                day,
                {
                    "id_intervencion": self._id("MPJ"),
                    "tipo_movimiento": "EGRESO",
                    "motivo_egreso": self.pick("MPJ", "MOTIVO_EGRESO"),
                    "id_ingreso_asociado": entry_id,
                },
            )
        )


def _story(legajo: _Legajo, opened: datetime.date, person: Person) -> None:
    """One of four typical paths: MPI only, MPI then an MPE, a penal measure, a long MPE."""
    rng = legajo.rng
    days = datetime.timedelta
    path = legajo.number % 4
    if path == 0:
        for step in range(rng.randint(1, 3)):
            legajo.mpi(opened + days(7 + step * rng.randint(30, 120)))
        if legajo.number == 4:  # a worker wrote the child's name in the reason: the delivery leaves it out
            legajo.mpi(
                opened + days(200), motivo=f"Entrevista con {person.given_names.split()[0]} y su abuela"
            )
    elif path == 1:
        legajo.mpi(opened + days(5), fecha_cierre=(opened + days(25)).isoformat(), motivo_cierre="paso_mpe")
        start = opened + days(25)
        legajo.mpe(start, "PER_INICIAL")
        legajo.mpe(start + days(90), "PRORROGA")
        if rng.random() < 0.5:
            legajo.mpe(start + days(rng.randint(150, 330)), "CESE_MPE")
    elif path == 2:
        entry_id = legajo.entry(opened + days(10))
        if rng.random() < 0.6:
            legajo.exit(opened + days(rng.randint(90, 300)), entry_id)
    else:
        start = opened + days(3)
        legajo.mpe(start, "PER_INICIAL")
        legajo.mpe(start + days(60), "CAMBIO_AMBITO")


def _legajo_answers(rng: random.Random, person: Person, opened: datetime.date) -> dict[str, str]:
    """The legajo form (`runac_legajo`) of a Jujuy child: people, schooling, disability, documents."""
    born = person.date_of_birth or opened
    age = opened.year - born.year - ((opened.month, opened.day) < (born.month, born.day))
    schooled = rng.choices(["SI", "NO", "SIN_DATO"], weights=[80, 15, 5])[0]
    if schooled == "SIN_DATO":
        level = "sin_dato"
    elif age < 6:
        level = "inicial" if schooled == "SI" else "sin_escolarizar"
    elif age < 12:
        level = "primaria_incompleta"
    elif age < 13:
        level = rng.choice(["primaria_incompleta", "primaria_completa"])
    else:
        level = "secundaria_incompleta" if schooled == "SI" else "primaria_completa"
    disability = rng.choices(["NO", "SI", "SIN_DATO"], weights=[82, 12, 6])[0]
    answers = {
        "pueblo_originario": rng.choices(
            ["ninguno", "kolla", "omaguaca", "atacama", "guarani", "sin_dato"], weights=[60, 14, 6, 4, 6, 10]
        )[0],
        "escolarizado": schooled,
        "nivel_educativo": level,
        "discapacidad": disability,
        "documentado": rng.choices(["SI", "NO", "SIN_DATO"], weights=[85, 10, 5])[0],
    }
    if disability == "SI":
        answers["cud"] = rng.choice(["SI", "NO"])
    return answers


def runac_demo_create(world: DemoWorld, case_types: list[CaseType], *, seed: str) -> RunacDemo:
    """Tie Jujuy to its unit, give it an equivalence table and legajos with RUNac interventions."""
    jurisdiction = Jurisdiction.objects.get(code=JURISDICTION)
    admin = world.users["admin"]
    runac_services.jurisdiction_update(
        actor=admin, jurisdiction=jurisdiction, org_unit=world.units[PROVINCE_UNIT]
    )
    equivalence_version_create(
        jurisdiction=jurisdiction,
        rows={(unit, field, local): (description, code) for unit, field, local, description, code in TABLE},
        source=EquivalenceSource.EDIT,
        actor=None,
        note="Tabla inicial de la demostración",
    )
    case_type = next(item for item in case_types if item.code == "medidas_runac")
    types = {item.code: item for item in case_type.intervention_types.all()}
    actor = world.users["runac.jujuy"]
    rng = random.Random(f"runac-{seed}")  # noqa: S311 - demo data, not security
    children = list(
        Person.objects.filter(
            org_unit__path__startswith=world.units[PROVINCE_UNIT].path,
            date_of_birth__range=(datetime.date(2006, 1, 1), datetime.date(2018, 12, 31)),
            is_archived=False,
        ).order_by("amparo_id")
    )
    rng.shuffle(children)
    # A separate generator for the legajo form keeps the interventions those of earlier demos.
    answers_rng = random.Random(f"runac-legajo-{seed}")  # noqa: S311 - demo data, not security
    today = datetime.date.today()  # noqa: DTZ011 - a calendar date for demo data
    cases = []

    def open_case(person: Person, opened: datetime.date) -> Case:
        return case_services.case_open(
            actor=actor,
            data=CaseOpenInput(
                case_type=case_type,
                person=person,
                org_unit=person.org_unit,
                opened_on=opened,
                forms={LEGAJO_FORM: _legajo_answers(answers_rng, person, opened)},
            ),
        )

    def record(legajo: _Legajo) -> None:
        for kind, day, data in sorted(legajo.items, key=lambda item: item[1]):
            if day <= today:
                case_services.intervention_record(
                    actor=actor, case=legajo.case, intervention_type=types[kind], occurred_on=day, data=data
                )

    for number, person in enumerate(children[:LEGAJOS], start=1):
        opened = datetime.date(2021, 1, 4) + datetime.timedelta(days=rng.randint(0, 880))
        case = open_case(person, opened)
        legajo = _Legajo(rng, case, number)
        _story(legajo, opened, person)
        record(legajo)
        cases.append(case)
    # One child comes back: a second case, a year and a half later, is the same legajo.
    first = min(cases, key=lambda item: (item.opened_on, item.pk))
    second = open_case(first.person, first.opened_on + datetime.timedelta(days=540))
    again = _Legajo(answers_rng, second, cases.index(first) + 1)
    again.counter = 50  # its ids follow the first case's: MPI-38-<n>-51, -52
    again.mpi(again.case.opened_on + datetime.timedelta(days=4), tipo_intervencion="entrevista")
    again.mpi(again.case.opened_on + datetime.timedelta(days=40), tipo_intervencion="acompanamiento")
    record(again)
    cases.append(again.case)
    return RunacDemo(jurisdiction=jurisdiction, cases=cases)
