"""Problems a RUNac delivery can have, with the Spanish text the province reads.

The messages are fixed Spanish text on purpose, not UI strings: the report is a document
sent back to a jurisdiction under a Spanish-language resolution, the same for whoever
downloads it (like the file contract's column names). Each problem has a stable code.
"""

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class IssueCode(StrEnum):
    NO_FILES = "no_files"
    FILE_NAME_INVALID = "file_name_invalid"
    FILE_NAME_TOLERATED = "file_name_tolerated"
    JURISDICTION_UNKNOWN = "jurisdiction_unknown"
    UNIT_UNKNOWN = "unit_unknown"
    CUT_OFF_INVALID = "cut_off_invalid"
    CUT_OFF_UNUSUAL = "cut_off_unusual"
    SUFFIX_INVALID = "suffix_invalid"
    FILE_DUPLICATED = "file_duplicated"
    JURISDICTION_MISMATCH = "jurisdiction_mismatch"
    CUT_OFF_MISMATCH = "cut_off_mismatch"
    NOT_ALLOWED = "not_allowed"
    ENCODING_FALLBACK = "encoding_fallback"
    FILE_EMPTY = "file_empty"
    HEADER_MISSING_COLUMN = "header_missing_column"
    HEADER_UNEXPECTED_COLUMN = "header_unexpected_column"
    HEADER_ORDER = "header_order"
    ROWS_NOT_CHECKED = "rows_not_checked"
    ROW_WIDTH = "row_width"
    BLANK_LINE = "blank_line"
    CONTROL_CHARACTER = "control_character"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    DATE_FORMAT = "date_format"
    INTEGER_FORMAT = "integer_format"
    PREDEFINED_VALUE = "predefined_value"
    EQUIVALENCE_MISSING = "equivalence_missing"
    DUPLICATE_ID = "duplicate_id"
    LEGAJO_UNKNOWN = "legajo_unknown"
    EXIT_WITHOUT_ENTRY = "exit_without_entry"
    EXIT_ENTRY_REQUIRED = "exit_entry_required"
    CLOSING_ONLY = "closing_only"
    MOVEMENT_FIELD_NOT_EMPTY = "movement_field_not_empty"
    DATE_AFTER_CUT_OFF = "date_after_cut_off"
    MEASURE_CLOSE_WITHOUT_START = "measure_close_without_start"
    MEASURE_START_WHILE_OPEN = "measure_start_while_open"
    EXIT_BEFORE_ENTRY = "exit_before_entry"
    ENTRY_ALREADY_CLOSED = "entry_already_closed"
    LOAD_FAILED = "load_failed"
    TE_FILE_NAME = "te_file_name"
    TE_HEADER = "te_header"
    TE_ROW_WIDTH = "te_row_width"
    TE_UNIT = "te_unit"
    TE_FIELD = "te_field"
    TE_CATEGORY = "te_category"
    TE_DUPLICATE = "te_duplicate"
    TE_JURISDICTION_MISMATCH = "te_jurisdiction_mismatch"


