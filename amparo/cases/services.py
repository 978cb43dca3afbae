"""Writes of cases: case types (configuration), cases, their form answers, interventions.

Every service checks the access policy itself (a caller cannot skip it), validates form answers
against the published form version through the forms engine, saves with optimistic concurrency
where people edit concurrently (`expected_version`), and writes its audit entry (ids only) in the
same transaction.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import OrgUnit, User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.cases import errors
from amparo.cases.answers import changed_fields, rows_for_intervention, rows_for_record
from amparo.cases.choices import CaseStatus, FormPurpose, InvolvementRole, RiskLevel
from amparo.cases.errors import CaseErrorCode
from amparo.cases.models import (
    Case,
    CaseAnswerValue,
    CaseFormRecord,
    CaseNumberCounter,
    CasePerson,
    CaseType,
    CaseTypeForm,
    Classification,
    ClassificationChange,
    Intervention,
    InterventionAnswerValue,
    InterventionType,
    SavedFilter,
    StatusChange,
)
from amparo.common.errors import ApplicationError, ConflictError, PermissionDeniedError
from amparo.forms import selectors as forms_selectors
from amparo.forms.models import Form, FormVersion
from amparo.forms.submission import References, validate_submission
from amparo.registry.models import Person
from amparo.registry.selectors import persons_visible_to


class FormDataInvalidError(ApplicationError):
    """Answers that do not fit the form version; `fields` maps form identifier → {path: [messages]}."""

    def __init__(self, fields: dict[str, dict[str, list[str]]]):
        super().__init__(str(errors.FORM_INVALID_MESSAGE), code=CaseErrorCode.FORM_INVALID)
        self.fields = fields


# --- Case types (configuration) -------------------------------------------------------------------


@dataclass
class TypeFormInput:
    form: Form
    purpose: FormPurpose


@dataclass
class NamedInput:
    code: str
    name_es: str
    name_en: str = ""
    form: Form | None = None  # intervention types only


@dataclass
class CaseTypeInput:
    code: str
    name_es: str
    name_en: str = ""
    number_prefix: str = ""
    is_active: bool = True
    forms: list[TypeFormInput] = field(default_factory=list)
    classifications: list[NamedInput] = field(default_factory=list)
    intervention_types: list[NamedInput] = field(default_factory=list)


# --- Subscribers -------------------------------------------------------------------------------
# Higher layers (family tracing) hear of saved cases without cases importing them.

_case_write_subscribers: list[Callable[[list[int]], object]] = []


def on_case_write(callback: Callable[[list[int]], object]) -> None:
    """Call `callback(case_ids)` after every committed opening or edit of those cases."""
    if callback not in _case_write_subscribers:
        _case_write_subscribers.append(callback)


def _cases_written(*case_ids: int) -> None:
    ids = list(case_ids)
    for callback in _case_write_subscribers:
        transaction.on_commit(partial(callback, ids))


def _require_type_manager(actor: User | None) -> None:
    if actor is not None and not access.has_permission(actor, Permission.CASE_TYPE_MANAGE):
        raise PermissionDeniedError(str(errors.UNIT_NOT_ALLOWED_MESSAGE), code=CaseErrorCode.UNIT_NOT_ALLOWED)


def _sync_named(model: Any, case_type: CaseType, items: list[NamedInput], *, with_form: bool) -> None:
    """Make the type's rows match `items` by code; rows no longer listed are retired, never deleted."""
    existing = {row.code: row for row in model.objects.filter(case_type=case_type)}
    for position, item in enumerate(items):
        row = existing.pop(item.code, None) or model(case_type=case_type, code=item.code)
        row.name_es, row.name_en, row.position, row.is_active = item.name_es, item.name_en, position, True
        if with_form:
            row.form = item.form
        row.full_clean(exclude=["case_type"])
        row.save()
    for row in existing.values():
        if row.is_active:
            row.is_active = False
            row.save(update_fields=["is_active"])


