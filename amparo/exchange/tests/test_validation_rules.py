"""One test per rule of the file contract, each asserting the exact problem reported."""

import pytest

from amparo.exchange.runac import spec
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import EquivalenceTable, LegajoRecord, MpiRecord
from amparo.exchange.tests.builders import (
    a_small_delivery,
    entry,
    errors_of,
    exit_,
    import_paths,
    legajo,
    local,
    mpe,
    mpi,
    name,
    warnings_of,
    write_delivery,
    write_file,
)

pytestmark = pytest.mark.usefixtures("table_82")

LEGAJOS = name("LEGAJOS")
MPI = name("MPI")
MPE = name("MPE")
MPJ = name("MPJ")


def rejected_with(tmp_path, units, **options):
    delivery = import_paths(write_delivery(tmp_path, units, **options))
    assert delivery.status == DeliveryStatus.REJECTED
    assert LegajoRecord.objects.exists() is False
    return errors_of(delivery)


def test_valid_delivery_loads_with_no_problem(tmp_path):
    delivery = import_paths(write_delivery(tmp_path, a_small_delivery()))

    assert delivery.status == DeliveryStatus.LOADED
    assert delivery.issues == []
    assert delivery.counts == {"LEGAJOS": 1, "MPI": 1, "MPE": 1, "MPJ": 1}
    assert MpiRecord.objects.get().tipo_intervencion == "ENTREVISTA"
    assert MpiRecord.objects.get().tipo_intervencion_local == local("MPI", "TIPO_INTERVENCION", "ENTREVISTA")


# --- File names ----------------------------------------------------------------------------------


def test_file_name_out_of_format_is_an_error(tmp_path):
    paths = write_delivery(tmp_path, a_small_delivery())
    bad = paths[1].rename(tmp_path / "82-MPI-30062023.txt")

    delivery = import_paths([paths[0], bad, *paths[2:]])

    assert errors_of(delivery) == [
        (
            "82-MPI-30062023.txt",
            None,
            "",
            (
                "El nombre del archivo no sigue el formato {JUR}_{UNIDAD}_{ddmmaaaa}_RUNac.txt "
                "(por ejemplo 82_LEGAJOS_30062023_RUNac.txt)."
            ),
        )
    ]


@pytest.mark.parametrize(
    ("file_name", "detail"),
    [
        ("82 _ MPI _ 30062023 _ RUNac.txt", "espacios alrededor de los guiones bajos"),
        ("82_mpi_30062023_RUNac.txt", "unidad 'mpi' en minúsculas"),
        ("82_MPI_30062023_RUNac.TXT", "extensión .TXT en mayúsculas"),
    ],
)
def test_tolerated_file_names_load_with_a_warning(tmp_path, file_name, detail):
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()]})
    paths.append(write_file(tmp_path, file_name, "MPI", [mpi()]))

    delivery = import_paths(paths)

    assert delivery.status == DeliveryStatus.LOADED
    assert warnings_of(delivery) == [
        (file_name, None, "", f"Nombre de archivo aceptado con tolerancia: {detail}.")
    ]
    assert MpiRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("file_name", "message"),
    [
        ("83_MPI_30062023_RUNac.txt", "'83' no es un código INDEC de jurisdicción (02, 06, 10 … 94)."),
        ("82_MPX_30062023_RUNac.txt", "La unidad 'MPX' no es LEGAJOS, MPI, MPE ni MPJ."),
        (
            "82_MPI_31022023_RUNac.txt",
            "La fecha de corte '31022023' del nombre del archivo no es una fecha válida (ddmmaaaa).",
        ),
        (
            "82_MPI_30062023-1_RUNac.txt",
            "El sufijo '-1' no es válido: los archivos adicionales de una unidad llevan -2, -3, etc.",
        ),
        (
            "82_MPI_30062023_runac.txt",
            "El nombre del archivo no sigue el formato {JUR}_{UNIDAD}_{ddmmaaaa}_RUNac.txt "
            "(por ejemplo 82_LEGAJOS_30062023_RUNac.txt).",
        ),
    ],
)
def test_file_name_parts_are_checked(tmp_path, file_name, message):
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()]})
    paths.append(write_file(tmp_path, file_name, "MPI", [mpi()]))

    delivery = import_paths(paths)

    assert errors_of(delivery) == [(file_name, None, "", message)]


