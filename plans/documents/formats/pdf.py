"""One plan as a PDF document, rendered by WeasyPrint from a Django template.

WeasyPrint fetches whatever URLs it finds in HTML and CSS (http, file, ftp, data)
and follows redirects. Our template autoescapes every user text, and on top of
that `StaticOnlyFetcher` serves only the project's own static files from disk, so
a plan can never make the server read a local file or call another host.
"""

import logging
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from plans.documents.formats.layout import taller_than_page
from plans.documents.formats.rows import (
    Appendices,
    TableRow,
    approval_date_line,
    plan_appendices,
    plan_note,
    signature_name,
    table_rows,
)
from plans.models import Plan, PlanStatus

_CONTENT_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


# WeasyPrint logs a line per page at INFO; the project's root logger is at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class FetchRefused(ValueError):
    pass


def static_roots() -> list[Path]:
    return [Path(root).resolve() for root in settings.STATICFILES_DIRS]


class StaticOnlyFetcher(URLFetcher):
    """Serves file: URLs inside the project's static directories; refuses the rest.

    WeasyPrint catches the refusal, logs a warning and renders without the resource.
    """

    def __init__(self, **kwargs):
        # No redirects, no network handlers used: fetch() below never calls super().
        super().__init__(allow_redirects=False, **kwargs)
        self.roots = static_roots()

    def fetch(self, url, headers=None):
        return URLFetcherResponse(
            url, body=self.resolve(url).read_bytes(), headers=self._headers(url)
        )

    def resolve(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"PDF export fetches only its own static files, not {url[:80]!r}")
        # resolve() follows "..", symlinks and %2e%2e, so the check sees the real file.
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise FetchRefused(f"PDF export fetches only its own static files, not {url[:80]!r}")
        return path

    @staticmethod
    def _headers(url: str) -> dict:
        suffix = Path(urlsplit(url).path).suffix.lower()
        return {"Content-Type": _CONTENT_TYPES.get(suffix, "application/octet-stream")}


def plan_print_context(plan: Plan, lines=None) -> dict:
    """What the document shows; `plan` comes from `Plan.objects.for_editor()`: no
    queries beyond the appendices'. JSON-safe through `context_to_json()`, so a
    submission can keep it and the worker print it later exactly as it was."""
    return {
        "school": {
            field: getattr(plan.school, field)
            for field in ("short_name", "full_name", "director_position", "director_name")
        },
        "year": {"title": plan.year.title, "plan_title": plan.year.plan_title},
        "draft": plan.status != PlanStatus.APPROVED,
        "status": plan.get_status_display(),
        "approved_on": plan.approved_at.date() if plan.approved_at else None,
        "signature": signature_name(plan.school.director_name),
        "note": plan_note(plan),
        "rows": list(table_rows(plan, lines)),
        "appendices": plan_appendices(plan),
    }


def context_to_json(context: dict) -> dict:
    return {
        **context,
        "approved_on": context["approved_on"].isoformat() if context["approved_on"] else None,
        "rows": [row.to_json() for row in context["rows"]],
        "appendices": {
            "indicators": context["appendices"].indicators,
            "analysis": context["appendices"].analysis,
        },
    }


def context_from_json(data: dict) -> dict:
    return {
        **data,
        "approved_on": date.fromisoformat(data["approved_on"]) if data["approved_on"] else None,
        "rows": [TableRow.from_json(row) for row in data["rows"]],
        "appendices": Appendices(
            indicators=[tuple(row) for row in data["appendices"]["indicators"]],
            analysis=[tuple(row) for row in data["appendices"]["analysis"]],
        ),
    }


# WeasyPrint's line breaking costs the square of an unbroken word's length (a
# 20,000-character cell took 100 s, 5,000 took 7 s). A zero-width space every
# few dozen characters of a long run gives it break opportunities, so the cost
# grows linearly; ordinary words, shorter than the run, are untouched.
_LONG_RUN = re.compile(r"\S{40,}")
_WRAP_AT = 30


def _breakable(text: str) -> str:
    return _LONG_RUN.sub(
        lambda run: "\u200b".join(
            run[0][i : i + _WRAP_AT] for i in range(0, len(run[0]), _WRAP_AT)
        ),
        text,
    )


def _breakable_row(row: TableRow) -> TableRow:
    texts = {
        name: _breakable(getattr(row, name))
        for name in ("activity", "period", "responsible", "documents", "links", "results")
        if _LONG_RUN.search(getattr(row, name))
    }
    return replace(row, **texts) if texts else row


HEADING_KINDS = ("section", "heading")


def row_groups(rows: list, may_split=lambda row: False) -> list[tuple[str, list]]:
    """Table 1's rows as row groups (tbody), so that a section or heading row always
    moves on with the row under it: each group is an ordinary row with the section and
    heading rows right above it, and avoids breaks inside (pdf.css), so it goes to the
    next page whole. WeasyPrint 70 honours `break-after: avoid` between rows, except
    where a group that avoids breaks starts a page's body — it lays such a group out as
    if the page were empty, which is how section I stood alone at the bottom of page 1.
    So the first group («lead») allows breaks: where it does not fit under the title,
    the table (and «Таблица 1» above it) starts on the next page. A first row that has
    to split anyway (`may_split`: taller than a page) leaves the lead like the others."""
    groups: list[tuple[str, list]] = []
    current: list = []
    for row in rows:
        current.append(row)
        if row.kind not in HEADING_KINDS:
            lead = not groups and len(current) > 1 and not may_split(row)
            groups.append(("lead" if lead else "", current))
            current = []
    if current:
        groups.append(("", current))
    return groups


def render_html(context: dict) -> str:
    rows = [_breakable_row(row) for row in context["rows"]]
    return render_to_string(
        "plans/pdf/plan.html",
        {
            **context,
            "date_line": approval_date_line(context["approved_on"]),
            "row_groups": row_groups(rows, taller_than_page),
            # A submission frozen before the note existed has none.
            "note": [_breakable(paragraph) for paragraph in context.get("note", ())],
        },
    )


def render_pdf(context: dict) -> bytes:
    """A document context (`plan_print_context`) as PDF bytes. Seconds of CPU for a
    big plan: only the worker calls it (plans/documents/queue.py), never a web request."""
    html = weasyprint.HTML(
        string=render_html(context),
        # Relative URLs in the template ("css/pdf.css") resolve inside static/.
        base_url=path2url(str(static_roots()[0])),
        url_fetcher=StaticOnlyFetcher(),
    )
    return html.write_pdf()


def plan_html(plan: Plan) -> str:
    """The document as HTML; `plan` comes from `Plan.objects.for_editor()`."""
    return render_html(plan_print_context(plan))


def plan_pdf(plan: Plan) -> bytes:
    """The plan as PDF bytes. `plan` comes from `Plan.objects.for_editor()`."""
    return render_pdf(plan_print_context(plan))
