"""Small hand-written RUNac deliveries for tests: valid rows by default, any column overridable."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from amparo.exchange.runac import services, spec
from amparo.exchange.runac.choices import DeliveryChannel
from amparo.exchange.runac.equivalences import write_equivalence_csv
from amparo.exchange.runac.generator import equivalence_rows, local_ids
from amparo.exchange.runac.models import Delivery
from amparo.exchange.runac.reading import Source
from amparo.exchange.runac.tables import read_categories_csv

LOCAL = local_ids(read_categories_csv())


def local(unit: str, field: str, national: str) -> str:
    """The synthetic province's local id of a national category (as in its 82_TE.csv)."""
    return LOCAL[(unit, field)][national]


def equivalence_csv() -> str:
    return write_equivalence_csv(equivalence_rows(LOCAL))


def legajo(**values: str) -> dict[str, str]:
    row = {
        "ID_LEGAJO": "L1",
        "FECHA_CREACION": "10/01/2023",
        "GENERO": "MUJER",
        "FECHA_NACIMIENTO": "05/05/2010",
        "EDAD_AL_INGRESO": "",
        "NACIONALIDAD": local("LEGAJOS", "NACIONALIDAD", "ARGENTINA"),
        "DEPARTAMENTO_RESIDENCIA": "Rosario",
        "LOCALIDAD_RESIDENCIA": "Rosario",
        "DISCAPACIDAD": "NO",
        "CUD": "NO",
        "PUEBLO_ORIGINARIO": local("LEGAJOS", "PUEBLO_ORIGINARIO", "NINGUNO"),
        "NIVEL_EDUCATIVO": local("LEGAJOS", "NIVEL_EDUCATIVO", "PRIMARIO_COMPLETO"),
        "ESCOLARIZADO": "SI",
        "DOCUMENTADO": "SI",
    }
    return {**row, **values}


def mpi(**values: str) -> dict[str, str]:
    row = {
        "ID_LEGAJO": "L1",
        "ID_INTERVENCION": "MPI-1",
        "FECHA_INTERVENCION": "15/01/2023",
        "TIPO_INTERVENCION": local("MPI", "TIPO_INTERVENCION", "ENTREVISTA"),
        "MOTIVO": "Relevamiento",
        "DERECHO_VULNERADO": local("MPI", "DERECHO_VULNERADO", "NEGLIGENCIA"),
        "ORIGEN_DEMANDA": local("MPI", "ORIGEN_DEMANDA", "ESCUELA"),
        "ORGANISMO_INTERVINIENTE": "Servicio local",
        "FECHA_CIERRE": "",
        "MOTIVO_CIERRE": "",
    }
    return {**row, **values}


def mpe(kind: str = "PER_INICIAL", **values: str) -> dict[str, str]:
    closing = kind == "CESE_MPE"
    row = {
        "ID_LEGAJO": "L1",
        "ID_INTERVENCION": "MPE-1",
        "FECHA_INTERVENCION": "20/01/2023",
        "TIPO_INTERVENCION": local("MPE", "TIPO_INTERVENCION", kind),
        "MOTIVO": "Medida",
        "DERECHO_VULNERADO": local("MPE", "DERECHO_VULNERADO", "NEGLIGENCIA"),
        "ORIGEN_DEMANDA": local("MPE", "ORIGEN_DEMANDA", "ESCUELA"),
        "AMBITO_CUMPLIMIENTO": local("MPE", "AMBITO_CUMPLIMIENTO", "FAMILIA_AMPLIADA"),
        "TIPO_DISPOSITIVO": local("MPE", "TIPO_DISPOSITIVO", "NO_CORRESPONDE"),
        "FECHA_CONTROL_LEGALIDAD": "",
        "TIPO_PROYECTO_RESTITUCION": "FAMILIA_AMPLIADA",
        "SITUACION_AL_CESE": local("MPE", "SITUACION_AL_CESE", "FAMILIA_AMPLIADA") if closing else "",
        "FECHA_CESE": values.get("FECHA_INTERVENCION", "20/01/2023") if closing else "",
    }
    return {**row, **values}


