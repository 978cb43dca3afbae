"""Bulk writes of synthetic persons and households, for demo data and benchmarks only.

This is not a path for real data: it checks no access and writes no audit entry per
person — its callers (`load_demo`, `generate_persons`) refuse to run unless demo data is
allowed and record one audit entry for the whole load. Rows are written the fast way
each database allows: PostgreSQL's COPY (ids taken from the table's sequence first, so
documents and addresses can point at their person), `bulk_create` elsewhere.
"""

import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from amparo.common.text import fold_compact
from amparo.registry.identifiers import ALPHABET, check_character
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
from amparo.registry.synthetic.contact import Place
from amparo.registry.synthetic.generator import SyntheticHousehold, SyntheticPerson

_LOOKUP_CHUNK = 5000


def random_amparo_id(rng: random.Random) -> str:
    """An Amparo ID drawn from `rng` (reproducible), in the same alphabet and with the same check
    character as `identifiers.new_amparo_id`."""
    value = rng.getrandbits(40)
    data = "".join(ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{data[:4]}-{data[4:]}-{check_character(data)}"


def _stored(model: type[models.Model], field: str, codes: list[str]) -> set[str]:
    """Which of `codes` are already stored in `model.field` (one array lookup on PostgreSQL)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = quote(_column(model, field))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM {quote(model._meta.db_table)} WHERE {column} = ANY(%s)",  # noqa: S608 - names quoted
                [codes],
            )
            return {row[0] for row in cursor.fetchall()}
    taken: set[str] = set()
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        chunk = codes[start : start + _LOOKUP_CHUNK]
        taken.update(model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return taken


def _unique_codes(
    rng: random.Random, count: int, make: Any, model: type[models.Model], field: str
) -> list[str]:
    """`count` distinct codes from `make(rng)`, none already stored in `model.field`."""
    codes = list(dict.fromkeys(make(rng) for _ in range(count)))
    known = set(codes)
    while True:
        taken = _stored(model, field, codes)
        codes = [code for code in codes if code not in taken]
        if len(codes) == count:
            return codes
        known |= taken
        while len(codes) < count:
            code = make(rng)
            if code not in known:
                known.add(code)
                codes.append(code)


def _insert_coded(
    model: type[models.Model],
    field: str,
    make: Any,
    rng: random.Random,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
) -> list[int]:
    """Insert rows under fresh random codes in `field` (unique); return their ids.

    Codes are drawn distinct within the batch and not looked up first (a lookup of 10,000
    codes costs more than the insert): the unique index catches the rare clash with a
    stored code (about one per million persons), and only then is the batch retried with
    codes checked against the table.
    """
    codes = list(dict.fromkeys(make(rng) for _ in range(len(rows))))
    while len(codes) < len(rows):
        codes = list(dict.fromkeys([*codes, make(rng)]))
    try:
        with transaction.atomic():
            return _insert(model, (field, *columns), _prefixed(codes, rows), need_ids=True)
    except IntegrityError:
        codes = _unique_codes(rng, len(rows), make, model, field)
        return _insert(model, (field, *columns), _prefixed(codes, rows), need_ids=True)


def _prefixed(codes: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(code, *row) for code, row in zip(codes, rows, strict=True)]


def _column(model: type[models.Model], attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname and field.column:
            return field.column
    raise LookupError(attname)


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _insert(
    model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]], *, need_ids: bool = False
) -> list[int]:
    """Insert `rows` (values in `columns` order, attnames); return the new ids when asked."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        ids: list[int] = []
        if need_ids:
            ids = _next_ids(model, len(rows))
            columns = ["id", *columns]
            rows = [(row_id, *row) for row_id, row in zip(ids, rows, strict=True)]
        # Fields this writer does not know about (added by later migrations) get their model default.
        missing = [
            field
            for field in model._meta.concrete_fields
            if field.attname not in columns and not field.primary_key
        ]
        if missing:
            defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in missing)
            columns = [*columns, *(field.attname for field in missing)]
            rows = [(*row, *defaults) for row in rows]
        quote = connection.ops.quote_name
        column_list = ", ".join(quote(_column(model, name)) for name in columns)
        statement = f"COPY {quote(model._meta.db_table)} ({column_list}) FROM STDIN"
        # COPY goes around Django's cursor wrapper: map psycopg's errors to Django's ourselves.
        with connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return ids
    objects = model._default_manager.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )
    return [obj.pk for obj in objects] if need_ids else []


# fmt: off
PERSON_COLUMNS = (
    "given_names", "first_surname", "second_surname", "sex", "gender_identity", "date_of_birth",
    "date_of_birth_is_estimated", "nationality", "photo", "org_unit_id", "created_by_id", "search_name",
    "is_archived", "archived_at", "archived_by_id", "archive_reason", "version", "created_at", "updated_at",
)
DOCUMENT_COLUMNS = ("person_id", "document_type", "number", "number_folded", "issuing_country", "created_at",
                    "updated_at")
