"""The worst case the export must survive: 300 rows with 5,000 characters in each
text cell. `pdf_worst_case_s` must stay well under gunicorn's timeout
(profplan/gunicorn.conf.py), which is sized from this figure."""

import time


def _worst_case_text(length: int = 5000) -> str:
    sentence = "Экскурсия на предприятие и профессиональная проба для обучающихся 8–9 классов. "
    return (sentence * (length // len(sentence) + 1))[:length]


def run():
    from plans.exports.pdf import plan_pdf
    from plans.models import Plan
    from tests.bench.bench_exports import _plan_with_rows
    from tests.plans.export_data import fill_rows

    plan = _plan_with_rows(0)
    text = _worst_case_text()
    fill_rows(
        plan,
        300 - plan.rows.filter(fixed_item=None).count(),
        activity=text,
        responsible=text,
        documents=text,
        results=text,
        period="в течение года",
    )
    plan = Plan.objects.for_editor().get(pk=plan.pk)
    started = time.perf_counter()
    pdf = plan_pdf(plan)
    yield "pdf_worst_case_s", round(time.perf_counter() - started, 2)
    yield "pdf_worst_case_mb", round(len(pdf) / 1e6, 2)
