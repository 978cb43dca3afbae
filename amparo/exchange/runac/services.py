"""Writes of the RUNac national node: deliveries, equivalence tables, corrections, set-up."""

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError, PermissionDeniedError
from amparo.exchange.runac import carry, derived, importing, spec
from amparo.exchange.runac.choices import DeliveryChannel, DeliveryStatus, EquivalenceSource
from amparo.exchange.runac.equivalences import read_equivalence_file
from amparo.exchange.runac.errors import Issue, RunacErrorCode, Severity
from amparo.exchange.runac.models import (
    CategoryCorrection,
    Delivery,
    EquivalenceTable,
    Jurisdiction,
    NationalCategory,
    RecordBase,
)
from amparo.exchange.runac.reading import Source
from amparo.exchange.runac.selectors import is_national, may_on_jurisdiction
from amparo.exchange.runac.tables import (
    CATEGORIES_CSV,
    categories_by_field,
    current_table,
    equivalence_version_create,
    merge_rows,
    read_categories_csv,
    rows_of,
)

logger = logging.getLogger(__name__)

NOT_ALLOWED = "No tiene permiso para esta operación."
INCOMING_DIR = "runac/incoming"


def _deny() -> PermissionDeniedError:
    return PermissionDeniedError(NOT_ALLOWED, code=RunacErrorCode.NOT_ALLOWED)


# --- Deliveries ----------------------------------------------------------------------------------


def _import_checker(actor: Any) -> Any:
    if actor is None:
        return None
    return lambda jurisdiction: may_on_jurisdiction(actor, Permission.RUNAC_IMPORT, jurisdiction)


def delivery_import(
    *,
    actor: Any,
    sources: list[Source],
    equivalence_source: Source | None = None,
    channel: DeliveryChannel = DeliveryChannel.COMMAND,
) -> Delivery:
    """Check and load a delivery now. All or nothing; the delivery comes back LOADED or REJECTED.

    `actor=None` is the system (the command line without --user): no jurisdiction check.
    With `equivalence_source` ({JUR}_TE.csv) the jurisdiction's table is first updated, in
    the same transaction: a rejected delivery leaves the table as it was.
    """
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    delivery = Delivery.objects.create(
        channel=channel,
        status=DeliveryStatus.PROCESSING,
        received_by=actor if is_user else None,
        files=[{"name": source.name} for source in sources],
        equivalence_file=equivalence_source.name if equivalence_source else "",
    )
    return _carry_corrections(
        importing.run(
            delivery=delivery,
            sources=sources,
            equivalence_source=equivalence_source,
            actor=actor,
            may_import=_import_checker(actor),
        )
    )


def _carry_corrections(delivery: Delivery) -> Delivery:
    """After a load, national corrections of the rows it replaces still apply (see carry.py)."""
    if delivery.status == DeliveryStatus.LOADED:
        carry.corrections_carry(delivery=delivery)
    return delivery


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120] or "file"


@transaction.atomic
def delivery_upload(
    *, actor: Any, files: list[UploadedFile], equivalence_file: UploadedFile | None = None
) -> Delivery:
    """Receive files from the web page: store them, then check and load them.

    Small deliveries are processed before the page answers; larger ones by a background
    worker (the page polls the delivery's status).
    """
    if not access.has_permission(actor, Permission.RUNAC_IMPORT):
        raise _deny()
    delivery = Delivery.objects.create(
        channel=DeliveryChannel.WEB,
        status=DeliveryStatus.RECEIVED,
        received_by=actor,
        files=[{"name": upload.name} for upload in files],
        equivalence_file=(equivalence_file.name or "") if equivalence_file else "",
    )
    stored = []
    for index, upload in enumerate([*files, *([equivalence_file] if equivalence_file else [])]):
        path = default_storage.save(
            f"{INCOMING_DIR}/{delivery.pk}/{index}_{_safe_name(upload.name or '')}", upload
        )
        stored.append({"name": upload.name, "stored": path, "size": upload.size})
    delivery.files = stored[: len(files)]
    if equivalence_file is not None:
        delivery.files.append({**stored[-1], "equivalence": True})
    delivery.save(update_fields=["files"])
    audit.record(
        actor=actor,
        action=AuditAction.RUNAC_DELIVERY_RECEIVED,
        target=delivery,
        extra={"files": [item["name"] for item in delivery.files]},
    )
    total = sum(upload.size or 0 for upload in files)
    inline_limit = getattr(settings, "RUNAC_INLINE_MAX_BYTES", 20 * 1024 * 1024)
    delivery_id = delivery.pk
    if total <= inline_limit:
        transaction.on_commit(lambda: delivery_process(delivery_id=delivery_id))
    else:
        from amparo.exchange.runac.tasks import process_delivery  # tasks.py imports this module

        transaction.on_commit(lambda: process_delivery.enqueue(delivery_id))
    return delivery