def test_files_of_another_jurisdiction_or_cut_off_are_errors(tmp_path):
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()], "MPI": [mpi()]})
    paths.append(write_file(tmp_path, name("MPE", jurisdiction="14"), "MPE", [mpe()]))
    paths.append(write_file(tmp_path, name("MPJ", cut_off="27122023"), "MPJ", [entry()]))

    delivery = import_paths(paths)

    assert errors_of(delivery) == [
        (
            name("MPE", jurisdiction="14"),
            None,
            "",
            "El archivo es de la jurisdicción 14, pero la entrega es de la jurisdicción 82.",
        ),
        (
            name("MPJ", cut_off="27122023"),
            None,
            "",
            "El archivo tiene fecha de corte 27/12/2023, pero la entrega tiene fecha de corte 30/06/2023.",
        ),
    ]


def test_a_second_file_of_a_unit_needs_its_own_suffix(tmp_path):
    paths = write_delivery(tmp_path / "a", {"LEGAJOS": [legajo()]})
    copy = write_delivery(tmp_path / "b", {"LEGAJOS": [legajo(ID_LEGAJO="L2")]})

    delivery = import_paths([paths[0], copy[0]])

    assert errors_of(delivery) == [
        (
            LEGAJOS,
            None,
            "",
            (f"Ya hay otro archivo de la unidad LEGAJOS con el mismo sufijo en la entrega ({LEGAJOS})."),
        ),
    ]


def test_separate_systems_send_suffixed_files_of_one_unit(tmp_path):
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()], "MPI": [mpi()]})
    paths.append(write_file(tmp_path, name("MPI", suffix="-2"), "MPI", [mpi(ID_INTERVENCION="MPI-2")]))

    delivery = import_paths(paths)

    assert delivery.status == DeliveryStatus.LOADED
    assert delivery.counts["MPI"] == 2


def test_unusual_cut_off_date_is_a_warning(tmp_path):
    delivery = import_paths(write_delivery(tmp_path, {"LEGAJOS": [legajo()]}, cut_off="15082023"))

    assert delivery.status == DeliveryStatus.LOADED
    assert warnings_of(delivery) == [
        (
            name("LEGAJOS", cut_off="15082023"),
            None,
            "",
            "La fecha de corte 15/08/2023 no es un corte semestral (30/06 o 27/12).",
        )
    ]


# --- Encoding and layout -------------------------------------------------------------------------


def test_latin1_file_is_accepted_with_a_warning_and_read_correctly(tmp_path):
    units = {"LEGAJOS": [legajo(DEPARTAMENTO_RESIDENCIA="Ñorquín", LOCALIDAD_RESIDENCIA="El Huecú")]}

    delivery = import_paths(write_delivery(tmp_path, units, encoding="latin-1"))

    assert delivery.status == DeliveryStatus.LOADED
    assert warnings_of(delivery) == [
        (LEGAJOS, None, "", "El archivo no está codificado en UTF-8; se leyó como Windows-1252.")
    ]
    assert LegajoRecord.objects.get().departamento_residencia == "Ñorquín"
    assert delivery.files[0]["encoding"] == "Windows-1252"


def test_utf8_with_bom_and_crlf_line_ends_are_accepted(tmp_path):
    path = write_file(
        tmp_path,
        LEGAJOS,
        "LEGAJOS",
        [legajo(LOCALIDAD_RESIDENCIA="Cañada de Gómez")],
        encoding="utf-8-sig",
        newline="\r\n",
    )

    delivery = import_paths([path])

    assert delivery.status == DeliveryStatus.LOADED
    assert delivery.issues == []
    assert LegajoRecord.objects.get().localidad_residencia == "Cañada de Gómez"
    assert LegajoRecord.objects.get().documentado == "SI"


def test_empty_file_is_an_error(tmp_path):
    (tmp_path / LEGAJOS).write_bytes(b"")

    delivery = import_paths([tmp_path / LEGAJOS])

    assert errors_of(delivery) == [(LEGAJOS, 1, "", "El archivo está vacío: falta la línea de encabezado.")]


