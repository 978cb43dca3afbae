"""Reads of the registry. Every one starts from the access policy."""

import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission, Sensitivity
from amparo.accounts.models import User
from amparo.common.dates import years_before
from amparo.common.text import fold
from amparo.registry.models import Address, Household, HouseholdMembership, IdentityDocument, Person
from amparo.registry.search import QueryKind, name_condition, parse_query

COUNT_CAP = 1000
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonFilters:
    query: str = ""
    sex: str = ""
    nationality: str = ""
    org_unit_id: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    archived: str = "active"  # "active" | "archived" | "all"
    household_id: int | None = None


def persons_visible_to(
    user: User | None, *, permission: Permission = Permission.PERSON_VIEW
) -> QuerySet[Person]:
    """Persons the user may reach for `permission` (role + scope), archived ones included."""
    return access.visible(user, Person.objects.all(), permission)


def _birth_date_bounds(age_min: int | None, age_max: int | None, today: datetime.date) -> Q:
    condition = Q()
    if age_min is not None:
        condition &= Q(date_of_birth__lte=years_before(today, age_min))
    if age_max is not None:
        condition &= Q(date_of_birth__gt=years_before(today, age_max + 1))
    return condition


def _persons_with_number(document_number: str, amparo_id: str | None) -> list[int]:
    """Ids of the persons holding this document number or Amparo ID, looked up first: as one
    `IN (subquery) OR amparo_id = …` condition PostgreSQL walked the whole name index (10 s at 1M)."""
    ids = list(
        IdentityDocument.objects.filter(number_folded=document_number).values_list("person_id", flat=True)[
            :COUNT_CAP
        ]
    )
    if amparo_id:
        ids.extend(Person.objects.filter(amparo_id=amparo_id).values_list("pk", flat=True))
    return ids


def person_list(*, user: User | None, filters: PersonFilters) -> QuerySet[Person]:
    """The person list and search: filters and the search box over what the user may see."""
    persons = persons_visible_to(user).select_related("org_unit")
    if filters.archived == "active":
        persons = persons.filter(is_archived=False)
    elif filters.archived == "archived":
        persons = persons.filter(is_archived=True)
    parsed = parse_query(filters.query)
    if parsed is not None and parsed.kind != QueryKind.NAME:
        persons = persons.filter(pk__in=_persons_with_number(parsed.document_number, parsed.amparo_id))
    if filters.sex:
        persons = persons.filter(sex=filters.sex)
    if filters.nationality:
        persons = persons.filter(nationality=filters.nationality)
    if filters.org_unit_id:
        persons = persons.filter(org_unit_id=filters.org_unit_id)
    if filters.age_min is not None or filters.age_max is not None:
        persons = persons.filter(_birth_date_bounds(filters.age_min, filters.age_max, timezone.localdate()))
    if filters.household_id:
        persons = persons.filter(
            household_memberships__household_id=filters.household_id,
            household_memberships__left_on__isnull=True,
        )
    if parsed is not None and parsed.kind == QueryKind.NAME:
        condition = name_condition(parsed.tokens)
        if parsed.amparo_id:
            condition |= Q(amparo_id=parsed.amparo_id)
        matches = persons.filter(condition)
        return matches.order_by(*(_NAME_ORDER if _dense(matches, among=persons) else _SORTED_AFTER_SEARCH))
    return persons.order_by(*_NAME_ORDER)


_NAME_ORDER = ("first_surname", "second_surname", "given_names", "id")
# The same order, but one the name index cannot give (the columns are never NULL, so NULLS
# FIRST changes nothing): PostgreSQL must then collect the matches and sort them.
_SORTED_AFTER_SEARCH = (F("first_surname").asc(nulls_first=True), "second_surname", "given_names", "id")
DENSE_SHARE = 0.02


def _dense(matches: QuerySet[Person], *, among: QuerySet[Person]) -> bool:
    """Does PostgreSQL expect the search to match at least DENSE_SHARE of the persons searched?
    (two estimates from the planner; no query runs)

    Walking the name index and stopping at the first page is the fastest plan when matches
    are dense, and a disaster when they are few and clustered in the alphabet: at a million
    persons "hernandez ruiz" (1,180 matches, nearly all under "Hernández Ruiz") walked 380,000
    rows in 4 s, where collecting the matches and sorting them takes 10 ms. The planner cannot
    see the clustering, so below DENSE_SHARE the search forbids the walk; above it ("garcia",
    "m" typed in a search-as-you-type box) the walk finds a page within a few thousand rows.
    """
    if connection.vendor != "postgresql":
        return True
    return _estimated_rows(matches) >= DENSE_SHARE * _estimated_rows(among)


