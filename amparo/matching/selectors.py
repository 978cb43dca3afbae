"""Reads of the matching app. Every one starts from the access policy: a match result shows a
registered person's details only to a user who may see that person."""

import datetime
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from rapidfuzz.distance import JaroWinkler

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit.choices import AuditAction
from amparo.common.dates import years_before
from amparo.common.text import fold_compact
from amparo.matching.choices import PairStatus, RecordType
from amparo.matching.linkage.blocking import key_hash, record_block_keys
from amparo.matching.linkage.normalize import fold_name, given_name_alternatives
from amparo.matching.linkage.phonetic import phonetic_token
from amparo.matching.linkage.pipeline import Matcher, Scored
from amparo.matching.models import (
    CandidatePair,
    DedupeJob,
    FileLinkJob,
    PersonBlockKey,
    PersonKey,
    PersonMerge,
    TermFrequency,
)
from amparo.matching.presentation import comparison_label, level_label
from amparo.matching.services.configuration import matcher_for
from amparo.matching.services.keys import (
    PERSONS_TOTAL,
    RECORD_FIELDS,
    person_records,
    persons_keyed,
    records_frame,
    search_keys,
)
from amparo.registry.models import Person
from amparo.registry.selectors import persons_visible_to
from amparo.registry.services import record_persons_shown

MAX_CANDIDATES = 400
SEARCH_CANDIDATES = 2000
UNPLACED_WORD_PENALTY = 3.0  # bits against a person for each searched word found nowhere in their name


# --- Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    comparison: str
    label: str
    level: str
    level_label: str
    verdict: str  # "agrees" | "similar" | "differs"
    weight: float


@dataclass(frozen=True)
class CandidateMatch:
    person: Person
    probability: float
    reasons: tuple[Reason, ...]

    @property
    def agreeing(self) -> list[Reason]:
        return [reason for reason in self.reasons if reason.verdict != "differs"]

    @property
    def differing(self) -> list[Reason]:
        return [reason for reason in self.reasons if reason.verdict == "differs"]


@dataclass(frozen=True)
class DuplicateCheck:
    """Likely existing persons the user may see, and whether others exist outside their scope
    (said without names, ids or probabilities: "ask your coordinator")."""

    matches: list[CandidateMatch] = field(default_factory=list)
    outside_scope: bool = False


def reasons_from_levels(
    matcher: Matcher, levels: dict[str, int], factors: dict[str, float]
) -> tuple[Reason, ...]:
    reasons = []
    for comparator in matcher.comparators:
        name = comparator.spec.name
        level = levels.get(name, -1)
        if level < 0:
            continue
        code = comparator.spec.level_codes[level]
        weight = factors.get(name, 0.0)
        verdict = "agrees" if level == 0 else ("similar" if weight > 0 else "differs")
        reasons.append(
            Reason(name, comparison_label(name), code, level_label(code), verdict, round(weight, 2))
        )
    return tuple(sorted(reasons, key=lambda reason: -abs(reason.weight)))


def _reasons(matcher: Matcher, scored: Scored, row: int) -> tuple[Reason, ...]:
    names = [comparator.spec.name for comparator in matcher.comparators]
    levels = {name: int(scored.gamma[row, index]) for index, name in enumerate(names)}
    factors = {name: float(scored.factors[row, index]) for index, name in enumerate(names)}
    return reasons_from_levels(matcher, levels, factors)


# --- Duplicate check while registering ---------------------------------------------------------


@dataclass(frozen=True)
class CandidatePerson:
    """What a worker has typed so far about a person being registered."""

    given_names: str = ""
    first_surname: str = ""
    second_surname: str = ""
    sex: str = ""
    date_of_birth: datetime.date | None = None
    date_of_birth_is_estimated: bool = False
    age_years: int | None = None
    document_number: str = ""
    nationality: str = ""
    department: str = ""
    municipality: str = ""
    address: str = ""

    @property
    def is_searchable(self) -> bool:
        has_name = bool(fold_name(self.given_names)) and bool(
            fold_name(self.first_surname or self.second_surname)
        )
        return has_name or len(fold_compact(self.document_number)) >= 5

    def record(self) -> dict[str, Any]:
        birth, estimated = self.date_of_birth, self.date_of_birth_is_estimated
        if birth is None and self.age_years is not None:
            birth, estimated = years_before(timezone.localdate(), self.age_years), True
        return {
            "given_names": self.given_names.strip(),
            "first_surname": self.first_surname.strip(),
            "second_surname": self.second_surname.strip(),
            "sex": "" if self.sex in ("", "unknown") else self.sex,
            "date_of_birth": birth.isoformat() if birth else "",
            "date_of_birth_is_estimated": "1" if estimated and birth else "",
            "document_number": self.document_number.strip(),
            "nationality": self.nationality,
            "department": str(self.department or ""),
            "municipality": str(self.municipality or ""),
            "address": self.address.strip(),
        }


