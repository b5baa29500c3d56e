"""The worst legitimate plan: 300 rows with every text cell as long as the form
allows (plans.fields.CELL_MAX_LENGTH). The worker renders it; `pdf_worst_case_s`
and `worker_peak_mb` are the time and memory it takes (docs/scaling.md). No web
request ever waits for it."""

import resource
import time


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
        300 - plan.rows.filter(fixed_item=None).count(),
        activity=text,
        responsible=text,
        documents=text,
        results=text,
        period="в течение года",
    )
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