MESSAGES: dict[IssueCode, str] = {
    IssueCode.NO_FILES: "La entrega no contiene archivos.",
    IssueCode.FILE_NAME_INVALID: (
        "El nombre del archivo no sigue el formato {{JUR}}_{{UNIDAD}}_{{ddmmaaaa}}_RUNac.txt "
        "(por ejemplo 82_LEGAJOS_30062023_RUNac.txt)."
    ),
    IssueCode.FILE_NAME_TOLERATED: "Nombre de archivo aceptado con tolerancia: {detail}.",
    IssueCode.JURISDICTION_UNKNOWN: "'{value}' no es un código INDEC de jurisdicción (02, 06, 10 … 94).",
    IssueCode.UNIT_UNKNOWN: "La unidad '{value}' no es LEGAJOS, MPI, MPE ni MPJ.",
    IssueCode.CUT_OFF_INVALID: (
        "La fecha de corte '{value}' del nombre del archivo no es una fecha válida (ddmmaaaa)."
    ),
    IssueCode.CUT_OFF_UNUSUAL: "La fecha de corte {value} no es un corte semestral (30/06 o 27/12).",
    IssueCode.SUFFIX_INVALID: (
        "El sufijo '-{value}' no es válido: los archivos adicionales de una unidad llevan -2, -3, etc."
    ),
    IssueCode.FILE_DUPLICATED: (
        "Ya hay otro archivo de la unidad {unit} con el mismo sufijo en la entrega ({value})."
    ),
    IssueCode.JURISDICTION_MISMATCH: (
        "El archivo es de la jurisdicción {value}, pero la entrega es de la jurisdicción {expected}."
    ),
    IssueCode.CUT_OFF_MISMATCH: (
        "El archivo tiene fecha de corte {value}, pero la entrega tiene fecha de corte {expected}."
    ),
    IssueCode.NOT_ALLOWED: "No tiene permiso para enviar entregas de la jurisdicción {value}.",
    IssueCode.ENCODING_FALLBACK: "El archivo no está codificado en UTF-8; se leyó como {value}.",
    IssueCode.FILE_EMPTY: "El archivo está vacío: falta la línea de encabezado.",
    IssueCode.HEADER_MISSING_COLUMN: "Falta la columna {column} en el encabezado.",
    IssueCode.HEADER_UNEXPECTED_COLUMN: "La columna '{value}' no forma parte del formato de {unit}.",
    IssueCode.HEADER_ORDER: "La columna {position} del encabezado debe ser {expected}, pero es '{value}'.",
    IssueCode.ROWS_NOT_CHECKED: (
        "No se revisaron las filas de este archivo porque su encabezado no tiene las {expected} "
        "columnas de {unit}."
    ),
    IssueCode.ROW_WIDTH: "La fila tiene {value} columnas; el formato de {unit} tiene {expected}.",
    IssueCode.BLANK_LINE: "Línea vacía: se ignoró.",
    IssueCode.CONTROL_CHARACTER: "El valor contiene caracteres de control no admitidos.",
    IssueCode.REQUIRED: "La columna {column} es obligatoria y está vacía.",
    IssueCode.TOO_LONG: "El valor tiene {value} caracteres; el máximo es {expected}.",
    IssueCode.DATE_FORMAT: "'{value}' no es una fecha válida con formato dd/mm/aaaa.",
    IssueCode.INTEGER_FORMAT: "'{value}' no es un número entero de años.",
    IssueCode.PREDEFINED_VALUE: "'{value}' no es un valor admitido en {column}; los valores son: {expected}.",
    IssueCode.EQUIVALENCE_MISSING: (
        "El ID local '{value}' de {unit}.{column} no está en la tabla de equivalencias de la jurisdicción "
        "{expected}; informe la nueva categoría en {expected}_TE.csv."
    ),
    IssueCode.DUPLICATE_ID: "{column} '{value}' repetido: ya aparece en {expected}.",
    IssueCode.LEGAJO_UNKNOWN: (
        "El ID_LEGAJO '{value}' no está en LEGAJOS de esta entrega ni de una entrega anterior "
        "de la jurisdicción."
    ),
    IssueCode.EXIT_WITHOUT_ENTRY: (
        "El egreso apunta al ingreso '{value}', que no existe como INGRESO del legajo '{expected}' "
        "en esta entrega ni en una anterior."
    ),
    IssueCode.EXIT_ENTRY_REQUIRED: (
        "Un EGRESO debe indicar en ID_INGRESO_ASOCIADO el ID_INTERVENCION del ingreso que cierra."
    ),
    IssueCode.CLOSING_ONLY: (
        "La columna {column} se completa solo en la intervención CESE_MPE (esta es {expected})."
    ),
    IssueCode.MOVEMENT_FIELD_NOT_EMPTY: "La columna {column} debe quedar vacía en un {expected}.",
    IssueCode.DATE_AFTER_CUT_OFF: "La fecha {value} es posterior a la fecha de corte {expected}.",
    IssueCode.MEASURE_CLOSE_WITHOUT_START: (
        "CESE_MPE sin una medida excepcional abierta en el legajo '{value}' (falta su PER_INICIAL)."
    ),
    IssueCode.MEASURE_START_WHILE_OPEN: (
        "PER_INICIAL con una medida excepcional ya abierta desde {expected} en el legajo '{value}'; "
        "se toma como parte de esa medida."
    ),
    IssueCode.EXIT_BEFORE_ENTRY: "El egreso ({value}) es anterior a su ingreso ({expected}).",
    IssueCode.ENTRY_ALREADY_CLOSED: (
        "El ingreso '{value}' ya tiene otro egreso ('{expected}'); se toma el primero."
    ),
    IssueCode.LOAD_FAILED: (
        "Error interno de la base de datos al cargar la entrega; no se cargó nada. Vuelva a intentarlo o "
        "consulte al equipo técnico."
    ),
    IssueCode.TE_FILE_NAME: (
        "El nombre de la tabla de equivalencias debe ser {{JUR}}_TE.csv (por ejemplo 82_TE.csv)."
    ),
    IssueCode.TE_HEADER: (
        "El encabezado debe ser exactamente: unidad,campo,id_local,descripcion_local,categoria_nacional."
    ),
    IssueCode.TE_ROW_WIDTH: "La fila tiene {value} columnas; la tabla de equivalencias tiene 5.",
    IssueCode.TE_UNIT: "La unidad '{value}' no es LEGAJOS, MPI, MPE ni MPJ.",
    IssueCode.TE_FIELD: "'{value}' no es un campo con tabla de equivalencias (TE) de {unit}.",
    IssueCode.TE_CATEGORY: "'{value}' no es una categoría nacional de {unit}.{field}.",
    IssueCode.TE_DUPLICATE: (
        "El ID local '{value}' de {unit}.{field} está repetido: ya aparece en la línea {expected}."
    ),
    IssueCode.TE_JURISDICTION_MISMATCH: (
        "La tabla de equivalencias es de la jurisdicción {value}, pero la entrega es de la "
        "jurisdicción {expected}."
    ),
}