@transaction.atomic
def case_type_save(*, actor: User | None, data: CaseTypeInput, case_type: CaseType | None = None) -> CaseType:
    """Create or change a case type with its forms, classifications and intervention types."""
    _require_type_manager(actor)
    for item in data.forms:
        if forms_selectors.latest_version(item.form) is None:
            raise ApplicationError(
                str(errors.FORM_NOT_PUBLISHED_MESSAGE), code=CaseErrorCode.FORM_NOT_PUBLISHED
            )
    created = case_type is None
    if case_type is None:
        if CaseType.objects.filter(code=data.code).exists():
            raise ApplicationError(
                str(errors.CODE_TAKEN_MESSAGE) % {"code": data.code}, code=CaseErrorCode.CODE_TAKEN
            )
        case_type = CaseType(code=data.code)
    case_type.name_es, case_type.name_en = data.name_es.strip(), data.name_en.strip()
    case_type.number_prefix = (data.number_prefix or data.code).strip().upper()
    case_type.is_active = data.is_active
    case_type.full_clean()
    case_type.save()
    CaseTypeForm.objects.filter(case_type=case_type).delete()
    CaseTypeForm.objects.bulk_create(
        [
            CaseTypeForm(case_type=case_type, form=item.form, purpose=item.purpose, position=position)
            for position, item in enumerate(data.forms)
        ]
    )
    _sync_named(Classification, case_type, data.classifications, with_form=False)
    _sync_named(InterventionType, case_type, data.intervention_types, with_form=True)
    audit.record(
        actor=actor,
        action=AuditAction.CASE_TYPE_CREATED if created else AuditAction.CASE_TYPE_UPDATED,
        target=case_type,
        extra={"forms": [item.form.pk for item in data.forms]},
    )
    return case_type


# --- Numbering ------------------------------------------------------------------------------------


