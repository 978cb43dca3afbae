"""The registry's matching keys: what the matcher reads of each person (`PersonKey`), the hashed
blocking and search keys the online check probes (`PersonBlockKey`), and value frequencies.

Registry services call `person_keys_refresh(person_ids=[…])` after every write to a person
(create, update, archive, documents, addresses); `manage.py matching_rebuild_keys` rebuilds all.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import F

from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.text import fold_compact
from amparo.matching.choices import RecordType
from amparo.matching.linkage.blocking import key_hash, record_block_keys
from amparo.matching.linkage.normalize import fold_name
from amparo.matching.linkage.phonetic import phonetic_token
from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.models import PersonBlockKey, PersonKey, TermFrequency
from amparo.matching.services.configuration import matcher_for
from amparo.registry.models import Address, IdentityDocument, Person

RECORD_FIELDS = (
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "date_of_birth",
    "date_of_birth_is_estimated",
    "document_number",
    "nationality",
    "department",
    "municipality",
    "address",
)
PERSONS_TOTAL = "__persons__"
DOCUMENT_PART = 5


def person_records(person_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Matcher records of active persons, read straight from the registry tables."""
    ids = list(person_ids)
    persons = Person.objects.filter(pk__in=ids, is_archived=False).values(
        "pk",
        "version",
        "given_names",
        "first_surname",
        "second_surname",
        "sex",
        "date_of_birth",
        "date_of_birth_is_estimated",
        "nationality",
    )
    records: dict[int, dict[str, Any]] = {}
    for row in persons:
        birth = row["date_of_birth"]
        records[row["pk"]] = {
            "version": row["version"],
            "given_names": row["given_names"],
            "first_surname": row["first_surname"],
            "second_surname": row["second_surname"],
            "sex": "" if row["sex"] == "unknown" else row["sex"],
            "date_of_birth": birth.isoformat() if isinstance(birth, datetime.date) else "",
            "date_of_birth_is_estimated": bool(row["date_of_birth_is_estimated"]),
            "document_number": "",
            "nationality": str(row["nationality"] or ""),
            "department": "",
            "municipality": "",
            "address": "",
        }
    documents: dict[int, list[str]] = {}
    for person_id, number in IdentityDocument.objects.filter(person_id__in=records).values_list(
        "person_id", "number_folded"
    ):
        if number:
            documents.setdefault(person_id, []).append(number)
    for person_id, numbers in documents.items():
        records[person_id]["document_number"] = "|".join(sorted(set(numbers)))[:300]
    addresses = Address.objects.filter(person_id__in=records, is_current=True).values_list(
        "person_id", "department_id", "municipality_id", "line"
    )
    for person_id, department, municipality, line in addresses:
        records[person_id].update(
            department=str(department or ""), municipality=str(municipality or ""), address=line[:250]
        )
    return records


def records_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(records), columns=list(RECORD_FIELDS))
    frame["date_of_birth_is_estimated"] = frame["date_of_birth_is_estimated"].map(
        lambda flag: "1" if flag else ""
    )
    return frame.fillna("")


def search_keys(record: dict[str, Any]) -> set[str]:
    """Keys for the similarity search: each name word by sound, each document whole and by halves."""
    keys = set()
    for field in ("given_names", "first_surname", "second_surname"):
        for word in fold_name(record.get(field, "")).split():
            keys.add(f"n:{phonetic_token(word)}")
    for number in str(record.get("document_number", "")).split("|"):
        folded = fold_compact(number)
        if folded:
            keys.add(f"d:{folded}")
            if len(folded) > DOCUMENT_PART:
                keys.update({f"dp:{folded[:DOCUMENT_PART]}", f"ds:{folded[-DOCUMENT_PART:]}"})
    return keys


def keys_for_records(matcher: Matcher, records: list[dict[str, Any]]) -> list[set[int]]:
    """Per record: hashes of its blocking keys (by rule) and search keys."""
    if not records:
        return []
    blocking = record_block_keys(records_frame(records), matcher.spec, matcher.nicknames)
    return [
        {key_hash(key) for key in (blocking_keys | search_keys(record))}
        for blocking_keys, record in zip(blocking, records, strict=True)
    ]


def _adjust_total(delta: int) -> None:
    if delta:
        updated = TermFrequency.objects.filter(comparison=PERSONS_TOTAL, value="").update(
            count=F("count") + delta
        )
        if not updated:
            TermFrequency.objects.create(comparison=PERSONS_TOTAL, value="", count=max(delta, 0))