def test_file_holding_only_a_byte_order_mark_is_empty(tmp_path):
    (tmp_path / LEGAJOS).write_bytes(b"\xef\xbb\xbf")

    delivery = import_paths([tmp_path / LEGAJOS])

    assert errors_of(delivery) == [(LEGAJOS, 1, "", "El archivo está vacío: falta la línea de encabezado.")]


def test_header_with_a_missing_and_an_unexpected_column(tmp_path):
    header = [column for column in spec.header(spec.Unit.MPI) if column != "MOTIVO"] + ["OBSERVACIONES"]

    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()]})
    paths.append(write_file(tmp_path, MPI, "MPI", [mpi()], header=header))
    delivery = import_paths(paths)

    assert errors_of(delivery) == [
        (MPI, 1, "MOTIVO", "Falta la columna MOTIVO en el encabezado."),
        (MPI, 1, "", "La columna 'OBSERVACIONES' no forma parte del formato de MPI."),
    ]


def test_header_in_another_order_names_each_misplaced_column(tmp_path):
    header = spec.header(spec.Unit.MPI)
    header[3], header[4] = header[4], header[3]
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()]})
    paths.append(write_file(tmp_path, MPI, "MPI", [mpi()], header=header))

    delivery = import_paths(paths)

    assert errors_of(delivery) == [
        (
            MPI,
            1,
            "TIPO_INTERVENCION",
            "La columna 4 del encabezado debe ser TIPO_INTERVENCION, pero es 'MOTIVO'.",
        ),
        (MPI, 1, "MOTIVO", "La columna 5 del encabezado debe ser MOTIVO, pero es 'TIPO_INTERVENCION'."),
    ]


def test_header_with_fewer_columns_leaves_the_rows_unchecked(tmp_path):
    header = spec.header(spec.Unit.MPI)[:-1]
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()]})
    paths.append(write_file(tmp_path, MPI, "MPI", [mpi()], header=header))

    delivery = import_paths(paths)

    assert errors_of(delivery) == [
        (MPI, 1, "MOTIVO_CIERRE", "Falta la columna MOTIVO_CIERRE en el encabezado.")
    ]
    assert warnings_of(delivery) == [
        (
            MPI,
            1,
            "",
            (
                "No se revisaron las filas de este archivo porque su encabezado no tiene las 10 "
                "columnas de MPI."
            ),
        )
    ]


def test_row_with_another_number_of_columns(tmp_path):
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()]})
    paths.append(write_file(tmp_path, MPI, "MPI", [mpi()], raw_lines=["L1\tMPI-2\t15/01/2023"]))

    delivery = import_paths(paths)

    assert errors_of(delivery) == [(MPI, 3, "", "La fila tiene 3 columnas; el formato de MPI tiene 10.")]


def test_blank_line_is_ignored_with_a_warning(tmp_path):
    path = write_file(
        tmp_path,
        LEGAJOS,
        "LEGAJOS",
        [legajo()],
        raw_lines=[
            "",
            "\t".join(legajo(ID_LEGAJO="L2")[column] for column in spec.header(spec.Unit.LEGAJOS)),
        ],
    )

    delivery = import_paths([path])

    assert delivery.status == DeliveryStatus.LOADED
    assert warnings_of(delivery) == [(LEGAJOS, 3, "", "Línea vacía: se ignoró.")]
    assert LegajoRecord.objects.count() == 2


# --- Values --------------------------------------------------------------------------------------


def test_required_column_left_empty(tmp_path):
    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo(FECHA_CREACION="")]})

    assert errors == [
        (LEGAJOS, 2, "FECHA_CREACION", "La columna FECHA_CREACION es obligatoria y está vacía.")
    ]


@pytest.mark.parametrize(
    "value", ["2023-01-15", "15/1/2023", "31/02/2023", "15/01/23", "mañana", "١٥/٠١/٢٠٢٣", "15/01/２０２３"]
)
def test_dates_must_be_real_and_dd_mm_yyyy(tmp_path, value):
    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo()], "MPI": [mpi(FECHA_INTERVENCION=value)]})

    assert errors == [
        (MPI, 2, "FECHA_INTERVENCION", f"'{value}' no es una fecha válida con formato dd/mm/aaaa.")
    ]