def case_number_allocate(*, case_type: CaseType, org_unit: OrgUnit, year: int) -> str:
    """The next number for (type, unit, year), e.g. "PROT-UNIT-A-2026-000123" (the sequence is per unit,
    so the unit's code is part of the number to keep numbers unique across units).

    The counter row is created if missing and then locked with SELECT … FOR UPDATE, so two
    concurrent openings in the same unit wait for each other instead of taking the same number
    (Case.number is unique as a last guard). Must run inside the caller's transaction.
    """
    CaseNumberCounter.objects.get_or_create(case_type=case_type, org_unit=org_unit, year=year)
    counter = CaseNumberCounter.objects.select_for_update().get(
        case_type=case_type, org_unit=org_unit, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{case_type.number_prefix}-{org_unit.code.upper()}-{year}-{counter.last_number:06d}"


# --- Form answers ---------------------------------------------------------------------------------


def person_references(user: User | None) -> References:
    """Person answers may only point at persons the user may see (the registry's access policy)."""

    def persons(ids: Any) -> dict[int, str]:
        return {person.pk: person.full_name for person in persons_visible_to(user).filter(pk__in=list(ids))}

    return References(persons=persons)


def _clean_answers(
    *, actor: User | None, form: Form, data: Mapping[str, Any], previous: Mapping[str, Any] | None
) -> tuple[FormVersion, dict[str, Any], dict[str, list[str]]]:
    version = forms_selectors.latest_version(form, with_definition=False)
    if version is None:
        raise ApplicationError(str(errors.FORM_NOT_PUBLISHED_MESSAGE), code=CaseErrorCode.FORM_NOT_PUBLISHED)
    definition = forms_selectors.definition_of(version)
    clean, problems = validate_submission(
        definition, data, previous=previous, references=person_references(actor)
    )
    return version, clean, problems


def _keep_hidden_answers(
    clean: dict[str, Any], previous: Mapping[str, Any], version: FormVersion, clearance: int
) -> dict[str, Any]:
    """Answers of fields above the editor's clearance were never shown to them: keep the stored ones
    (and ignore anything sent for them), so editing a case never erases or overwrites what one cannot see."""
    definition = forms_selectors.definition_of(version)
    for section in definition.sections:
        for item in section.fields:
            if item.sensitivity <= clearance:
                continue
            if item.name in previous:
                clean[item.name] = previous[item.name]
            else:
                clean.pop(item.name, None)
    return clean


def _type_form(case_type: CaseType, form: Form) -> CaseTypeForm:
    link = CaseTypeForm.objects.filter(case_type=case_type, form=form).first()
    if link is None:
        raise ApplicationError(str(errors.FORM_NOT_OF_TYPE_MESSAGE), code=CaseErrorCode.FORM_NOT_OF_TYPE)
    return link


def _check_owner(owner: User, org_unit: OrgUnit) -> None:
    probe = Case(org_unit=org_unit, owner=owner)
    if not owner.is_active or not access.can(owner, Permission.CASE_EDIT, probe):
        raise ApplicationError(str(errors.OWNER_NOT_ALLOWED_MESSAGE), code=CaseErrorCode.OWNER_NOT_ALLOWED)


def _check_classification(case_type: CaseType, classification: Classification | None) -> None:
    if classification is not None and (
        classification.case_type_id != case_type.pk or not classification.is_active
    ):
        raise ApplicationError(
            str(errors.CLASSIFICATION_NOT_OF_TYPE_MESSAGE), code=CaseErrorCode.CLASSIFICATION_NOT_OF_TYPE
        )


# --- Cases ----------------------------------------------------------------------------------------


@dataclass
class CaseOpenInput:
    case_type: CaseType
    person: Person
    org_unit: OrgUnit
    owner: User | None = None
    classification: Classification | None = None
    risk_level: str = RiskLevel.LOW
    opened_on: datetime.date | None = None
    forms: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # form identifier → raw answers


@transaction.atomic
def case_open(*, actor: User, data: CaseOpenInput) -> Case:
    """Open a case for a person the actor may see, in a unit where the actor may open cases.

    Answers may be given for any form of the type (the registration form usually); all are
    validated first and every problem is reported at once (FormDataInvalidError).
    """
    if not access.units_visible_to(actor, Permission.CASE_CREATE).filter(pk=data.org_unit.pk).exists():
        raise PermissionDeniedError(str(errors.UNIT_NOT_ALLOWED_MESSAGE), code=CaseErrorCode.UNIT_NOT_ALLOWED)
    if not persons_visible_to(actor).filter(pk=data.person.pk).exists():
        raise Http404
    if not data.case_type.is_active:
        raise ApplicationError(str(errors.CASE_TYPE_INACTIVE_MESSAGE), code=CaseErrorCode.CASE_TYPE_INACTIVE)
    _check_classification(data.case_type, data.classification)
    owner = data.owner or actor
    _check_owner(owner, data.org_unit)
    forms_by_identifier = {
        link.form.identifier: link.form for link in data.case_type.type_forms.select_related("form")
    }
    cleaned: list[tuple[Form, FormVersion, dict[str, Any]]] = []
    problems: dict[str, dict[str, list[str]]] = {}
    for identifier, answers in data.forms.items():
        form = forms_by_identifier.get(identifier)
        if form is None:
            problems[identifier] = {"": [str(errors.FORM_NOT_OF_TYPE_MESSAGE)]}
            continue
        version, clean, form_errors = _clean_answers(actor=actor, form=form, data=answers, previous=None)
        if form_errors:
            problems[identifier] = form_errors
        cleaned.append((form, version, clean))
    if problems:
        raise FormDataInvalidError(problems)
    opened_on = data.opened_on or timezone.localdate()
    case = Case(
        number=case_number_allocate(case_type=data.case_type, org_unit=data.org_unit, year=opened_on.year),
        case_type=data.case_type,
        classification=data.classification,
        person=data.person,
        org_unit=data.org_unit,
        owner=owner,
        risk_level=data.risk_level,
        opened_on=opened_on,
        created_by=actor,
    )
    case.full_clean()
    case.save(force_insert=True)
    _index_answers(
        case,
        CaseFormRecord.objects.bulk_create(
            [
                CaseFormRecord(case=case, form=form, form_version=version, data=clean, updated_by=actor)
                for form, version, clean in cleaned
            ]
        ),
    )
    if data.classification is not None:
        ClassificationChange.objects.create(
            case=case,
            from_classification=None,
            to_classification=data.classification,
            reason="",
            changed_at=timezone.now(),
            changed_by=actor,
        )
    audit.record(
        actor=actor,
        action=AuditAction.CASE_OPENED,
        target=case,
        extra={
            "person": data.person.pk,
            "case_type": data.case_type.pk,
            "forms": [form.pk for form, _v, _c in cleaned],
        },
    )
    _cases_written(case.pk)
    return case


def _require(actor: User, permission: Permission, case: Case) -> None:
    if not access.can(actor, permission, case):
        raise Http404


def _bump(case: Case, expected_version: int, **changes: Any) -> None:
    """Save `changes` unless the case was saved since `expected_version` (optimistic locking)."""
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = Case.objects.values_list("version", flat=True).get(pk=case.pk)
        raise ConflictError(
            str(errors.CASE_CHANGED_MESSAGE) % {"current": current},
            code=CaseErrorCode.CASE_CHANGED,
            extra={"current_version": current},
        )
    for name, value in changes.items():
        setattr(case, name, value)
    case.version = expected_version + 1
    if {"org_unit", "org_unit_id", "case_type", "case_type_id"} & set(changes):
        answer_scope_sync(case)


def _require_open(case: Case) -> None:
    if case.is_closed:
        raise ApplicationError(str(errors.CASE_CLOSED_MESSAGE), code=CaseErrorCode.CASE_CLOSED)


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    risk_level: str | None = None,
    owner: User | None = None,
    forms: Mapping[str, Mapping[str, Any]] | None = None,
) -> Case:
    """Change risk level, owner and/or form answers (each form validated against its latest version)."""
    _require(actor, Permission.CASE_EDIT, case)
    _require_open(case)
    changes: dict[str, Any] = {}
    if risk_level is not None and risk_level != case.risk_level:
        if risk_level not in RiskLevel.values:
            raise ApplicationError(str(errors.FORM_INVALID_MESSAGE), code="invalid")
        changes["risk_level"] = risk_level
    if owner is not None and owner.pk != case.owner_id:
        _check_owner(owner, case.org_unit)
        changes["owner"] = owner
    saved_forms = [record.form_id for record in _save_forms(actor=actor, case=case, forms=forms or {})]
    if not changes and not saved_forms:
        return case
    _bump(case, expected_version, **changes)
    audit.record(
        actor=actor,
        action=AuditAction.CASE_UPDATED,
        target=case,
        extra={"fields": sorted(changes), "forms": saved_forms, "version": case.version},
    )
    _cases_written(case.pk)
    return case


