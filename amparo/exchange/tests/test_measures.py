"""Exceptional measures computed from PER_INICIAL … CESE_MPE, and where the child lives meanwhile."""

import datetime

import pytest

from amparo.exchange.runac.models import ExceptionalMeasure, MeasurePlacement
from amparo.exchange.tests.builders import import_paths, legajo, local, mpe, name, warnings_of, write_delivery

pytestmark = pytest.mark.usefixtures("table_82")
MPE = name("MPE")
D = datetime.date


def measures():
    return list(
        ExceptionalMeasure.objects.order_by("start_date").values_list(
            "start_intervention", "start_date", "end_intervention", "end_date", "situacion_al_cese"
        )
    )


def test_a_measure_runs_from_per_inicial_to_the_next_cese(tmp_path):
    import_paths(
        write_delivery(
            tmp_path,
            {
                "LEGAJOS": [legajo()],
                "MPE": [
                    mpe(),
                    mpe("PRORROGA", ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="20/02/2023"),
                    mpe(
                        "CESE_MPE",
                        ID_INTERVENCION="MPE-3",
                        FECHA_INTERVENCION="20/03/2023",
                        FECHA_CESE="18/03/2023",
                    ),
                    mpe(ID_INTERVENCION="MPE-4", FECHA_INTERVENCION="01/05/2023"),
                ],
            },
        )
    )

    assert measures() == [
        ("MPE-1", D(2023, 1, 20), "MPE-3", D(2023, 3, 18), "FAMILIA_AMPLIADA"),
        ("MPE-4", D(2023, 5, 1), "", None, ""),
    ]


def test_rows_are_taken_in_date_order_not_file_order(tmp_path):
    import_paths(
        write_delivery(
            tmp_path,
            {
                "LEGAJOS": [legajo()],
                "MPE": [
                    mpe("CESE_MPE", ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="01/03/2023"),
                    mpe(),
                ],
            },
        )
    )

    assert measures() == [("MPE-1", D(2023, 1, 20), "MPE-2", D(2023, 3, 1), "FAMILIA_AMPLIADA")]


def test_anomalies_are_warnings_of_the_delivery(tmp_path):
    delivery = import_paths(
        write_delivery(
            tmp_path,
            {
                "LEGAJOS": [legajo()],
                "MPE": [
                    mpe("CESE_MPE", ID_INTERVENCION="MPE-0", FECHA_INTERVENCION="05/01/2023"),
                    mpe(),
                    mpe(ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="01/02/2023"),
                ],
            },
        )
    )

    assert warnings_of(delivery) == [
        (
            MPE,
            2,
            "TIPO_INTERVENCION",
            "CESE_MPE sin una medida excepcional abierta en el legajo 'L1' (falta su PER_INICIAL).",
        ),
        (
            MPE,
            4,
            "TIPO_INTERVENCION",
            "PER_INICIAL con una medida excepcional ya abierta desde 20/01/2023 en el "
            "legajo 'L1'; se toma como parte de esa medida.",
        ),
    ]
    assert measures() == [("MPE-1", D(2023, 1, 20), "", None, "")]


def test_placements_follow_changes_of_setting_and_facility(tmp_path):
    home = local("MPE", "TIPO_DISPOSITIVO", "HOGAR_CONVIVENCIAL")
    institution = local("MPE", "AMBITO_CUMPLIMIENTO", "DISPOSITIVO_INSTITUCIONAL")
    import_paths(
        write_delivery(
            tmp_path,
            {
                "LEGAJOS": [legajo()],
                "MPE": [
                    mpe(),
                    mpe(
                        "CAMBIO_AMBITO",
                        ID_INTERVENCION="MPE-2",
                        FECHA_INTERVENCION="10/02/2023",
                        AMBITO_CUMPLIMIENTO=institution,
                        TIPO_DISPOSITIVO=home,
                        TIPO_PROYECTO_RESTITUCION="",
                    ),
                    mpe(
                        "SEGUIMIENTO",
                        ID_INTERVENCION="MPE-3",
                        FECHA_INTERVENCION="15/02/2023",
                        AMBITO_CUMPLIMIENTO="",
                        TIPO_DISPOSITIVO="",
                        TIPO_PROYECTO_RESTITUCION="ADOPCION",
                    ),
                    mpe(
                        "CESE_MPE",
                        ID_INTERVENCION="MPE-4",
                        FECHA_INTERVENCION="01/04/2023",
                        AMBITO_CUMPLIMIENTO="",
                        TIPO_DISPOSITIVO="",
                        TIPO_PROYECTO_RESTITUCION="",
                    ),
                ],
            },
        )
    )

    placements = list(
        MeasurePlacement.objects.order_by("from_date").values_list(
            "from_date", "to_date", "ambito_cumplimiento", "tipo_dispositivo", "tipo_proyecto_restitucion"
        )
    )
    assert placements == [
        (D(2023, 1, 20), D(2023, 2, 10), "FAMILIA_AMPLIADA", "NO_CORRESPONDE", "FAMILIA_AMPLIADA"),
        (
            D(2023, 2, 10),
            D(2023, 2, 15),
            "DISPOSITIVO_INSTITUCIONAL",
            "HOGAR_CONVIVENCIAL",
            "FAMILIA_AMPLIADA",
        ),
        (D(2023, 2, 15), D(2023, 4, 1), "DISPOSITIVO_INSTITUCIONAL", "HOGAR_CONVIVENCIAL", "ADOPCION"),
    ]
    assert ExceptionalMeasure.objects.get().tipo_proyecto_restitucion == "ADOPCION"
