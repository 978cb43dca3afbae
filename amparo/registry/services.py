"""Writes to the registry. Each service checks the access policy, validates, saves and audits
in one transaction."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.dates import years_before
from amparo.common.errors import ApplicationError, ConflictError
from amparo.common.text import fold_compact
from amparo.registry import errors
from amparo.registry.errors import RegistryErrorCode
from amparo.registry.identifiers import new_amparo_id
from amparo.registry.models import (
    Address,
    AdminArea,
    Contact,
    Household,
    HouseholdMembership,
    IdentityDocument,
    Person,
)
from amparo.registry.search import search_name_for

PERSON_FIELDS = (
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "gender_identity",
    "date_of_birth",
    "date_of_birth_is_estimated",
    "nationality",
)


def date_of_birth_from_age(age_years: int, *, today: datetime.date | None = None) -> datetime.date:
    """An estimated birth date for someone who says they are `age_years` old today."""
    return years_before(today or timezone.localdate(), age_years)


@dataclass
class DocumentInput:
    document_type: str
    number: str
    issuing_country: str = ""


@dataclass
class ContactInput:
    kind: str
    value: str


@dataclass
class AddressInput:
    country: str
    department_id: int | None = None
    municipality_id: int | None = None
    line: str = ""
    latitude: Any = None
    longitude: Any = None
    is_current: bool = True


@dataclass
class PersonInput:
    given_names: str
    first_surname: str = ""
    second_surname: str = ""
    sex: str = "unknown"
    gender_identity: str = ""
    date_of_birth: datetime.date | None = None
    date_of_birth_is_estimated: bool = False
    age_years: int | None = None
    nationality: str = ""
    documents: list[DocumentInput] = field(default_factory=list)
    contacts: list[ContactInput] = field(default_factory=list)
    addresses: list[AddressInput] = field(default_factory=list)


def _require_unit(actor: User, permission: Permission, org_unit: OrgUnit) -> None:
    if not access.units_visible_to(actor, permission).filter(pk=org_unit.pk).exists():
        raise ApplicationError(str(errors.UNIT_NOT_ALLOWED_MESSAGE), code=RegistryErrorCode.UNIT_NOT_ALLOWED)


def _save_person_with_new_id(person: Person) -> None:
    for _attempt in range(5):
        person.amparo_id = new_amparo_id()
        try:
            with transaction.atomic():
                person.save(force_insert=True)
        except IntegrityError:
            if Person.objects.filter(amparo_id=person.amparo_id).exists():
                continue
            raise
        return
    raise IntegrityError("could not allocate a unique Amparo ID")


def _validate_area(area_id: int | None, *, country: str, level: int) -> None:
    if area_id is None:
        return
    if not AdminArea.objects.filter(pk=area_id, country=country, level=level).exists():
        raise ValidationError({"department" if level == 1 else "municipality": "not in that country"})


def _add_children(person: Person, data: PersonInput) -> None:
    for document in data.documents:
        person_document_add(person=person, data=document)
    for contact in data.contacts:
        item = Contact(person=person, kind=contact.kind, value=contact.value.strip())
        item.full_clean()
        item.save()
    for address in data.addresses:
        person_address_add(person=person, data=address)


@transaction.atomic
def person_create(
    *, actor: User, org_unit: OrgUnit, data: PersonInput, photo: UploadedFile | None = None
) -> Person:
    _require_unit(actor, Permission.PERSON_CREATE, org_unit)
    date_of_birth, estimated = data.date_of_birth, data.date_of_birth_is_estimated
    if date_of_birth is None and data.age_years is not None:
        date_of_birth, estimated = date_of_birth_from_age(data.age_years), True
    person = Person(
        given_names=data.given_names.strip(),
        first_surname=data.first_surname.strip(),
        second_surname=data.second_surname.strip(),
        sex=data.sex,
        gender_identity=data.gender_identity,
        date_of_birth=date_of_birth,
        date_of_birth_is_estimated=estimated and date_of_birth is not None,
        nationality=data.nationality,
        org_unit=org_unit,
        created_by=actor,
        amparo_id="0000-0000-0",
    )
    if photo is not None:
        person.photo = photo
    person.search_name = search_name_for(person.given_names, person.first_surname, person.second_surname)
    person.full_clean(exclude=["amparo_id"])
    _save_person_with_new_id(person)
    _add_children(person, data)
    _persons_written(person.pk)
    audit.record(
        actor=actor, action=AuditAction.PERSON_CREATED, target=person, extra={"org_unit": org_unit.pk}
    )
    return person


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: Person,
    expected_version: int,
    changes: dict[str, Any],
    photo: UploadedFile | None = None,
) -> Person:
    """Apply `changes` unless someone saved the person since `expected_version` was read."""
    if not access.can(actor, Permission.PERSON_EDIT, person):
        raise Http404
    if person.is_archived:
        raise ApplicationError(str(errors.PERSON_ARCHIVED_MESSAGE), code=RegistryErrorCode.PERSON_ARCHIVED)
    unknown = set(changes) - set(PERSON_FIELDS) - {"age_years"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changes = dict(changes)
    age_years = changes.pop("age_years", None)
    if age_years is not None and not changes.get("date_of_birth"):
        changes["date_of_birth"] = date_of_birth_from_age(age_years)
        changes["date_of_birth_is_estimated"] = True
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, changes[name].strip() if isinstance(changes[name], str) else changes[name])
    person.search_name = search_name_for(person.given_names, person.first_surname, person.second_surname)
    person.full_clean()
    if not changed and photo is None:
        return person
    updated = Person.objects.filter(pk=person.pk, version=expected_version).update(
        **{name: getattr(person, name) for name in changed},
        search_name=person.search_name,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        current = Person.objects.values_list("version", flat=True).get(pk=person.pk)
        raise ConflictError(
            str(errors.PERSON_CHANGED_MESSAGE) % {"current": current},
            code=RegistryErrorCode.PERSON_CHANGED,
            extra={"current_version": current},
        )
    if photo is not None:
        person.photo = photo
        person.save(update_fields=["photo"])
        changed.append("photo")
    person.version = expected_version + 1
    _persons_written(person.pk)
    audit.record(
        actor=actor,
        action=AuditAction.PERSON_UPDATED,
        target=person,
        extra={"fields": sorted(changed), "version": person.version},
    )
    return person


@transaction.atomic
def person_archive(*, actor: User, person: Person, reason: str) -> Person:
    if not access.can(actor, Permission.PERSON_ARCHIVE, person):
        raise Http404
    if not reason.strip():
        raise ApplicationError(
            str(errors.ARCHIVE_REASON_REQUIRED_MESSAGE), code=RegistryErrorCode.ARCHIVE_REASON_REQUIRED
        )
    if person.is_archived:
        return person
    person.is_archived = True
    person.archived_at = timezone.now()
    person.archived_by = actor
    person.archive_reason = reason.strip()
    person.version += 1
    person.save(
        update_fields=["is_archived", "archived_at", "archived_by", "archive_reason", "version", "updated_at"]
    )
    _persons_written(person.pk)
    audit.record(actor=actor, action=AuditAction.PERSON_ARCHIVED, target=person)
    return person


def _require_editable(actor: User | None, person: Person) -> None:
    if actor is not None and not access.can(actor, Permission.PERSON_EDIT, person):
        raise Http404
    if person.is_archived:
        raise ApplicationError(str(errors.PERSON_ARCHIVED_MESSAGE), code=RegistryErrorCode.PERSON_ARCHIVED)


@transaction.atomic
def person_document_add(
    *, person: Person, data: DocumentInput, actor: User | None = None
) -> IdentityDocument:
    _require_editable(actor, person)
    document = IdentityDocument(
        person=person,
        document_type=data.document_type,
        number=data.number.strip(),
        number_folded=fold_compact(data.number),
        issuing_country=data.issuing_country,
    )
    document.full_clean()
    document.save()
    if actor is not None:
        _touch(actor, person, "documents")
    return document


@transaction.atomic
def person_contact_add(*, person: Person, data: ContactInput, actor: User) -> Contact:
    _require_editable(actor, person)
    contact = Contact(person=person, kind=data.kind, value=data.value.strip())
    contact.full_clean()
    contact.save()
    _touch(actor, person, "contacts")
    return contact


@transaction.atomic
def person_address_add(*, person: Person, data: AddressInput, actor: User | None = None) -> Address:
    _require_editable(actor, person)
    _validate_area(data.department_id, country=data.country, level=1)
    _validate_area(data.municipality_id, country=data.country, level=2)
    if data.is_current:
        person.addresses.filter(is_current=True).update(is_current=False)
    address = Address(
        person=person,
        country=data.country,
        department_id=data.department_id,
        municipality_id=data.municipality_id,
        line=data.line.strip(),
        latitude=data.latitude,
        longitude=data.longitude,
        is_current=data.is_current,
    )
    address.full_clean()
    address.save()
    if actor is not None:
        _touch(actor, person, "addresses")
    return address


@transaction.atomic
def person_detail_remove(*, actor: User, person: Person, kind: str, item_id: int) -> None:
    """Remove one document, contact or address of a person (the person stays)."""
    _require_editable(actor, person)
    related = {"documents": person.documents, "contacts": person.contacts, "addresses": person.addresses}[
        kind
    ]
    deleted, _ = related.filter(pk=item_id).delete()
    if not deleted:
        raise Http404
    _touch(actor, person, kind)


def _touch(actor: User, person: Person, what: str) -> None:
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=timezone.now())
    person.version += 1
    _persons_written(person.pk)
    audit.record(
        actor=actor,
        action=AuditAction.PERSON_UPDATED,
        target=person,
        extra={"fields": [what], "version": person.version},
    )


# --- Apps above the registry that keep derived data about persons -------------------------------
# The registry may not import them (dependency direction), so they subscribe once at start-up
# (AppConfig.ready) and are called after the transaction that wrote the persons commits.
_person_write_subscribers: list[Callable[[list[int]], object]] = []


def on_person_write(callback: Callable[[list[int]], object]) -> None:
    """Call `callback(person_ids)` after every committed write to those persons (e.g. matching keys)."""
    if callback not in _person_write_subscribers:
        _person_write_subscribers.append(callback)


def _persons_written(*person_ids: int) -> None:
    ids = list(person_ids)
    for callback in _person_write_subscribers:
        transaction.on_commit(lambda callback=callback: callback(ids))


# --- Households ---------------------------------------------------------------------------------


def _new_household_code() -> str:
    return "H-" + new_amparo_id()[:9].replace("-", "")


@transaction.atomic
def household_create(
    *,
    actor: User,
    org_unit: OrgUnit,
    name: str,
    country: str,
    department_id: int | None = None,
    municipality_id: int | None = None,
    address_line: str = "",
    latitude: Any = None,
    longitude: Any = None,
) -> Household:
    _require_unit(actor, Permission.HOUSEHOLD_EDIT, org_unit)
    _validate_area(department_id, country=country, level=1)
    _validate_area(municipality_id, country=country, level=2)
    household = Household(
        code=_new_household_code(),
        name=name.strip(),
        search_name=search_name_for(name, "", ""),
        country=country,
        department_id=department_id,
        municipality_id=municipality_id,
        address_line=address_line.strip(),
        latitude=latitude,
        longitude=longitude,
        org_unit=org_unit,
        created_by=actor,
    )
    household.full_clean()
    household.save()
    audit.record(actor=actor, action=AuditAction.HOUSEHOLD_CREATED, target=household)
    return household


HOUSEHOLD_FIELDS = (
    "name",
    "country",
    "department_id",
    "municipality_id",
    "address_line",
    "latitude",
    "longitude",
)


@transaction.atomic
def household_update(
    *, actor: User, household: Household, expected_version: int, changes: dict[str, Any]
) -> Household:
    if not access.can(actor, Permission.HOUSEHOLD_EDIT, household):
        raise Http404
    if household.is_archived:
        raise ApplicationError(
            str(errors.HOUSEHOLD_ARCHIVED_MESSAGE), code=RegistryErrorCode.HOUSEHOLD_ARCHIVED
        )
    changed = [
        name
        for name, value in changes.items()
        if name in HOUSEHOLD_FIELDS and getattr(household, name) != value
    ]
    for name in changed:
        setattr(household, name, changes[name])
    household.search_name = search_name_for(household.name, "", "")
    _validate_area(household.department_id, country=str(household.country), level=1)
    _validate_area(household.municipality_id, country=str(household.country), level=2)
    household.full_clean()
    if not changed:
        return household
    updated = Household.objects.filter(pk=household.pk, version=expected_version).update(
        **{name: getattr(household, name) for name in changed},
        search_name=household.search_name,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        current = Household.objects.values_list("version", flat=True).get(pk=household.pk)
        raise ConflictError(
            str(errors.HOUSEHOLD_CHANGED_MESSAGE),
            code=RegistryErrorCode.HOUSEHOLD_CHANGED,
            extra={"current_version": current},
        )
    household.version = expected_version + 1
    audit.record(
        actor=actor, action=AuditAction.HOUSEHOLD_UPDATED, target=household, extra={"fields": sorted(changed)}
    )
    return household


@transaction.atomic
def household_member_add(
    *,
    actor: User,
    household: Household,
    person: Person,
    relationship: str,
    joined_on: datetime.date | None = None,
) -> HouseholdMembership:
    """Add a person the actor may see to a household the actor may edit."""
    if not access.can(actor, Permission.HOUSEHOLD_EDIT, household):
        raise Http404
    if household.is_archived:
        raise ApplicationError(
            str(errors.HOUSEHOLD_ARCHIVED_MESSAGE), code=RegistryErrorCode.HOUSEHOLD_ARCHIVED
        )
    if not access.can(actor, Permission.PERSON_VIEW, person):
        raise Http404
    current = household.memberships.filter(left_on__isnull=True)
    if current.filter(person=person).exists():
        raise ApplicationError(str(errors.ALREADY_MEMBER_MESSAGE), code=RegistryErrorCode.ALREADY_MEMBER)
    is_head = relationship == "head"
    if is_head and current.filter(is_head=True).exists():
        raise ApplicationError(
            str(errors.HOUSEHOLD_HAS_HEAD_MESSAGE), code=RegistryErrorCode.HOUSEHOLD_HAS_HEAD
        )
    membership = HouseholdMembership(
        household=household, person=person, relationship=relationship, is_head=is_head, joined_on=joined_on
    )
    membership.full_clean()
    membership.save()
    audit.record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_MEMBER_ADDED,
        target=household,
        extra={"person": person.pk, "relationship": relationship},
    )
    return membership


@transaction.atomic
def household_member_remove(
    *, actor: User, membership: HouseholdMembership, left_on: datetime.date | None = None
) -> HouseholdMembership:
    """A member leaves: the membership is closed with a date, never deleted."""
    if not access.can(actor, Permission.HOUSEHOLD_EDIT, membership.household):
        raise Http404
    if membership.left_on is None:
        membership.left_on = left_on or timezone.localdate()
        membership.save(update_fields=["left_on", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.HOUSEHOLD_MEMBER_REMOVED,
            target=membership.household,
            extra={"person": membership.person_id},
        )
    return membership


@transaction.atomic
def household_archive(*, actor: User, household: Household, reason: str) -> Household:
    if not access.can(actor, Permission.HOUSEHOLD_EDIT, household):
        raise Http404
    if not reason.strip():
        raise ApplicationError(
            str(errors.ARCHIVE_REASON_REQUIRED_MESSAGE), code=RegistryErrorCode.ARCHIVE_REASON_REQUIRED
        )
    if household.is_archived:
        return household
    household.is_archived = True
    household.archived_at = timezone.now()
    household.archive_reason = reason.strip()
    household.version += 1
    household.save(update_fields=["is_archived", "archived_at", "archive_reason", "version", "updated_at"])
    audit.record(actor=actor, action=AuditAction.HOUSEHOLD_ARCHIVED, target=household)
    return household


# --- Audit of what a read showed ----------------------------------------------------------------


def record_persons_shown(
    *, actor: User, persons: Iterable[Person], action: AuditAction, extra: dict[str, Any] | None = None
) -> None:
    """Write which persons a list, search or export showed (ids only)."""
    audit.record(
        actor=actor,
        action=action,
        target_type="registry.person",
        extra={"shown": [person.pk for person in persons], **(extra or {})},
    )


def record_person_viewed(*, actor: User, person: Person, via: str) -> None:
    audit.record(actor=actor, action=AuditAction.PERSON_VIEWED, target=person, extra={"via": via})
