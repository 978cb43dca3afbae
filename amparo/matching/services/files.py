"""File linkage: CSV files of administrative records deduplicated, linked to each other, or linked
to registered persons. The `match_file` command and the upload page share `match_records`."""

import csv
import io
import logging
import time
from collections.abc import Callable
from typing import IO, Any

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.accounts.models import User
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError, PermissionDeniedError
from amparo.matching import errors
from amparo.matching.choices import FileMode, JobStatus, RecordType
from amparo.matching.errors import MatchingErrorCode
from amparo.matching.linkage.normalize import parse_birth_date
from amparo.matching.linkage.pipeline import Matcher
from amparo.matching.models import FileLinkJob, PersonKey
from amparo.matching.services.configuration import matcher_for
from amparo.matching.services.dedupe import reviewable_persons
from amparo.matching.services.keys import RECORD_FIELDS, records_frame
from amparo.matching.tasks import file_link_run
from amparo.registry.models import Person

logger = logging.getLogger(__name__)
COLUMNS = (
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
MIN_ROWS_TO_LEARN = 2000
Progress = Callable[[float, str], None]


def _silent(_fraction: float, _stage: str) -> None:
    return None


def read_records(source: IO[bytes] | IO[str] | str, *, name: str = "file") -> pd.DataFrame:
    """A UTF-8 CSV with a header and an `id` column → a frame of the known columns ("" if missing).

    Unknown columns are ignored; dates may be dd/mm/yyyy, yyyy-mm-dd or an estimate ("~2010").
    """
    try:
        if isinstance(source, str):
            with open(source, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        else:
            raw = source.read()
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as error:
        raise _invalid(f"{name}: not a UTF-8 text file ({error.__class__.__name__})") from error
    rows = list(csv.DictReader(io.StringIO(text)))
    header = [column.strip() for column in (csv.DictReader(io.StringIO(text)).fieldnames or [])]
    if "id" not in header:
        raise _invalid(f"{name}: the header has no 'id' column")
    frame = pd.DataFrame(
        [
            {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}
            for row in rows
        ],
        columns=header,
    ).fillna("")
    if frame["id"].eq("").any():
        raise _invalid(f"{name}: row {int(frame['id'].eq('').to_numpy().argmax()) + 2} has no id")
    duplicated = frame["id"][frame["id"].duplicated()]
    if not duplicated.empty:
        raise _invalid(f"{name}: the id {duplicated.iloc[0]!r} appears twice")
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    bad_dates = [value for value in frame["date_of_birth"] if value and parse_birth_date(value)[0] is None]
    if bad_dates:
        raise _invalid(f"{name}: date_of_birth {bad_dates[0]!r} is not dd/mm/yyyy or yyyy-mm-dd")
    return frame[["id", *COLUMNS]].astype(str)


def _invalid(detail: str) -> ApplicationError:
    return ApplicationError(
        str(errors.FILE_INVALID_MESSAGE) % {"detail": detail}, code=MatchingErrorCode.FILE_INVALID
    )


def match_records(
    mode: str,
    frame_a: pd.DataFrame,
    frame_b: pd.DataFrame | None = None,
    *,
    threshold: float = 0.5,
    progress: Progress = _silent,
) -> pd.DataFrame:
    """Pairs at or above `threshold`: columns id_a, id_b, probability (highest first).

    Large inputs (≥ 2,000 rows) re-learn the weights by EM; smaller ones use the configured ones.
    """
    _config, shared = matcher_for(record_type=RecordType.FILE)
    rows = len(frame_a) + (len(frame_b) if frame_b is not None else 0)
    learn = rows >= MIN_ROWS_TO_LEARN
    matcher = Matcher(shared.spec) if learn else shared
    if mode == FileMode.DEDUPE:
        result = matcher.dedupe(frame_a, train=learn, min_probability=threshold, progress=progress)
        ids_b = frame_a["id"].to_numpy()
    else:
        if frame_b is None:
            raise ValueError("link needs two frames")
        result = matcher.link(frame_a, frame_b, train=learn, min_probability=threshold, progress=progress)
        ids_b = frame_b["id"].to_numpy()
    pairs = pd.DataFrame(
        {
            "id_a": frame_a["id"].to_numpy()[result["ia"].to_numpy(dtype=np.int64)],
            "id_b": ids_b[result["ib"].to_numpy(dtype=np.int64)],
            "probability": result["probability"].to_numpy(dtype=np.float64).round(4),
        }
    )
    return pairs.sort_values(["probability", "id_a", "id_b"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def write_pairs(pairs: pd.DataFrame, target: IO[str]) -> None:
    pairs.to_csv(target, index=False, columns=["id_a", "id_b", "probability"], float_format="%.4f")


def registry_frame(user: User) -> pd.DataFrame:
    """The persons a user may review, as records keyed by Amparo ID."""
    persons = reviewable_persons(user)
    rows = list(PersonKey.objects.filter(person__in=persons).values("person_id", *RECORD_FIELDS))
    amparo_ids = dict(
        Person.objects.filter(pk__in=[row["person_id"] for row in rows]).values_list("pk", "amparo_id")
    )
    frame = records_frame(rows)
    frame.insert(0, "id", [amparo_ids[row["person_id"]] for row in rows])
    frame["person_id"] = [row["person_id"] for row in rows]
    return frame


@transaction.atomic
def file_job_start(
    *,
    actor: User,
    mode: str,
    file_a: UploadedFile,
    file_b: UploadedFile | None = None,
    threshold: float = 0.5,
) -> FileLinkJob:
    """Check the files, store them and queue the linkage (the page then polls the job)."""
    if not access.has_permission(actor, Permission.MATCHING_REVIEW) or actor.home_unit is None:
        raise PermissionDeniedError("not allowed")
    read_records(file_a, name=file_a.name or "file A")
    file_a.seek(0)
    if mode == FileMode.LINK:
        if file_b is None:
            raise _invalid("a second file is needed to link two files")
        read_records(file_b, name=file_b.name or "file B")
        file_b.seek(0)
    job = FileLinkJob(
        mode=mode,
        threshold=threshold,
        org_unit=actor.home_unit,
        started_by=actor,
        file_a_name=(file_a.name or "a.csv")[:200],
        file_b_name=(file_b.name or "b.csv")[:200] if file_b is not None and mode == FileMode.LINK else "",
    )
    job.file_a.save("a.csv", file_a, save=False)
    if file_b is not None and mode == FileMode.LINK:
        job.file_b.save("b.csv", file_b, save=False)
    job.full_clean(exclude=["result", "file_b"])
    job.save()
    audit.record(
        actor=actor,
        action=AuditAction.MATCHING_FILE_LINKED,
        target=job,
        extra={"mode": mode, "threshold": threshold, "stage": "started"},
    )
    transaction.on_commit(lambda: file_link_run.enqueue(job.pk))
    return job


class _Reporter:
    def __init__(self, job_id: int):
        self.job_id, self.last = job_id, 0.0

    def __call__(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if now - self.last >= 1.0 or fraction >= 1.0:
            self.last = now
            FileLinkJob.objects.filter(pk=self.job_id).update(progress=min(fraction, 0.99), stage=stage)


def file_job_run(*, job_id: int) -> FileLinkJob | None:
    claimed = FileLinkJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    if not claimed:
        return None
    job = FileLinkJob.objects.select_related("started_by").get(pk=job_id)
    try:
        _run(job)
    except Exception as error:  # the page shows why; the worker logs the trace
        logger.exception("file job %s failed", job_id)
        FileLinkJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            error=str(getattr(error, "message", error))[:2000],
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def _run(job: FileLinkJob) -> None:
    with job.file_a.open("rb") as handle:
        frame_a = read_records(handle, name=job.file_a_name)
    frame_b = None
    shown: list[int] = []
    if job.mode == FileMode.LINK:
        with job.file_b.open("rb") as handle:
            frame_b = read_records(handle, name=job.file_b_name)
    elif job.mode == FileMode.REGISTRY:
        frame_b = registry_frame(job.started_by)
    mode = FileMode.DEDUPE if job.mode == FileMode.DEDUPE else FileMode.LINK
    pairs = match_records(mode, frame_a, frame_b, threshold=job.threshold, progress=_Reporter(job.pk))
    if job.mode == FileMode.REGISTRY and frame_b is not None:
        person_of = dict(zip(frame_b["id"], frame_b["person_id"], strict=True))
        shown = sorted({int(person_of[amparo_id]) for amparo_id in pairs["id_b"]})
    buffer = io.StringIO()
    write_pairs(pairs, buffer)
    job.result.save(f"pairs-{job.pk}.csv", ContentFile(buffer.getvalue().encode("utf-8")), save=False)
    FileLinkJob.objects.filter(pk=job.pk).update(
        result=job.result.name,
        status=JobStatus.DONE,
        progress=1.0,
        stage="done",
        rows_a=len(frame_a),
        rows_b=len(frame_b) if frame_b is not None else 0,
        pairs_found=len(pairs),
        finished_at=timezone.now(),
    )
    if shown:
        audit.record(
            actor=job.started_by,
            action=AuditAction.MATCHING_FILE_LINKED,
            target=job,
            extra={"mode": job.mode, "stage": "done", "shown": shown},
        )


def result_rows(job: FileLinkJob, limit: int = 20) -> list[dict[str, Any]]:
    if not job.result:
        return []
    with job.result.open("rb") as handle:
        return list(csv.DictReader(io.StringIO(handle.read().decode("utf-8"))))[:limit]
