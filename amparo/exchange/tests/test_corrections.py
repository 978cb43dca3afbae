"""National corrections of a loaded record's category: both values kept, audited, seen by the jurisdiction."""

import pytest

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.common.errors import ApplicationError, PermissionDeniedError
from amparo.exchange.runac import services
from amparo.exchange.runac.models import CategoryCorrection, ExceptionalMeasure, MpeRecord, MpiRecord
from amparo.exchange.tests.builders import a_small_delivery, import_paths, legajo, local, mpe, write_delivery

pytestmark = pytest.mark.usefixtures("table_82")


@pytest.fixture
def loaded(tmp_path, runac):
    return import_paths(write_delivery(tmp_path, a_small_delivery()))


def test_correction_keeps_what_the_province_sent(loaded, runac):
    record = MpiRecord.objects.get()

    correction = services.record_category_correct(
        actor=runac.runac_national,
        record=record,
        field_name="DERECHO_VULNERADO",
        category="ABANDONO",
        reason="El equipo provincial confirmó abandono.",
    )

    record.refresh_from_db()
    assert (record.derecho_vulnerado_local, record.derecho_vulnerado) == (
        local("MPI", "DERECHO_VULNERADO", "NEGLIGENCIA"),
        "ABANDONO",
    )
    assert (correction.from_category, correction.to_category, correction.local_id) == (
        "NEGLIGENCIA",
        "ABANDONO",
        local("MPI", "DERECHO_VULNERADO", "NEGLIGENCIA"),
    )
    assert (correction.corrected_by, correction.record_key, correction.delivery_id) == (
        runac.runac_national,
        "MPI-1",
        loaded.pk,
    )
    event = AuditEvent.objects.get(action=AuditAction.RUNAC_CATEGORY_CORRECTED)
    assert event.extra == {
        "unit": "MPI",
        "record": record.pk,
        "field": "DERECHO_VULNERADO",
        "from": "NEGLIGENCIA",
        "to": "ABANDONO",
        "jurisdiction": "82",
    }


def test_a_second_correction_supersedes_the_first(loaded, runac):
    record = MpiRecord.objects.get()
    first = services.record_category_correct(
        actor=runac.runac_national,
        record=record,
        field_name="ORIGEN_DEMANDA",
        category="POLICIA",
        reason="uno",
    )

    second = services.record_category_correct(
        actor=runac.runac_national,
        record=record,
        field_name="ORIGEN_DEMANDA",
        category="LINEA_102",
        reason="dos",
    )

    first.refresh_from_db()
    assert (first.is_active, second.is_active, second.from_category) == (False, True, "POLICIA")


def test_correcting_the_kind_of_mpe_intervention_recomputes_the_measures(tmp_path, runac):
    import_paths(
        write_delivery(
            tmp_path,
            {
                "LEGAJOS": [legajo()],
                "MPE": [mpe(), mpe("SEGUIMIENTO", ID_INTERVENCION="MPE-2", FECHA_INTERVENCION="01/03/2023")],
            },
        )
    )
    assert ExceptionalMeasure.objects.get().end_date is None

    services.record_category_correct(
        actor=runac.runac_national,
        record=MpeRecord.objects.get(id_intervencion="MPE-2"),
        field_name="TIPO_INTERVENCION",
        category="CESE_MPE",
        reason="Era el cese de la medida.",
    )

    assert ExceptionalMeasure.objects.get().end_intervention == "MPE-2"


@pytest.mark.parametrize(
    ("field_name", "category", "reason", "message"),
    [
        ("MOTIVO", "ABANDONO", "x", "No es un campo con tabla de equivalencias."),
        ("DERECHO_VULNERADO", "NO_EXISTE", "x", "No es una categoría nacional de ese campo."),
        ("DERECHO_VULNERADO", "ABANDONO", "  ", "Indique el motivo de la corrección."),
        ("DERECHO_VULNERADO", "NEGLIGENCIA", "x", "El registro ya tiene esa categoría."),
    ],
)
def test_invalid_corrections_are_refused(loaded, runac, field_name, category, reason, message):
    with pytest.raises(ApplicationError) as error:
        services.record_category_correct(
            actor=runac.runac_national,
            record=MpiRecord.objects.get(),
            field_name=field_name,
            category=category,
            reason=reason,
        )

    assert error.value.message == message
    assert CategoryCorrection.objects.exists() is False


@pytest.mark.parametrize("persona", ["province_82", "province_14", "runac_viewer_82", "caseworker_a"])
def test_only_national_correctors_may_correct(loaded, runac, persona):
    with pytest.raises(PermissionDeniedError):
        services.record_category_correct(
            actor=runac.personas()[persona],
            record=MpiRecord.objects.get(),
            field_name="DERECHO_VULNERADO",
            category="ABANDONO",
            reason="x",
        )

    assert MpiRecord.objects.get().derecho_vulnerado == "NEGLIGENCIA"
    assert AuditEvent.objects.filter(action=AuditAction.RUNAC_CATEGORY_CORRECTED).exists() is False


def test_the_jurisdiction_acknowledges_a_correction(loaded, runac):
    correction = services.record_category_correct(
        actor=runac.runac_national,
        record=MpiRecord.objects.get(),
        field_name="DERECHO_VULNERADO",
        category="ABANDONO",
        reason="x",
    )

    services.correction_acknowledge(actor=runac.province_82, correction=correction)

    correction.refresh_from_db()
    assert correction.acknowledged_by == runac.province_82
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.RUNAC_CORRECTION_ACKNOWLEDGED, target_id=str(correction.pk)
        ).count()
        == 1
    )


def test_another_jurisdiction_cannot_acknowledge(loaded, runac):
    correction = services.record_category_correct(
        actor=runac.runac_national,
        record=MpiRecord.objects.get(),
        field_name="DERECHO_VULNERADO",
        category="ABANDONO",
        reason="x",
    )

    with pytest.raises(PermissionDeniedError):
        services.correction_acknowledge(actor=runac.province_14, correction=correction)

    correction.refresh_from_db()
    assert correction.acknowledged_at is None
