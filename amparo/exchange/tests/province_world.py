"""A province that runs its cases in Amparo: jurisdiction 82 tied to unit_a, the starter RUNac forms,
an equivalence table for the local categories used below, and the personas of the province side.

province_generator: runac.view/import/generate + case work at unit_a, scope SUBTREE, SENSITIVE clearance
province_basic: the same permissions with BASIC clearance (sensitive answers stay out)
province_viewer: runac.view + case.view at unit_a (no generate)
generator_14: runac.generate at unit_b (jurisdiction 14)
caseworker_a (world): case work, no RUNac permission
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.models import User
from amparo.accounts.services import role_create, role_grant, user_create
from amparo.cases import services as case_services
from amparo.cases.models import Case, CaseType, InterventionType
from amparo.cases.services import CaseOpenInput
from amparo.cases.starter import starter_config_load
from amparo.conftest import PASSWORD, World
from amparo.exchange.runac import services, spec
from amparo.exchange.runac.choices import EquivalenceSource
from amparo.exchange.runac.models import Jurisdiction, NationalCategory
from amparo.exchange.runac.tables import equivalence_version_create
from amparo.registry.tests.factories import PersonFactory

# (unit, field, local id, description, national category)
TABLE = [
    ("LEGAJOS", "NACIONALIDAD", "AR", "Argentina", "ARGENTINA"),
    ("LEGAJOS", "NACIONALIDAD", "BO", "Bolivia", "BOLIVIANA"),
    ("MPI", "TIPO_INTERVENCION", "entrevista", "Entrevista", "ENTREVISTA"),
    ("MPI", "TIPO_INTERVENCION", "visita", "Visita", "VISITA_DOMICILIARIA"),
    ("MPI", "DERECHO_VULNERADO", "salud", "Salud", "FALTA_ACCESO_SALUD"),
    ("MPI", "ORIGEN_DEMANDA", "escuela", "Escuela", "ESCUELA"),
    ("MPI", "MOTIVO_CIERRE", "restituido", "Restituido", "DERECHO_RESTITUIDO"),
    ("MPE", "TIPO_INTERVENCION", "PER_INICIAL", "Inicial", "PER_INICIAL"),
    ("MPE", "TIPO_INTERVENCION", "PRORROGA", "Prórroga", "PRORROGA"),
    ("MPE", "TIPO_INTERVENCION", "CAMBIO_AMBITO", "Cambio de ámbito", "CAMBIO_AMBITO"),
    ("MPE", "TIPO_INTERVENCION", "CESE_MPE", "Cese", "CESE_MPE"),
    ("MPE", "DERECHO_VULNERADO", "violencia_fisica", "Violencia física", "VIOLENCIA_FISICA"),
    ("MPE", "ORIGEN_DEMANDA", "102", "Línea 102", "LINEA_102"),
    ("MPE", "AMBITO_CUMPLIMIENTO", "hogar", "Hogar", "DISPOSITIVO_INSTITUCIONAL"),
    ("MPE", "TIPO_DISPOSITIVO", "hogar_convivencial", "Hogar convivencial", "HOGAR_CONVIVENCIAL"),
    ("MPE", "SITUACION_AL_CESE", "reintegro", "Reintegro", "REINTEGRO_FAMILIA_ORIGEN"),
    ("MPJ", "TIPO_MEDIDA_PENAL", "privativa", "Privativa", "PRIVATIVA_LIBERTAD"),
    ("MPJ", "DISPOSITIVO", "centro_cerrado", "Centro cerrado", "CENTRO_CERRADO"),
    ("MPJ", "DELITO_IMPUTADO", "robo", "Robo", "CONTRA_LA_PROPIEDAD"),
    ("MPJ", "SITUACION_PROCESAL", "procesado", "Procesado", "PROCESADO"),
    ("MPJ", "MOTIVO_EGRESO", "cumplimiento", "Cumplimiento", "CUMPLIMIENTO_MEDIDA"),
]
# The starter forms' other local options (MPI, MPE and MPJ select lists, legajo form) → national category.
# MPI.DERECHO_VULNERADO 'abandono' is left out on purpose: a form option the table does not map.
STARTER_OPTIONS = {
    ("MPI", "TIPO_INTERVENCION"): {
        "visita_domiciliaria": "VISITA_DOMICILIARIA",
        "derivacion": "DERIVACION_SERVICIO",
        "acompanamiento": "ACOMPANAMIENTO",
        "articulacion": "ARTICULACION_INSTITUCIONAL",
        "asistencia_material": "ASISTENCIA_MATERIAL",
        "otra": "OTRA",
    },
    ("MPI", "DERECHO_VULNERADO"): {
        "violencia_fisica": "VIOLENCIA_FISICA",
        "violencia_psicologica": "VIOLENCIA_PSICOLOGICA",
        "abuso_sexual": "ABUSO_SEXUAL",
        "negligencia": "NEGLIGENCIA",
        "trabajo_infantil": "EXPLOTACION_LABORAL",
        "trata": "TRATA",
        "situacion_calle": "SITUACION_DE_CALLE",
        "consumo": "CONSUMO_PROBLEMATICO",
        "educacion": "FALTA_ACCESO_EDUCACION",
        "documentacion": "FALTA_DOCUMENTACION",
        "otro": "OTRO",
    },
    ("MPI", "ORIGEN_DEMANDA"): {
        "102": "LINEA_102",
        "salud": "CENTRO_SALUD",
        "policia": "POLICIA",
        "judicial": "PODER_JUDICIAL",
        "espontanea": "DEMANDA_ESPONTANEA",
        "organizacion_social": "ORGANIZACION_SOCIAL",
        "otro": "OTRO",
    },
    ("MPI", "MOTIVO_CIERRE"): {
        "otra_jurisdiccion": "DERIVACION_OTRA_JURISDICCION",
        "paso_mpe": "PASO_A_MPE",
        "mayoria_edad": "MAYORIA_DE_EDAD",
        "sin_contacto": "SIN_CONTACTO",
        "otro": "OTRO",
    },
    ("MPE", "DERECHO_VULNERADO"): {
        "violencia_psicologica": "VIOLENCIA_PSICOLOGICA",
        "abuso_sexual": "ABUSO_SEXUAL",
        "negligencia": "NEGLIGENCIA",
        "abandono": "ABANDONO",
        "trabajo_infantil": "EXPLOTACION_LABORAL",
        "trata": "TRATA",
        "situacion_calle": "SITUACION_DE_CALLE",
        "consumo": "CONSUMO_PROBLEMATICO",
        "salud": "FALTA_ACCESO_SALUD",
        "educacion": "FALTA_ACCESO_EDUCACION",
        "documentacion": "FALTA_DOCUMENTACION",
        "otro": "OTRO",
    },
    ("MPE", "ORIGEN_DEMANDA"): {
        "escuela": "ESCUELA",
        "salud": "CENTRO_SALUD",
        "policia": "POLICIA",
        "judicial": "PODER_JUDICIAL",
        "espontanea": "DEMANDA_ESPONTANEA",
        "organizacion_social": "ORGANIZACION_SOCIAL",
        "otro": "OTRO",
    },
    ("MPE", "AMBITO_CUMPLIMIENTO"): {
        "familia_ampliada": "FAMILIA_AMPLIADA",
        "referente_afectivo": "REFERENTE_AFECTIVO",
        "acogimiento": "FAMILIA_DE_ACOGIMIENTO",
        "terapeutico": "DISPOSITIVO_TERAPEUTICO",
        "otro": "OTRO",
    },
    ("MPE", "TIPO_DISPOSITIVO"): {
        "pequeno_hogar": "RESIDENCIA_PEQUENA",
        "centro_admision": "CENTRO_DE_ADMISION",
        "comunidad_terapeutica": "COMUNIDAD_TERAPEUTICA",
        "familia_acogedora": "PROGRAMA_FAMILIA_ACOGEDORA",
        "no_corresponde": "NO_CORRESPONDE",
        "otro": "OTRO",
    },
    ("MPE", "SITUACION_AL_CESE"): {
        "familia_ampliada": "FAMILIA_AMPLIADA",
        "guarda_adoptiva": "ADOPCION",
        "autonomia": "AUTONOMIA",
        "mayoria_edad": "MAYORIA_DE_EDAD",
        "fallecimiento": "FALLECIMIENTO",
        "otro": "OTRO",
    },
    ("MPJ", "TIPO_MEDIDA_PENAL"): {
        "restrictiva": "RESTRICTIVA_LIBERTAD",
        "territorio": "EN_TERRITORIO",
        "otra": "OTRA",
    },
    ("MPJ", "DISPOSITIVO"): {
        "semicerrado": "CENTRO_SEMICERRADO",
        "residencia": "RESIDENCIA_SOCIOEDUCATIVA",
        "programa": "PROGRAMA_EN_TERRITORIO",
        "admision": "CENTRO_DE_ADMISION",
        "otro": "OTRO",
    },
    ("MPJ", "DELITO_IMPUTADO"): {
        "hurto": "CONTRA_LA_PROPIEDAD",
        "danos": "CONTRA_LA_PROPIEDAD",
        "lesiones": "CONTRA_LAS_PERSONAS",
        "homicidio": "CONTRA_LAS_PERSONAS",
        "abuso_sexual": "CONTRA_LA_INTEGRIDAD_SEXUAL",
        "estupefacientes": "ESTUPEFACIENTES",
        "amenazas": "CONTRA_LA_LIBERTAD",
        "otro": "OTRO",
        "sin_dato": "SIN_DATO",
    },
    ("MPJ", "SITUACION_PROCESAL"): {
        "responsable": "DECLARADO_RESPONSABLE",
        "sobreseido": "SOBRESEIDO",
        "sin_dato": "SIN_DATO",
    },
    ("MPJ", "MOTIVO_EGRESO"): {
        "cambio_medida": "CAMBIO_DE_MEDIDA",
        "disposicion_judicial": "DISPOSICION_JUDICIAL",
        "mayoria_edad": "MAYORIA_DE_EDAD",
        "evasion": "EVASION",
        "fallecimiento": "FALLECIMIENTO",
        "otro": "OTRO",
    },
    ("LEGAJOS", "PUEBLO_ORIGINARIO"): {
        "ninguno": "NINGUNO",
        "kolla": "KOLLA",
        "guarani": "GUARANI",
        "wichi": "WICHI",
        "qom": "QOM",
        "mapuche": "MAPUCHE",
        "diaguita": "DIAGUITA",
        "omaguaca": "OTRO",
        "atacama": "OTRO",
        "otro": "OTRO",
        "sin_dato": "SIN_DATO",
    },
    ("LEGAJOS", "NIVEL_EDUCATIVO"): {
        "sin_escolarizar": "SIN_ESCOLARIZAR",
        "inicial": "INICIAL",
        "primaria_incompleta": "PRIMARIO_INCOMPLETO",
        "primaria_completa": "PRIMARIO_COMPLETO",
        "secundaria_incompleta": "SECUNDARIO_INCOMPLETO",
        "secundaria_completa": "SECUNDARIO_COMPLETO",
        "terciaria_universitaria": "SUPERIOR",
        "sin_dato": "SIN_DATO",
    },
}
TABLE += [
    (unit, field, local, local, category)
    for (unit, field), options in STARTER_OPTIONS.items()
    for local, category in options.items()
]


def legajo_form(**values: Any) -> dict[str, dict[str, Any]]:
    """Answers to the starter's legajo form (`runac_legajo`), for `Province.legajo(forms=…)`."""
    answers = {
        "pueblo_originario": "kolla",
        "escolarizado": "SI",
        "nivel_educativo": "primaria_incompleta",
        "discapacidad": "NO",
        "documentado": "SI",
        **values,
    }
    return {"runac_legajo": answers}