@pytest.mark.parametrize("value", ["diez", "١٠"])
def test_integer_column_takes_whole_years(tmp_path, value):
    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo(FECHA_NACIMIENTO="", EDAD_AL_INGRESO=value)]})

    assert errors == [(LEGAJOS, 2, "EDAD_AL_INGRESO", f"'{value}' no es un número entero de años.")]


def test_predefined_values_are_exact(tmp_path):
    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo(GENERO="Mujer", CUD="S")]})

    assert errors == [
        (
            LEGAJOS,
            2,
            "GENERO",
            "'Mujer' no es un valor admitido en GENERO; los valores son: MUJER, VARON, "
            "MUJER_TRANS, VARON_TRANS, NO_BINARIO, OTRO, SIN_DATO.",
        ),
        (LEGAJOS, 2, "CUD", "'S' no es un valor admitido en CUD; los valores son: SI, NO, SIN_DATO."),
    ]


def test_local_id_missing_from_the_equivalence_table(tmp_path):
    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo()], "MPI": [mpi(DERECHO_VULNERADO="999")]})

    assert errors == [
        (
            MPI,
            2,
            "DERECHO_VULNERADO",
            (
                "El ID local '999' de MPI.DERECHO_VULNERADO no está en la tabla de equivalencias de "
                "la jurisdicción 82; "
                "informe la nueva categoría en 82_TE.csv."
            ),
        )
    ]


def test_tables_are_per_unit_and_field(tmp_path):
    """MPE's TIPO_INTERVENCION ids are not MPI's: an id only MPE has is unknown in MPI."""
    only_in_mpe = str(len(local.__globals__["LOCAL"][("MPI", "TIPO_INTERVENCION")]) + 2)

    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo()], "MPI": [mpi(TIPO_INTERVENCION=only_in_mpe)]})

    assert [error[:3] for error in errors] == [(MPI, 2, "TIPO_INTERVENCION")]


def test_identifiers_are_unique_in_a_unit(tmp_path):
    errors = rejected_with(
        tmp_path,
        {
            "LEGAJOS": [legajo(), legajo(ID_LEGAJO="L2"), legajo()],
            "MPI": [mpi(), mpi(ID_INTERVENCION="MPI-1")],
        },
    )

    assert errors == [
        (LEGAJOS, 4, "ID_LEGAJO", f"ID_LEGAJO 'L1' repetido: ya aparece en {LEGAJOS}, línea 2."),
        (MPI, 3, "ID_INTERVENCION", f"ID_INTERVENCION 'MPI-1' repetido: ya aparece en {MPI}, línea 2."),
    ]


def test_every_intervention_points_at_a_known_legajo(tmp_path):
    errors = rejected_with(
        tmp_path,
        {
            "LEGAJOS": [legajo()],
            "MPI": [mpi(ID_LEGAJO="L9")],
            "MPE": [mpe(ID_LEGAJO="L9")],
            "MPJ": [entry(ID_LEGAJO="L9")],
        },
    )

    message = (
        "El ID_LEGAJO 'L9' no está en LEGAJOS de esta entrega ni de una entrega anterior de la jurisdicción."
    )
    assert errors == [
        (MPI, 2, "ID_LEGAJO", message),
        (MPE, 2, "ID_LEGAJO", message),
        (MPJ, 2, "ID_LEGAJO", message),
    ]


def test_a_legajo_of_an_earlier_delivery_is_known(tmp_path):
    first = import_paths(write_delivery(tmp_path / "first", {"LEGAJOS": [legajo()]}, cut_off="27122022"))

    later = import_paths(write_delivery(tmp_path / "later", {"MPI": [mpi()]}))

    assert first.status == later.status == DeliveryStatus.LOADED


