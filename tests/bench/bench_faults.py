"""The worst legitimate plan: 300 school rows (besides the template's fixed
activities), all levels in use; the rows added to the seed's own (259 of the 300
today: `worst_case_long_rows`) have every text cell (activity, responsible,
documents, results) as long as the form allows (plans.fields.CELL_MAX_LENGTH, 2,000
characters today). The worker renders it, one format after the other, in this
process (`document_render`):

- `pdf_worst_case_s`, `docx_worst_case_s`: wall seconds of the PDF, of the DOCX;
  `pdf_worst_case_mb`, `docx_worst_case_mb`: the files' sizes (MB, 10^6 bytes).
- `worst_case_rows`, `worst_case_long_rows`, `worst_case_cell_chars`: the plan
  rendered, so the figures above say which plan they are of: its school rows, those
  of them with every text cell at the limit, and that limit.
- `worker_peak_mb`: the peak resident memory of the whole bench process (RSS,
  `ru_maxrss`, MiB) by the end of these renders: the worker's work included, and
  everything the modules before it did in the same process too (it is an upper
  bound of what a worker needs for this plan, not Python allocations alone).

No web request ever waits for it (docs/scaling.md)."""

import resource
import time

from .common import size

ROWS = size(300, 0)  # school rows; the smoke run adds only two long rows to the seed's
FIGURES = (
    "worst_case_rows",
    "worst_case_long_rows",
    "worst_case_cell_chars",
    "pdf_worst_case_s",
    "pdf_worst_case_mb",
    "docx_worst_case_s",
    "docx_worst_case_mb",
    "worker_peak_mb",
)


def _worst_case_text(length: int) -> str:
    sentence = "Экскурсия на предприятие и профессиональная проба для обучающихся 8–9 классов. "
    return (sentence * (length // len(sentence) + 1))[:length]


def run():
    from plans.documents import queue
    from plans.fields import CELL_MAX_LENGTH
    from tests.bench.bench_exports import _plan_with_rows
    from tests.plans.export_data import fill_rows

    plan = _plan_with_rows(0)
    text = _worst_case_text(CELL_MAX_LENGTH)
    fill_rows(
        plan,
        max(ROWS - plan.rows.filter(fixed_item=None).count(), size(0, 2)),
        activity=text,
        responsible=text,
        documents=text,
        results=text,
        period="в течение года",
    )
    yield "worst_case_rows", plan.rows.filter(fixed_item=None).count()
    yield "worst_case_long_rows", plan.rows.filter(activity=text).count()
    yield "worst_case_cell_chars", CELL_MAX_LENGTH
    for fmt in ("pdf", "docx"):
        document = queue.plan_document(plan=plan, fmt=fmt, by=None)
        started = time.perf_counter()
        queue.document_render(document_id=document.pk)
        elapsed = time.perf_counter() - started
        document.refresh_from_db()
        yield f"{fmt}_worst_case_s", round(elapsed, 2)
        yield f"{fmt}_worst_case_mb", round((document.size or 0) / 1e6, 2)
    # ru_maxrss is in KiB on Linux: the bench process's peak, the worker's work included.
    yield "worker_peak_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
