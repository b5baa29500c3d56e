"""Downloads: a plan in PDF, Word or Excel, the region's archive and workbook.

No view here draws a document (plans/documents/queue.py). A file that is stored is
served from storage; one that is not yet is queued, and the page shows a
progress line that htmx refreshes until the download starts by itself.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from accounts import access
from plans.documents import queue
from plans.documents.formats import export_filename, file_response
from plans.models import Document, DocumentKind, DocumentStatus, Plan, PlanSubmission, SchoolYear
from profplan.outbox.work import MAX_ATTEMPTS, lease_of
from profplan.storage import open_stored


def _visible_document(user, pk) -> Document:
    document = get_object_or_404(Document.objects.select_related("plan"), pk=pk)
    if not access.may_fetch_document(user, document):
        raise Http404
    return document


def _serve(document: Document) -> HttpResponse:
    queue.document_used(document)
    return file_response(open_stored(document.file), document.filename)


def _progress_page(request, context: dict) -> HttpResponse:
    context = {"state": "queued", "percent": 0, "done": 0, "total": 1, "error": ""} | context
    if context["state"] in ("queued", "running") and context.get("lease_key"):
        context["restart"] = _restart(context["lease_key"])
    if request.htmx:
        return render(request, "plans/_document_status.html", context)
    return render(request, "plans/document.html", context)


def _restart(key: str) -> str:
    """What the page says while a render is being done again after its worker
    stopped (profplan/outbox), or while it waits to be: never a silent spinner."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    lease = lease_of(key)
    if lease is None:
        return ""
    if lease.state == "requeued" and lease.reason == "storage":
        return (
            "Хранилище файлов временно недоступно: документ будет сформирован заново "
            f"через минуту (попытка {lease.attempts + 1} из {MAX_ATTEMPTS})."
        )
    if lease.state == "requeued":
        return (
            "Формирование прервалось, документ формируется заново "
            f"(попытка {lease.attempts + 1} из {MAX_ATTEMPTS})."
        )
    silent = timezone.now() - lease.heartbeat_at > timedelta(seconds=settings.RENDER_LEASE_SECONDS)
    if silent:
        return (
            "Формирование прервалось: документ будет сформирован заново, как только "
            "обработчик освободится (обычно в течение двух минут)."
        )
    if lease.attempts > 1:
        return f"Документ формируется заново (попытка {lease.attempts} из {MAX_ATTEMPTS})."
    return ""


def _retry_url(document: Document) -> str:
    """Asking for a failed document again queues it again."""
    if document.plan_id:
        fmt = next(f for f, kind in queue.PLAN_FORMATS.items() if kind == document.kind)
        return reverse(f"plans:export-{fmt}", args=[document.plan_id])
    if document.kind in queue.TEMPLATE_FORMATS.values():
        fmt = next(f for f, kind in queue.TEMPLATE_FORMATS.items() if kind == document.kind)
        return reverse(f"plans:template-export-{fmt}", args=[document.year_id])
    if document.kind == DocumentKind.CONSOLIDATED:
        return f"{reverse('plans:export-region')}?year={document.year_id}"
    return ""  # an archive: «Сформировать заново» posts to document_retry


def _waiting(request, document: Document) -> HttpResponse:
    return _progress_page(
        request,
        {
            "state": document.status,
            "percent": document.percent,
            "done": document.done,
            "total": document.total,
            "error": document.error,
            "title": capfirst(document.get_kind_display()),
            "filename": document.filename,
            "poll_url": document.get_absolute_url(),
            "download_url": reverse("plans:document-download", args=[document.pk]),
            "retry_url": _retry_url(document),
            "retry_post": reverse("plans:document-retry", args=[document.pk]),
            "lease_key": f"document:{document.pk}",
            "back_url": (
                document.plan.get_absolute_url() if document.plan_id else reverse("plans:home")
            ),
        },
    )


@login_required
def plan_export(request, pk, fmt):
    """/plans/<pk>/export.pdf|docx|xlsx: the plan as it is now."""
    plan = get_object_or_404(
        Plan.objects.for_user(request.user).select_related("school", "year"), pk=pk
    )
    document = queue.plan_document(plan=plan, fmt=fmt, by=request.user)
    if document.status == DocumentStatus.READY:
        return _serve(document)
    return redirect(document)


@login_required
def document_detail(request, pk):
    """The progress page of a document; htmx asks it again every second."""
    document = _visible_document(request.user, pk)
    return _waiting(request, document)


@login_required
@require_POST
def document_retry(request, pk):
    """«Сформировать заново» for a failed document of any kind (an archive has no
    address of its own to ask again)."""
    document = _visible_document(request.user, pk)
    if document.status == DocumentStatus.FAILED:
        queue.document_retry(document=document)
    return redirect(document)


@login_required
def document_download(request, pk):
    document = _visible_document(request.user, pk)
    if document.status != DocumentStatus.READY:
        return redirect(document)
    return _serve(document)


def _year_and_scope(request):
    user = request.user
    if not access.may_export_consolidated(user):
        raise PermissionDenied
    year = (
        SchoolYear.objects.for_user(user)
        .select_related("region")
        .requested_or_current(request.POST.get("year") or request.GET.get("year"))
    )
    municipality = user.municipality if access.sees_municipality(user) else None
    return year, municipality, Plan.objects.for_user(user).filter(year=year)


@login_required
@require_POST
def region_archive(request):
    """«Все планы одним архивом»: every plan of the year the user may see."""
    year, municipality, plans = _year_and_scope(request)
    document = queue.plans_document(
        DocumentKind.ARCHIVE, plans=plans, by=request.user, year=year, municipality=municipality
    )
    return redirect(document)


@login_required
def region_export(request):
    """The consolidated workbook of every plan the user may see for a year: the
    whole region for the centre, the municipality's schools for a coordinator."""
    year, municipality, plans = _year_and_scope(request)
    document = queue.plans_document(
        DocumentKind.CONSOLIDATED,
        plans=plans,
        by=request.user,
        year=year,
        municipality=municipality,
    )
    if document.status == DocumentStatus.READY:
        return _serve(document)
    return redirect(document)


@login_required
def submission_pdf(request, pk, number, approved=False):
    """A frozen copy of what was submitted (or approved), as it was then."""
    plan = get_object_or_404(
        Plan.objects.for_user(request.user).select_related("school", "year"), pk=pk
    )
    submission = get_object_or_404(PlanSubmission, plan=plan, number=number)
    if approved and submission.approved_at is None:
        raise Http404
    field = submission.approved_pdf if approved else submission.pdf
    if request.method == "POST":
        # «Сформировать заново» after a failed frozen PDF: anyone who may see it.
        if not field and submission.render_error:
            queue.submission_rerender(submission=submission, approved=approved)
        return redirect(request.path)
    if not field or request.htmx:
        return _progress_page(
            request,
            {
                "state": "ready" if field else "failed" if submission.render_error else "running",
                "error": submission.render_error,
                "poll_url": request.path,
                "download_url": request.path,
                "retry_post": request.path,
                "lease_key": queue.submission_lease_key(submission.pk, approved),
                "title": f"PDF {'утверждённой' if approved else 'сданной'} версии № {number}",
                "filename": str(plan),
                "back_url": plan.get_absolute_url(),
            },
        )
    stem = export_filename(plan, "pdf").removesuffix(".pdf")
    moment = submission.approved_at if approved else submission.submitted_at
    suffix = "утверждён" if approved else "сдан"
    return file_response(open_stored(field), f"{stem}_{suffix}_{moment:%Y-%m-%d}_№{number}.pdf")
