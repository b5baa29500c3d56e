"""The plan's пояснительная записка: prefilled from the template's preamble when the
plan is started, then the school's own text, printed before Table 1."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from ..fields import EXPLANATORY_NOTE_MAX_LENGTH
from ..models import BlockKind, Plan, SchoolYear, TemplateBlock
from .rows import plan_touch

# Footnote marks (¹ ² ³) refer to the template's footnotes, which the note leaves out.
_FOOTNOTE_MARKS = re.compile("[\u00b9\u00b2\u00b3\u2070-\u2079]")
# The template speaks of itself («Реализация примерного плана…»); the note speaks of
# the school's plan.
_TEMPLATE_WORDS = re.compile(r"(?<![\w-])([Пп])римерн(?:ый|ого|ому|ым|ом) план")
# How many paragraphs of the preamble: the purpose and the levels, in the seed's order.
PREFILL_PARAGRAPHS = 2


def note_from_template(*, year: SchoolYear, school_name: str = "") -> str:
    """A short note from the year's preamble (one query): a line naming the plan and
    the year, then the preamble's first paragraphs that are not the lead-in to a
    list («разработан с учётом:», «…управленческим циклом:») — in the seed the
    purpose and the three levels with their hours. The list of federal letters, the
    footnote, the cycle and the contacts are the centre's document, not the school's."""
    paragraphs = [
        text
        for text in TemplateBlock.objects.filter(year=year, kind=BlockKind.PARAGRAPH)
        .order_by("order", "pk")
        .values_list("text", flat=True)
        if not text.rstrip().endswith(":")
    ][:PREFILL_PARAGRAPHS]
    if not paragraphs:
        return ""
    whose = f" {school_name}" if school_name else ""
    lead = (
        f"План{whose} на {year.title} учебный год составлен на основе примерного плана "
        "регионального центра."
    )
    body = [
        _TEMPLATE_WORDS.sub(lambda match: f"{match[1]}лан", _FOOTNOTE_MARKS.sub("", text))
        for text in paragraphs
    ]
    return "\n".join([lead, *(" ".join(text.split()) for text in body)])


@transaction.atomic
def plan_note_update(*, plan: Plan, text: str, version: int | None) -> Plan:
    """The school's note: a write like any edit of the plan (its version moves, the
    editor's page and documents are drawn anew; the history keeps the old text)."""
    text = text.strip()
    if len(text) > EXPLANATORY_NOTE_MAX_LENGTH:
        raise ValidationError(
            f"Пояснительная записка длиннее {EXPLANATORY_NOTE_MAX_LENGTH} знаков: сократите её."
        )
    plan_touch(plan=plan, version=version)
    plan.explanatory_note = text
    plan.save(update_fields=["explanatory_note"])
    return plan
