"""Reads of the RUNac national node. Every read starts from the jurisdictions the user reaches.

Mapping to the organisation tree: a jurisdiction may name an org unit (the provincial
area). A RUNac grant reaches a jurisdiction when it reaches that unit (the grant's unit,
or a SUBTREE/ALL grant above it); jurisdictions without a unit are reached only by grants
with scope ALL (the national staff). RUNac rows carry no personal identification, so no
per-row read audit is written; forbidden attempts on an existing object are audited.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from amparo.accounts import access
from amparo.accounts.choices import Permission, Scope
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.exchange.runac import spec
from amparo.exchange.runac.choices import DeliveryStatus
from amparo.exchange.runac.models import (
    RECORD_MODELS,
    CategoryCorrection,
    Delivery,
    EquivalenceTable,
    Jurisdiction,
    NationalCategory,
    RecordBase,
)


def jurisdictions_visible_to(
    user: Any, permission: Permission = Permission.RUNAC_VIEW
) -> QuerySet[Jurisdiction]:
    """Jurisdictions whose RUNac data `user` reaches for `permission`."""
    return access.visible(user, Jurisdiction.objects.select_related("org_unit"), permission)


def may_on_jurisdiction(user: Any, permission: Permission, jurisdiction: Jurisdiction) -> bool:
    if jurisdiction.org_unit_id is None:
        return is_national(user, permission)
    return access.can(user, permission, jurisdiction)


def is_national(user: Any, permission: Permission) -> bool:
    """Does the user hold `permission` over every jurisdiction (a grant with scope ALL)?"""
    return any(
        grant.scope == Scope.ALL and permission in grant.permissions for grant in access.grants_of(user)
    )


def jurisdiction_get(*, user: Any, code: str, permission: Permission = Permission.RUNAC_VIEW) -> Jurisdiction:
    return access.access_object(
        user, Jurisdiction.objects.select_related("org_unit"), code, permission, lookup="code"
    )


# --- Deliveries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFilters:
    jurisdiction: str = ""
    status: str = ""


def deliveries_visible_to(user: Any) -> QuerySet[Delivery]:
    """Deliveries of reachable jurisdictions, plus the user's own sendings (even rejected ones)."""
    if user is None or not user.is_authenticated:
        return Delivery.objects.none()
    jurisdictions = jurisdictions_visible_to(user)
    return Delivery.objects.filter(Q(jurisdiction__in=jurisdictions) | Q(received_by=user))


def delivery_list(*, user: Any, filters: DeliveryFilters | None = None) -> QuerySet[Delivery]:
    filters = filters or DeliveryFilters()
    deliveries = deliveries_visible_to(user).select_related(
        "jurisdiction", "received_by", "equivalence_table"
    )
    if filters.jurisdiction:
        deliveries = deliveries.filter(jurisdiction__code=filters.jurisdiction)
    if filters.status:
        deliveries = deliveries.filter(status=filters.status)
    return deliveries.defer("issues")


def delivery_get(*, user: Any, pk: Any) -> Delivery:
    """One delivery the user may see, or the outsider's 404 (audited when it exists)."""
    try:
        return (
            deliveries_visible_to(user)
            .select_related("jurisdiction", "received_by", "equivalence_table", "replaces")
            .get(pk=pk)
        )
    except (Delivery.DoesNotExist, ValueError, TypeError):
        pass
    if str(pk).isdigit() and Delivery.objects.filter(pk=pk).exists():
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            target_type="exchange.delivery",
            target_id=str(pk),
            extra={"permission": str(Permission.RUNAC_VIEW)},
        )
    raise Http404


def period_history(delivery: Delivery) -> QuerySet[Delivery]:
    """Every sending of the same jurisdiction and cut-off (the history of a period)."""
    if delivery.jurisdiction_id is None or delivery.cut_off is None:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(jurisdiction_id=delivery.jurisdiction_id, cut_off=delivery.cut_off)
        .select_related("received_by")
        .defer("issues")
        .order_by("-received_at", "-pk")
    )


def latest_deliveries(*, user: Any) -> dict[int, Delivery]:
    """For each reachable jurisdiction, its newest loaded delivery."""
    loaded = (
        Delivery.objects.filter(jurisdiction__in=jurisdictions_visible_to(user), status=DeliveryStatus.LOADED)
        .defer("issues")
        .order_by("jurisdiction_id", "-cut_off")
    )
    latest: dict[int, Delivery] = {}
    for delivery in loaded:
        latest.setdefault(delivery.jurisdiction_id, delivery)  # type: ignore[arg-type]
    return latest


