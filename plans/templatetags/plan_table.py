"""Template tags of Table 1: the editor's line (drawn by plans/editor/row_html.py),
the columns' proportions and the words around the table that every document shares."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from plans.documents.formats.rows import COLUMN_SHARES, DOCUMENT_TITLES
from plans.editor.row_html import line_html

register = template.Library()


@register.simple_tag
def document_titles() -> dict:
    """The words around Table 1 (plans/documents/formats/rows.py): column titles, the headings
    of sections II and V, the indicator table's titles.
    Use: {% document_titles as titles %} … {{ titles.section_ii }}."""
    return DOCUMENT_TITLES


@register.simple_tag
def table_colgroup(can_edit) -> SafeString:
    """Table 1's columns in the Word document's proportions (`COLUMN_SHARES`); the
    school's buttons get a narrow column of their own on the right. With
    `table-layout: fixed` the widths hold whatever the cells contain."""
    total = sum(COLUMN_SHARES)
    cols = "".join(f'<col style="width:{100 * share / total:.2f}%">' for share in COLUMN_SHARES)
    if can_edit:
        cols += '<col class="col-actions">'
    return mark_safe(f"<colgroup>{cols}</colgroup>")


@register.simple_tag
def plan_line(entry, can_edit, rows_url="", can_answer=False, alone=False, answer_rows=()):
    """`answer_rows`: the rows whose remarks this user answers without answering all
    (a team member's assigned rows); they do not mark remarks resolved."""
    if not can_answer and answer_rows and entry.row.row_id in answer_rows:
        return line_html(entry, bool(can_edit), rows_url, True, bool(alone), can_resolve=False)
    return line_html(entry, bool(can_edit), rows_url, bool(can_answer), alone=bool(alone))
