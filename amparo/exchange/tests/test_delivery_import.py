"""All or nothing, re-sending a period, and the history a jurisdiction's deliveries keep."""

import datetime

import pytest
from django.db import connection

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import (
    Delivery,
    EquivalenceTable,
    ExceptionalMeasure,
    LegajoRecord,
    MeasurePlacement,
    MpeRecord,
    MpiRecord,
    MpjRecord,
    PenalStay,
)
from amparo.exchange.tests.builders import (
    a_small_delivery,
    entry,
    errors_of,
    exit_,
    import_paths,
    legajo,
    mpe,
    mpi,
    name,
    write_delivery,
)

pytestmark = pytest.mark.usefixtures("table_82")
RECORD_MODELS = (
    LegajoRecord,
    MpiRecord,
    MpeRecord,
    MpjRecord,
    ExceptionalMeasure,
    MeasurePlacement,
    PenalStay,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in RECORD_MODELS}


def test_a_bad_row_at_the_end_of_the_last_file_loads_nothing(tmp_path):
    # given a big-enough valid delivery whose very last row (in MPJ, the last file) has a bad date
    units = {
        "LEGAJOS": [legajo(ID_LEGAJO=f"L{index}") for index in range(1, 301)],
        "MPI": [mpi(ID_LEGAJO=f"L{index}", ID_INTERVENCION=f"MPI-{index}") for index in range(1, 301)],
        "MPE": [mpe(ID_LEGAJO=f"L{index}", ID_INTERVENCION=f"MPE-{index}") for index in range(1, 101)],
        "MPJ": [
            *[entry(ID_LEGAJO=f"L{index}", ID_INTERVENCION=f"MPJ-{index}") for index in range(1, 50)],
            entry(ID_LEGAJO="L50", ID_INTERVENCION="MPJ-50", FECHA_MOVIMIENTO="2023-02-01"),
        ],
    }
    table_versions = EquivalenceTable.objects.count()
    before = counts()

    # when
    delivery = import_paths(write_delivery(tmp_path, units))

    # then
    assert delivery.status == DeliveryStatus.REJECTED
    assert errors_of(delivery) == [
        (name("MPJ"), 51, "FECHA_MOVIMIENTO", "'2023-02-01' no es una fecha válida con formato dd/mm/aaaa.")
    ]
    assert counts() == before == dict.fromkeys(before, 0)
    assert EquivalenceTable.objects.count() == table_versions
    assert delivery.counts == {}
    assert [item["rows_checked"] for item in delivery.files] == [300, 300, 100, 50]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.RUNAC_DELIVERY_REJECTED, target_id=str(delivery.pk)
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(action=AuditAction.RUNAC_DELIVERY_LOADED).exists() is False


def test_a_rejected_equivalence_update_is_not_kept(tmp_path):
    paths = write_delivery(
        tmp_path, {"LEGAJOS": [legajo(GENERO="?")], "MPI": [mpi(TIPO_INTERVENCION="T-NUEVO")]}
    )
    table = tmp_path / "82_TE.csv"
    table.write_text(
        "unidad,campo,id_local,descripcion_local,categoria_nacional\n"
        "MPI,TIPO_INTERVENCION,T-NUEVO,Taller,ACOMPANAMIENTO\n",
        encoding="utf-8",
    )
    versions = list(EquivalenceTable.objects.values_list("version", flat=True))

    delivery = import_paths(paths, equivalence=table)

    assert delivery.status == DeliveryStatus.REJECTED
    assert list(EquivalenceTable.objects.values_list("version", flat=True)) == versions


def test_a_valid_delivery_loads_every_row_and_computes_measures(tmp_path):
    delivery = import_paths(write_delivery(tmp_path, a_small_delivery()))

    assert delivery.status == DeliveryStatus.LOADED
    assert counts() == {
        "LegajoRecord": 1,
        "MpiRecord": 1,
        "MpeRecord": 1,
        "MpjRecord": 1,
        "ExceptionalMeasure": 1,
        "MeasurePlacement": 1,
        "PenalStay": 1,
    }
    assert (delivery.measure_count, delivery.penal_stay_count) == (1, 1)
    assert AuditEvent.objects.get(action=AuditAction.RUNAC_DELIVERY_LOADED).extra["counts"] == {
        "LEGAJOS": 1,
        "MPI": 1,
        "MPE": 1,
        "MPJ": 1,
    }


