"""The RUNac file contract (Resolución 1190/2023 SENNAF, Anexo II) as data.

Everything the validator, the loader, the generator and the exports know about the four
files comes from here: units, columns in their exact order, the kind of each field and
the predefined values. See docs/runac.md for the same contract in prose.
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    LEGAJOS = "LEGAJOS"
    MPI = "MPI"
    MPE = "MPE"
    MPJ = "MPJ"


UNIT_ORDER = {Unit.LEGAJOS: 0, Unit.MPI: 1, Unit.MPE: 2, Unit.MPJ: 3}


class Kind(StrEnum):
    """S = sent as recorded (text, date or integer), P = predefined national value, TE = local id."""

    TEXT = "S"
    DATE = "S_DATE"
    INTEGER = "S_INT"
    PREDEFINED = "P"
    EQUIVALENCE = "TE"


# Identifiers and local category ids longer than this are refused (they would not fit the columns).
MAX_ID_LENGTH = 100
MAX_TEXT_LENGTH = 2000

SI_NO = ("SI", "NO", "SIN_DATO")
GENDERS = ("MUJER", "VARON", "MUJER_TRANS", "VARON_TRANS", "NO_BINARIO", "OTRO", "SIN_DATO")
RESTITUTION_PROJECTS = (
    "REVINCULACION_FAMILIAR",
    "FAMILIA_AMPLIADA",
    "ADOPCION",
    "AUTONOMIA",
    "OTRO",
    "SIN_DATO",
)
MOVEMENTS = ("INGRESO", "EGRESO")
ENTRY, EXIT = MOVEMENTS

# National categories of MPE TIPO_INTERVENCION that delimit an exceptional measure.
MEASURE_START = "PER_INICIAL"
MEASURE_END = "CESE_MPE"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    is_identifier: bool = False

    @property
    def attribute(self) -> str:
        """The model field holding the value (for TE fields: the national category)."""
        return self.name.lower()

    @property
    def local_attribute(self) -> str:
        """For TE fields: the model field holding the local id exactly as sent."""
        return f"{self.name.lower()}_local"


def _id(name: str, required: bool = True) -> Column:
    return Column(name, Kind.TEXT, required=required, is_identifier=True)


COLUMNS: dict[Unit, tuple[Column, ...]] = {
    Unit.LEGAJOS: (
        _id("ID_LEGAJO"),
        Column("FECHA_CREACION", Kind.DATE, required=True),
        Column("GENERO", Kind.PREDEFINED, choices=GENDERS),
        Column("FECHA_NACIMIENTO", Kind.DATE),
        Column("EDAD_AL_INGRESO", Kind.INTEGER),
        Column("NACIONALIDAD", Kind.EQUIVALENCE),
        Column("DEPARTAMENTO_RESIDENCIA", Kind.TEXT),
        Column("LOCALIDAD_RESIDENCIA", Kind.TEXT),
        Column("DISCAPACIDAD", Kind.PREDEFINED, choices=SI_NO),
        Column("CUD", Kind.PREDEFINED, choices=SI_NO),
        Column("PUEBLO_ORIGINARIO", Kind.EQUIVALENCE),
        Column("NIVEL_EDUCATIVO", Kind.EQUIVALENCE),
        Column("ESCOLARIZADO", Kind.PREDEFINED, choices=SI_NO),
        Column("DOCUMENTADO", Kind.PREDEFINED, choices=SI_NO),
    ),
    Unit.MPI: (
        _id("ID_LEGAJO"),
        _id("ID_INTERVENCION"),
        Column("FECHA_INTERVENCION", Kind.DATE, required=True),
        Column("TIPO_INTERVENCION", Kind.EQUIVALENCE),
        Column("MOTIVO", Kind.TEXT),
        Column("DERECHO_VULNERADO", Kind.EQUIVALENCE),
        Column("ORIGEN_DEMANDA", Kind.EQUIVALENCE),
        Column("ORGANISMO_INTERVINIENTE", Kind.TEXT),
        Column("FECHA_CIERRE", Kind.DATE),
        Column("MOTIVO_CIERRE", Kind.EQUIVALENCE),
    ),
    Unit.MPE: (
        _id("ID_LEGAJO"),
        _id("ID_INTERVENCION"),
        Column("FECHA_INTERVENCION", Kind.DATE, required=True),
        Column("TIPO_INTERVENCION", Kind.EQUIVALENCE),
        Column("MOTIVO", Kind.TEXT),
        Column("DERECHO_VULNERADO", Kind.EQUIVALENCE),
        Column("ORIGEN_DEMANDA", Kind.EQUIVALENCE),
        Column("AMBITO_CUMPLIMIENTO", Kind.EQUIVALENCE),
        Column("TIPO_DISPOSITIVO", Kind.EQUIVALENCE),
        Column("FECHA_CONTROL_LEGALIDAD", Kind.DATE),
        Column("TIPO_PROYECTO_RESTITUCION", Kind.PREDEFINED, choices=RESTITUTION_PROJECTS),
        Column("SITUACION_AL_CESE", Kind.EQUIVALENCE),
        Column("FECHA_CESE", Kind.DATE),
    ),
    Unit.MPJ: (
        _id("ID_LEGAJO"),
        _id("ID_INTERVENCION"),
        Column("TIPO_MOVIMIENTO", Kind.PREDEFINED, required=True, choices=MOVEMENTS),
        Column("FECHA_MOVIMIENTO", Kind.DATE, required=True),
        Column("TIPO_MEDIDA_PENAL", Kind.EQUIVALENCE),
        Column("DISPOSITIVO", Kind.EQUIVALENCE),
        Column("ORGANO_JUDICIAL", Kind.TEXT),
        Column("DELITO_IMPUTADO", Kind.EQUIVALENCE),
        Column("SITUACION_PROCESAL", Kind.EQUIVALENCE),
        Column("MOTIVO_EGRESO", Kind.EQUIVALENCE),
        _id("ID_INGRESO_ASOCIADO", required=False),
    ),
}

# The row key that must be unique within a delivery's files of a unit.
KEY_COLUMN: dict[Unit, str] = {
    Unit.LEGAJOS: "ID_LEGAJO",
    Unit.MPI: "ID_INTERVENCION",
    Unit.MPE: "ID_INTERVENCION",
    Unit.MPJ: "ID_INTERVENCION",
}

# MPE: columns filled only on the closing intervention (CESE_MPE).
MPE_CLOSING_ONLY = ("SITUACION_AL_CESE", "FECHA_CESE")
# MPJ: which columns an entry and an exit fill; the others stay empty.
MPJ_ENTRY_ONLY = (
    "TIPO_MEDIDA_PENAL",
    "DISPOSITIVO",
    "ORGANO_JUDICIAL",
    "DELITO_IMPUTADO",
    "SITUACION_PROCESAL",
)
MPJ_EXIT_ONLY = ("MOTIVO_EGRESO", "ID_INGRESO_ASOCIADO")


def header(unit: Unit) -> list[str]:
    return [column.name for column in COLUMNS[unit]]


def equivalence_fields(unit: Unit) -> list[str]:
    return [column.name for column in COLUMNS[unit] if column.kind == Kind.EQUIVALENCE]


def column(unit: Unit, name: str) -> Column:
    return next(candidate for candidate in COLUMNS[unit] if candidate.name == name)


# INDEC two-digit codes of the 24 jurisdictions.
JURISDICTIONS: tuple[tuple[str, str], ...] = (
    ("02", "Ciudad Autónoma de Buenos Aires"),
    ("06", "Buenos Aires"),
    ("10", "Catamarca"),
    ("14", "Córdoba"),
    ("18", "Corrientes"),
    ("22", "Chaco"),
    ("26", "Chubut"),
    ("30", "Entre Ríos"),
    ("34", "Formosa"),
    ("38", "Jujuy"),
    ("42", "La Pampa"),
    ("46", "La Rioja"),
    ("50", "Mendoza"),
    ("54", "Misiones"),
    ("58", "Neuquén"),
    ("62", "Río Negro"),
    ("66", "Salta"),
    ("70", "San Juan"),
    ("74", "San Luis"),
    ("78", "Santa Cruz"),
    ("82", "Santa Fe"),
    ("86", "Santiago del Estero"),
    ("90", "Tucumán"),
    ("94", "Tierra del Fuego, Antártida e Islas del Atlántico Sur"),
)
JURISDICTION_CODES = frozenset(code for code, _name in JURISDICTIONS)

# {JUR}_{UNIT}_{ddmmyyyy}[-n]_RUNac.txt, with the tolerated deviations captured so they can be warned.
FILE_NAME = re.compile(
    r"^(?P<jurisdiction>\d{2})(?P<space1>\s*)_(?P<space2>\s*)(?P<unit>[A-Za-z]+)(?P<space3>\s*)_(?P<space4>\s*)"
    r"(?P<date>\d{8})(?:-(?P<suffix>\d+))?(?P<space5>\s*)_(?P<space6>\s*)RUNac\.(?P<extension>txt|TXT)$"
)
EQUIVALENCE_FILE_NAME = re.compile(r"^(?P<jurisdiction>\d{2})_TE\.csv$")
EQUIVALENCE_HEADER = ["unidad", "campo", "id_local", "descripcion_local", "categoria_nacional"]

# Semester cut-offs (day, month); the first delivery covers calendar year 2022.
CUT_OFF_DAYS = ((30, 6), (27, 12))
