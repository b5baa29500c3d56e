"""The editor's line of Table 1 as HTML, written in Python, from the `TableRow` that every
document prints (plans/documents/formats/rows.py), so the screen words a row as the PDF does.

The editor prints a whole plan (300 rows and more) on one page; a Django
template per row cost five times a plain table (`make bench`:
editor_to_table_ratio). This renderer escapes every value with
django.utils.html.escape, like autoescaping would.
"""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _cell(text: str, css: str = "preserve-lines") -> str:
    return f'<td class="{css}">{escape(text)}</td>'


def _actions(number: str, row_pk: int, rows_url: str, entry=None) -> str:
    """The row's buttons: change it; for a school row (`entry` given) also move it up
    or down (disabled where it would not move) and delete it."""
    base = f"{rows_url}{row_pk}/"
    label = escape(number)
    buttons = [
        f'<button type="button" class="btn btn-sm btn-outline-secondary py-0 px-1" title="Изменить" '
        f'aria-label="Изменить строку {label}" hx-get="{base}edit/" hx-target="closest tr" '
        f'hx-swap="outerHTML"><i class="bi bi-pencil"></i></button>'
    ]
    if entry is not None:
        for direction, word, icon, possible, limit in (
            ("up", "выше", "arrow-up", entry.can_move_up, "первая"),
            ("down", "ниже", "arrow-down", entry.can_move_down, "последняя"),
        ):
            state = (
                ""
                if possible
                else f' disabled title="Строка {label} – {limit} в своём пункте плана"'
            )
            title = "" if state else f' title="Переместить {word} (или стрелки ↑ ↓)"'
            buttons.append(
                f'<button type="button" class="btn btn-sm btn-outline-secondary py-0 px-1 js-move" '
                f'data-direction="{direction}"{title}{state} '
                f'aria-label="Переместить строку {label} {word}" '
                f'hx-post="{base}move/" hx-vals=\'{{"direction": "{direction}"}}\' '
                f'hx-target="#plan-table" hx-swap="outerHTML"><i class="bi bi-{icon}"></i></button>'
            )
        buttons.append(
            f'<button type="button" class="btn btn-sm btn-outline-danger py-0 px-1" title="Удалить" '
            f'aria-label="Удалить строку {label}" hx-post="{base}delete/" '
            f'hx-vals=\'{{"number": "{label}"}}\' '
            f'hx-confirm="Удалить строку {label}? Следующие строки будут перенумерованы. '
            f'Удаление можно отменить кнопкой «Вернуть»." '
            f'hx-target="#plan-table" hx-swap="outerHTML"><i class="bi bi-trash"></i></button>'
        )
    return f'<td class="line-actions"><div>{"".join(buttons)}</div></td>'


