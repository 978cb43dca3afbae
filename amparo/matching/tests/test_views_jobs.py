"""Job pages: start a duplicate search, follow its progress, upload files and download pairs."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amparo.matching.choices import JobStatus
from amparo.matching.models import DedupeJob, FileLinkJob
from amparo.matching.tests.conftest import register
from amparo.matching.tests.support import client_as

CSV = b"""id,given_names,first_surname,second_surname,date_of_birth
1,Jose,Perez,Ruiz,01/02/1990
2,Pepe,Peres,Ruis,1990-02-01
3,Ana,Quispe,,05/05/2001
"""


def test_start_a_search_and_follow_it(matching, django_capture_on_commit_callbacks):
    client = client_as(matching.reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:dedupe_list"))
    job = DedupeJob.objects.get()
    assert response["Location"] == reverse("matching:dedupe_job", args=[job.pk])

    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()

    assert 'data-testid="job-status">Finished<' in fragment
    assert "hx-trigger" not in fragment


def test_a_running_job_page_polls(matching):
    job = DedupeJob.objects.create(
        org_unit=matching.unit_a, started_by=matching.reviewer_a, status=JobStatus.RUNNING, progress=0.4
    )
    html = client_as(matching.reviewer_a).get(reverse("matching:dedupe_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert '<progress value="40" max="100"' in html


@pytest.mark.parametrize(
    ("persona", "status"), [("reviewer_a", 200), ("reviewer_b", 404), ("caseworker_a", 404)]
)
def test_job_page_by_persona(matching, persona, status):
    job = DedupeJob.objects.create(org_unit=matching.unit_a, started_by=matching.reviewer_a)
    assert (
        client_as(getattr(matching, persona)).get(reverse("matching:dedupe_job", args=[job.pk])).status_code
        == status
    )


def test_upload_a_file_and_download_its_pairs(matching, django_capture_on_commit_callbacks):
    client = client_as(matching.reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matching:file_list"),
            {
                "mode": "dedupe",
                "threshold": "0.5",
                "file_a": SimpleUploadedFile("personas.csv", CSV, "text/csv"),
            },
        )
    job = FileLinkJob.objects.get()
    assert (response.status_code, job.status, job.pairs_found) == (302, JobStatus.DONE, 1)

    download = client.get(reverse("matching:file_download", args=[job.pk]))

    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [(row["id_a"], row["id_b"]) for row in rows] == [("1", "2")]
    assert (
        client_as(matching.reviewer_mx).get(reverse("matching:file_download", args=[job.pk])).status_code
        == 404
    )


def test_link_a_file_to_the_registry_names_only_reachable_persons(
    matching, django_capture_on_commit_callbacks
):
    jose = register(matching.caseworker_a, matching.unit_a, "José", "Pérez", "Ruiz", born=None)
    hidden = register(matching.caseworker_b, matching.unit_b, "Ana", "Quispe", "", born=None)
    with django_capture_on_commit_callbacks(execute=True):
        client_as(matching.reviewer_a).post(
            reverse("matching:file_list"),
            {"mode": "registry", "threshold": "0.5", "file_a": SimpleUploadedFile("p.csv", CSV, "text/csv")},
        )
    job = FileLinkJob.objects.get()
    with job.result.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode())))
    assert {row["id_b"] for row in rows} <= {jose.amparo_id}
    assert hidden.amparo_id not in {row["id_b"] for row in rows}


def test_a_file_without_ids_is_refused_with_a_message(matching):
    response = client_as(matching.reviewer_a).post(
        reverse("matching:file_list"),
        {
            "mode": "dedupe",
            "threshold": "0.5",
            "file_a": SimpleUploadedFile("x.csv", b"name\nAna\n", "text/csv"),
        },
    )
    assert response.status_code == 400
    assert "the header has no &#x27;id&#x27; column" in response.content.decode()
    assert FileLinkJob.objects.exists() is False