CONTACT_COLUMNS = ("person_id", "kind", "value", "created_at", "updated_at")
ADDRESS_COLUMNS = ("person_id", "country", "department_id", "municipality_id", "line", "latitude",
                   "longitude", "is_current", "created_at", "updated_at")
HOUSEHOLD_COLUMNS = (
    "name", "search_name", "country", "department_id", "municipality_id", "address_line", "latitude",
    "longitude", "org_unit_id", "created_by_id", "is_archived", "archived_at", "archive_reason", "version",
    "created_at", "updated_at",
)
MEMBERSHIP_COLUMNS = ("household_id", "person_id", "relationship", "is_head", "joined_on", "left_on",
                      "created_at", "updated_at")
# fmt: on


def persons_bulk_create(persons: Sequence[SyntheticPerson], *, rng: random.Random) -> list[int]:
    """Write `persons` with their documents, contacts and addresses; return their ids in order.

    Call inside a transaction. Amparo IDs are drawn from `rng` and unique in the table.
    """
    now = timezone.now()
    rows = [
        (p.given_names, p.first_surname, p.second_surname, p.sex, "", p.date_of_birth,
         p.date_of_birth_is_estimated, p.nationality, "", p.org_unit_id, p.created_by_id,
         search_name_for(p.given_names, p.first_surname, p.second_surname),
         False, None, None, "", 1, now, now)
        for p in persons
    ]  # fmt: skip
    person_ids = _insert_coded(Person, "amparo_id", random_amparo_id, rng, PERSON_COLUMNS, rows)
    documents: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    addresses: list[tuple[Any, ...]] = []
    for person_id, person in zip(person_ids, persons, strict=True):
        documents.extend(
            (person_id, d.document_type, d.number, fold_compact(d.number), d.issuing_country, now, now)
            for d in person.documents
        )
        contacts.extend((person_id, c.kind, c.value, now, now) for c in person.contacts)
        addresses.extend(
            (person_id, a.country, a.department_id, a.municipality_id, a.line, a.latitude, a.longitude,
             a.is_current, now, now)
            for a in person.addresses
        )  # fmt: skip
    _insert(IdentityDocument, DOCUMENT_COLUMNS, documents)
    _insert(Contact, CONTACT_COLUMNS, contacts)
    _insert(Address, ADDRESS_COLUMNS, addresses)
    return person_ids


def _household_code(rng: random.Random) -> str:
    return "H-" + random_amparo_id(rng)[:9].replace("-", "")


def _jitter(rng: random.Random, degrees: float | None, enabled: bool) -> Decimal | None:
    if not enabled or degrees is None:
        return None
    return Decimal(f"{degrees + rng.uniform(-0.03, 0.03):.6f}")


def households_bulk_create(
    households: Sequence[SyntheticHousehold], *, person_ids: Sequence[int], rng: random.Random
) -> list[int]:
    """Write households and their current memberships (`members` index into `person_ids`)."""
    now = timezone.now()
    rows = []
    for household in households:
        place = household.place
        rows.append(
            (household.name, search_name_for(household.name, "", ""), place.country,
             place.department_id, place.municipality_id, household.address_line,
             _jitter(rng, place.latitude, household.with_gps),
             _jitter(rng, place.longitude, household.with_gps), household.org_unit_id,
             household.created_by_id, False, None, "", 1, now, now)
        )  # fmt: skip
    household_ids = _insert_coded(Household, "code", _household_code, rng, HOUSEHOLD_COLUMNS, rows)
    memberships = [
        (household_id, person_ids[index], relationship, relationship == "head", None, None, now, now)
        for household_id, household in zip(household_ids, households, strict=True)
        for index, relationship in household.members
    ]
    _insert(HouseholdMembership, MEMBERSHIP_COLUMNS, memberships)
    return household_ids


def stored_places(country: str) -> list[Place]:
    """The municipalities of `country` stored as AdminArea rows, as places to live in (no GPS)."""
    municipalities = AdminArea.objects.filter(country=country, level=2).values_list(
        "pk", "parent_id", "code", "name"
    )
    return [
        Place(country=country, city=name, department_id=parent_id, municipality_id=pk, municipality_code=code)
        for pk, parent_id, code, name in municipalities
    ] or [Place(country=country)]


def analyze_registry_tables() -> None:
    """Refresh PostgreSQL's planner statistics after a large load (a no-op elsewhere)."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for model in (Person, IdentityDocument, Contact, Address, Household, HouseholdMembership)
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))