def delivery_process(*, delivery_id: int) -> Delivery | None:
    """Process a stored web upload once (a second call, or a concurrent worker, does nothing)."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.RECEIVED).update(
        status=DeliveryStatus.PROCESSING
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("received_by").get(pk=delivery_id)
    stored = list(delivery.files)
    sources = [_stored_source(item) for item in stored if not item.get("equivalence")]
    equivalence = next((_stored_source(item) for item in stored if item.get("equivalence")), None)
    actor = delivery.received_by
    try:
        return _carry_corrections(
            importing.run(
                delivery=delivery,
                sources=sources,
                equivalence_source=equivalence,
                actor=actor,
                may_import=_import_checker(actor),
            )
        )
    finally:
        for item in stored:
            if item.get("stored"):
                default_storage.delete(item["stored"])


def _stored_source(item: dict[str, Any]) -> Source:
    path = item["stored"]
    return Source(name=item["name"], open=lambda: default_storage.open(path, "rb"))


# --- Equivalence tables --------------------------------------------------------------------------


@dataclass
class TableUploadResult:
    table: EquivalenceTable | None
    issues: list[Issue] = field(default_factory=list)
    changed: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [item for item in self.issues if item.severity == Severity.ERROR]


@transaction.atomic
def equivalence_table_upload(
    *, actor: Any, source: Source, replace: bool = False, jurisdiction: Jurisdiction | None = None
) -> TableUploadResult:
    """Load a `{JUR}_TE.csv` as the jurisdiction's next table version.

    By default its rows are merged into the table in force (new ids added, changed ones
    updated, the others kept); with `replace` the file becomes the whole table. Nothing is
    saved when the file has an error.
    """
    code, rows, issues = read_equivalence_file(
        source,
        categories=categories_by_field(),
        expected_jurisdiction=jurisdiction.code if jurisdiction else None,
    )
    if any(item.severity == Severity.ERROR for item in issues) or code is None:
        return TableUploadResult(table=None, issues=issues)
    target = Jurisdiction.objects.select_for_update().get(code=code)
    if actor is not None and not may_on_jurisdiction(actor, Permission.RUNAC_IMPORT, target):
        raise _deny()
    table = current_table(target)
    merged, added, changed, removed = merge_rows(table, rows, replace=replace)
    if not (added or changed or removed) and table is not None:
        return TableUploadResult(table=table, issues=issues, changed=False)
    new_table = equivalence_version_create(
        jurisdiction=target,
        rows=merged,
        source=EquivalenceSource.UPLOAD,
        actor=actor,
        file_name=source.name,
        stats=(added, changed, removed),
    )
    return TableUploadResult(table=new_table, issues=issues, changed=True)


def _check_entry(unit: str, field_name: str, local_id: str) -> None:
    if unit not in spec.Unit.__members__ or field_name not in spec.equivalence_fields(spec.Unit(unit)):
        raise ApplicationError(
            "No es un campo con tabla de equivalencias.", code=RunacErrorCode.NOT_EQUIVALENCE_FIELD
        )
    if not local_id.strip() or len(local_id.strip()) > spec.MAX_ID_LENGTH:
        raise ApplicationError(
            "El ID local es obligatorio (hasta 100 caracteres).", code=RunacErrorCode.TABLE_INVALID
        )


@transaction.atomic
def equivalence_entry_set(
    *,
    actor: Any,
    jurisdiction: Jurisdiction,
    unit: str,
    field_name: str,
    local_id: str,
    local_description: str,
    category: str,
) -> EquivalenceTable:
    """Add or change one local id's national category: a new table version."""
    if not may_on_jurisdiction(actor, Permission.RUNAC_IMPORT, jurisdiction):
        raise _deny()
    _check_entry(unit, field_name, local_id)
    if category not in categories_by_field().get((unit, field_name), set()):
        raise ApplicationError(
            "No es una categoría nacional de ese campo.", code=RunacErrorCode.INVALID_CATEGORY
        )
    Jurisdiction.objects.select_for_update().filter(pk=jurisdiction.pk).first()
    table = current_table(jurisdiction)
    rows = rows_of(table)
    key = (unit, field_name, local_id.strip())
    value = (local_description.strip(), category)
    if rows.get(key) == value:
        raise ApplicationError("No hay cambios que guardar.", code=RunacErrorCode.NOTHING_TO_CHANGE)
    stats = (0, 1, 0) if key in rows else (1, 0, 0)
    rows[key] = value
    return equivalence_version_create(
        jurisdiction=jurisdiction,
        rows=rows,
        source=EquivalenceSource.EDIT,
        actor=actor,
        note=f"{unit}.{field_name} {key[2]} → {category}",
        stats=stats,
    )


