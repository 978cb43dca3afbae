"""Province side of RUNac: equivalences of the province's own options, and generating deliveries.

Access: generating (and previewing) needs `runac.generate` over the jurisdiction (a grant at
its org unit or above). The cases read are those that same permission reaches in the
jurisdiction's unit and below (`access.visible(user, cases, RUNAC_GENERATE)`): a grant with
scope "My unit" at the provincial area leaves out its teams' cases — grant "My unit and
below". Previews and generations are audited with the period, the counts and the case ids.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django_countries import countries

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.cases.models import Case, CaseFormRecord, Intervention
from amparo.common.errors import ApplicationError, PermissionDeniedError
from amparo.exchange.runac import province, province_files, spec
from amparo.exchange.runac.choices import EquivalenceSource
from amparo.exchange.runac.errors import RunacErrorCode
from amparo.exchange.runac.models import EquivalenceTable, Jurisdiction
from amparo.exchange.runac.selectors import may_on_jurisdiction
from amparo.exchange.runac.tables import (
    TableRows,
    categories_by_field,
    current_table,
    equivalence_version_create,
    mapping_of,
    rows_of,
)
from amparo.forms.models import FormVersion
from amparo.forms.selectors import definition_of
from amparo.matching.models import PersonMerge
from amparo.registry.models import Address, IdentityDocument

NOT_ALLOWED = "No tiene permiso para generar entregas RUNac de esta jurisdicción."
NO_UNIT = "La jurisdicción no está asociada a una unidad de la organización."
BAD_PERIOD = "El período no es válido: la fecha de inicio debe ser anterior o igual a la de corte."


def _deny() -> PermissionDeniedError:
    return PermissionDeniedError(NOT_ALLOWED, code=RunacErrorCode.NOT_ALLOWED)


def may_generate(user: Any, jurisdiction: Jurisdiction) -> bool:
    return jurisdiction.org_unit_id is not None and may_on_jurisdiction(
        user, Permission.RUNAC_GENERATE, jurisdiction
    )


def jurisdictions_for_generation(user: Any) -> list[Jurisdiction]:
    """Jurisdictions tied to a unit over which `user` holds runac.generate."""
    candidates = access.visible(
        user, Jurisdiction.objects.select_related("org_unit"), Permission.RUNAC_GENERATE
    ).filter(org_unit__isnull=False)
    return [item for item in candidates if may_generate(user, item)]


def province_cases(*, user: Any, jurisdiction: Jurisdiction) -> QuerySet[Case]:
    """Cases of the jurisdiction's unit and below that record RUNac interventions, as `user` reaches them.

    `user=None` is the system (the command line without --user): every such case.
    """
    if jurisdiction.org_unit is None:
        return Case.objects.none()
    cases = Case.objects.filter(
        org_unit__path__startswith=jurisdiction.org_unit.path,
        case_type__intervention_types__form__identifier__in=list(province.UNIT_FORMS),
    ).distinct()
    if user is None:
        return cases
    return access.visible(user, cases, Permission.RUNAC_GENERATE)


def _check(actor: Any, jurisdiction: Jurisdiction) -> None:
    if jurisdiction.org_unit_id is None:
        raise ApplicationError(NO_UNIT, code=RunacErrorCode.NOT_ALLOWED)
    if actor is not None and not may_generate(actor, jurisdiction):
        raise _deny()


# --- Reading the cases ----------------------------------------------------------------------------


def _sensitivity(version: FormVersion | None, cache: dict[int, dict[str, int]]) -> dict[str, int]:
    if version is None:
        return {}
    if version.pk not in cache:
        cache[version.pk] = {item.name: int(item.sensitivity) for item in definition_of(version).all_fields()}
    return cache[version.pk]


def _absorbed_with_cases(person_ids: list[int]) -> dict[int, tuple[tuple[int, datetime.date], ...]]:
    """Persons merged (and not split again) into each of `person_ids` who brought cases with them.

    Followed down: a person merged into one that was later merged into the child counts too.
    """
    found: dict[int, list[tuple[int, datetime.date]]] = {}
    owner = {person_id: person_id for person_id in person_ids}
    frontier = set(person_ids)
    while frontier:
        merges = PersonMerge.objects.filter(kept_id__in=frontier, undone_at__isnull=True).order_by(
            "merged_at"
        )
        frontier = set()
        for merge in merges:
            if merge.absorbed_id in owner:
                continue
            owner[merge.absorbed_id] = owner[merge.kept_id]
            frontier.add(merge.absorbed_id)
            if merge.moved.get(PersonMerge.moved_key(Case, "person")):
                found.setdefault(owner[merge.kept_id], []).append(
                    (merge.absorbed_id, timezone.localdate(merge.merged_at))
                )
    return {person_id: tuple(items) for person_id, items in found.items()}


def legajo_inputs(cases: QuerySet[Case], *, user: Any) -> list[province.LegajoInput]:
    """What the builder needs of each legajo, read in a fixed number of queries.

    A legajo is the child's file: the cases of one person are one legajo (its creation date the
    first case's opening, its interventions all of theirs). Only the cases `user` reaches count.
    """
    runac_interventions = Intervention.objects.filter(
        intervention_type__form__identifier__in=list(province.UNIT_FORMS)
    ).select_related("intervention_type__form", "form_version")
    loaded = list(
        cases.select_related("person", "org_unit").prefetch_related(
            Prefetch("interventions", queryset=runac_interventions, to_attr="runac_interventions"),
            Prefetch(
                "form_records",
                queryset=CaseFormRecord.objects.select_related("form").only(
                    "case_id", "data", "form__identifier"
                ),
            ),
        )
    )
    person_ids = [case.person_id for case in loaded]
    addresses: dict[int, Address] = {}
    for current in Address.objects.filter(person_id__in=person_ids, is_current=True).select_related(
        "department", "municipality"
    ):
        addresses.setdefault(current.person_id, current)
    documents: dict[int, list[str]] = {}
    for person_id, number in IdentityDocument.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "number"
    ):
        documents.setdefault(person_id, []).append(number)
    absorbed = _absorbed_with_cases(person_ids)
    cache: dict[int, dict[str, int]] = {}
    by_person: dict[int, list[Case]] = {}
    for case in sorted(loaded, key=lambda item: (item.opened_on, item.pk)):
        by_person.setdefault(case.person_id, []).append(case)
    result = []
    for person_cases in by_person.values():
        first = person_cases[0]
        person = first.person
        address = addresses.get(person.pk)
        answers: dict[str, Any] = {}
        has_legajo_form = False
        for case in person_cases:  # a later case's answer replaces an earlier one's
            for record in case.form_records.all():
                answers.update({key: value for key, value in record.data.items() if value not in (None, "")})
                has_legajo_form = has_legajo_form or record.form.identifier == province.LEGAJO_FORM
        result.append(
            province.LegajoInput(
                case_id=first.pk,
                case_number=first.number,
                opened_on=first.opened_on,
                person_id=person.pk,
                cases=tuple((case.pk, case.number) for case in person_cases),
                gender_identity=person.gender_identity,
                sex=person.sex,
                date_of_birth=person.date_of_birth,
                date_of_birth_is_estimated=person.date_of_birth_is_estimated,
                nationality=str(person.nationality) if person.nationality else "",
                department=address.department.name if address and address.department else "",
                locality=address.municipality.name if address and address.municipality else "",
                has_documents=person.pk in documents,
                form_answers=answers,
                has_legajo_form=has_legajo_form,
                absorbed=absorbed.get(person.pk, ()),
                personal_tokens=province.personal_tokens(
                    [person.given_names, person.first_surname, person.second_surname],
                    documents.get(person.pk, []),
                ),
                clearance=min(
                    99 if user is None else access.clearance_for(user, case, Permission.RUNAC_GENERATE)
                    for case in person_cases
                ),
                interventions=tuple(
                    province.InterventionInput(
                        pk=item.pk,
                        unit=_unit_of(item),
                        occurred_on=item.occurred_on,
                        data=item.data,
                        sensitivity=_sensitivity(item.form_version, cache),
                        case_id=case.pk,
                    )
                    for case in person_cases
                    for item in case.runac_interventions
                ),
            )
        )
    return result


def _unit_of(intervention: Intervention) -> spec.Unit:
    form = intervention.intervention_type.form
    assert form is not None  # noqa: S101 - the query selects RUNac forms only
    return province.UNIT_FORMS[form.identifier]


def _table_rows(table: EquivalenceTable | None) -> list[tuple[str, str, str, str, str]]:
    return [
        (unit, field_name, local_id, description, category)
        for (unit, field_name, local_id), (description, category) in sorted(rows_of(table).items())
    ]


def _parse_period(period_from: datetime.date, period_to: datetime.date) -> None:
    if period_from > period_to:
        raise ApplicationError(BAD_PERIOD, code=RunacErrorCode.PERIOD_INVALID)


def delivery_build(
    *, actor: Any, jurisdiction: Jurisdiction, period_from: datetime.date, period_to: datetime.date
) -> province.DeliveryBuild:
    """Select and build the delivery (no audit: callers record what they showed or gave)."""
    _check(actor, jurisdiction)
    _parse_period(period_from, period_to)
    table = current_table(jurisdiction)
    return province.build_delivery(
        jurisdiction=jurisdiction.code,
        period_from=period_from,
        period_to=period_to,
        legajos=legajo_inputs(province_cases(user=actor, jurisdiction=jurisdiction), user=actor),
        mapping=mapping_of(table),
        table_version=table.version if table else None,
        equivalence_rows=_table_rows(table),
        key=province.pseudonym_key(),
    )


def _audit_extra(build: province.DeliveryBuild) -> dict[str, Any]:
    return {
        "jurisdiction": build.jurisdiction,
        "from": build.period_from.isoformat(),
        "to": build.period_to.isoformat(),
        "counts": build.counts,
        "rules": build.rule_counts,
        "errors": len(build.errors),
        "warnings": len(build.warnings),
        "table_version": build.table_version,
        "case_ids": [case_id for item in build.selections for case_id in item.case_ids],
    }


@transaction.atomic
def delivery_preview(
    *, actor: Any, jurisdiction: Jurisdiction, period_from: datetime.date, period_to: datetime.date
) -> province.DeliveryBuild:
    """Build the delivery to show it before downloading; audited with the cases it selected."""
    build = delivery_build(
        actor=actor, jurisdiction=jurisdiction, period_from=period_from, period_to=period_to
    )
    audit.record(
        actor=actor,
        action=AuditAction.RUNAC_DELIVERY_PREVIEWED,
        target=jurisdiction,
        extra=_audit_extra(build),
    )
    return build


@dataclass(frozen=True)
class GeneratedDelivery:
    build: province.DeliveryBuild
    content: bytes
    name: str


@transaction.atomic
def delivery_generate(
    *,
    actor: Any,
    jurisdiction: Jurisdiction,
    period_from: datetime.date,
    period_to: datetime.date,
    username: str = "",
) -> GeneratedDelivery:
    """Build the delivery and its zip (the four files, {JUR}_TE.csv, summary, selection); audited."""
    build = delivery_build(
        actor=actor, jurisdiction=jurisdiction, period_from=period_from, period_to=period_to
    )
    content = province_files.delivery_zip(build, generated_at=timezone.localtime())
    audit.record(
        actor=actor,
        action=AuditAction.RUNAC_DELIVERY_GENERATED,
        target=jurisdiction,
        username=username,
        extra=_audit_extra(build),
    )
    return GeneratedDelivery(build=build, content=content, name=province_files.zip_name(build))


# --- Equivalences of the province's own options ----------------------------------------------------


@dataclass
class LocalOption:
    unit: str
    field: str
    local_id: str
    description: str
    category: str  # the national category in force, "" when missing
    in_forms: bool  # an option of the province's forms
    in_records: bool  # recorded in the province's cases


def _te_columns() -> dict[str, list[tuple[spec.Unit, str]]]:
    """Answer name → the (unit, column) TE fields it feeds."""
    result: dict[str, list[tuple[spec.Unit, str]]] = {}
    for unit in spec.Unit:
        for column in spec.equivalence_fields(unit):
            result.setdefault(column.lower(), []).append((unit, column))
    return result


def local_options(*, user: Any, jurisdiction: Jurisdiction) -> list[LocalOption]:
    """Every local category of the province: its forms' options, the values recorded, the table's ids."""
    _check(user, jurisdiction)
    found: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(unit: str, column: str, local_id: Any, description: str, *, form: bool) -> None:
        text = str(local_id).strip()[: spec.MAX_ID_LENGTH]
        if not text:
            return
        item = found.setdefault(
            (unit, column, text), {"description": "", "in_forms": False, "in_records": False}
        )
        item["description"] = item["description"] or description
        item["in_forms" if form else "in_records"] = True

    for identifier, unit in {province.LEGAJO_FORM: spec.Unit.LEGAJOS, **province.UNIT_FORMS}.items():
        version = FormVersion.objects.filter(form__identifier=identifier).order_by("-number").first()
        if version is None:
            continue
        definition = definition_of(version)
        for column in spec.equivalence_fields(unit):
            try:
                item = definition.field(column.lower())
            except KeyError:
                continue
            if item.options:
                for option in definition.option_list(item.options).options:
                    label = option.label.get("es") or next(iter(option.label.values()), "")
                    add(unit, column, option.value, label, form=True)
    cases = province_cases(user=user, jurisdiction=jurisdiction)
    by_name = _te_columns()
    for identifier, data in Intervention.objects.filter(
        case__in=cases, intervention_type__form__identifier__in=list(province.UNIT_FORMS)
    ).values_list("intervention_type__form__identifier", "data"):
        unit = province.UNIT_FORMS[identifier]
        for column in spec.equivalence_fields(unit):
            value = data.get(column.lower())
            for single in value if isinstance(value, list) else [value]:
                if single not in (None, ""):
                    add(unit, column, single, "", form=False)
    for data in CaseFormRecord.objects.filter(case__in=cases).values_list("data", flat=True):
        for name, targets in by_name.items():
            for unit, column in targets:
                if unit == spec.Unit.LEGAJOS and data.get(name) not in (None, ""):
                    add(unit, column, data[name], "", form=False)
    for code in cases.values_list("person__nationality", flat=True).distinct():
        if code:
            add(spec.Unit.LEGAJOS, "NACIONALIDAD", code, _country_name(code), form=False)
    table_rows = rows_of(current_table(jurisdiction))
    for key, (description, _category) in table_rows.items():
        found.setdefault(key, {"description": description, "in_forms": False, "in_records": False})
    options = []
    for key, seen in found.items():
        mapped = table_rows.get(key)
        options.append(
            LocalOption(
                unit=key[0],
                field=key[1],
                local_id=key[2],
                description=(mapped[0] if mapped and mapped[0] else seen["description"]),
                category=mapped[1] if mapped else "",
                in_forms=seen["in_forms"],
                in_records=seen["in_records"],
            )
        )
    order = {each.value: position for each, position in spec.UNIT_ORDER.items()}
    columns = {each.value: spec.equivalence_fields(each) for each in spec.Unit}
    return sorted(
        options,
        key=lambda item: (order[item.unit], columns[item.unit].index(item.field), item.local_id),
    )


def _country_name(code: str) -> str:
    return str(countries.name(code)) or code


@transaction.atomic
def province_equivalences_save(
    *,
    actor: Any,
    jurisdiction: Jurisdiction,
    assignments: Iterable[tuple[str, str, str, str, str]],
) -> EquivalenceTable | None:
    """Apply (unit, field, local id, description, category) choices as one new table version.

    An empty category removes the local id from the table. Returns None when nothing changed.
    """
    if not may_on_jurisdiction(actor, Permission.RUNAC_IMPORT, jurisdiction):
        raise _deny()
    categories = categories_by_field()
    Jurisdiction.objects.select_for_update().filter(pk=jurisdiction.pk).first()
    table = current_table(jurisdiction)
    rows: TableRows = rows_of(table)
    added = changed = removed = 0
    for unit, field_name, local_id, description, category in assignments:
        key = (unit, field_name, local_id.strip())
        if not key[2] or len(key[2]) > spec.MAX_ID_LENGTH:
            raise ApplicationError(
                "El ID local es obligatorio (hasta 100 caracteres).", code=RunacErrorCode.TABLE_INVALID
            )
        if not category:
            if rows.pop(key, None) is not None:
                removed += 1
            continue
        if category not in categories.get((unit, field_name), set()):
            raise ApplicationError(
                "No es una categoría nacional de ese campo.", code=RunacErrorCode.INVALID_CATEGORY
            )
        value = (description.strip()[:300], category)
        if key not in rows:
            added += 1
        elif rows[key][1] != category:
            changed += 1
        else:
            continue
        rows[key] = value
    if not (added or changed or removed):
        return None
    return equivalence_version_create(
        jurisdiction=jurisdiction,
        rows=rows,
        source=EquivalenceSource.EDIT,
        actor=actor,
        note=f"+{added} ~{changed} -{removed}",
        stats=(added, changed, removed),
    )