def _frequencies(matcher: Matcher, features: list[Any]) -> tuple[dict[str, dict[str, float]], int]:
    """The registry's frequency of the candidate's values, and how many persons are keyed — one query."""
    wanted: dict[str, str] = {}
    for index, comparator in enumerate(matcher.comparators):
        if not comparator.spec.term_frequency:
            continue
        coded = comparator.term_codes(features[index])
        if coded is not None and coded.codes[0] >= 0:
            wanted[comparator.spec.name] = str(coded.values[coded.codes[0]])
    rows = TermFrequency.objects.filter(
        Q(comparison__in=list(wanted), value__in=list(wanted.values()))
        | Q(comparison=PERSONS_TOTAL, value="")
    ).values_list("comparison", "value", "count")
    counts = {(name, value): count for name, value, count in rows}
    total = counts.get((PERSONS_TOTAL, ""), 0)
    table = {
        name: {value: counts[(name, value)] / total} if (name, value) in counts and total else {}
        for name, value in wanted.items()
    }
    return table, total


def _score_against(
    matcher: Matcher, query: dict[str, Any], rows: list[dict[str, Any]]
) -> tuple[Scored, list[dict[str, Any]]]:
    frame = records_frame([query, *rows])
    features = matcher.prepare(frame)
    frequencies, keyed = _frequencies(matcher, features)
    total = max(keyed, len(rows), 1)
    ia = np.zeros(len(rows), dtype=np.int64)
    ib = np.arange(1, len(rows) + 1, dtype=np.int64)
    scored = matcher.score(
        features,
        ia,
        ib,
        prior=matcher.prior(total),
        frequencies=frequencies,
        reference_size=total,
        size=total,
    )
    return scored, rows


