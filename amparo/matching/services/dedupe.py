"""Batch deduplication of the registry as a background job with progress on its row.

A job compares the active persons its starter may review, proposes pairs at or above the review
threshold and never proposes again a pair someone already decided (confirmed or rejected).
"""

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import PermissionDeniedError
from amparo.matching.choices import JobStatus, PairStatus, RecordType
from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.models import CandidatePair, DedupeJob, PersonKey
from amparo.matching.services.configuration import matcher_config_store_learned, matcher_for
from amparo.matching.services.keys import RECORD_FIELDS, person_keys_refresh, records_frame, stale_person_ids
from amparo.matching.tasks import dedupe_run
from amparo.registry.models import Person

logger = logging.getLogger(__name__)
MIN_PERSONS_TO_LEARN = 2000
REFRESH_BATCH = 5000
DECIDED = (PairStatus.CONFIRMED, PairStatus.REJECTED)


def reviewable_persons(user: User) -> Any:
    """Active persons the user may both see and review."""
    persons = Person.objects.filter(is_archived=False)
    return access.visible(
        user, access.visible(user, persons, Permission.PERSON_VIEW), Permission.MATCHING_REVIEW
    )


@transaction.atomic
def dedupe_job_start(*, actor: User, learn_parameters: bool = False) -> DedupeJob:
    if not access.has_permission(actor, Permission.MATCHING_REVIEW) or actor.home_unit is None:
        raise PermissionDeniedError("not allowed")
    job = DedupeJob.objects.create(
        org_unit=actor.home_unit, started_by=actor, learn_parameters=learn_parameters
    )
    audit.record(
        actor=actor,
        action=AuditAction.MATCHING_DEDUPE_STARTED,
        target=job,
        extra={"learn_parameters": learn_parameters},
    )
    transaction.on_commit(lambda: dedupe_run.enqueue(job.pk))
    return job


class _Reporter:
    """Writes progress to the job row at most once a second (the page polls it)."""

    def __init__(self, job_id: int, start: float, span: float):
        self.job_id, self.start, self.span, self.last = job_id, start, span, 0.0

    def __call__(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if now - self.last < 1.0 and fraction < 1.0:
            return
        self.last = now
        DedupeJob.objects.filter(pk=self.job_id).update(
            progress=self.start + self.span * fraction, stage=stage
        )


def dedupe_job_run(*, job_id: int) -> DedupeJob | None:
    """Run a queued job (idempotent: a job already claimed is left alone)."""
    claimed = DedupeJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), stage="keys"
    )
    if not claimed:
        return None
    job = DedupeJob.objects.select_related("started_by").get(pk=job_id)
    try:
        _run(job)
    except Exception as error:  # a failed job must say so on its row; the worker logs the trace
        logger.exception("dedupe job %s failed", job_id)
        DedupeJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _run(job: DedupeJob) -> None:
    persons = reviewable_persons(job.started_by)
    stale = stale_person_ids(persons)
    for start in range(0, len(stale), REFRESH_BATCH):
        person_keys_refresh(person_ids=stale[start : start + REFRESH_BATCH])
        _Reporter(job.pk, 0.0, 0.1)(min(1.0, (start + REFRESH_BATCH) / len(stale)), "keys")
    rows = list(
        PersonKey.objects.filter(person__in=persons).order_by("person_id").values("person_id", *RECORD_FIELDS)
    )
    person_ids = np.array([row["person_id"] for row in rows], dtype=np.int64)
    config, shared = matcher_for(record_type=RecordType.PERSON)
    learn = job.learn_parameters and len(rows) >= MIN_PERSONS_TO_LEARN
    matcher = Matcher(shared.spec) if learn else shared
    result = (
        matcher.dedupe(
            records_frame(rows),
            train=learn,
            min_probability=matcher.spec.review_threshold,
            progress=_Reporter(job.pk, 0.1, 0.8),
        )
        if len(rows) > 1
        else pd.DataFrame(columns=["ia", "ib", "probability", "weight", "bayes_factor"])
    )
    if learn:
        config = matcher_config_store_learned(
            actor=job.started_by, record_type=RecordType.PERSON, matcher=matcher
        )
    DedupeJob.objects.filter(pk=job.pk).update(progress=0.9, stage="pairs")
    proposed, known = _store_pairs(job, matcher, result, person_ids, config.version)
    DedupeJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=1.0,
        stage="done",
        persons_compared=len(rows),
        candidate_pairs=int(result.attrs.get("candidate_pairs", 0)),
        pairs_proposed=proposed,
        pairs_already_known=known,
        config_version=config.version,
        finished_at=timezone.now(),
    )


def level_codes(matcher: Matcher, row: Any) -> dict[str, str]:
    codes = {}
    for comparator in matcher.comparators:
        level = int(getattr(row, f"level_{comparator.spec.name}", -1))
        codes[comparator.spec.name] = "missing" if level < 0 else comparator.spec.level_codes[level]
    return codes


@transaction.atomic
def _store_pairs(
    job: DedupeJob, matcher: Matcher, result: pd.DataFrame, person_ids: np.ndarray, config_version: int
) -> tuple[int, int]:
    """New pairs become pending; undecided ones get the new probability; decided ones stay as they are."""
    if result.empty:
        return 0, 0
    first, second = person_ids[result["ia"].to_numpy()], person_ids[result["ib"].to_numpy()]
    result = result.assign(person_a=np.minimum(first, second), person_b=np.maximum(first, second))
    result.columns = [str(name).replace(":", "_") for name in result.columns]
    existing: dict[tuple[int, int], CandidatePair] = {}
    for start in range(0, len(result), 5000):
        chunk = result.iloc[start : start + 5000]
        for pair in CandidatePair.objects.filter(
            person_a_id__in=chunk["person_a"].tolist(), person_b_id__in=chunk["person_b"].tolist()
        ):
            existing[(pair.person_a_id, pair.person_b_id)] = pair
    created: list[CandidatePair] = []
    updated: list[CandidatePair] = []
    known = 0
    for row in result.itertuples(index=False):
        key = (int(row.person_a), int(row.person_b))
        found = existing.get(key)
        if found is None:
            created.append(
                CandidatePair(
                    person_a_id=key[0],
                    person_b_id=key[1],
                    probability=float(row.probability),
                    match_weight=float(row.weight),
                    bayes_factor=float(row.bayes_factor),
                    levels=level_codes(matcher, row),
                    job=job,
                    config_version=config_version,
                )
            )
        elif found.status in DECIDED:
            known += 1
        else:
            found.probability, found.match_weight = float(row.probability), float(row.weight)
            found.bayes_factor = float(row.bayes_factor)
            found.levels, found.job, found.config_version = level_codes(matcher, row), job, config_version
            updated.append(found)
    CandidatePair.objects.bulk_create(created, batch_size=2000)
    CandidatePair.objects.bulk_update(
        updated,
        ["probability", "match_weight", "bayes_factor", "levels", "job", "config_version"],
        batch_size=2000,
    )
    return len(created) + len(updated), known