def test_resending_a_period_replaces_it_and_keeps_the_old_one_in_history(tmp_path):
    first = import_paths(
        write_delivery(tmp_path / "1", {"LEGAJOS": [legajo(), legajo(ID_LEGAJO="L2")], "MPE": [mpe()]})
    )

    second = import_paths(
        write_delivery(
            tmp_path / "2",
            {
                "LEGAJOS": [legajo(GENERO="VARON")],
                "MPE": [mpe(), mpe("CESE_MPE", ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="01/03/2023")],
            },
        )
    )

    first.refresh_from_db()
    assert (first.status, second.status) == (DeliveryStatus.SUPERSEDED, DeliveryStatus.LOADED)
    assert second.replaces == first
    assert first.superseded_at is not None
    # the old rows stay, but only the new delivery's rows count
    assert LegajoRecord.objects.filter(delivery=first).count() == 2
    assert list(LegajoRecord.objects.filter(is_latest=True).values_list("id_legajo", "genero")) == [
        ("L1", "VARON")
    ]
    measure = ExceptionalMeasure.objects.get()
    assert (measure.start_date, measure.end_date) == (datetime.date(2023, 1, 20), datetime.date(2023, 3, 1))


def test_a_later_period_updates_rows_it_sends_again(tmp_path):
    import_paths(
        write_delivery(
            tmp_path / "2022",
            {"LEGAJOS": [legajo(), legajo(ID_LEGAJO="L2")], "MPE": [mpe()]},
            cut_off="27122022",
        )
    )

    import_paths(
        write_delivery(
            tmp_path / "2023",
            {
                "LEGAJOS": [legajo(GENERO="VARON")],
                "MPE": [mpe("CESE_MPE", ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="01/03/2023")],
            },
        )
    )

    assert Delivery.objects.filter(status=DeliveryStatus.LOADED).count() == 2
    assert sorted(LegajoRecord.objects.filter(is_latest=True).values_list("id_legajo", "genero")) == [
        ("L1", "VARON"),
        ("L2", "MUJER"),
    ]
    # the measure opened in 2022 is closed by the 2023 delivery
    measure = ExceptionalMeasure.objects.get()
    assert (measure.start_intervention, measure.end_intervention) == ("MPE-1", "MPE-2")


def test_resending_an_older_period_does_not_hide_newer_rows(tmp_path):
    import_paths(write_delivery(tmp_path / "2022", {"LEGAJOS": [legajo()]}, cut_off="27122022"))
    import_paths(write_delivery(tmp_path / "2023", {"LEGAJOS": [legajo(GENERO="VARON")]}))

    import_paths(write_delivery(tmp_path / "2022b", {"LEGAJOS": [legajo(GENERO="OTRO")]}, cut_off="27122022"))

    assert list(LegajoRecord.objects.filter(is_latest=True).values_list("genero", flat=True)) == ["VARON"]
    assert Delivery.objects.filter(status=DeliveryStatus.SUPERSEDED).count() == 1


def test_a_rejected_resend_keeps_the_loaded_delivery(tmp_path):
    first = import_paths(write_delivery(tmp_path / "1", a_small_delivery()))

    second = import_paths(write_delivery(tmp_path / "2", {"LEGAJOS": [legajo(GENERO="?")]}))

    first.refresh_from_db()
    assert (first.status, second.status) == (DeliveryStatus.LOADED, DeliveryStatus.REJECTED)
    assert LegajoRecord.objects.filter(is_latest=True).count() == 1


def test_penal_entries_are_paired_with_their_exits(tmp_path):
    units = {
        "LEGAJOS": [legajo()],
        "MPJ": [entry(), exit_(), entry(ID_INTERVENCION="MPJ-3", FECHA_MOVIMIENTO="10/03/2023")],
    }

    delivery = import_paths(write_delivery(tmp_path, units))

    stays = list(
        PenalStay.objects.order_by("entry_date").values_list(
            "entry_intervention", "exit_intervention", "motivo_egreso"
        )
    )
    assert delivery.penal_stay_count == 2
    assert stays == [("MPJ-1", "MPJ-2", "CUMPLIMIENTO_MEDIDA"), ("MPJ-3", "", "")]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="record tables are partitioned on PostgreSQL only"
)
def test_on_postgresql_each_loaded_delivery_is_a_partition_and_a_rejected_one_leaves_no_table(tmp_path):
    def partitions() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname LIKE 'exchange_%%record'"
            )
            return {row[0] for row in cursor.fetchall()}

    loaded = import_paths(write_delivery(tmp_path / "ok", a_small_delivery()))
    assert loaded.status == DeliveryStatus.LOADED
    assert partitions() == {f"exchange_{unit}record_d{loaded.pk}" for unit in ("legajo", "mpi", "mpe", "mpj")}
    assert LegajoRecord.objects.filter(delivery=loaded).count() == 1

    bad = a_small_delivery()
    bad["MPJ"][-1]["FECHA_MOVIMIENTO"] = "2023-02-01"
    rejected = import_paths(write_delivery(tmp_path / "bad", bad, cut_off="27122023"))
    assert rejected.status == DeliveryStatus.REJECTED
    assert all(f"_d{rejected.pk}" not in table for table in partitions())
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"exchange_mpirecord_d{rejected.pk}"])
        assert cursor.fetchone()[0] is None
