"""Documents off the request path: each version of a plan rendered once, by the worker.

A web request never draws a document. It asks for one (`plan_document`,
`plans_document`): if a file for exactly this content
exists, it is served from storage; if not, a `Document` is recorded and the worker
(plans/tasks.py) renders it while the page polls its progress. The key of a
document names its content — the plan's version and the rendering code's version,
or for many plans each plan's version — so the second download of an unchanged
plan is a file read, ten people asking for the same region archive share one
render, and any edit makes a new key.

A render writes to a temporary file first and is stored only whole: a failed
render leaves a Russian message and no file. Old renders are pruned
(`prune_documents`).
"""

import hashlib
import logging
import tempfile
import zipfile
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from plans.documents.formats import export_filename
from plans.models import Document, DocumentKind, DocumentStatus, Plan, PlanSubmission, SchoolYear
from profplan import storage
from profplan.digest import source_digest
from profplan.outbox import work as leases
from profplan.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)

PLAN_FORMATS = {
    "pdf": DocumentKind.PLAN_PDF,
    "docx": DocumentKind.PLAN_DOCX,
    "xlsx": DocumentKind.PLAN_XLSX,
}
TEMPLATE_FORMATS = {"pdf": DocumentKind.TEMPLATE_PDF, "docx": DocumentKind.TEMPLATE_DOCX}
RENDER_FAILED = "Не удалось сформировать документ. Попробуйте ещё раз; если ошибка повторится, сообщите в региональный центр."
STORAGE_DOWN = (
    "Не удалось сохранить документ: хранилище файлов недоступно. Попробуйте через несколько минут."
)
# A render that stopped its worker three times (profplan/outbox), or ran out of the
# memory the worker is allowed (DJANGO_WORKER_MEMORY_MB).
TOO_BIG = (
    "Документ не удалось сформировать: план слишком велик для обработчика (формирование "
    "прерывалось, не хватило памяти). Сообщите в региональный центр."
)

# Everything a document's content depends on besides the data: a change to any
# of these files is a new rendering-code version, so stored files of the old one
# are never served again.
_RENDER_SOURCES = (
    "plans/documents/formats",
    "plans/numbering.py",
    "plans/fields.py",
    "plans/documents/queue.py",
    "plans/regional_template/document.py",
    "plans/regional_template/docx.py",
    "plans/regional_template/pdf.py",
    "plans/templatetags",
    "templates/plans/pdf",
    "static/css/pdf.css",
)


@cache
def code_version() -> str:
    return source_digest(*_RENDER_SOURCES)


def _key(*parts) -> str:
    return hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()


def _request(*, key: str, by, **fields) -> Document:
    """The document with this key, recorded and queued if it is new (or failed before)."""
    from plans.tasks import render_document

    document = Document.objects.filter(key=key).first()
    if document is None:
        try:
            with transaction.atomic():
                document = Document.objects.create(key=key, requested_by=by, **fields)
        except IntegrityError:  # somebody asked for the same file a moment earlier
            return Document.objects.get(key=key)
    elif document.status == DocumentStatus.FAILED:
        # Asking again after a failure tries again.
        document_retry(document=document)
        return document
    else:
        return document
    enqueue_after_commit(render_document, document.pk)
    return document


def document_retry(*, document: Document) -> None:
    """A failed document queued again («Сформировать заново»), with its three starts
    counted afresh."""
    from plans.tasks import render_document

    if not Document.objects.filter(pk=document.pk, status=DocumentStatus.FAILED).update(
        status=DocumentStatus.QUEUED, error="", done=0
    ):
        return
    leases.lease_release(f"document:{document.pk}")
    document.refresh_from_db()
    enqueue_after_commit(render_document, document.pk)


def _plan_file(plan: Plan, fmt: str) -> tuple[str, dict]:
    """The key and the fields of the Document holding `plan`'s current version in `fmt`."""
    kind = PLAN_FORMATS[fmt]
    return _key(kind, plan.pk, plan.version, code_version()), {
        "kind": kind,
        "plan": plan,
        "plan_version": plan.version,
        "year_id": plan.year_id,
        "filename": export_filename(plan, fmt),
    }


def plan_document(*, plan: Plan, fmt: str, by) -> Document:
    """The plan's current version in `fmt` («pdf», «docx», «xlsx»)."""
    key, fields = _plan_file(plan, fmt)
    return _request(key=key, by=by, **fields)