@transaction.atomic
def equivalence_entry_remove(
    *, actor: Any, jurisdiction: Jurisdiction, unit: str, field_name: str, local_id: str
) -> EquivalenceTable:
    if not may_on_jurisdiction(actor, Permission.RUNAC_IMPORT, jurisdiction):
        raise _deny()
    Jurisdiction.objects.select_for_update().filter(pk=jurisdiction.pk).first()
    table = current_table(jurisdiction)
    rows = rows_of(table)
    if rows.pop((unit, field_name, local_id), None) is None:
        raise ApplicationError("No hay cambios que guardar.", code=RunacErrorCode.NOTHING_TO_CHANGE)
    return equivalence_version_create(
        jurisdiction=jurisdiction,
        rows=rows,
        source=EquivalenceSource.EDIT,
        actor=actor,
        note=f"{unit}.{field_name} {local_id} eliminado",
        stats=(0, 0, 1),
    )


# --- National corrections --------------------------------------------------------------------------


@transaction.atomic(durable=True)
def record_category_correct(
    *, actor: Any, record: RecordBase, field_name: str, category: str, reason: str
) -> CategoryCorrection:
    """Correct one TE field of a loaded record to another national category.

    The province's local id stays as sent; the category before the correction is kept on
    the correction, which the jurisdiction sees (and acknowledges). Measures and penal
    stays of that legajo are recomputed when the record counts (is the newest version).
    """
    unit = record.UNIT
    jurisdiction = Jurisdiction.objects.select_related("org_unit").get(pk=record.jurisdiction_id)
    if not may_on_jurisdiction(actor, Permission.RUNAC_CORRECT, jurisdiction):
        raise _deny()
    if field_name not in spec.equivalence_fields(unit):
        raise ApplicationError(
            "No es un campo con tabla de equivalencias.", code=RunacErrorCode.NOT_EQUIVALENCE_FIELD
        )
    if not reason.strip():
        raise ApplicationError("Indique el motivo de la corrección.", code=RunacErrorCode.REASON_REQUIRED)
    if category not in categories_by_field().get((unit.value, field_name), set()):
        raise ApplicationError(
            "No es una categoría nacional de ese campo.", code=RunacErrorCode.INVALID_CATEGORY
        )
    column = spec.column(unit, field_name)
    model = type(record)
    locked = model.objects.select_for_update().get(pk=record.pk)  # type: ignore[attr-defined]
    before = getattr(locked, column.attribute)
    if before == category:
        raise ApplicationError("El registro ya tiene esa categoría.", code=RunacErrorCode.NOTHING_TO_CHANGE)
    CategoryCorrection.objects.filter(
        unit=unit.value, record_id=record.pk, field=field_name, is_active=True
    ).update(is_active=False)
    correction = CategoryCorrection(
        jurisdiction=jurisdiction,
        delivery_id=locked.delivery_id,
        unit=unit.value,
        record_id=locked.pk,
        record_key=getattr(locked, spec.KEY_COLUMN[unit].lower()),
        field=field_name,
        local_id=getattr(locked, column.local_attribute),
        from_category=before,
        to_category=category,
        reason=reason.strip(),
        corrected_by=actor,
    )
    correction.full_clean()
    correction.save()
    setattr(locked, column.attribute, category)
    locked.save(update_fields=[column.attribute])
    if locked.is_latest and unit in (spec.Unit.MPE, spec.Unit.MPJ):
        derived.rebuild(jurisdiction_id=jurisdiction.pk, id_legajo=locked.id_legajo)
    audit.record(
        actor=actor,
        action=AuditAction.RUNAC_CATEGORY_CORRECTED,
        target=correction,
        extra={
            "unit": unit.value,
            "record": locked.pk,
            "field": field_name,
            "from": before,
            "to": category,
            "jurisdiction": jurisdiction.code,
        },
    )
    return correction


