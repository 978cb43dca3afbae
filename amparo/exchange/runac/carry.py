"""National corrections carried over when a jurisdiction sends a period again.

A correction belongs to the row as loaded. When a new delivery brings a newer version of the
same row (same unit and key) with the same local id in the corrected field, translated to the
same category the correction started from, the national decision still applies: it is copied
onto the new row as a new correction (reason and author kept, pointing at the one it follows)
and the measures of the legajo are recomputed. When the province changed the local id, or the
table now translates it differently, nothing is carried: the new data speak for themselves.
"""

from django.db import transaction

from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.exchange.runac import derived, spec
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import RECORD_MODELS, CategoryCorrection, Delivery

CARRIED_NOTE = "[Trasladada de la corrección #{pk} al reenviarse el período] "


@transaction.atomic
def corrections_carry(*, delivery: Delivery) -> list[CategoryCorrection]:
    """Copy the active corrections of superseded rows onto this loaded delivery's rows."""
    if delivery.status != DeliveryStatus.LOADED or delivery.jurisdiction_id is None:
        return []
    carried: list[CategoryCorrection] = []
    legajos: set[str] = set()
    active = CategoryCorrection.objects.filter(
        jurisdiction_id=delivery.jurisdiction_id, is_active=True
    ).exclude(delivery=delivery)
    for correction in active.select_related("corrected_by").order_by("pk"):
        unit = spec.Unit(correction.unit)
        model = RECORD_MODELS[unit]
        key = spec.KEY_COLUMN[unit].lower()
        column = spec.column(unit, correction.field)
        if model._default_manager.filter(pk=correction.record_id, is_latest=True).exists():
            continue  # the corrected row is still the newest: nothing to carry
        record = (
            model._default_manager.select_for_update()
            .filter(
                delivery=delivery,
                jurisdiction_id=delivery.jurisdiction_id,
                is_latest=True,
                **{key: correction.record_key},
            )
            .first()
        )
        if record is None:
            continue
        if getattr(record, column.local_attribute) != correction.local_id:
            continue
        if getattr(record, column.attribute) != correction.from_category:
            continue
        correction.is_active = False
        correction.save(update_fields=["is_active"])
        copy = CategoryCorrection(
            jurisdiction_id=delivery.jurisdiction_id,
            delivery=delivery,
            unit=unit.value,
            record_id=record.pk,
            record_key=correction.record_key,
            field=correction.field,
            local_id=correction.local_id,
            from_category=correction.from_category,
            to_category=correction.to_category,
            reason=CARRIED_NOTE.format(pk=correction.pk) + correction.reason,
            corrected_by=correction.corrected_by,
            acknowledged_at=correction.acknowledged_at,
            acknowledged_by=correction.acknowledged_by,
        )
        copy.full_clean()
        copy.save()
        setattr(record, column.attribute, correction.to_category)
        record.save(update_fields=[column.attribute])
        if unit in (spec.Unit.MPE, spec.Unit.MPJ):
            legajos.add(record.id_legajo)
        audit.record(
            actor=None,
            username="system",
            action=AuditAction.RUNAC_CORRECTION_CARRIED,
            target=copy,
            extra={"from_correction": correction.pk, "delivery": delivery.pk, "record": record.pk},
        )
        carried.append(copy)
    for id_legajo in sorted(legajos):
        derived.rebuild(jurisdiction_id=delivery.jurisdiction_id, id_legajo=id_legajo)
    return carried