def test_an_exit_points_at_an_existing_entry_of_the_same_legajo(tmp_path):
    errors = rejected_with(
        tmp_path,
        {
            "LEGAJOS": [legajo(), legajo(ID_LEGAJO="L2")],
            "MPJ": [
                entry(),
                exit_(ID_INGRESO_ASOCIADO="MPJ-9"),
                exit_(ID_INTERVENCION="MPJ-3", ID_LEGAJO="L2"),
            ],
        },
    )

    assert errors == [
        (
            MPJ,
            3,
            "ID_INGRESO_ASOCIADO",
            "El egreso apunta al ingreso 'MPJ-9', que no existe como INGRESO del "
            "legajo 'L1' en esta entrega ni en una anterior.",
        ),
        (
            MPJ,
            4,
            "ID_INGRESO_ASOCIADO",
            "El egreso apunta al ingreso 'MPJ-1', que no existe como INGRESO del "
            "legajo 'L2' en esta entrega ni en una anterior.",
        ),
    ]


def test_an_exit_may_close_an_entry_of_an_earlier_delivery(tmp_path):
    import_paths(
        write_delivery(tmp_path / "first", {"LEGAJOS": [legajo()], "MPJ": [entry()]}, cut_off="27122022")
    )

    later = import_paths(write_delivery(tmp_path / "later", {"MPJ": [exit_()]}))

    assert later.status == DeliveryStatus.LOADED
    assert later.penal_stay_count == 1


def test_an_exit_names_the_entry_it_closes(tmp_path):
    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo()], "MPJ": [entry(), exit_(ID_INGRESO_ASOCIADO="")]})

    assert errors == [
        (
            MPJ,
            3,
            "ID_INGRESO_ASOCIADO",
            "Un EGRESO debe indicar en ID_INGRESO_ASOCIADO el ID_INTERVENCION del ingreso que cierra.",
        )
    ]


def test_entry_and_exit_leave_the_other_kinds_columns_empty(tmp_path):
    errors = rejected_with(
        tmp_path,
        {
            "LEGAJOS": [legajo()],
            "MPJ": [
                entry(MOTIVO_EGRESO=local("MPJ", "MOTIVO_EGRESO", "EVASION")),
                exit_(ORGANO_JUDICIAL="Juzgado N.º 2"),
            ],
        },
    )

    assert errors == [
        (MPJ, 2, "MOTIVO_EGRESO", "La columna MOTIVO_EGRESO debe quedar vacía en un INGRESO."),
        (MPJ, 3, "ORGANO_JUDICIAL", "La columna ORGANO_JUDICIAL debe quedar vacía en un EGRESO."),
    ]


def test_closing_columns_are_filled_only_on_cese_mpe(tmp_path):
    errors = rejected_with(
        tmp_path,
        {
            "LEGAJOS": [legajo()],
            "MPE": [
                mpe(FECHA_CESE="01/03/2023"),
                mpe("CESE_MPE", ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="01/03/2023"),
            ],
        },
    )

    assert errors == [
        (
            MPE,
            2,
            "FECHA_CESE",
            "La columna FECHA_CESE se completa solo en la intervención CESE_MPE (esta es PER_INICIAL).",
        )
    ]


def test_value_longer_than_an_identifier_can_be(tmp_path):
    errors = rejected_with(tmp_path, {"LEGAJOS": [legajo(ID_LEGAJO="L" * 101)]})

    assert errors == [(LEGAJOS, 2, "ID_LEGAJO", "El valor tiene 101 caracteres; el máximo es 100.")]


def test_date_after_the_cut_off_is_a_warning(tmp_path):
    delivery = import_paths(write_delivery(tmp_path, {"LEGAJOS": [legajo(FECHA_CREACION="01/07/2023")]}))

    assert delivery.status == DeliveryStatus.LOADED
    assert warnings_of(delivery) == [
        (LEGAJOS, 2, "FECHA_CREACION", "La fecha 01/07/2023 es posterior a la fecha de corte 30/06/2023.")
    ]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    errors = rejected_with(
        tmp_path,
        {
            "LEGAJOS": [legajo(GENERO="X"), legajo(ID_LEGAJO="L2", FECHA_CREACION="1/1/2023")],
            "MPI": [mpi(ID_LEGAJO="L7")],
            "MPE": [mpe(TIPO_INTERVENCION="77")],
            "MPJ": [entry(FECHA_MOVIMIENTO="")],
        },
    )

    assert [error[:3] for error in errors] == [
        (LEGAJOS, 2, "GENERO"),
        (LEGAJOS, 3, "FECHA_CREACION"),
        (MPI, 2, "ID_LEGAJO"),
        (MPE, 2, "TIPO_INTERVENCION"),
        (MPJ, 2, "FECHA_MOVIMIENTO"),
    ]


