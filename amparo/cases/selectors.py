"""Reads of cases. Every list and lookup starts from the access policy (CASE_VIEW by default).

Filters over form answers: a `FieldFilter` names a form, one of its fields, an operator and a
value; all filters on one form become one EXISTS over that form's records. On PostgreSQL an
option answer is matched by JSONB containment (`data @> {"field": "value"}`), which the GIN
index answers; date and text answers compare the text value, numbers the JSON number.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.cases import answers
from amparo.cases.models import (
    Case,
    CaseAnswerValue,
    CaseFormRecord,
    CasePerson,
    CaseType,
    CaseTypeForm,
    Classification,
    Intervention,
    InterventionType,
    SavedFilter,
)
from amparo.forms import selectors as forms_selectors
from amparo.forms.choices import FieldType
from amparo.forms.definition import Field, FormDefinition
from amparo.registry.models import Person

COUNT_CAP = 1000
SORTS = {
    "-opened_on": ("-opened_on", "-id"),
    "opened_on": ("opened_on", "id"),
    "number": ("number",),
    "-risk_level": ("-risk_level", "-opened_on", "-id"),
}
OPERATORS = ("eq", "has", "gte", "lte", "contains")


@dataclass(frozen=True)
class FieldFilter:
    form_id: int
    field: str  # a top-level field's name, or "group/name" for a field inside a repeat group
    operator: str  # one of OPERATORS
    value: Any
    kind: str = ""  # the field's FieldType when the caller knows it (date ranges then use an index)


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    case_type_id: int | None = None
    classification_id: int | None = None
    owner_id: int | None = None
    org_unit_id: int | None = None
    risk_level: str = ""
    person_id: int | None = None
    number: str = ""
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    fields: tuple[FieldFilter, ...] = field(default_factory=tuple)
    sort: str = "-opened_on"

    def used(self) -> list[str]:
        """Names of the filters in use, for the audit row (never the values)."""
        names = (
            "status",
            "case_type_id",
            "classification_id",
            "owner_id",
            "org_unit_id",
            "risk_level",
            "person_id",
            "number",
            "opened_from",
            "opened_to",
        )
        used = [name for name in names if getattr(self, name) not in ("", None)]
        return used + [f"field:{item.form_id}:{item.field}:{item.operator}" for item in self.fields]


def cases_visible_to(user: User | None, *, permission: Permission = Permission.CASE_VIEW) -> QuerySet[Case]:
    """Cases the user may reach for `permission` (role + scope at the case's unit, or owner for OWN)."""
    return access.visible(user, Case.objects.all(), permission)


def _field_condition(item: FieldFilter) -> Q:
    name, value = item.field, item.value
    postgres = connection.vendor == "postgresql"
    if item.operator == "eq":
        if postgres:
            return Q(data__contains={name: value})
        return Q(**{f"data__{name}": value})
    if item.operator == "has":
        if postgres:
            return Q(data__contains={name: [value]})
        return Q(_text__icontains=f'"{value}"')
    if item.operator == "contains":
        return Q(_text__icontains=str(value))
    lookup = "gte" if item.operator == "gte" else "lte"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Q(**{f"_json__{lookup}": value})
    return Q(**{f"_text__{lookup}": str(value)})


RANGE_KINDS = frozenset({FieldType.DATE, FieldType.INTEGER, FieldType.DECIMAL})
OPTION_KINDS = frozenset({FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE, FieldType.YES_NO})


def _typed_condition(item: FieldFilter) -> Q | None:
    """The condition on one `CaseAnswerValue` row for a filter the typed answers can answer, else None.

    Those are: date ranges on date fields, number ranges, option matches (select one / multiple,
    yes/no) and, inside repeat groups, text "contains". Everything else (and a value that does not
    parse, compared as text as before) stays on the JSON answers. Needs the field's kind.
    """
    value = item.value
    if item.operator in ("gte", "lte"):
        if item.kind == FieldType.DATE and isinstance(value, str | datetime.date):
            if not isinstance(value, datetime.date):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    return None
            return Q(**{f"date_value__{item.operator}": value})
        if item.kind in (FieldType.INTEGER, FieldType.DECIMAL):
            if isinstance(value, int | float) and not isinstance(value, bool):
                return Q(**{f"number_value__{item.operator}": float(value)})
        return None
    # "eq" on a select one or yes/no, "has" on a select multiple: what the JSON comparison matches
    single = item.operator == "eq" and item.kind in (FieldType.SELECT_ONE, FieldType.YES_NO)
    if single or (item.operator == "has" and item.kind == FieldType.SELECT_MULTIPLE):
        option = answers.typed_option(value)
        if option is not None and isinstance(value, bool) == (item.kind == FieldType.YES_NO):
            return Q(option_value=option)
        return None
    repeated = answers.PATH_SEPARATOR in item.field
    if item.operator == "contains" and repeated and item.kind in answers.TEXTS_IN_REPEATS:
        return Q(text_value__icontains=str(value))
    return None


def _typed_scope(user: User | None, filters: "CaseFilters") -> Q:
    """What the typed rows must also match: the viewer's units (a superset of the access policy's
    reach, which `case_list` still applies to the cases), and the unit / type filters. With these
    the filter is read from the typed-answer indexes without visiting cases outside one's units."""
    scope = Q()
    units = access.reachable_unit_ids(user, Permission.CASE_VIEW)
    if units is not None:
        scope &= Q(org_unit_id__in=sorted(units))
    if filters.org_unit_id is not None:
        scope &= Q(org_unit_id=filters.org_unit_id)
    if filters.case_type_id is not None:
        scope &= Q(case_type_id=filters.case_type_id)
    return scope


def _with_typed_filters(
    cases: QuerySet[Case], filters: list[tuple[FieldFilter, Q]], scope: Q
) -> QuerySet[Case]:
    """The cases having typed rows for every (form, field) filtered, all conditions on one field
    holding for the same row ("a sibling aged 3 to 5").

    One field is one `IN (SELECT case_id …)`; several are one `IN (… INTERSECT …)`: each field's
    rows come from its own index scan and the sets are intersected by hashing. (As separate
    EXISTS, PostgreSQL misjudged how many rows a (field, range) keeps — 3,700 estimated against
    35,000 — and probed one field's rows case by case: 1.4 s for the national admin.)
    """
    by_field: dict[tuple[int, str], list[Q]] = defaultdict(list)
    for item, condition in filters:
        by_field[(item.form_id, item.field)].append(condition)
    selects = []
    for (form_id, name), conditions in by_field.items():
        values = CaseAnswerValue.objects.filter(scope, form_id=form_id, field=name)
        for condition in conditions:
            values = values.filter(condition)
        selects.append(values.order_by().values("case_id"))
    if len(selects) <= 1:
        return cases.filter(pk__in=selects[0]) if selects else cases
    compiled = [select.query.sql_with_params() for select in selects]
    sql = " INTERSECT ".join(part for part, _params in compiled)
    params = tuple(param for _part, part_params in compiled for param in part_params)
    return cases.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - Django-compiled SQL and its params


def _with_form_filters(cases: QuerySet[Case], filters: tuple[FieldFilter, ...], scope: Q) -> QuerySet[Case]:
    by_form: dict[int, list[FieldFilter]] = defaultdict(list)
    typed: list[tuple[FieldFilter, Q]] = []
    for item in filters:
        condition = _typed_condition(item)
        if condition is not None:
            typed.append((item, condition))
        else:
            by_form[item.form_id].append(item)
    cases = _with_typed_filters(cases, typed, scope)
    for form_id, items in by_form.items():
        records = CaseFormRecord.objects.filter(case=OuterRef("pk"), form_id=form_id)
        for item in items:
            records = records.alias(
                _text=Cast(KeyTextTransform(item.field, "data"), TextField()),
                _json=KeyTransform(item.field, "data"),
            ).filter(_field_condition(item))
        cases = cases.filter(Exists(records))
    return cases


def case_list(*, user: User | None, filters: CaseFilters) -> QuerySet[Case]:
    """The case list: the filters over what the user may see, sorted."""
    cases = cases_visible_to(user).select_related(
        "case_type", "classification", "person", "org_unit", "owner"
    )
    exact = {
        "status": filters.status,
        "case_type_id": filters.case_type_id,
        "classification_id": filters.classification_id,
        "owner_id": filters.owner_id,
        "org_unit_id": filters.org_unit_id,
        "risk_level": filters.risk_level,
        "person_id": filters.person_id,
    }
    cases = cases.filter(**{name: value for name, value in exact.items() if value not in ("", None)})
    if filters.number.strip():
        cases = cases.filter(number__icontains=filters.number.strip())
    if filters.opened_from:
        cases = cases.filter(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        cases = cases.filter(opened_on__lte=filters.opened_to)
    order = SORTS.get(filters.sort, SORTS["-opened_on"])
    if filters.fields:
        cases = _with_form_filters(cases, filters.fields, _typed_scope(user, filters))
        if any(
            item.operator in ("gte", "lte") and _typed_condition(item) is not None for item in filters.fields
        ):
            order = _unindexed(order)
    return cases.order_by(*order)


def _unindexed(order: tuple[str, ...]) -> tuple[Any, ...]:
    """The same order, through an expression no index matches (COALESCE(x, x) is x).

    A date range on an answer is read from its own index; the planner cannot know that answers
    follow opening dates, so with LIMIT it would rather walk the cases in sort order and probe each
    one (700,000 probes when the range is years back). Sorting the matches instead keeps the cost
    to the matches of the range.
    """
    first, *rest = order
    name = first.removeprefix("-")
    expression = Coalesce(F(name), F(name))
    return (expression.desc() if first.startswith("-") else expression.asc(), *rest)


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


@dataclass(frozen=True)
class Counts:
    """ "N personas · M casos": distinct persons and cases of a list, each counted up to a cap."""

    persons: int
    persons_capped: bool
    cases: int
    cases_capped: bool


def _counts_of(people: list[int], cap: int) -> Counts:
    capped = len(people) > cap
    persons = len(set(people))
    return Counts(
        persons=min(persons, cap), persons_capped=capped, cases=min(len(people), cap), cases_capped=capped
    )


def case_counts(cases: QuerySet[Case], cap: int = COUNT_CAP) -> Counts:
    """Both counts from one capped pass over the matching cases (`cap + 1` rows at most).

    Up to `cap` cases both numbers are exact. Beyond, the cases count is "more than `cap`" and the
    persons count is the persons among the first `cap + 1` cases of the list: a lower bound ("at
    least"), flagged by `persons_capped` — counting every distinct person would mean a full pass.
    The pass keeps the list's order: the plan that finds the first page fast finds these fast too
    (unordered, PostgreSQL may walk the primary keys of two tables, seconds on a million cases).
    """
    return _counts_of(list(cases.values_list("person_id", flat=True)[: cap + 1]), cap)


def case_list_page(
    cases: QuerySet[Case], *, page: int, size: int, cap: int = COUNT_CAP
) -> tuple[Counts, list[Case], bool]:
    """Counts, one page of rows and whether a next page exists, as the case list shows them.

    One ordered, capped pass over (id, person) gives the counts and, for pages within the cap, the
    page's ids; the rows are then read by id. Beyond the cap the page is read with OFFSET.
    """
    pairs = list(cases.values_list("id", "person_id")[: cap + 1])
    counts = _counts_of([person for _id, person in pairs], cap)
    start = (max(page, 1) - 1) * size
    if len(pairs) <= cap or start + size + 1 <= len(pairs):
        ids = [pk for pk, _person in pairs[start : start + size + 1]]
        loaded = {case.pk: case for case in cases.filter(pk__in=ids).order_by()} if ids else {}
        rows = [loaded[pk] for pk in ids if pk in loaded]
    else:
        rows = list(cases[start : start + size + 1])
    return counts, rows[:size], len(rows) > size


def case_get(
    *,
    user: User | None,
    case_id: Any,
    permission: Permission = Permission.CASE_VIEW,
    with_involved: bool = True,
) -> Case:
    """One case the user may reach for `permission`, or Http404 (missing and forbidden alike, audited).

    `with_involved=False` skips loading the persons involved (pages that do not show them)."""
    # The forms' draft and the versions' definition JSON stay unread (a 200-field form's are ~100 kB
    # each): definitions come from `forms_selectors.definition_of`, parsed once per process.
    records = CaseFormRecord.objects.select_related("form", "form_version").defer(
        "form__draft", "form_version__definition"
    )
    prefetch = [Prefetch("form_records", queryset=records)]
    if with_involved:
        prefetch.append(Prefetch("involved", queryset=CasePerson.objects.select_related("person")))
    queryset = Case.objects.select_related(
        "case_type", "classification", "person", "org_unit", "owner", "created_by"
    ).prefetch_related(*prefetch)
    return access.access_object(user, queryset, case_id, permission)


def case_clearance(user: User | None, case: Case) -> int:
    return access.clearance_for(user, case, Permission.CASE_VIEW)


def interventions_of(case: Case) -> QuerySet[Intervention]:
    """Interventions of a case already reached through `case_get`."""
    return case.interventions.select_related("intervention_type", "form_version", "created_by")


def history_of(case: Case) -> dict[str, Any]:
    return {
        "classification": case.classification_changes.select_related(
            "from_classification", "to_classification", "changed_by"
        ),
        "status": case.status_changes.select_related("changed_by"),
    }


@dataclass
class PersonCases:
    """What a person page shows: the person's cases (own or involved) and their interventions."""

    cases: list[Case]
    interventions: list[Intervention]
    involved_case_ids: set[int]


def person_cases(*, user: User | None, person: Person) -> PersonCases:
    """Every case the viewer may see where the person is the subject or is involved, with interventions."""
    involved_ids = set(CasePerson.objects.filter(person=person).values_list("case_id", flat=True))
    cases = list(
        cases_visible_to(user)
        .filter(Q(person=person) | Q(pk__in=involved_ids))
        .select_related("case_type", "classification", "org_unit", "owner")
        .order_by("-opened_on", "-id")[:200]
    )
    interventions = list(
        Intervention.objects.filter(case__in=[case.pk for case in cases])
        .select_related("intervention_type", "case")
        .order_by("-occurred_on", "-id")[:200]
    )
    return PersonCases(
        cases=cases,
        interventions=interventions,
        involved_case_ids={case.pk for case in cases if case.pk in involved_ids},
    )


# --- Configuration (not personal data: readable by anyone working cases) --------------------------


def case_types_active() -> QuerySet[CaseType]:
    return CaseType.objects.filter(is_active=True).order_by("name_es", "id")


def case_type_list() -> QuerySet[CaseType]:
    return CaseType.objects.prefetch_related(
        "type_forms__form", "classifications", "intervention_types"
    ).order_by("name_es", "id")


def case_type_get(case_type_id: Any) -> CaseType:
    return CaseType.objects.get(pk=case_type_id)


def type_forms(case_type: CaseType) -> list[CaseTypeForm]:
    """The type's forms in order (without the forms' draft JSON, which only the builder reads)."""
    return list(case_type.type_forms.select_related("form").defer("form__draft").order_by("position", "id"))


def classifications_of(case_type: CaseType, *, active_only: bool = True) -> QuerySet[Classification]:
    rows = case_type.classifications.all()
    return rows.filter(is_active=True) if active_only else rows


def intervention_types_of(case_type: CaseType, *, active_only: bool = True) -> QuerySet[InterventionType]:
    rows = case_type.intervention_types.select_related("form")
    return rows.filter(is_active=True) if active_only else rows


@dataclass(frozen=True)
class FilterableField:
    """A field of a case type's form offered as a list filter."""

    form_id: int
    form_title: str
    field: Field
    key: str  # "<form id>.<field name>" (or "<form id>.<group>/<field name>"), the query-string key
    definition: FormDefinition  # of the form's latest version (option lists for the widgets)
    path: str = ""  # "<group>/<field name>" for a field inside a repeat group, else the field's name
    group_label: dict[str, str] = field(default_factory=dict)  # the repeat group's label, if any

    @property
    def name(self) -> str:
        return self.path or self.field.name


FILTERABLE_TYPES = frozenset(
    {
        FieldType.SELECT_ONE,
        FieldType.SELECT_MULTIPLE,
        FieldType.YES_NO,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.INTEGER,
        FieldType.DECIMAL,
        FieldType.TEXT,
        FieldType.LONG_TEXT,
        FieldType.CALCULATED,
    }
)


# Inside repeat groups, over the typed answers: ranges ("a sibling aged under 5"), options ("a
# sibling whose school level is primary") and short text ("a sibling whose name contains Ana").
REPEAT_FILTERABLE_TYPES = RANGE_KINDS | OPTION_KINDS | answers.TEXTS_IN_REPEATS


def filterable_fields(case_type: CaseType, *, clearance: int) -> list[FilterableField]:
    """Fields of the type's forms (latest versions) the viewer may see and filter by: top-level
    fields, and date / number / option / short-text fields one level inside a repeat group
    (matched on any instance).

    A filter on a field above one's clearance would reveal its answers, so those are left out.
    """
    result: list[FilterableField] = []
    for link in type_forms(case_type):
        version = forms_selectors.latest_version(link.form)
        if version is None:
            continue
        definition = forms_selectors.definition_of(version)
        for section in definition.sections:
            for item in section.fields:
                if item.sensitivity > clearance:
                    continue
                if item.type in FILTERABLE_TYPES:
                    result.append(
                        FilterableField(
                            form_id=link.form_id,
                            form_title=link.form.title,
                            field=item,
                            key=f"{link.form_id}.{item.name}",
                            definition=definition,
                        )
                    )
                elif item.is_repeat:
                    result += [
                        FilterableField(
                            form_id=link.form_id,
                            form_title=link.form.title,
                            field=child,
                            key=f"{link.form_id}.{item.name}{answers.PATH_SEPARATOR}{child.name}",
                            definition=definition,
                            path=f"{item.name}{answers.PATH_SEPARATOR}{child.name}",
                            group_label=dict(item.label),
                        )
                        for child in item.fields
                        if child.type in REPEAT_FILTERABLE_TYPES and child.sensitivity <= clearance
                    ]
    return result


def saved_filters_of(user: User) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name", "id")


def list_clearance(user: User | None) -> int:
    """The clearance to use where no single case is in view (list filters): the lowest among the
    user's CASE_VIEW grants, so a filter never probes fields the user may not see somewhere."""
    levels = [
        grant.clearance for grant in access.grants_of(user) if Permission.CASE_VIEW in grant.permissions
    ]
    return min(levels, default=-1)