def _estimated_rows(queryset: QuerySet[Person]) -> float:
    plan = json.loads(queryset.order_by().explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Count up to `cap` rows: exact below it, "more than cap" above (keeps big lists fast)."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


def person_get(
    *, user: User | None, person_id: Any, permission: Permission = Permission.PERSON_VIEW, lookup: str = "pk"
) -> Person:
    """One person the user may reach, with what the person page shows, or Http404."""
    queryset = Person.objects.select_related("org_unit", "created_by", "archived_by").prefetch_related(
        "documents",
        "contacts",
        Prefetch("addresses", queryset=Address.objects.select_related("department", "municipality")),
        Prefetch(
            "household_memberships",
            queryset=HouseholdMembership.objects.select_related("household").order_by("-left_on", "id"),
        ),
    )
    return access.access_object(user, queryset, person_id, permission, lookup=lookup)


@dataclass(frozen=True)
class PersonFieldAccess:
    """What parts of a person record the viewer may see, by field sensitivity."""

    restricted: bool
    sensitive: bool
    can_edit: bool
    can_archive: bool


# Field sensitivity of the registry's own fields (forms add their own per field).
RESTRICTED_PARTS = ("documents", "contacts", "addresses")
SENSITIVE_PARTS = ("gender_identity", "photo", "gps")


def person_field_access(*, user: User | None, person: Person) -> PersonFieldAccess:
    return PersonFieldAccess(
        restricted=access.may_see_field(user, person, Sensitivity.RESTRICTED, Permission.PERSON_VIEW),
        sensitive=access.may_see_field(user, person, Sensitivity.SENSITIVE, Permission.PERSON_VIEW),
        can_edit=access.can(user, Permission.PERSON_EDIT, person) and not person.is_archived,
        can_archive=access.can(user, Permission.PERSON_ARCHIVE, person) and not person.is_archived,
    )


def households_visible_to(
    user: User | None, *, permission: Permission = Permission.HOUSEHOLD_VIEW
) -> QuerySet[Household]:
    return access.visible(user, Household.objects.all(), permission)


def household_list(*, user: User | None, query: str = "", archived: str = "active") -> QuerySet[Household]:
    households = households_visible_to(user).select_related("org_unit", "department", "municipality")
    if archived == "active":
        households = households.filter(is_archived=False)
    if query.strip():
        text = query.strip()
        # Every folded word must start a word of the name: "rios paz" finds "Familia Ríos Paz".
        matches = Q(code__iexact=text)
        if words := fold(text).split():
            matches |= Q(*(Q(search_name__contains=f" {word}") for word in words))
        households = households.filter(matches)
    return households.order_by("-created_at", "id")


def household_get(
    *, user: User | None, household_id: Any, permission: Permission = Permission.HOUSEHOLD_VIEW
) -> Household:
    queryset = Household.objects.select_related("org_unit", "department", "municipality")
    return access.access_object(user, queryset, household_id, permission)


def household_members(
    *, user: User | None, household: Household, include_past: bool = False
) -> list[tuple[HouseholdMembership, bool]]:
    """Members with a flag telling whether the viewer may open each member's record."""
    memberships = household.memberships.select_related("person", "person__org_unit")
    if not include_past:
        memberships = memberships.filter(left_on__isnull=True)
    visible_ids = set(
        persons_visible_to(user)
        .filter(pk__in=[m.person_id for m in memberships])
        .values_list("pk", flat=True)
    )
    return [(membership, membership.person_id in visible_ids) for membership in memberships]


# --- Apps above the registry that check a new person against the registered ones ----------------
# The registry may not import them (dependency direction): matching registers its duplicate check
# at start-up (AppConfig.ready) and the API's person creation asks it through here.
DuplicateCheckProvider = Callable[[User, Person], dict[str, Any]]
_duplicate_check_providers: list[DuplicateCheckProvider] = []


def on_duplicate_check(provider: DuplicateCheckProvider) -> None:
    """Register `provider(user, person)` → {"possible_duplicates": [...],
    "possible_duplicate_outside_scope": bool}: the persons already registered who are probably
    `person`, shown only within `user`'s scope (the provider audits what it shows)."""
    if provider not in _duplicate_check_providers:
        _duplicate_check_providers.append(provider)


def possible_duplicates(*, user: User, person: Person) -> dict[str, Any]:
    """What the registered duplicate check says about a person just registered; when no app
    provides one, nothing (an empty list, no flag).

    Never blocks a registration: the person is already saved, so a check that fails is logged
    and answered with `possible_duplicates` = None ("not checked"), never with an error that
    would make a client send the person again."""
    result: dict[str, Any] = {"possible_duplicates": [], "possible_duplicate_outside_scope": False}
    for provider in _duplicate_check_providers:
        try:
            found = provider(user, person)
        except Exception:  # an advisory field must not turn a saved registration into an error
            logger.exception("duplicate check failed for person %s", person.pk)
            return {"possible_duplicates": None, "possible_duplicate_outside_scope": False}
        result["possible_duplicates"] += found.get("possible_duplicates", [])
        result["possible_duplicate_outside_scope"] |= bool(found.get("possible_duplicate_outside_scope"))
    return result