def template_document(*, year: SchoolYear, fmt: str, by) -> Document:
    """The year's regional template (preamble and Table 1) in `fmt` («pdf», «docx»),
    as it is now: keyed by the year's reference revision, which every edit of the
    template moves (plans/signals.py)."""
    from plans.regional_template.document import template_filename

    kind = TEMPLATE_FORMATS[fmt]
    return _request(
        key=_key(kind, year.pk, year.reference_revision, code_version()),
        by=by,
        kind=kind,
        year=year,
        filename=template_filename(year, fmt),
    )


def render_template_bytes(year: SchoolYear, fmt: str) -> bytes:
    from plans.regional_template.document import template_context

    context = template_context(year)
    if fmt == "pdf":
        from plans.regional_template.pdf import template_pdf

        return template_pdf(context)
    from plans.regional_template.docx import template_docx

    return template_docx(context)


# The documents of many plans: what each is called («… КБР 2023-2024.zip», the year's
# region's short name).
MANY_PLANS = {
    DocumentKind.ARCHIVE: ("Планы профориентации", "zip"),
    DocumentKind.CONSOLIDATED: ("Сводная таблица планов", "xlsx"),
}


def plans_document(kind, *, plans, by, year=None, municipality=None, selected=False) -> Document:
    """A document of many plans: «Все планы одним архивом» (a ZIP of each plan's PDF
    and DOCX, in folders by municipality) or the consolidated workbook. `plans` is
    already scoped to what `by` may see: a year's plans of the region or of a
    municipality, or the plans `by` selected in the admin (`selected`)."""
    versions = list(plans.order_by("pk").values_list("pk", "version"))
    scope = f"selected-by-{by.pk}" if selected else municipality.pk if municipality else "region"
    marks = ""
    if kind == DocumentKind.CONSOLIDATED:
        # The workbook shows the execution, which marks change without a new plan
        # version: the latest mark and their number are part of its content.
        from django.db.models import Count, Max

        from plans.models import RowExecution

        marks = RowExecution.objects.filter(row__plan__in=plans).aggregate(
            latest=Max("updated_at"), count=Count("pk")
        )
    if selected:
        name = f"выбранные {timezone.localdate():%Y-%m-%d}"
    else:
        name = f"{municipality.name if municipality else year.region.short_name} {year.title}"
    stem, extension = MANY_PLANS[kind]
    return _request(
        key=_key(kind, year.pk if year else "", scope, versions, marks, code_version()),
        by=by,
        kind=kind,
        year=year,
        municipality=municipality,
        plan_ids=[pk for pk, _ in versions] if selected else [],
        total=max(1, len(versions)),
        filename=f"{_safe(f'{stem} {name}')}.{extension}",
    )


def _safe(stem: str) -> str:
    from plans.documents.formats import _UNSAFE

    return _UNSAFE.sub("_", stem).strip("_")


def document_plans(document: Document):
    """The plans a document of many plans holds, in the order they are written."""
    if document.plan_ids:
        plans = Plan.objects.filter(pk__in=document.plan_ids)
    else:
        plans = Plan.objects.filter(year_id=document.year_id)
        if document.municipality_id:
            plans = plans.filter(school__municipality_id=document.municipality_id)
    return plans.order_by("school__municipality__name", "school__short_name", "pk")


# --- what the worker runs -----------------------------------------------------


def render_plan_bytes(plan: Plan, fmt: str) -> bytes:
    """`plan` from `Plan.objects.for_editor()`."""
    if fmt == "pdf":
        from plans.documents.formats.pdf import plan_pdf

        return plan_pdf(plan)
    if fmt == "docx":
        from plans.documents.formats.docx import plan_docx

        return plan_docx(plan)
    from plans.documents.formats.xlsx import plan_xlsx

    return plan_xlsx(plan)