WARNINGS = frozenset(
    {
        IssueCode.FILE_NAME_TOLERATED,
        IssueCode.CUT_OFF_UNUSUAL,
        IssueCode.ENCODING_FALLBACK,
        IssueCode.ROWS_NOT_CHECKED,
        IssueCode.BLANK_LINE,
        IssueCode.DATE_AFTER_CUT_OFF,
        IssueCode.MEASURE_CLOSE_WITHOUT_START,
        IssueCode.MEASURE_START_WHILE_OPEN,
        IssueCode.EXIT_BEFORE_ENTRY,
        IssueCode.ENTRY_ALREADY_CLOSED,
    }
)


@dataclass(frozen=True)
class Issue:
    """One problem: where it is (file, line, column), the value found and what to do."""

    severity: Severity
    code: IssueCode
    file: str
    line: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["code"] = str(self.code)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Issue":
        return cls(
            severity=Severity(data["severity"]),
            code=IssueCode(data["code"]),
            file=data["file"],
            line=data["line"],
            column=data["column"],
            value=data["value"],
            message=data["message"],
        )


def issue(
    code: IssueCode, *, file: str, line: int | None = None, column: str = "", value: str = "", **params: Any
) -> Issue:
    """Build an issue with its Spanish message; `params` fill the message (unit, expected, position …)."""
    message = MESSAGES[code].format(value=value, column=column, **params)
    severity = Severity.WARNING if code in WARNINGS else Severity.ERROR
    return Issue(
        severity=severity, code=code, file=file, line=line, column=column, value=value, message=message
    )


class RunacErrorCode(StrEnum):
    """Codes of refused operations (ApplicationError) outside a delivery report."""

    NOT_ALLOWED = "runac_not_allowed"
    INVALID_CATEGORY = "runac_invalid_category"
    NOT_EQUIVALENCE_FIELD = "runac_not_equivalence_field"
    REASON_REQUIRED = "runac_reason_required"
    NOTHING_TO_CHANGE = "runac_nothing_to_change"
    TABLE_INVALID = "runac_table_invalid"
    DELIVERY_NOT_PENDING = "runac_delivery_not_pending"
    PERIOD_INVALID = "runac_period_invalid"
