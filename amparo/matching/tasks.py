"""Background work: thin wrappers that take an id and call a service (Django Tasks).

Services enqueue these tasks, so the tasks import their service inside the function (the
HackSoft styleguide's way out of the services ⇄ tasks import cycle)."""

from django.tasks import task


@task
def dedupe_run(job_id: int) -> None:
    from amparo.matching.services.dedupe import dedupe_job_run

    dedupe_job_run(job_id=job_id)


@task
def file_link_run(job_id: int) -> None:
    from amparo.matching.services.files import file_job_run

    file_job_run(job_id=job_id)


@task
def keys_rebuild_run() -> None:
    from amparo.matching.services.keys import person_keys_rebuild

    person_keys_rebuild()
