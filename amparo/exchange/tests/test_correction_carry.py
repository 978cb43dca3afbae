"""A national correction still applies when the province sends the same period again."""

import pytest

from amparo.audit.models import AuditEvent
from amparo.exchange.runac import services
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import CategoryCorrection, MpiRecord
from amparo.exchange.tests.builders import a_small_delivery, import_paths, local, mpi, write_delivery

pytestmark = pytest.mark.usefixtures("table_82")


@pytest.fixture
def corrected(tmp_path, runac):
    import_paths(write_delivery(tmp_path / "first", a_small_delivery()))
    return services.record_category_correct(
        actor=runac.runac_national,
        record=MpiRecord.objects.get(),
        field_name="DERECHO_VULNERADO",
        category="ABANDONO",
        reason="El equipo provincial confirmó abandono.",
    )


def test_resending_the_same_row_keeps_the_correction(tmp_path, corrected):
    # when the province sends the period again with the same local id
    again = import_paths(write_delivery(tmp_path / "again", a_small_delivery()))
    # then the newest row carries the national category, and the correction moved with it
    assert again.status == DeliveryStatus.LOADED
    newest = MpiRecord.objects.get(is_latest=True)
    assert newest.delivery_id == again.pk
    assert (newest.derecho_vulnerado_local, newest.derecho_vulnerado) == (
        local("MPI", "DERECHO_VULNERADO", "NEGLIGENCIA"),
        "ABANDONO",
    )
    carried = CategoryCorrection.objects.get(is_active=True)
    assert (carried.record_id, carried.delivery_id, carried.to_category) == (newest.pk, again.pk, "ABANDONO")
    assert carried.reason.endswith("El equipo provincial confirmó abandono.")
    assert f"#{corrected.pk}" in carried.reason
    corrected.refresh_from_db()
    assert corrected.is_active is False
    assert AuditEvent.objects.filter(action="exchange.runac.correction_carried").count() == 1


def test_a_changed_local_id_is_not_overridden(tmp_path, corrected):
    changed = {
        **a_small_delivery(),
        "MPI": [mpi(DERECHO_VULNERADO=local("MPI", "DERECHO_VULNERADO", "VIOLENCIA_FISICA"))],
    }
    import_paths(write_delivery(tmp_path / "again", changed))
    newest = MpiRecord.objects.get(is_latest=True)
    assert newest.derecho_vulnerado == "VIOLENCIA_FISICA"
    assert CategoryCorrection.objects.get(is_active=True) == corrected
    assert not AuditEvent.objects.filter(action="exchange.runac.correction_carried").exists()