def entry(**values: str) -> dict[str, str]:
    row = {
        "ID_LEGAJO": "L1",
        "ID_INTERVENCION": "MPJ-1",
        "TIPO_MOVIMIENTO": "INGRESO",
        "FECHA_MOVIMIENTO": "01/02/2023",
        "TIPO_MEDIDA_PENAL": local("MPJ", "TIPO_MEDIDA_PENAL", "PRIVATIVA_LIBERTAD"),
        "DISPOSITIVO": local("MPJ", "DISPOSITIVO", "CENTRO_CERRADO"),
        "ORGANO_JUDICIAL": "Juzgado N.º 1",
        "DELITO_IMPUTADO": local("MPJ", "DELITO_IMPUTADO", "CONTRA_LA_PROPIEDAD"),
        "SITUACION_PROCESAL": local("MPJ", "SITUACION_PROCESAL", "PROCESADO"),
        "MOTIVO_EGRESO": "",
        "ID_INGRESO_ASOCIADO": "",
    }
    return {**row, **values}


def exit_(**values: str) -> dict[str, str]:
    row = {
        "ID_LEGAJO": "L1",
        "ID_INTERVENCION": "MPJ-2",
        "TIPO_MOVIMIENTO": "EGRESO",
        "FECHA_MOVIMIENTO": "01/03/2023",
        "TIPO_MEDIDA_PENAL": "",
        "DISPOSITIVO": "",
        "ORGANO_JUDICIAL": "",
        "DELITO_IMPUTADO": "",
        "SITUACION_PROCESAL": "",
        "MOTIVO_EGRESO": local("MPJ", "MOTIVO_EGRESO", "CUMPLIMIENTO_MEDIDA"),
        "ID_INGRESO_ASOCIADO": "MPJ-1",
    }
    return {**row, **values}


def name(unit: str, jurisdiction: str = "82", cut_off: str = "30062023", suffix: str = "") -> str:
    return f"{jurisdiction}_{unit}_{cut_off}{suffix}_RUNac.txt"


def write_file(
    directory: Path,
    file_name: str,
    unit: str,
    rows: list[dict[str, str]],
    *,
    header: list[str] | None = None,
    encoding: str = "utf-8",
    newline: str = "\n",
    raw_lines: Sequence[str] = (),
) -> Path:
    header = header or spec.header(spec.Unit(unit))
    lines = (
        ["\t".join(header)]
        + ["\t".join(row[column] for column in spec.header(spec.Unit(unit))) for row in rows]
        + list(raw_lines)
    )
    path = directory / file_name
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def write_delivery(
    directory: Path,
    units: dict[str, list[dict[str, str]]],
    *,
    jurisdiction: str = "82",
    cut_off: str = "30062023",
    **options: Any,
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [
        write_file(directory, name(unit, jurisdiction, cut_off), unit, rows, **options)
        for unit, rows in units.items()
    ]


def import_paths(paths: list[Path], *, equivalence: Path | None = None, actor: Any = None) -> Delivery:
    return services.delivery_import(
        actor=actor,
        sources=[Source.from_path(str(path)) for path in paths],
        equivalence_source=Source.from_path(str(equivalence)) if equivalence else None,
        channel=DeliveryChannel.COMMAND,
    )


def errors_of(delivery: Delivery) -> list[tuple[str, int | None, str, str]]:
    return [
        (item["file"], item["line"], item["column"], item["message"])
        for item in delivery.issues
        if item["severity"] == "error"
    ]


def warnings_of(delivery: Delivery) -> list[tuple[str, int | None, str, str]]:
    return [
        (item["file"], item["line"], item["column"], item["message"])
        for item in delivery.issues
        if item["severity"] == "warning"
    ]


def a_small_delivery() -> dict[str, list[dict[str, str]]]:
    """One legajo with an MPI intervention, an open exceptional measure and an open penal entry."""
    return {"LEGAJOS": [legajo()], "MPI": [mpi()], "MPE": [mpe()], "MPJ": [entry()]}