def line_html(
    entry,
    can_edit: bool,
    rows_url: str = "",
    can_answer: bool = False,
    alone: bool = False,
    can_resolve: bool | None = None,
) -> SafeString:
    """One `Entry` (plans/editor/entries.py) as table rows: its `TableRow`'s printed texts, the
    buttons for the school, the remarks under it.

    `alone`: the row answers a request of its own (saved, or its form cancelled). It
    replaces only the row's own line, or its form; the remarks' line below stays on
    the page, so the remarks come back out of band, in place of that line, not as a
    second copy of it."""
    row = entry.row
    number = escape(row.number)
    columns = 8 if can_edit else 7
    if row.kind == "section":
        return mark_safe(
            f'<tr class="line-section" id="item-{row.item_id}"><td colspan="{columns}">'
            f"{number} {escape(row.activity)}</td></tr>"
        )
    if row.kind == "heading":
        return mark_safe(
            f'<tr class="line-heading" id="item-{row.item_id}"><td class="line-number">{number}</td>'
            f'<td colspan="{columns - 1}">{escape(row.activity)}</td></tr>'
        )
    activity = escape(row.activity)
    if not activity and row.kind == "row":
        activity = '<span class="text-muted fst-italic">не заполнено</span>'
    if entry.in_level_block:
        load = row.load_text
        if load:
            activity += f'<div class="small text-muted load">{escape(load)}</div>'
    links = "".join(
        f'<div><a href="{escape(link)}" rel="noopener noreferrer nofollow" target="_blank">{escape(link)}</a></div>'
        for link in row.link_list
    )
    movable = can_edit and row.kind == "row"
    handle = (
        '<i class="bi bi-grip-vertical drag-handle" title="Перетащите, чтобы переместить строку"'
        ' aria-hidden="true"></i>'
        if movable
        else ""
    )
    cells = [
        f'<td class="line-number">{handle}{number}</td>',
        f'<td class="preserve-lines">{activity}</td>',
        _cell(row.period),
        _cell(row.responsible),
        _cell(row.documents),
        f'<td class="small links">{links}</td>',
        _cell(row.results),
    ]
    if can_edit:
        cells.append(_actions(row.number, row.row_id, rows_url, entry if movable else None))
    data = f' data-stamp="{entry.stamp}"'
    if movable:
        data += f' data-parent="{row.item_id}" data-movable'
    return mark_safe(
        f'<tr id="row-{row.row_id}" class="line-{row.kind}" data-number="{number}"{data}>'
        f"{''.join(cells)}</tr>"
        + comments_html(
            entry.plan_id,
            row.row_id,
            entry.comments,
            can_answer,
            columns,
            oob=alone,
            can_resolve=can_resolve,
        )
    )


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "d.m.Y H:i")


def comments_html(
    plan_pk: int,
    row_pk: int,
    comments,
    can_answer: bool,
    columns: int = 8,
    oob: bool = False,
    can_resolve: bool | None = None,
) -> str:
    """The regional centre's remarks under a row, with the school's answers; the school
    (`can_answer`) also gets the buttons to answer and (`can_resolve`, by default as
    `can_answer`) to mark a remark resolved. `comments` come from `comment_threads()`,
    which signs them for the reader."""
    if can_resolve is None:
        can_resolve = can_answer
    if not comments:
        return ""
    base = f"/plans/{plan_pk}/comments/"
    parts = []
    for comment in comments:
        answers = "".join(
            f'<div class="ms-3 small"><span class="text-muted">{escape(a.signed or "—")}, '
            f"{_when(a.created_at)}:</span> {escape(a.text)}</div>"
            for a in comment.answers
        )
        state = reply = ""
        if comment.resolved_at:
            state = '<span class="badge text-bg-success">снят</span>'
        elif can_answer and can_resolve:
            state = (
                f'<button type="button" class="btn btn-sm btn-outline-success py-0" '
                f'hx-post="{base}{comment.pk}/resolve/" hx-target="closest tr" hx-swap="outerHTML">'
                "Отметить как исправленное</button>"
            )
        if not comment.resolved_at and can_answer:
            reply = (
                f'<form class="d-flex gap-1 mt-1" hx-post="{base}{comment.pk}/reply/" '
                'hx-target="closest tr" hx-swap="outerHTML"><input name="text" '
                'class="form-control form-control-sm" aria-label="Ответ на комментарий" '
                'placeholder="Ответ региональному центру" required>'
                '<button class="btn btn-sm btn-outline-primary py-0" type="submit">Ответить</button></form>'
            )
        faded = " opacity-75" if comment.resolved_at else ""
        parts.append(
            f'<div class="comment mb-2{faded}"><div class="small text-muted">'
            f'<i class="bi bi-chat-left-text"></i> {escape(comment.signed or "—")}, '
            f"{_when(comment.created_at)} {state}</div>"
            f'<div class="preserve-lines">{escape(comment.text)}</div>{answers}{reply}</div>'
        )
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<tr class="row-comments" id="comments-{row_pk}"{swap}><td></td>'
        f'<td colspan="{columns - 1}" class="bg-warning-subtle">{"".join(parts)}</td></tr>'
    )
