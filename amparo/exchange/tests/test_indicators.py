"""Indicators on a small delivery whose figures were worked out by hand (see the comments)."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command

from amparo.exchange.runac import indicators
from amparo.exchange.runac.choices import Breakdown
from amparo.exchange.runac.exports import indicators_csv, indicators_workbook, result_as_dict
from amparo.exchange.runac.models import Jurisdiction
from amparo.exchange.tests.builders import entry, exit_, import_paths, legajo, local, mpe, mpi, write_delivery

pytestmark = pytest.mark.usefixtures("table_82")
D = datetime.date
AT = D(2023, 6, 30)
PERIOD = (D(2022, 12, 28), D(2023, 6, 30))


@pytest.fixture
def loaded(tmp_path):
    """Three legajos, cut-off 30/06/2023.

    L1 MUJER born 05/05/2010: MPI 15/01 + 20/02/2023; measure 20/01→01/03/2023 (40 days).
    L2 VARON born 01/01/2007, created 2022: MPI 10/04/2022; measure from 01/06/2022, moved to an
       institution (home) on 01/02/2023, still open; penal entry 01/02→exit 01/03/2023, entry 10/03/2023 open.
    L3 no gender, age 4 at creation 01/06/2023, nothing else.
    """
    units = {
        "LEGAJOS": [
            legajo(),
            legajo(
                ID_LEGAJO="L2", FECHA_CREACION="15/03/2022", GENERO="VARON", FECHA_NACIMIENTO="01/01/2007"
            ),
            legajo(
                ID_LEGAJO="L3",
                FECHA_CREACION="01/06/2023",
                GENERO="",
                FECHA_NACIMIENTO="",
                EDAD_AL_INGRESO="4",
            ),
        ],
        "MPI": [
            mpi(),
            mpi(
                ID_INTERVENCION="MPI-2",
                FECHA_INTERVENCION="20/02/2023",
                TIPO_INTERVENCION=local("MPI", "TIPO_INTERVENCION", "VISITA_DOMICILIARIA"),
                ORIGEN_DEMANDA=local("MPI", "ORIGEN_DEMANDA", "POLICIA"),
            ),
            mpi(
                ID_LEGAJO="L2",
                ID_INTERVENCION="MPI-3",
                FECHA_INTERVENCION="10/04/2022",
                DERECHO_VULNERADO=local("MPI", "DERECHO_VULNERADO", "ABANDONO"),
            ),
        ],
        "MPE": [
            mpe(),
            mpe("CESE_MPE", ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="01/03/2023"),
            mpe(
                ID_LEGAJO="L2",
                ID_INTERVENCION="MPE-3",
                FECHA_INTERVENCION="01/06/2022",
                DERECHO_VULNERADO=local("MPE", "DERECHO_VULNERADO", "ABANDONO"),
            ),
            mpe(
                "CAMBIO_AMBITO",
                ID_LEGAJO="L2",
                ID_INTERVENCION="MPE-4",
                FECHA_INTERVENCION="01/02/2023",
                AMBITO_CUMPLIMIENTO=local("MPE", "AMBITO_CUMPLIMIENTO", "DISPOSITIVO_INSTITUCIONAL"),
                TIPO_DISPOSITIVO=local("MPE", "TIPO_DISPOSITIVO", "HOGAR_CONVIVENCIAL"),
            ),
        ],
        "MPJ": [
            entry(ID_LEGAJO="L2"),
            exit_(ID_LEGAJO="L2"),
            entry(
                ID_LEGAJO="L2",
                ID_INTERVENCION="MPJ-3",
                FECHA_MOVIMIENTO="10/03/2023",
                TIPO_MEDIDA_PENAL=local("MPJ", "TIPO_MEDIDA_PENAL", "EN_TERRITORIO"),
                DISPOSITIVO=local("MPJ", "DISPOSITIVO", "PROGRAMA_EN_TERRITORIO"),
                DELITO_IMPUTADO=local("MPJ", "DELITO_IMPUTADO", "CONTRA_LAS_PERSONAS"),
            ),
        ],
    }
    delivery = import_paths(write_delivery(tmp_path, units))
    assert delivery.error_count == 0
    return delivery


def compute(at=AT, breakdown=Breakdown.NONE, period=PERIOD):
    query = indicators.IndicatorQuery(
        jurisdictions=[Jurisdiction.objects.get(code="82")],
        at=at,
        period_start=period[0],
        period_end=period[1],
        breakdown=breakdown,
    )
    return indicators.compute(query)


def table(result, key):
    found = next(item for item in result.tables if item.key == key)
    return {row.key: row.total for row in found.rows if row.total}


def test_summary_at_the_cut_off(loaded):
    assert compute().summary == {
        "legajos": 3,
        "mpi": 3,
        "mpe": 4,
        "mpj": 3,
        "mpe_measures": 2,
        "mpe_open": 1,
        "mpj_open": 1,
        "legajos_created": 2,
        "legajos_active": 2,
        "mpi_interventions": 2,
        "mpe_interventions": 3,
        "mpe_started": 1,
        "mpe_ended": 1,
        "mpj_entries": 2,
        "mpj_exits": 1,
    }


def test_stocks_at_an_earlier_date(loaded):
    summary = compute(at=D(2023, 2, 15)).summary

    assert {
        key: summary[key] for key in ("legajos", "mpi", "mpe", "mpj", "mpe_measures", "mpe_open", "mpj_open")
    } == {"legajos": 2, "mpi": 2, "mpe": 3, "mpj": 1, "mpe_measures": 2, "mpe_open": 2, "mpj_open": 1}


def test_tables_by_national_category(loaded):
    result = compute()

    assert table(result, "mpi_tipo_intervencion") == {"ENTREVISTA": 1, "VISITA_DOMICILIARIA": 1}
    assert table(result, "mpi_derecho_vulnerado") == {"NEGLIGENCIA": 2}
    assert table(result, "mpi_origen_demanda") == {"ESCUELA": 1, "POLICIA": 1}
    assert table(result, "mpe_open_ambito_cumplimiento") == {"DISPOSITIVO_INSTITUCIONAL": 1}
    assert table(result, "mpe_open_tipo_dispositivo") == {"HOGAR_CONVIVENCIAL": 1}
    assert table(result, "mpe_open_project") == {"FAMILIA_AMPLIADA": 1}
    assert table(result, "mpe_started_right") == {"NEGLIGENCIA": 1}
    assert table(result, "mpe_ended_situation") == {"FAMILIA_AMPLIADA": 1}
    assert table(result, "mpe_duration") == {
        "ended_mean": 40,
        "ended_median": 40,
        "open_mean": 394,
        "open_median": 394,
    }
    assert table(result, "mpj_entries_tipo_medida_penal") == {"PRIVATIVA_LIBERTAD": 1, "EN_TERRITORIO": 1}
    assert table(result, "mpj_entries_delito_imputado") == {
        "CONTRA_LA_PROPIEDAD": 1,
        "CONTRA_LAS_PERSONAS": 1,
    }
    assert table(result, "mpj_exits_reason") == {"CUMPLIMIENTO_MEDIDA": 1}
    assert table(result, "mpj_population_facility") == {"PROGRAMA_EN_TERRITORIO": 1}


def test_every_national_category_has_a_row_even_at_zero(loaded):
    rows = next(item for item in compute().tables if item.key == "mpi_tipo_intervencion").rows

    assert [row.key for row in rows] == [
        "ENTREVISTA",
        "VISITA_DOMICILIARIA",
        "DERIVACION_SERVICIO",
        "ACOMPANAMIENTO",
        "ARTICULACION_INSTITUCIONAL",
        "ASISTENCIA_MATERIAL",
        "OTRA",
    ]


def test_breakdown_by_gender(loaded):
    at_date = compute(breakdown=Breakdown.GENDER).tables[0]

    legajos = next(row for row in at_date.rows if row.key == "legajos")
    open_measures = next(row for row in at_date.rows if row.key == "mpe_open")
    assert {key: value for key, value in legajos.values.items() if value} == {
        "MUJER": 1,
        "VARON": 1,
        "SIN_DATO": 1,
    }
    assert {key: value for key, value in open_measures.values.items() if value} == {"VARON": 1}


def test_breakdown_by_age_group_uses_the_estimated_birth_date(loaded):
    at_date = compute(breakdown=Breakdown.AGE_GROUP).tables[0]

    legajos = next(row for row in at_date.rows if row.key == "legajos")
    assert {key: value for key, value in legajos.values.items() if value} == {
        "13-15": 1,
        "16-17": 1,
        "3-5": 1,
    }


def test_breakdown_by_jurisdiction(loaded):
    jurisdiction = Jurisdiction.objects.get(code="82")

    at_date = compute(breakdown=Breakdown.JURISDICTION).tables[0]

    assert at_date.columns == [(str(jurisdiction.pk), "82 Santa Fe")]
    assert next(row for row in at_date.rows if row.key == "mpj_open").values == {str(jurisdiction.pk): 1}


def test_exports_hold_the_same_figures(loaded):
    result = compute()

    data = result_as_dict(result, tables=True)
    csv_text = indicators_csv(result)

    rows = list(csv.reader(io.StringIO(csv_text)))
    assert data["mpe_open"] == 1
    assert rows[0] == ["indicador", "titulo", "fila", "columna", "valor"]
    assert [row[2:] for row in rows if row[0] == "mpi_tipo_intervencion" and row[2] == "ENTREVISTA"] == [
        ["ENTREVISTA", "TOTAL", "1"]
    ]
    assert indicators_workbook(result)[:2] == b"PK"


def test_command_prints_the_json_keys(loaded, capsys):
    call_command("runac_indicators", "--jurisdiction", "82", "--at", "30/06/2023", "--json")

    data = json.loads(capsys.readouterr().out)
    assert {
        key: data[key]
        for key in (
            "jurisdiction",
            "at",
            "legajos",
            "mpi",
            "mpe",
            "mpj",
            "mpe_measures",
            "mpe_open",
            "mpj_open",
        )
    } == {
        "jurisdiction": "82",
        "at": "30/06/2023",
        "legajos": 3,
        "mpi": 3,
        "mpe": 4,
        "mpj": 3,
        "mpe_measures": 2,
        "mpe_open": 1,
        "mpj_open": 1,
    }
    assert data["period"] == {"from": "28/12/2022", "to": "30/06/2023"}


def test_other_jurisdictions_count_nothing(loaded):
    query = indicators.IndicatorQuery(
        jurisdictions=[Jurisdiction.objects.get(code="14")],
        at=AT,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )

    assert set(indicators.compute(query).summary.values()) == {0}