def _save_forms(
    *,
    actor: User,
    case: Case,
    forms: Mapping[str, Mapping[str, Any]],
    links: Mapping[str, Form] | None = None,
) -> list[CaseFormRecord]:
    """Validate and save answers to forms of the case's type (`links`: identifier → form, when the
    caller already checked them); returns the saved records."""
    if not forms:
        return []
    if links is None:
        links = {link.form.identifier: link.form for link in case.case_type.type_forms.select_related("form")}
    records = {record.form_id: record for record in case.form_records.all()}
    problems: dict[str, dict[str, list[str]]] = {}
    pending: list[tuple[Form, FormVersion, dict[str, Any]]] = []
    for identifier, answers in forms.items():
        form = links.get(identifier)
        if form is None:
            problems[identifier] = {"": [str(errors.FORM_NOT_OF_TYPE_MESSAGE)]}
            continue
        record = records.get(form.pk)
        version, clean, form_errors = _clean_answers(
            actor=actor, form=form, data=answers, previous=record.data if record else None
        )
        clean = _keep_hidden_answers(
            clean,
            record.data if record else {},
            version,
            access.clearance_for(actor, case, Permission.CASE_VIEW),
        )
        if form_errors:
            problems[identifier] = form_errors
        pending.append((form, version, clean))
    if problems:
        raise FormDataInvalidError(problems)
    saved = []
    previous: dict[int, tuple[FormVersion, dict[str, Any]]] = {}
    for form, version, clean in pending:
        record = records.get(form.pk)
        if record is None:
            record, _created = CaseFormRecord.objects.update_or_create(
                case=case, form=form, defaults={"form_version": version, "data": clean, "updated_by": actor}
            )
        else:  # a stale record loses at the caller's version bump (same transaction, rolled back)
            previous[record.pk] = (record.form_version, record.data)
            record.form_version, record.data, record.updated_by = version, clean, actor
            record.save(update_fields=["form_version", "data", "updated_by", "updated_at"])
        saved.append(record)
    _index_answers(case, saved, previous=previous)
    return saved


def _index_answers(
    case: Case,
    records: list[CaseFormRecord],
    *,
    previous: Mapping[int, tuple[FormVersion, Mapping[str, Any]]] | None = None,
) -> None:
    """Keep the typed copies of the records' answers in step (see cases.answers).

    `previous` maps a record's id to the version and answers it held before this save: then only
    the rows of the fields whose typed answers changed are deleted and written again (none when
    nothing typed changed). Without it (a new record) every row is written.
    """
    rows = []
    for record in records:
        definition = forms_selectors.definition_of(record.form_version)
        only: set[str] | None = None
        if previous is not None:
            if record.pk in previous:
                before_version, before = previous[record.pk]
                only = changed_fields(
                    forms_selectors.definition_of(before_version), before, definition, record.data
                )
            else:  # written by update_or_create: a record another request created, or none
                only = None
                CaseAnswerValue.objects.filter(record=record).delete()
            if only:
                CaseAnswerValue.objects.filter(
                    case_id=case.pk, form_id=record.form_id, field__in=only
                ).delete()
            elif only is not None:
                continue
        rows += rows_for_record(
            record,
            definition,
            CaseAnswerValue,
            org_unit_id=case.org_unit_id,
            case_type_id=case.case_type_id,
            only=only,
        )
    if rows:
        CaseAnswerValue.objects.bulk_create(rows)