@transaction.atomic
def person_keys_refresh(*, person_ids: Iterable[int]) -> int:
    """Recompute the matching keys of these persons (archived or missing ones lose theirs).

    Call after any registry write that changes a person, their documents or addresses.
    Returns how many persons now have keys.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    config, matcher = matcher_for(record_type=RecordType.PERSON)
    records = person_records(ids)
    had_keys = set(PersonKey.objects.filter(person_id__in=ids).values_list("person_id", flat=True))
    PersonBlockKey.objects.filter(person_id__in=ids).delete()
    PersonKey.objects.filter(person_id__in=ids).delete()
    ordered = sorted(records)
    hashes = keys_for_records(matcher, [records[person_id] for person_id in ordered])
    PersonKey.objects.bulk_create(
        [_person_key(person_id, records[person_id], config.version) for person_id in ordered]
    )
    PersonBlockKey.objects.bulk_create(
        [
            PersonBlockKey(person_id=person_id, key=key)
            for person_id, keys in zip(ordered, hashes, strict=True)
            for key in keys
        ],
        batch_size=5000,
    )
    _adjust_total(len(records) - len(had_keys))
    return len(records)


def _person_key(person_id: int, record: dict[str, Any], config_version: int) -> PersonKey:
    return PersonKey(
        person_id=person_id,
        person_version=record["version"],
        config_version=config_version,
        **{field: record[field] for field in RECORD_FIELDS},
    )


def person_keys_rebuild(
    *, batch_size: int = 20_000, progress: Callable[[int, int], None] | None = None, actor: Any = None
) -> int:
    """Rebuild every active person's keys and the value frequencies (after a configuration change
    or to backfill). Runs in batches, each its own transaction."""
    total = Person.objects.filter(is_archived=False).count()
    done = 0
    last_id = 0
    PersonKey.objects.filter(person__is_archived=True).delete()
    while True:
        batch = list(
            Person.objects.filter(is_archived=False, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        person_keys_refresh(person_ids=batch)
        last_id = batch[-1]
        done += len(batch)
        if progress:
            progress(done, total)
    term_frequencies_refresh()
    audit.record(
        actor=actor,
        action=AuditAction.MATCHING_KEYS_REBUILT,
        extra={"persons": done},
        username="system" if actor is None else "",
    )
    return done


@transaction.atomic
def term_frequencies_refresh() -> None:
    """Count each comparison's normalised values over every keyed person."""
    _config, matcher = matcher_for(record_type=RecordType.PERSON)
    tf_comparisons = [
        index for index, comparator in enumerate(matcher.comparators) if comparator.spec.term_frequency
    ]
    counts: dict[str, Counter[str]] = {
        matcher.comparators[index].spec.name: Counter() for index in tf_comparisons
    }
    persons = 0
    last_id = 0
    while True:
        rows = list(
            PersonKey.objects.filter(person_id__gt=last_id)
            .order_by("person_id")
            .values("person_id", *RECORD_FIELDS)[:50_000]
        )
        if not rows:
            break
        last_id = rows[-1]["person_id"]
        persons += len(rows)
        features = matcher.prepare(records_frame(rows))
        for index in tf_comparisons:
            coded = matcher.comparators[index].term_codes(features[index])
            if coded is None:
                continue
            present = coded.codes[coded.codes >= 0]
            counts[matcher.comparators[index].spec.name].update(coded.values[present].tolist())
    TermFrequency.objects.all().delete()
    TermFrequency.objects.bulk_create(
        [
            TermFrequency(comparison=name, value=value[:300], count=count)
            for name, counter in counts.items()
            for value, count in counter.items()
        ],
        batch_size=5000,
    )
    TermFrequency.objects.create(comparison=PERSONS_TOTAL, value="", count=persons)


def persons_keyed() -> int:
    row = (
        TermFrequency.objects.filter(comparison=PERSONS_TOTAL, value="")
        .values_list("count", flat=True)
        .first()
    )
    return row or 0


def stale_person_ids(persons: Any) -> list[int]:
    """Persons of a queryset whose keys are missing or older than the person."""
    return list(
        persons.filter(is_archived=False)
        .exclude(matching_key__person_version=F("version"))
        .values_list("pk", flat=True)
    )