# --- Records -------------------------------------------------------------------------------------


def record_model(unit: str) -> type[RecordBase]:
    try:
        return RECORD_MODELS[spec.Unit(unit)]
    except ValueError as error:
        raise Http404 from error


def delivery_records(*, delivery: Delivery, unit: str, search: str = "") -> QuerySet[RecordBase]:
    """Rows a delivery loaded for a unit (the delivery was fetched through `delivery_get`)."""
    model = record_model(unit)
    # File order: ids are given in the order the rows were copied (files in order, lines in order),
    # and the primary key's index serves it (no index on file and line to build at every import).
    rows = model.objects.filter(delivery_id=delivery.pk).order_by("id")  # type: ignore[attr-defined]
    if search:
        condition = Q(id_legajo=search.strip())
        if unit != spec.Unit.LEGAJOS:
            condition |= Q(id_intervencion=search.strip())
        rows = rows.filter(condition)
    return rows


def record_get(*, user: Any, unit: str, pk: Any) -> RecordBase:
    model = record_model(unit)
    return access.access_object(user, model.objects.all(), pk, Permission.RUNAC_VIEW)  # type: ignore[attr-defined]


def record_corrections(*, unit: str, record_id: int) -> QuerySet[CategoryCorrection]:
    return CategoryCorrection.objects.filter(unit=unit, record_id=record_id).select_related(
        "corrected_by", "acknowledged_by"
    )


# --- Corrections ---------------------------------------------------------------------------------


def corrections_visible_to(user: Any) -> QuerySet[CategoryCorrection]:
    return CategoryCorrection.objects.filter(jurisdiction__in=jurisdictions_visible_to(user)).select_related(
        "jurisdiction", "delivery", "corrected_by", "acknowledged_by"
    )


def corrections_to_acknowledge(user: Any) -> QuerySet[CategoryCorrection]:
    """Active corrections the jurisdiction has not seen yet, for users who send its deliveries."""
    reachable = jurisdictions_visible_to(user, Permission.RUNAC_IMPORT)
    return CategoryCorrection.objects.filter(
        jurisdiction__in=reachable, is_active=True, acknowledged_at__isnull=True
    )


def correction_get(*, user: Any, pk: Any) -> CategoryCorrection:
    return access.access_object(
        user, CategoryCorrection.objects.select_related("jurisdiction"), pk, Permission.RUNAC_VIEW
    )


# --- Equivalence tables and categories -------------------------------------------------------------


def equivalence_versions(jurisdiction: Jurisdiction) -> QuerySet[EquivalenceTable]:
    return (
        EquivalenceTable.objects.filter(jurisdiction=jurisdiction)
        .select_related("created_by")
        .order_by("-version")
    )


def equivalence_version_get(jurisdiction: Jurisdiction, version: int) -> EquivalenceTable:
    try:
        return EquivalenceTable.objects.get(jurisdiction=jurisdiction, version=version)
    except EquivalenceTable.DoesNotExist as error:
        raise Http404 from error


def equivalence_overview(*, user: Any) -> list[dict[str, Any]]:
    """Per reachable jurisdiction: its version in force and how many ids it maps."""
    jurisdictions = list(jurisdictions_visible_to(user))
    tops: dict[int, Any] = {}
    for row in (
        EquivalenceTable.objects.filter(jurisdiction__in=jurisdictions)
        .order_by("jurisdiction_id", "-version")
        .values("jurisdiction_id", "version", "entry_count", "created_at")
    ):
        tops.setdefault(row["jurisdiction_id"], row)
    return [
        {"jurisdiction": jurisdiction, "current": tops.get(jurisdiction.pk)} for jurisdiction in jurisdictions
    ]


def national_categories() -> dict[tuple[str, str], list[str]]:
    result: dict[tuple[str, str], list[str]] = {}
    for unit, field, code in NationalCategory.objects.filter(is_active=True).values_list(
        "unit", "field", "code"
    ):
        result.setdefault((unit, field), []).append(code)
    return result


def category_counts() -> QuerySet[Any]:
    return NationalCategory.objects.filter(is_active=True).values("unit", "field").annotate(total=Count("pk"))