@transaction.atomic
def correction_acknowledge(*, actor: Any, correction: CategoryCorrection) -> CategoryCorrection:
    """The jurisdiction (a user who sends its deliveries) marks a national correction as seen."""
    if not may_on_jurisdiction(actor, Permission.RUNAC_IMPORT, correction.jurisdiction):
        raise _deny()
    if correction.acknowledged_at is not None:
        return correction
    correction.acknowledged_at = timezone.now()
    correction.acknowledged_by = actor
    correction.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit.record(actor=actor, action=AuditAction.RUNAC_CORRECTION_ACKNOWLEDGED, target=correction)
    return correction


# --- Set-up --------------------------------------------------------------------------------------


@transaction.atomic
def jurisdiction_update(*, actor: Any, jurisdiction: Jurisdiction, org_unit: OrgUnit | None) -> Jurisdiction:
    """Tie a jurisdiction to an org unit (national RUNac administrators only)."""
    if not is_national(actor, Permission.RUNAC_MANAGE):
        raise _deny()
    before = jurisdiction.org_unit_id
    if before == (org_unit.pk if org_unit else None):
        return jurisdiction
    jurisdiction.org_unit = org_unit
    jurisdiction.full_clean()
    jurisdiction.save(update_fields=["org_unit"])
    audit.record(
        actor=actor,
        action=AuditAction.RUNAC_JURISDICTION_UPDATED,
        target=jurisdiction,
        extra={"org_unit": {"before": before, "after": jurisdiction.org_unit_id}},
    )
    return jurisdiction


@transaction.atomic
def categories_load(*, actor: Any = None, path: Path = CATEGORIES_CSV) -> dict[str, int]:
    """Load categorias_nacionales.csv: add new categories, re-activate listed ones, retire the others.

    Retired categories stay (tables and records may use them) but no longer validate.
    """
    if actor is not None and not is_national(actor, Permission.RUNAC_MANAGE):
        raise _deny()
    rows = read_categories_csv(path)
    existing = {(item.unit, item.field, item.code): item for item in NationalCategory.objects.all()}
    created = updated = 0
    positions: dict[tuple[str, str], int] = {}
    listed = set()
    for unit, field_name, code in rows:
        if unit not in spec.Unit.__members__ or field_name not in spec.equivalence_fields(spec.Unit(unit)):
            raise ApplicationError(
                f"{unit}.{field_name} no es un campo TE.", code=RunacErrorCode.NOT_EQUIVALENCE_FIELD
            )
        position = positions.get((unit, field_name), 0)
        positions[(unit, field_name)] = position + 1
        listed.add((unit, field_name, code))
        item = existing.get((unit, field_name, code))
        if item is None:
            NationalCategory.objects.create(unit=unit, field=field_name, code=code, position=position)
            created += 1
        elif item.position != position or not item.is_active:
            item.position, item.is_active = position, True
            item.save(update_fields=["position", "is_active"])
            updated += 1
    retired_count = 0
    for key, item in existing.items():
        if key not in listed and item.is_active:
            item.is_active = False
            item.save(update_fields=["is_active"])
            retired_count += 1
    result = {"created": created, "updated": updated, "retired": retired_count, "total": len(rows)}
    audit.record(actor=actor, action=AuditAction.RUNAC_CATEGORIES_LOADED, username="system", extra=result)
    return result