def check_new_person(
    *, user: User, candidate: CandidatePerson, limit: int = 5, exclude_person_id: int | None = None
) -> DuplicateCheck:
    """Registered persons that are probably the one being typed, most likely first.

    Probes the hashed blocking keys (one indexed query), scores the few candidates with the
    Fellegi–Sunter model, then shows details only of persons the user may see; the others
    only raise `outside_scope`. Persons shown are written to the audit log (ids only).
    """
    if not candidate.is_searchable or not access.has_permission(user, Permission.PERSON_CREATE):
        return DuplicateCheck()
    config, matcher = matcher_for(record_type=RecordType.PERSON)
    query = candidate.record()
    keys = record_block_keys(records_frame([query]), matcher.spec, matcher.nicknames)[0]
    keys |= {key for key in search_keys(query) if key.startswith("d:")}
    hashes = [key_hash(key) for key in keys]
    candidate_ids = list(
        PersonBlockKey.objects.filter(key__in=hashes)
        .values_list("person_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    if exclude_person_id is not None:
        candidate_ids = [person_id for person_id in candidate_ids if person_id != exclude_person_id]
    if not candidate_ids:
        return DuplicateCheck()
    rows = list(PersonKey.objects.filter(person_id__in=candidate_ids).values("person_id", *RECORD_FIELDS))
    if not rows:
        return DuplicateCheck()
    scored, rows = _score_against(matcher, query, rows)
    threshold = matcher.spec.display_threshold
    likely = sorted(
        (
            (float(scored.probability[row]), row)
            for row in range(len(rows))
            if scored.probability[row] >= threshold
        ),
        reverse=True,
    )
    if not likely:
        return DuplicateCheck()
    likely_ids = [rows[row]["person_id"] for _probability, row in likely]
    visible = {
        person.pk: person
        for person in persons_visible_to(user)
        .filter(pk__in=likely_ids, is_archived=False)
        .select_related("org_unit")
    }
    matches = [
        CandidateMatch(
            person=visible[rows[row]["person_id"]],
            probability=probability,
            reasons=_reasons(matcher, scored, row),
        )
        for probability, row in likely
        if rows[row]["person_id"] in visible
    ][:limit]
    check = DuplicateCheck(
        matches=matches, outside_scope=any(person_id not in visible for person_id in likely_ids)
    )
    if matches:
        record_persons_shown(
            actor=user,
            persons=[match.person for match in matches],
            action=AuditAction.MATCHING_CHECKED,
            extra={"outside_scope": check.outside_scope, "config_version": config.version},
        )
    return check


def check_registered_person(*, user: User, person: Person, limit: int = 5) -> DuplicateCheck:
    """The duplicate check for a person just registered (API creation): the other registered
    persons who are probably them, with the same scope rule and audit as `check_new_person`."""
    record = person_records([person.pk]).get(person.pk)
    if record is None:
        return DuplicateCheck()
    birth = record["date_of_birth"]
    candidate = CandidatePerson(
        given_names=record["given_names"],
        first_surname=record["first_surname"],
        second_surname=record["second_surname"],
        sex=record["sex"],
        date_of_birth=datetime.date.fromisoformat(birth) if birth else None,
        date_of_birth_is_estimated=bool(record["date_of_birth_is_estimated"]),
        document_number=record["document_number"],
        nationality=record["nationality"],
        department=record["department"],
        municipality=record["municipality"],
        address=record["address"],
    )
    return check_new_person(user=user, candidate=candidate, limit=limit, exclude_person_id=person.pk)


def duplicate_check_payload(check: DuplicateCheck) -> dict[str, Any]:
    """The check as a JSON-ready value (for an API response field): details only of persons in
    the user's scope; outside it, only the flag."""
    return {
        "possible_duplicates": [
            {
                "id": match.person.pk,
                "amparo_id": match.person.amparo_id,
                "full_name": match.person.full_name,
                "date_of_birth": match.person.date_of_birth.isoformat()
                if match.person.date_of_birth
                else None,
                "org_unit": str(match.person.org_unit),
                "probability": round(match.probability, 4),
                "agreeing": [reason.comparison for reason in match.agreeing],
                "differing": [reason.comparison for reason in match.differing],
                "reasons": [
                    {"comparison": reason.comparison, "level": reason.level, "verdict": reason.verdict}
                    for reason in match.reasons
                ],
            }
            for match in check.matches
        ],
        "possible_duplicate_outside_scope": check.outside_scope,
    }


@dataclass(frozen=True)
class RecordScore:
    person_id: int
    probability: float
    reasons: tuple[Reason, ...]


def score_record_against_persons(
    *, record: dict[str, Any], person_ids: list[int], record_type: str = RecordType.PERSON
) -> list[RecordScore]:
    """How likely a described, unregistered person (a sought child, `CandidatePerson.record()`) is
    each of these registered persons, with the reasons, by the matcher of `record_type`; persons
    without matching keys are left out.

    No access check and no audit: the caller shows results only under its own policy.
    """
    if not person_ids:
        return []
    _config, matcher = matcher_for(record_type=record_type)
    rows = list(PersonKey.objects.filter(person_id__in=person_ids).values("person_id", *RECORD_FIELDS))
    if not rows:
        return []
    scored, rows = _score_against(matcher, record, rows)
    return [
        RecordScore(
            person_id=rows[row]["person_id"],
            probability=float(scored.probability[row]),
            reasons=_reasons(matcher, scored, row),
        )
        for row in range(len(rows))
    ]


# --- Similarity search ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarityQuery:
    """Any combination of name fragments, approximate age, sex, place and document number."""

    name: str = ""
    age_years: int | None = None
    sex: str = ""
    department: str = ""
    municipality: str = ""
    document_number: str = ""

    @property
    def words(self) -> list[str]:
        return fold_name(self.name).split()[:6]

    @property
    def is_searchable(self) -> bool:
        return bool(self.words) or len(fold_compact(self.document_number)) >= 4


def _word_readings(word: str, nicknames: Any) -> set[str]:
    """A searched word and the words of the names it may be a nickname for ("lupe" → guadalupe)."""
    return {part for reading in given_name_alternatives(word, nicknames) for part in reading.split()}


def _query_record(
    query: SimilarityQuery, person: dict[str, Any], nicknames: Any
) -> tuple[dict[str, Any], int]:
    """The query's words placed in the candidate's name fields they resemble most; unplaced words counted."""
    parts = {
        field: fold_name(person[field]).split()
        for field in ("given_names", "first_surname", "second_surname")
    }
    placed: dict[str, list[str]] = {field: [] for field in parts}
    unplaced = 0
    for word in query.words:
        best, best_field = 0.0, ""
        readings = _word_readings(word, nicknames)
        for field_name, words in parts.items():
            for candidate in words:
                score = JaroWinkler.normalized_similarity(word, candidate)
                if candidate in readings and candidate != word:
                    score = max(score, 0.95)
                if phonetic_token(word) == phonetic_token(candidate):
                    score = max(score, 0.95)
                if candidate.startswith(word) and len(word) >= 3:
                    score = max(score, 0.9)
                if score > best:
                    best, best_field = score, field_name
        if best >= 0.75:
            placed[best_field].append(word)
        else:
            unplaced += 1
    birth = (
        years_before(timezone.localdate(), query.age_years).isoformat() if query.age_years is not None else ""
    )
    record = {
        "given_names": " ".join(placed["given_names"]),
        "first_surname": " ".join(placed["first_surname"]),
        "second_surname": " ".join(placed["second_surname"]),
        "sex": "" if query.sex in ("", "unknown") else query.sex,
        "date_of_birth": birth,
        "date_of_birth_is_estimated": "1" if birth else "",
        "document_number": query.document_number,
        "nationality": "",
        "department": query.department,
        "municipality": query.municipality,
        "address": "",
    }
    return record, unplaced


def _search_candidate_ids(query: SimilarityQuery, visible: QuerySet[Person], nicknames: Any) -> list[int]:
    keys = set()
    for word in query.words:
        keys |= {f"n:{phonetic_token(part)}" for part in _word_readings(word, nicknames)}
    keys |= search_keys({"document_number": query.document_number})
    hashes = [key_hash(key) for key in keys]
    name_keys = len(set(query.words))
    matched = (
        PersonBlockKey.objects.filter(key__in=hashes, person__in=visible)
        .values("person_id")
        .annotate(hits=Count("key"))
        .order_by("-hits")
    )
    needed = 1 if query.document_number.strip() else max(1, min(2, name_keys))
    ids = [row["person_id"] for row in matched.filter(hits__gte=needed)[:SEARCH_CANDIDATES]]
    if query.words:
        prefixed = visible.filter(is_archived=False)
        for word in query.words:
            prefixed = prefixed.filter(search_name__contains=f" {word}")
        ids += list(prefixed.values_list("pk", flat=True)[:SEARCH_CANDIDATES])
    return list(dict.fromkeys(ids))


def person_similarity_search(*, user: User, query: SimilarityQuery, limit: int = 25) -> list[CandidateMatch]:
    """Persons the user may see, ranked by the probability that each is the one described.

    Name words match in any order, by sound (b/v, s/z, ll/y, silent h…), by prefix or with typos;
    a document number matches with one or two wrong characters. The persons shown are audited.
    """
    if not query.is_searchable:
        return []
    visible = persons_visible_to(user).filter(is_archived=False)
    _config, matcher = matcher_for(record_type=RecordType.PERSON)
    candidate_ids = _search_candidate_ids(query, visible, matcher.nicknames)
    if not candidate_ids:
        return []
    rows = list(PersonKey.objects.filter(person_id__in=candidate_ids).values("person_id", *RECORD_FIELDS))
    if not rows:
        return []
    queries, penalties = zip(*(_query_record(query, row, matcher.nicknames) for row in rows), strict=True)
    interleaved = [record for pair in zip(queries, rows, strict=True) for record in pair]
    features = matcher.prepare(records_frame(interleaved))
    total = max(persons_keyed(), len(rows), 1)
    ia = np.arange(0, 2 * len(rows), 2, dtype=np.int64)
    prior = 1.0 / total
    scored = matcher.score(features, ia, ia + 1, prior=prior, size=total)
    bayes_factor = scored.factors.sum(axis=1) - UNPLACED_WORD_PENALTY * np.array(penalties, dtype=np.float64)
    probability = matcher.probability(bayes_factor, prior, total)
    order = np.argsort(-probability)[:limit]
    persons = {
        person.pk: person
        for person in Person.objects.filter(pk__in=[rows[i]["person_id"] for i in order]).select_related(
            "org_unit"
        )
    }
    results = [
        CandidateMatch(
            person=persons[rows[i]["person_id"]],
            probability=float(probability[i]),
            reasons=_reasons(matcher, scored, int(i)),
        )
        for i in order
        if probability[i] >= 0.001
    ]
    if results:
        record_persons_shown(
            actor=user,
            persons=[match.person for match in results],
            action=AuditAction.MATCHING_SEARCHED,
            extra={"fields": _used_fields(query)},
        )
    return results


def _used_fields(query: SimilarityQuery) -> list[str]:
    return [
        name
        for name in ("name", "age_years", "sex", "department", "municipality", "document_number")
        if getattr(query, name) not in ("", None)
    ]


# --- Review queue, jobs, merges ----------------------------------------------------------------


def _reviewable_ids(user: User) -> QuerySet[Any]:
    persons = access.visible(user, Person.objects.filter(is_archived=False), Permission.PERSON_VIEW)
    return access.visible(user, persons, Permission.MATCHING_REVIEW).values("pk")


def calibration_decisions() -> dict[str, int]:
    """Confirmed and rejected pairs with a Bayes factor: what a refit of the calibration learns from
    (for administrators; counts only)."""
    counts = dict(
        CandidatePair.objects.filter(
            status__in=[PairStatus.CONFIRMED, PairStatus.REJECTED], bayes_factor__isnull=False
        )
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    confirmed, rejected = counts.get(PairStatus.CONFIRMED, 0), counts.get(PairStatus.REJECTED, 0)
    return {"decided": confirmed + rejected, "confirmed": confirmed, "rejected": rejected}


def pair_queue(*, user: User, status: str = PairStatus.PENDING) -> QuerySet[CandidatePair]:
    """Pairs of two active persons the user may both see and review, most probable first."""
    reviewable = _reviewable_ids(user)
    pairs = CandidatePair.objects.filter(person_a__in=reviewable, person_b__in=reviewable)
    if status:
        pairs = pairs.filter(status=status)
    return pairs.select_related("person_a", "person_b", "person_a__org_unit", "person_b__org_unit").order_by(
        "-probability", "id"
    )


def pair_counts(*, user: User) -> dict[str, int]:
    reviewable = _reviewable_ids(user)
    rows = (
        CandidatePair.objects.filter(person_a__in=reviewable, person_b__in=reviewable)
        .values("status")
        .annotate(total=Count("id"))
    )
    return {row["status"]: row["total"] for row in rows}


def pair_get(*, user: User, pair_id: Any) -> CandidatePair:
    """One pair whose two persons the user may see and review (archived ones included), or 404."""
    persons = access.visible(user, Person.objects.all(), Permission.PERSON_VIEW)
    reviewable = access.visible(user, persons, Permission.MATCHING_REVIEW).values("pk")
    queryset = CandidatePair.objects.filter(person_a__in=reviewable, person_b__in=reviewable).select_related(
        "person_a", "person_b", "person_a__org_unit", "person_b__org_unit", "decided_by"
    )
    return _get_or_404(queryset, pair_id)


def pair_reasons(pair: CandidatePair) -> tuple[Reason, ...]:
    _config, matcher = matcher_for(record_type=RecordType.PERSON)
    codes = {comparator.spec.name: comparator.spec.level_codes for comparator in matcher.comparators}
    levels: dict[str, int] = {}
    factors: dict[str, float] = {}
    for index, comparator in enumerate(matcher.comparators):
        code = pair.levels.get(comparator.spec.name, "missing")
        if code in codes[comparator.spec.name]:
            level = codes[comparator.spec.name].index(code)
            levels[comparator.spec.name] = level
            factors[comparator.spec.name] = float(matcher.parameters[index].log2_factors()[level])
    return reasons_from_levels(matcher, levels, factors)


def dedupe_jobs(*, user: User) -> QuerySet[DedupeJob]:
    return access.visible(user, DedupeJob.objects.all(), Permission.MATCHING_REVIEW).select_related(
        "started_by"
    )


def dedupe_job_get(*, user: User, job_id: Any) -> DedupeJob:
    return access.access_object(
        user, DedupeJob.objects.select_related("started_by"), job_id, Permission.MATCHING_REVIEW
    )


def merge_list(*, user: User) -> QuerySet[PersonMerge]:
    """Merges whose two persons the user may merge (and so undo)."""
    mergeable = access.visible(user, Person.objects.all(), Permission.PERSON_MERGE).values("pk")
    return PersonMerge.objects.filter(kept__in=mergeable, absorbed__in=mergeable).select_related(
        "kept", "absorbed", "merged_by", "undone_by"
    )


def merge_get(*, user: User, merge_id: Any) -> PersonMerge:
    return _get_or_404(merge_list(user=user), merge_id)


def _get_or_404(queryset: QuerySet[Any], pk: Any) -> Any:
    """The row of a queryset already narrowed by the access policy: 404 for missing and forbidden alike."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def file_jobs(*, user: User) -> QuerySet[FileLinkJob]:
    """A user's own file linkages (their results may name persons only they may see)."""
    if not access.has_permission(user, Permission.MATCHING_REVIEW):
        return FileLinkJob.objects.none()
    return FileLinkJob.objects.filter(started_by=user)


def file_job_get(*, user: User, job_id: Any) -> FileLinkJob:
    return _get_or_404(file_jobs(user=user), job_id)