def document_render(*, document_id: int) -> Document | None:
    """Render a queued document and store it whole; on failure record the message.

    Claimed with a conditional update, so two workers never render the same one,
    and under a lease (profplan/outbox) taken in the same transaction: a worker
    killed mid-render leaves the lease to go stale, and the worker loop queues the
    document again (`document_recover`). Running it twice harms nothing: the same
    key, the same file name (replaced), one record."""
    from plans.tasks import render_document

    key = f"document:{document_id}"
    with transaction.atomic():
        claimed = Document.objects.filter(pk=document_id, status=DocumentStatus.QUEUED).update(
            status=DocumentStatus.RUNNING
        )
        if claimed:
            leases.lease_claim(
                key=key,
                task_=render_document,
                args=[document_id],
                recover=_path(document_recover),
                free=False,
            )
    if not claimed:
        return None
    document = Document.objects.get(pk=document_id)
    try:
        with leases.heartbeat(key), tempfile.TemporaryFile() as output:
            if document.plan_id:
                fmt = next(f for f, kind in PLAN_FORMATS.items() if kind == document.kind)
                plan = Plan.objects.for_editor().get(pk=document.plan_id)
                output.write(render_plan_bytes(plan, fmt))
            elif document.kind in TEMPLATE_FORMATS.values():
                fmt = next(f for f, kind in TEMPLATE_FORMATS.items() if kind == document.kind)
                year = SchoolYear.objects.get(pk=document.year_id)
                output.write(render_template_bytes(year, fmt))
            elif document.kind == DocumentKind.ARCHIVE:
                _write_archive(document, output)
            else:
                _write_consolidated(document, output)
            output.seek(0)
            _store_replacing(document.file, document.filename, File(output))
            document.size = document.file.size
    except Exception as error:
        store_down = storage.is_unavailable(error)
        if store_down:
            logger.warning("document %s: the file store did not answer", document.pk)
        else:
            logger.exception("document %s (%s) failed", document.pk, document.kind)
        if document.file:
            _delete_quietly(document.file)
        if store_down and leases.lease_retry_later(key):
            Document.objects.filter(pk=document.pk).update(status=DocumentStatus.QUEUED, file="")
            return None
        Document.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED,
            error=_failure_message(error),
            file="",
            finished_at=timezone.now(),
        )
        leases.lease_release(key)
        return None
    document.status = DocumentStatus.READY
    document.finished_at = timezone.now()
    document.done = document.total
    document.save(update_fields=["file", "size", "status", "finished_at", "done"])
    leases.lease_release(key)
    if document.plan_id:
        _prune_superseded(document)
    return document


def _path(function) -> str:
    """The dotted path a lease keeps to call `function` from another process."""
    return f"{function.__module__}.{function.__qualname__}"


def document_recover(document_id: int, *, give_up: bool) -> None:
    """The worker rendering this document stopped (profplan/outbox's reaper): put
    it back in the queue, or after three such stops mark it failed for good."""
    running = Document.objects.filter(pk=document_id, status=DocumentStatus.RUNNING)
    if give_up:
        running.update(
            status=DocumentStatus.FAILED, error=TOO_BIG, file="", finished_at=timezone.now()
        )
    else:
        running.update(status=DocumentStatus.QUEUED)


def _failure_message(error: Exception) -> str:
    if isinstance(error, MemoryError):
        return TOO_BIG
    if storage.is_unavailable(error):
        return STORAGE_DOWN
    return RENDER_FAILED


def _delete_quietly(field) -> None:
    try:
        field.delete(save=False)
    except Exception:  # the store is down: an orphan file under a name reused next time
        logger.warning("could not delete %s", field.name)


def _store_replacing(field, filename: str, content) -> None:
    """Save under the field's own name for this record, replacing a file an earlier,
    cut-off attempt left there: a storage that never overwrites (S3 with
    file_overwrite off, the file system) would otherwise keep both under two names."""
    name = field.field.generate_filename(field.instance, filename)
    if field.storage.exists(name):
        field.storage.delete(name)
    field.name = field.storage.save(name, content, max_length=field.field.max_length)


def _progress(document: Document, done: int) -> None:
    Document.objects.filter(pk=document.pk).update(done=done)


def _stored_plan_file(plan: Plan, fmt: str, by) -> bytes:
    """A plan's file for an archive: the stored render when there is one (and it is
    stored for next time when there is not), so an archive costs no more than the
    single downloads it replaces."""
    key, fields = _plan_file(plan, fmt)
    existing = Document.objects.filter(key=key, status=DocumentStatus.READY).first()
    if existing is not None and existing.file:
        with existing.file.open("rb") as stored:
            return stored.read()
    data = render_plan_bytes(plan, fmt)
    document, _ = Document.objects.get_or_create(key=key, defaults={**fields, "requested_by": by})
    if document.status != DocumentStatus.READY:
        document.file.save(document.filename, ContentFile(data), save=False)
        document.size = len(data)
        document.status = DocumentStatus.READY
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "size", "status", "finished_at"])
    return data


def _write_archive(document: Document, output) -> None:
    plans = list(document_plans(document).values_list("pk", flat=True))
    names: set[str] = set()
    # PDF and DOCX are compressed already: storing them is as small and far faster.
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, pk in enumerate(plans, start=1):
            plan = Plan.objects.for_editor().get(pk=pk)
            folder = _safe(plan.school.municipality.name)
            stem = _safe(plan.school.short_name) or f"school-{plan.school_id}"
            name = f"{folder}/{stem}"
            if name in names:  # two schools of the same short name
                name = f"{name}_{plan.school_id}"
            names.add(name)
            for fmt in ("pdf", "docx"):
                archive.writestr(
                    f"{name}.{fmt}", _stored_plan_file(plan, fmt, document.requested_by)
                )
            _progress(document, done)