def mpi(identifier: str, **values: Any) -> dict[str, Any]:
    return {
        "id_intervencion": identifier,
        "tipo_intervencion": "entrevista",
        "motivo": "Inasistencia escolar",
        "derecho_vulnerado": "salud",
        "origen_demanda": "escuela",
        "organismo_interviniente": "Servicio local",
        **values,
    }


def mpe(identifier: str, kind: str = "PER_INICIAL", **values: Any) -> dict[str, Any]:
    data = {
        "id_intervencion": identifier,
        "tipo_intervencion": kind,
        "derecho_vulnerado": "violencia_fisica",
        "origen_demanda": "102",
        "ambito_cumplimiento": "hogar",
        "tipo_dispositivo": "hogar_convivencial",
        "tipo_proyecto_restitucion": "REVINCULACION_FAMILIAR",
    }
    if kind == "CESE_MPE":
        data |= {"situacion_al_cese": "reintegro", "fecha_cese": values.pop("fecha_cese", "2022-09-30")}
    return {**data, **values}


def entry(identifier: str, **values: Any) -> dict[str, Any]:
    return {
        "id_intervencion": identifier,
        "tipo_movimiento": "INGRESO",
        "tipo_medida_penal": "privativa",
        "dispositivo": "centro_cerrado",
        "organo_judicial": "Juzgado de Menores N.º 1",
        "delito_imputado": "robo",
        "situacion_procesal": "procesado",
        **values,
    }


