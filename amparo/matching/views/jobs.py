"""Background jobs with a progress bar: duplicate searches over the registry, file linkage."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render

from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.audit import services as audit
from amparo.audit.choices import AuditAction
from amparo.common.errors import ApplicationError
from amparo.matching import selectors, services
from amparo.matching.choices import FileMode, JobStatus
from amparo.matching.forms import FileLinkForm
from amparo.matching.services.files import result_rows
from amparo.matching.views.common import AuthenticatedRequest, is_partial, page_slice


@login_required
def dedupe_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.MATCHING_REVIEW))
    if request.method == "POST":
        job = services.dedupe_job_start(actor=user, learn_parameters=request.POST.get("learn") == "on")
        return redirect("matching:dedupe_job", job.pk)
    jobs, number, has_next = page_slice(request, selectors.dedupe_jobs(user=user))
    running = any(job.status in (JobStatus.QUEUED, JobStatus.RUNNING) for job in jobs)
    return render(
        request,
        "matching/dedupe_list.html",
        {"jobs": jobs, "page": number, "has_next": has_next, "running": running},
    )


@login_required
def dedupe_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = selectors.dedupe_job_get(user=request.user, job_id=pk)
    template = "matching/dedupe_job.html#progress" if is_partial(request) else "matching/dedupe_job.html"
    return render(request, template, {"job": job})


@login_required
def file_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.has_permission(user, Permission.MATCHING_REVIEW))
    form = FileLinkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.file_job_start(
                actor=user,
                mode=form.cleaned_data["mode"],
                file_a=form.cleaned_data["file_a"],
                file_b=form.cleaned_data.get("file_b"),
                threshold=form.cleaned_data["threshold"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("matching:file_job", job.pk)
    jobs, number, has_next = page_slice(request, selectors.file_jobs(user=user))
    return render(
        request,
        "matching/file_list.html",
        {"form": form, "jobs": jobs, "page": number, "has_next": has_next, "modes": FileMode},
        status=400 if form.errors else 200,
    )


@login_required
def file_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = selectors.file_job_get(user=request.user, job_id=pk)
    context = {"job": job, "preview": result_rows(job) if job.status == JobStatus.DONE else []}
    template = "matching/file_job.html#progress" if is_partial(request) else "matching/file_job.html"
    return render(request, template, context)


@login_required
def file_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    job = selectors.file_job_get(user=request.user, job_id=pk)
    access.require(job.status == JobStatus.DONE and bool(job.result))
    audit.record(
        actor=request.user, action=AuditAction.MATCHING_FILE_LINKED, target=job, extra={"stage": "downloaded"}
    )
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=f"pairs-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
