"""Exceptional measures computed from PER_INICIAL … CESE_MPE, and where the child lives meanwhile."""

import datetime

import pytest

from amparo.exchange.runac import derived
from amparo.exchange.runac.models import ExceptionalMeasure, MeasurePlacement, MpeRecord, PenalStay
from amparo.exchange.tests.builders import (
    entry,
    exit_,
    import_paths,
    legajo,
    local,
    mpe,
    name,
    warnings_of,
    write_delivery,
)

pytestmark = pytest.mark.usefixtures("table_82")
MPE = name("MPE")
MPJ = name("MPJ")
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


def snapshot():
    """Every derived row of the test jurisdiction, ids aside."""
    return (
        list(
            ExceptionalMeasure.objects.order_by("id_legajo", "start_date").values_list(
                "id_legajo",
                "genero",
                "birth_date",
                "start_intervention",
                "start_date",
                "end_intervention",
                "end_date",
                "derecho_vulnerado",
                "origen_demanda",
                "situacion_al_cese",
                "tipo_proyecto_restitucion",
            )
        ),
        list(
            MeasurePlacement.objects.order_by("id_legajo", "from_date").values_list(
                "id_legajo",
                "genero",
                "birth_date",
                "measure_start",
                "from_date",
                "to_date",
                "ambito_cumplimiento",
                "tipo_dispositivo",
                "tipo_proyecto_restitucion",
            )
        ),
        list(
            PenalStay.objects.order_by("id_legajo", "entry_date").values_list(
                "id_legajo",
                "genero",
                "birth_date",
                "entry_intervention",
                "entry_date",
                "exit_intervention",
                "exit_date",
                "tipo_medida_penal",
                "dispositivo",
                "delito_imputado",
                "situacion_procesal",
                "motivo_egreso",
            )
        ),
    )