def answer_scope_sync(case: Case) -> int:
    """Copy the case's unit and type into its typed answers (after a move or a change of type).

    Every write that changes `Case.org_unit` or `Case.case_type` must call this (`_bump` does).
    Returns the rows updated (case form and intervention answers)."""
    scope = {"org_unit_id": case.org_unit_id, "case_type_id": case.case_type_id}
    return CaseAnswerValue.objects.filter(case_id=case.pk).update(
        **scope
    ) + InterventionAnswerValue.objects.filter(case_id=case.pk).update(**scope)


@transaction.atomic
def case_form_save(
    *, actor: User, case: Case, form: Form, data: Mapping[str, Any], expected_version: int
) -> CaseFormRecord:
    """Save the answers to one form of the case (the case's version guards against lost updates)."""
    _require(actor, Permission.CASE_EDIT, case)
    _require_open(case)
    _type_form(case.case_type, form)
    (record,) = _save_forms(
        actor=actor, case=case, forms={form.identifier: data}, links={form.identifier: form}
    )
    _bump(case, expected_version)
    audit.record(
        actor=actor,
        action=AuditAction.CASE_FORM_SAVED,
        target=case,
        extra={"form": form.pk, "version": case.version},
    )
    _cases_written(case.pk)
    return record


@transaction.atomic
def case_reclassify(
    *, actor: User, case: Case, classification: Classification, reason: str, expected_version: int
) -> Case:
    """Move the case to another classification of its type, keeping who/when/from→to/why."""
    _require(actor, Permission.CASE_EDIT, case)
    _require_open(case)
    _check_classification(case.case_type, classification)
    if not reason.strip():
        raise ApplicationError(str(errors.REASON_REQUIRED_MESSAGE), code=CaseErrorCode.REASON_REQUIRED)
    if classification.pk == case.classification_id:
        raise ApplicationError(
            str(errors.SAME_CLASSIFICATION_MESSAGE), code=CaseErrorCode.SAME_CLASSIFICATION
        )
    previous_id = case.classification_id
    _bump(case, expected_version, classification=classification)
    ClassificationChange.objects.create(
        case=case,
        from_classification_id=previous_id,
        to_classification=classification,
        reason=reason.strip(),
        changed_at=timezone.now(),
        changed_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CASE_RECLASSIFIED,
        target=case,
        extra={"from": previous_id, "to": classification.pk, "version": case.version},
    )
    return case


def _change_status(
    *,
    actor: User,
    case: Case,
    to_status: CaseStatus,
    reason: str,
    expected_version: int,
    closed_on: datetime.date | None,
) -> Case:
    _require(actor, Permission.CASE_CLOSE, case)
    if not reason.strip():
        raise ApplicationError(str(errors.REASON_REQUIRED_MESSAGE), code=CaseErrorCode.REASON_REQUIRED)
    previous = case.status
    _bump(case, expected_version, status=to_status, closed_on=closed_on, status_reason=reason.strip())
    StatusChange.objects.create(
        case=case,
        from_status=previous,
        to_status=to_status,
        reason=reason.strip(),
        changed_at=timezone.now(),
        changed_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CASE_CLOSED if to_status == CaseStatus.CLOSED else AuditAction.CASE_REOPENED,
        target=case,
        extra={"from": previous, "version": case.version},
    )
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, reason: str, expected_version: int) -> Case:
    _require_open(case)
    return _change_status(
        actor=actor,
        case=case,
        to_status=CaseStatus.CLOSED,
        reason=reason,
        expected_version=expected_version,
        closed_on=timezone.localdate(),
    )


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str, expected_version: int) -> Case:
    if not case.is_closed:
        raise ApplicationError(str(errors.CASE_NOT_CLOSED_MESSAGE), code=CaseErrorCode.CASE_NOT_CLOSED)
    return _change_status(
        actor=actor,
        case=case,
        to_status=CaseStatus.REOPENED,
        reason=reason,
        expected_version=expected_version,
        closed_on=None,
    )