# --- The equivalence table sent with a delivery ---------------------------------------------------


def test_equivalence_file_errors_reject_the_delivery(tmp_path):
    paths = write_delivery(tmp_path, a_small_delivery())
    table = tmp_path / "82_TE.csv"
    table.write_text(
        "unidad,campo,id_local,descripcion_local,categoria_nacional\n"
        "MPI,TIPO_INTERVENCION,50,Charla,CHARLA\n"
        "MPI,MOTIVO,51,Motivo,OTRO\n"
        "MPX,TIPO_INTERVENCION,52,x,OTRA\n"
        "MPI,TIPO_INTERVENCION,53,Otra,OTRA\n"
        "MPI,TIPO_INTERVENCION,53,Otra,OTRA\n",
        encoding="utf-8",
    )

    delivery = import_paths(paths, equivalence=table)

    assert delivery.status == DeliveryStatus.REJECTED
    assert errors_of(delivery) == [
        (
            "82_TE.csv",
            2,
            "categoria_nacional",
            "'CHARLA' no es una categoría nacional de MPI.TIPO_INTERVENCION.",
        ),
        ("82_TE.csv", 3, "campo", "'MOTIVO' no es un campo con tabla de equivalencias (TE) de MPI."),
        ("82_TE.csv", 4, "unidad", "La unidad 'MPX' no es LEGAJOS, MPI, MPE ni MPJ."),
        (
            "82_TE.csv",
            6,
            "id_local",
            "El ID local '53' de MPI.TIPO_INTERVENCION está repetido: ya aparece en la línea 5.",
        ),
    ]


def test_equivalence_file_with_a_wrong_header(tmp_path):
    paths = write_delivery(tmp_path, a_small_delivery())
    table = tmp_path / "82_TE.csv"
    table.write_text("unidad;campo;id_local;descripcion_local;categoria_nacional\n", encoding="utf-8")

    delivery = import_paths(paths, equivalence=table)

    assert errors_of(delivery) == [
        (
            "82_TE.csv",
            1,
            "",
            (
                "El encabezado debe ser exactamente: "
                "unidad,campo,id_local,descripcion_local,categoria_nacional."
            ),
        )
    ]


def test_equivalence_file_of_another_jurisdiction(tmp_path):
    paths = write_delivery(tmp_path, a_small_delivery())
    table = tmp_path / "14_TE.csv"
    table.write_text("unidad,campo,id_local,descripcion_local,categoria_nacional\n", encoding="utf-8")

    delivery = import_paths(paths, equivalence=table)

    assert errors_of(delivery) == [
        (
            "14_TE.csv",
            None,
            "",
            ("La tabla de equivalencias es de la jurisdicción 14, pero la entrega es de la jurisdicción 82."),
        )
    ]


def test_new_local_id_sent_with_the_delivery_translates_it(tmp_path):
    paths = write_delivery(tmp_path, {"LEGAJOS": [legajo()], "MPI": [mpi(TIPO_INTERVENCION="T-NUEVO")]})
    table = tmp_path / "82_TE.csv"
    table.write_text(
        "unidad,campo,id_local,descripcion_local,categoria_nacional\n"
        "MPI,TIPO_INTERVENCION,T-NUEVO,Taller grupal,ACOMPANAMIENTO\n",
        encoding="utf-8",
    )

    delivery = import_paths(paths, equivalence=table)

    assert delivery.status == DeliveryStatus.LOADED
    assert delivery.equivalence_table == EquivalenceTable.objects.get(version=2)
    assert MpiRecord.objects.get().tipo_intervencion == "ACOMPANAMIENTO"