def test_a_tricky_history_over_two_deliveries(tmp_path):
    # given: a first period with every anomaly, and a later period that re-opens a measure
    home = local("MPE", "TIPO_DISPOSITIVO", "HOGAR_CONVIVENCIAL")
    institution = local("MPE", "AMBITO_CUMPLIMIENTO", "DISPOSITIVO_INSTITUCIONAL")
    first = import_paths(
        write_delivery(
            tmp_path / "first",
            {
                "LEGAJOS": [legajo(), legajo(ID_LEGAJO="L\\2", GENERO="")],
                "MPE": [
                    mpe("CESE_MPE", ID_INTERVENCION="MPE-0", FECHA_INTERVENCION="05/01/2023"),  # line 2
                    mpe(),  # line 3: opens
                    mpe(  # line 4: values carried forward
                        "SEGUIMIENTO",
                        ID_INTERVENCION="MPE-2",
                        FECHA_INTERVENCION="10/02/2023",
                        AMBITO_CUMPLIMIENTO="",
                        TIPO_DISPOSITIVO="",
                        TIPO_PROYECTO_RESTITUCION="",
                    ),
                    mpe(  # line 5: a start while open continues the measure, with a new placement
                        ID_INTERVENCION="MPE-3",
                        FECHA_INTERVENCION="15/02/2023",
                        AMBITO_CUMPLIMIENTO=institution,
                        TIPO_DISPOSITIVO=home,
                        TIPO_PROYECTO_RESTITUCION="",
                    ),
                    mpe(  # line 6: closes on its FECHA_CESE; its project is the measure's last
                        "CESE_MPE",
                        ID_INTERVENCION="MPE-5",
                        FECHA_INTERVENCION="01/04/2023",
                        FECHA_CESE="25/03/2023",
                        TIPO_PROYECTO_RESTITUCION="ADOPCION",
                    ),
                    mpe(
                        "CESE_MPE", ID_INTERVENCION="MPE-4", FECHA_INTERVENCION="01/04/2023"
                    ),  # line 7: same day
                    mpe(
                        "SEGUIMIENTO", ID_INTERVENCION="MPE-6", FECHA_INTERVENCION="10/04/2023"
                    ),  # no measure
                    mpe(
                        "CESE_MPE", ID_LEGAJO="L\\2", ID_INTERVENCION="MPE-9", FECHA_INTERVENCION="10/04/2023"
                    ),
                ],
                "MPJ": [
                    entry(),  # line 2
                    exit_(),  # line 3: closes MPJ-1
                    exit_(ID_INTERVENCION="MPJ-3", FECHA_MOVIMIENTO="05/03/2023"),  # line 4: a second exit
                    entry(ID_INTERVENCION="MPJ-4", FECHA_MOVIMIENTO="01/05/2023"),  # line 5
                    exit_(  # line 6: before its entry
                        ID_INTERVENCION="MPJ-5", FECHA_MOVIMIENTO="20/04/2023", ID_INGRESO_ASOCIADO="MPJ-4"
                    ),
                ],
            },
        )
    )
    assert warnings_of(first) == [
        (
            MPE,
            2,
            "TIPO_INTERVENCION",
            "CESE_MPE sin una medida excepcional abierta en el legajo 'L1' (falta su PER_INICIAL).",
        ),
        (
            MPE,
            5,
            "TIPO_INTERVENCION",
            "PER_INICIAL con una medida excepcional ya abierta desde 20/01/2023 en el "
            "legajo 'L1'; se toma como parte de esa medida.",
        ),
        (
            MPE,
            7,
            "TIPO_INTERVENCION",
            "CESE_MPE sin una medida excepcional abierta en el legajo 'L1' (falta su PER_INICIAL).",
        ),
        (
            MPE,
            9,
            "TIPO_INTERVENCION",
            "CESE_MPE sin una medida excepcional abierta en el legajo 'L\\2' (falta su PER_INICIAL).",
        ),
        (
            MPJ,
            4,
            "ID_INGRESO_ASOCIADO",
            "El ingreso 'MPJ-1' ya tiene otro egreso ('MPJ-2'); se toma el primero.",
        ),
        (MPJ, 6, "FECHA_MOVIMIENTO", "El egreso (20/04/2023) es anterior a su ingreso (01/05/2023)."),
    ]

    # when: a later period re-opens a measure on the day the first one's rows closed it
    later = import_paths(
        write_delivery(
            tmp_path / "later",
            {
                "LEGAJOS": [legajo(GENERO="VARON")],
                "MPE": [
                    mpe(
                        ID_INTERVENCION="MPE-7", FECHA_INTERVENCION="01/04/2023"
                    ),  # after both closes of that day
                    mpe(
                        "CAMBIO_AMBITO",
                        ID_INTERVENCION="MPE-8",
                        FECHA_INTERVENCION="01/06/2023",
                        AMBITO_CUMPLIMIENTO="",
                        TIPO_DISPOSITIVO="",
                        TIPO_PROYECTO_RESTITUCION="ADOPCION",
                    ),
                ],
            },
            cut_off="27122023",
        )
    )

    # then
    assert warnings_of(later) == []
    born = D(2010, 5, 5)
    family = ("FAMILIA_AMPLIADA", "NO_CORRESPONDE")
    expected = (
        [
            (
                "L1",
                "VARON",
                born,
                "MPE-1",
                D(2023, 1, 20),
                "MPE-5",
                D(2023, 3, 25),
                "NEGLIGENCIA",
                "ESCUELA",
                "FAMILIA_AMPLIADA",
                "ADOPCION",
            ),
            ("L1", "VARON", born, "MPE-7", D(2023, 4, 1), "", None, "NEGLIGENCIA", "ESCUELA", "", "ADOPCION"),
        ],
        [
            (
                "L1",
                "VARON",
                born,
                D(2023, 1, 20),
                D(2023, 1, 20),
                D(2023, 2, 15),
                *family,
                "FAMILIA_AMPLIADA",
            ),
            (
                "L1",
                "VARON",
                born,
                D(2023, 1, 20),
                D(2023, 2, 15),
                D(2023, 3, 25),
                "DISPOSITIVO_INSTITUCIONAL",
                "HOGAR_CONVIVENCIAL",
                "FAMILIA_AMPLIADA",
            ),
            ("L1", "VARON", born, D(2023, 4, 1), D(2023, 4, 1), D(2023, 6, 1), *family, "FAMILIA_AMPLIADA"),
            ("L1", "VARON", born, D(2023, 4, 1), D(2023, 6, 1), None, *family, "ADOPCION"),
        ],
        [
            (
                "L1",
                "VARON",
                born,
                "MPJ-1",
                D(2023, 2, 1),
                "MPJ-2",
                D(2023, 3, 1),
                "PRIVATIVA_LIBERTAD",
                "CENTRO_CERRADO",
                "CONTRA_LA_PROPIEDAD",
                "PROCESADO",
                "CUMPLIMIENTO_MEDIDA",
            ),
            (
                "L1",
                "VARON",
                born,
                "MPJ-4",
                D(2023, 5, 1),
                "MPJ-5",
                D(2023, 4, 20),
                "PRIVATIVA_LIBERTAD",
                "CENTRO_CERRADO",
                "CONTRA_LA_PROPIEDAD",
                "PROCESADO",
                "CUMPLIMIENTO_MEDIDA",
            ),
        ],
    )
    assert snapshot() == expected
    assert (later.measure_count, later.penal_stay_count) == (2, 2)


def test_one_legajo_is_rebuilt_alone(tmp_path):
    delivery = import_paths(
        write_delivery(
            tmp_path,
            {
                "LEGAJOS": [legajo(), legajo(ID_LEGAJO="L2", GENERO="VARON")],
                "MPE": [
                    mpe(),
                    mpe(ID_LEGAJO="L2", ID_INTERVENCION="MPE-2"),
                    mpe("CESE_MPE", ID_LEGAJO="L2", ID_INTERVENCION="MPE-3", FECHA_INTERVENCION="01/03/2023"),
                ],
                "MPJ": [entry(), entry(ID_LEGAJO="L2", ID_INTERVENCION="MPJ-2")],
            },
        )
    )
    before = snapshot()
    MpeRecord.objects.filter(id_intervencion="MPE-3").update(tipo_intervencion="SEGUIMIENTO")

    assert derived.rebuild(jurisdiction_id=delivery.jurisdiction_id, id_legajo="L2") == (1, 1)

    measures_now, placements_now, stays_now = snapshot()
    assert measures_now == [
        before[0][0],
        (*before[0][1][:5], "", None, *before[0][1][7:9], "", "FAMILIA_AMPLIADA"),
    ]
    assert placements_now == [before[1][0], (*before[1][1][:5], None, *before[1][1][6:])]
    assert stays_now == before[2]