def exit_(identifier: str, entry_id: str, **values: Any) -> dict[str, Any]:
    return {
        "id_intervencion": identifier,
        "tipo_movimiento": "EGRESO",
        "motivo_egreso": "cumplimiento",
        "id_ingreso_asociado": entry_id,
        **values,
    }


@dataclass
class Province:
    world: World
    santa_fe: Jurisdiction
    cordoba: Jurisdiction
    case_type: CaseType
    types: dict[str, InterventionType]
    province_generator: User
    province_basic: User
    province_viewer: User
    generator_14: User

    def personas(self) -> dict[str, User | None]:
        return {
            "province_generator": self.province_generator,
            "province_basic": self.province_basic,
            "province_viewer": self.province_viewer,
            "generator_14": self.generator_14,
            "caseworker_a": self.world.caseworker_a,
            "national_admin": self.world.national_admin,
            "anonymous": None,
        }

    def legajo(
        self,
        opened_on: datetime.date,
        interventions: list[tuple[str, datetime.date, dict[str, Any]]],
        *,
        unit: Any = None,
        child: Any = None,
        forms: dict[str, dict[str, Any]] | None = None,
        **person: Any,
    ) -> Case:
        """A RUNac case with its interventions [(mpi|mpe|mpj, date, answers)], for a new child or `child`.

        `forms` are answers to the type's forms by identifier (the legajo form `runac_legajo`).
        """
        org_unit = unit or self.world.unit_a
        person.setdefault("nationality", "AR")
        if child is None:
            child = PersonFactory(org_unit=org_unit, created_by=self.province_generator, **person)
        actor = (
            self.province_generator if org_unit.path.startswith(self.world.unit_a.path) else self.generator_14
        )
        case = case_services.case_open(
            actor=actor,
            data=CaseOpenInput(
                case_type=self.case_type,
                person=child,
                org_unit=org_unit,
                opened_on=opened_on,
                forms=forms or {},
            ),
        )
        for kind, day, answers in interventions:
            case_services.intervention_record(
                actor=actor, case=case, intervention_type=self.types[kind], occurred_on=day, data=answers
            )
        return case