@transaction.atomic
def case_person_add(*, actor: User, case: Case, person: Person, role: str) -> CasePerson:
    _require(actor, Permission.CASE_EDIT, case)
    _require_open(case)
    if not persons_visible_to(actor).filter(pk=person.pk).exists():
        raise Http404
    if role not in InvolvementRole.values:
        raise ApplicationError(str(errors.FORM_INVALID_MESSAGE), code="invalid")
    if person.pk == case.person_id or CasePerson.objects.filter(case=case, person=person).exists():
        raise ApplicationError(
            str(errors.PERSON_ALREADY_INVOLVED_MESSAGE), code=CaseErrorCode.PERSON_ALREADY_INVOLVED
        )
    involvement = CasePerson.objects.create(case=case, person=person, role=role, added_by=actor)
    audit.record(
        actor=actor,
        action=AuditAction.CASE_PERSON_ADDED,
        target=case,
        extra={"person": person.pk, "role": role},
    )
    return involvement


@transaction.atomic
def case_person_remove(*, actor: User, case: Case, involvement_id: int) -> None:
    """Remove one person involved from `case`; the audit entry keeps who it was and in what role."""
    _require(actor, Permission.CASE_EDIT, case)
    _require_open(case)
    involvement = CasePerson.objects.filter(case=case, pk=involvement_id).first()
    if involvement is None:
        raise Http404
    involvement.delete()
    audit.record(
        actor=actor,
        action=AuditAction.CASE_PERSON_REMOVED,
        target=case,
        extra={"person": involvement.person_id, "role": involvement.role},
    )


# --- Interventions --------------------------------------------------------------------------------


@transaction.atomic
def intervention_record(
    *,
    actor: User,
    case: Case,
    intervention_type: InterventionType,
    occurred_on: datetime.date,
    data: Mapping[str, Any] | None = None,
) -> Intervention:
    """Record an intervention of a type allowed under the case's type, validating its form's answers."""
    _require(actor, Permission.CASE_EDIT, case)
    _require_open(case)
    if intervention_type.case_type_id != case.case_type_id or not intervention_type.is_active:
        raise ApplicationError(
            str(errors.INTERVENTION_TYPE_NOT_OF_TYPE_MESSAGE),
            code=CaseErrorCode.INTERVENTION_TYPE_NOT_OF_TYPE,
        )
    version: FormVersion | None = None
    clean: dict[str, Any] = {}
    if intervention_type.form is not None:
        version, clean, problems = _clean_answers(
            actor=actor, form=intervention_type.form, data=data or {}, previous=None
        )
        if problems:
            raise FormDataInvalidError({intervention_type.form.identifier: problems})
    intervention = Intervention(
        case=case,
        intervention_type=intervention_type,
        occurred_on=occurred_on,
        form_version=version,
        data=clean,
        created_by=actor,
    )
    intervention.full_clean()
    intervention.save(force_insert=True)
    if version is not None:
        InterventionAnswerValue.objects.bulk_create(
            rows_for_intervention(
                intervention,
                forms_selectors.definition_of(version),
                InterventionAnswerValue,
                org_unit_id=case.org_unit_id,
                case_type_id=case.case_type_id,
            )
        )
    audit.record(
        actor=actor,
        action=AuditAction.INTERVENTION_RECORDED,
        target=intervention,
        extra={"case": case.pk, "intervention_type": intervention_type.pk},
    )
    return intervention


# --- Saved filters and audit of reads -------------------------------------------------------------


@transaction.atomic
def saved_filter_save(*, user: User, name: str, query: str) -> SavedFilter:
    saved, _created = SavedFilter.objects.update_or_create(
        user=user, name=name.strip()[:100], defaults={"query": query[:2000]}
    )
    return saved


@transaction.atomic
def saved_filter_delete(*, user: User, saved_filter_id: int) -> None:
    SavedFilter.objects.filter(user=user, pk=saved_filter_id).delete()


def record_case_viewed(*, actor: User, case: Case, via: str) -> None:
    audit.record(actor=actor, action=AuditAction.CASE_VIEWED, target=case, extra={"via": via})


def record_cases_shown(*, actor: User, cases: Any, via: str, extra: dict[str, Any] | None = None) -> None:
    """Which cases a list, a person page or an export showed (ids only)."""
    audit.record(
        actor=actor,
        action=AuditAction.CASE_LISTED,
        target_type="cases.case",
        extra={"shown": [case.pk for case in cases], "via": via, **(extra or {})},
    )