def _write_consolidated(document: Document, output) -> None:
    from plans.documents.formats.consolidated import write_region_xlsx

    write_region_xlsx(document_plans(document), output)


def _prune_superseded(document: Document) -> None:
    """Files of the plan's older versions in the same format are never served again."""
    for old in Document.objects.filter(plan_id=document.plan_id, kind=document.kind).exclude(
        pk=document.pk
    ):
        document_delete(document=old)


def document_delete(*, document: Document) -> None:
    if document.file:
        document.file.delete(save=False)
    document.delete()


def documents_prune(*, now=None) -> int:
    """Delete documents nobody has used for DOCUMENTS_KEEP_DAYS, and renders stuck
    «running» for a day (a worker killed mid-render). Returns how many."""
    now = now or timezone.now()
    old = now - timedelta(days=settings.DOCUMENTS_KEEP_DAYS)
    stale = Document.objects.filter(
        models.Q(used_at__lt=old)
        | models.Q(used_at=None, created_at__lt=old)
        | models.Q(status=DocumentStatus.RUNNING, created_at__lt=now - timedelta(days=1))
    )
    count = 0
    for document in stale:
        document_delete(document=document)
        count += 1
    return count


# `used_at` serves the pruning, which counts in days: marking a file once an hour
# is enough, and most downloads then write nothing (on SQLite a write takes the
# database's one lock; `pdf_cached_ratio` of `make bench`).
USED_AT_PRECISION = timedelta(hours=1)


def document_used(document: Document) -> None:
    now = timezone.now()
    if document.used_at is None or document.used_at < now - USED_AT_PRECISION:
        Document.objects.filter(pk=document.pk).update(used_at=now)


# --- the frozen copies of a submission -----------------------------------------


def submission_render(*, submission_id: int, approved: bool = False) -> PlanSubmission | None:
    """Draw the frozen PDF of a submission (or its approved copy) from what the
    submission recorded, and store it. Idempotent: a stored file is kept, and a
    second worker finds the lease held and leaves it (profplan/outbox: a worker
    killed meanwhile has its render queued again by `submission_recover`)."""
    from plans.documents.formats.pdf import context_from_json, render_pdf
    from plans.tasks import render_submission

    submission = (
        PlanSubmission.objects.select_related("plan__year").filter(pk=submission_id).first()
    )
    if submission is None or not submission.document:
        return None
    field = submission.approved_pdf if approved else submission.pdf
    if field:
        return submission
    key = submission_lease_key(submission_id, approved)
    with transaction.atomic():
        started = leases.lease_claim(
            key=key,
            task_=render_submission,
            args=[submission_id, approved],
            recover=_path(submission_recover),
        )
    if started is None:
        return None
    context = context_from_json(submission.document)
    if approved:
        context |= {
            "draft": False,
            "status": "утверждён",
            "approved_on": timezone.localtime(submission.approved_at).date(),
        }
    try:
        with leases.heartbeat(key):
            data = render_pdf(context)
            _store_replacing(field, "submission.pdf", ContentFile(data))
    except Exception as error:
        if storage.is_unavailable(error):
            logger.warning("submission %s: the file store did not answer", submission.pk)
            if leases.lease_retry_later(key):
                return None
        else:
            logger.exception("submission %s: PDF failed", submission.pk)
        PlanSubmission.objects.filter(pk=submission.pk).update(render_error=_failure_message(error))
        leases.lease_release(key)
        return None
    name_field = "approved_pdf" if approved else "pdf"
    PlanSubmission.objects.filter(pk=submission.pk).update(
        **{name_field: field.name, "render_error": ""}
    )
    leases.lease_release(key)
    return submission


def submission_lease_key(submission_id: int, approved: bool) -> str:
    return f"submission:{submission_id}:{'approved' if approved else 'pdf'}"


def submission_recover(submission_id: int, approved: bool = False, *, give_up: bool) -> None:
    """The worker drawing this frozen PDF stopped: it is queued again as it is (the
    render keeps nothing half-done), or after three stops marked failed for good."""
    if give_up:
        PlanSubmission.objects.filter(pk=submission_id).update(render_error=TOO_BIG)


def submission_rerender(*, submission: PlanSubmission, approved: bool = False) -> None:
    """«Сформировать заново» after a failed frozen PDF."""
    from plans.tasks import render_submission

    PlanSubmission.objects.filter(pk=submission.pk).update(render_error="")
    leases.lease_release(submission_lease_key(submission.pk, approved))
    enqueue_after_commit(render_submission, submission.pk, approved)