def _user(username: str, unit, role, scope) -> User:
    user = user_create(actor=None, username=username, password=PASSWORD, home_unit=unit)
    role_grant(actor=None, user=user, role=role, org_unit=unit, scope=scope)
    return user


PROVINCE_PERMISSIONS = [
    Permission.RUNAC_VIEW,
    Permission.RUNAC_IMPORT,
    Permission.RUNAC_GENERATE,
    Permission.CASE_VIEW,
    Permission.CASE_CREATE,
    Permission.CASE_EDIT,
    Permission.PERSON_VIEW,
    Permission.PERSON_CREATE,
]


@pytest.fixture
def province(world: World) -> Province:
    # Browser tests flush the database between tests, data migrations' rows included.
    if not NationalCategory.objects.exists():
        services.categories_load(actor=None)
    for code, name in spec.JURISDICTIONS:
        Jurisdiction.objects.get_or_create(code=code, defaults={"name": name})
    case_type = next(
        item for item in starter_config_load(org_unit=world.regional) if item.code == "medidas_runac"
    )
    santa_fe = Jurisdiction.objects.get(code="82")
    cordoba = Jurisdiction.objects.get(code="14")
    services.jurisdiction_update(actor=world.national_admin, jurisdiction=santa_fe, org_unit=world.unit_a)
    services.jurisdiction_update(actor=world.national_admin, jurisdiction=cordoba, org_unit=world.unit_b)
    equivalence_version_create(
        jurisdiction=santa_fe,
        rows={(unit, field, local): (description, code) for unit, field, local, description, code in TABLE},
        source=EquivalenceSource.EDIT,
        actor=None,
    )
    generator_role = role_create(
        actor=None,
        name="Referente RUNac provincial",
        permissions=PROVINCE_PERMISSIONS,
        sensitivity_clearance=Sensitivity.SENSITIVE,
    )
    basic_role = role_create(
        actor=None,
        name="Referente RUNac (básico)",
        permissions=PROVINCE_PERMISSIONS,
        sensitivity_clearance=Sensitivity.BASIC,
    )
    viewer_role = role_create(
        actor=None,
        name="Consulta RUNac provincial",
        permissions=[Permission.RUNAC_VIEW, Permission.CASE_VIEW],
        sensitivity_clearance=Sensitivity.SENSITIVE,
    )
    return Province(
        world=world,
        santa_fe=santa_fe,
        cordoba=cordoba,
        case_type=case_type,
        types={item.code: item for item in case_type.intervention_types.all()},
        province_generator=_user("province_generator", world.unit_a, generator_role, Scope.SUBTREE),
        province_basic=_user("province_basic", world.unit_a, basic_role, Scope.SUBTREE),
        province_viewer=_user("province_viewer", world.unit_a, viewer_role, Scope.SUBTREE),
        generator_14=_user("generator_14", world.unit_b, generator_role, Scope.SUBTREE),
    )
