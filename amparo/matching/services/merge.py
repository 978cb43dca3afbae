"""Merging two registered persons into one, and undoing it.

Every record that points at the absorbed person — documents, contacts, addresses, household
memberships and whatever later apps hang off a person (cases…) — is re-pointed to the kept
person; the ids moved are written down so an undo moves exactly those back. The absorbed
person is archived with a pointer to the survivor (`Person.merged_into`), never deleted.
"""

from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import F, ForeignObjectRel
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError
from amparo.matching import errors
from amparo.matching.choices import PairStatus
from amparo.matching.errors import MatchingErrorCode
from amparo.matching.models import CandidatePair, PersonMerge
from amparo.matching.services.keys import person_keys_refresh
from amparo.matching.services.pairs import pair_record_decision
from amparo.registry.models import HouseholdMembership, Person

CLOSED_MEMBERSHIPS = "closed_memberships"


def _relations_to_person() -> list[tuple[type[models.Model], str]]:
    """(model, field) of every many-to-one relation to Person outside matching's own bookkeeping."""
    relations: list[tuple[type[models.Model], str]] = []
    for field in Person._meta.get_fields(include_hidden=True):
        if not isinstance(field, ForeignObjectRel) or not (field.one_to_many or field.one_to_one):
            continue
        model = field.related_model
        if not isinstance(model, type) or model is Person or model._meta.app_label == "matching":
            continue
        relations.append((model, field.field.name))
    return relations


def _require_mergeable(actor: User, *persons: Person) -> None:
    for person in persons:
        if not access.can(actor, Permission.PERSON_MERGE, person):
            raise Http404


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise ApplicationError(str(errors.REASON_REQUIRED_MESSAGE), code=MatchingErrorCode.REASON_REQUIRED)
    return reason.strip()


def _close_shared_memberships(keep: Person, absorb: Person) -> list[int]:
    """Where both are current members of one household, the absorbed membership is closed today."""
    shared = HouseholdMembership.objects.filter(
        person=absorb,
        left_on__isnull=True,
        household_id__in=HouseholdMembership.objects.filter(person=keep, left_on__isnull=True).values(
            "household_id"
        ),
    )
    closed = list(shared.values_list("pk", flat=True))
    shared.update(left_on=timezone.localdate(), updated_at=timezone.now())
    return closed


@transaction.atomic
def person_merge(
    *, actor: User, keep: Person, absorb: Person, reason: str, pair: CandidatePair | None = None
) -> PersonMerge:
    """Absorb one person into another: everything of `absorb` moves to `keep`; undoable."""
    _require_mergeable(actor, keep, absorb)
    reason = _require_reason(reason)
    if keep.pk == absorb.pk:
        raise ApplicationError(str(errors.SAME_PERSON_MESSAGE), code=MatchingErrorCode.SAME_PERSON)
    locked = {
        person.pk: person for person in Person.objects.select_for_update().filter(pk__in=[keep.pk, absorb.pk])
    }
    if any(person.is_archived or person.merged_into_id for person in locked.values()):
        raise ApplicationError(str(errors.ALREADY_MERGED_MESSAGE), code=MatchingErrorCode.ALREADY_MERGED)
    moved: dict[str, Any] = {}
    closed = _close_shared_memberships(keep, absorb)
    if closed:
        moved[CLOSED_MEMBERSHIPS] = {"ids": closed, "left_on": timezone.localdate().isoformat()}
    for model, field_name in _relations_to_person():
        related = model._default_manager.filter(**{field_name: absorb})
        ids = list(related.values_list("pk", flat=True))
        if not ids:
            continue
        try:
            with transaction.atomic():
                model._default_manager.filter(pk__in=ids).update(**{field_name: keep})
        except IntegrityError as error:
            raise ApplicationError(
                str(errors.MERGE_BLOCKED_MESSAGE) % {"detail": model._meta.verbose_name},
                code=MatchingErrorCode.MERGE_BLOCKED,
            ) from error
        moved[PersonMerge.moved_key(model, field_name)] = ids
    now = timezone.now()
    Person.objects.filter(pk=absorb.pk).update(
        is_archived=True,
        archived_at=now,
        archived_by=actor,
        archive_reason=_("Merged into %(amparo_id)s: %(reason)s")
        % {"amparo_id": keep.amparo_id, "reason": reason},
        merged_into=keep,
        version=F("version") + 1,
        updated_at=now,
    )
    Person.objects.filter(pk=keep.pk).update(version=F("version") + 1, updated_at=now)
    merge = PersonMerge.objects.create(
        kept=keep, absorbed=absorb, pair=pair, reason=reason, moved=moved, merged_by=actor
    )
    audit.record(
        actor=actor,
        action=AuditAction.PERSON_MERGED,
        target=keep,
        extra={
            "absorbed": absorb.pk,
            "merge": merge.pk,
            "moved": {key: _count(value) for key, value in moved.items()},
        },
    )
    person_keys_refresh(person_ids=[keep.pk, absorb.pk])
    for person in (keep, absorb):
        person.refresh_from_db()
    return merge


def _count(value: Any) -> int:
    return len(value["ids"]) if isinstance(value, dict) else len(value)


@transaction.atomic
def person_merge_undo(*, actor: User, merge: PersonMerge, reason: str) -> PersonMerge:
    """Put back exactly what a merge moved and restore the absorbed person."""
    merge = PersonMerge.objects.select_for_update().select_related("kept", "absorbed").get(pk=merge.pk)
    keep, absorbed = merge.kept, merge.absorbed
    _require_mergeable(actor, keep, absorbed)
    reason = _require_reason(reason)
    if merge.is_undone:
        raise ApplicationError(str(errors.MERGE_UNDONE_MESSAGE), code=MatchingErrorCode.MERGE_UNDONE)
    if keep.is_archived or absorbed.merged_into_id != keep.pk:
        raise ApplicationError(str(errors.UNDO_CONFLICT_MESSAGE), code=MatchingErrorCode.UNDO_CONFLICT)
    for key, ids in merge.moved.items():
        if key == CLOSED_MEMBERSHIPS:
            continue
        label, field_name = key.rsplit(".", 1)
        model = apps.get_model(label)
        model._default_manager.filter(pk__in=ids, **{field_name: keep}).update(**{field_name: absorbed})
    closed = merge.moved.get(CLOSED_MEMBERSHIPS)
    if closed:
        HouseholdMembership.objects.filter(pk__in=closed["ids"], left_on=closed["left_on"]).update(
            left_on=None, updated_at=timezone.now()
        )
    now = timezone.now()
    Person.objects.filter(pk=absorbed.pk).update(
        is_archived=False,
        archived_at=None,
        archived_by=None,
        archive_reason="",
        merged_into=None,
        version=F("version") + 1,
        updated_at=now,
    )
    Person.objects.filter(pk=keep.pk).update(version=F("version") + 1, updated_at=now)
    merge.undone_at = now
    merge.undone_by = actor
    merge.undo_reason = reason
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    if merge.pair_id:
        pair_record_decision(
            pair=CandidatePair.objects.get(pk=merge.pair_id),
            status=PairStatus.PENDING,
            actor=actor,
            reason=_("Merge undone: %(reason)s") % {"reason": reason},
        )
    audit.record(
        actor=actor,
        action=AuditAction.PERSON_MERGE_UNDONE,
        target=keep,
        extra={"absorbed": absorbed.pk, "merge": merge.pk},
    )
    person_keys_refresh(person_ids=[keep.pk, absorbed.pk])
    return merge
