"""One plan as a PDF document, rendered by WeasyPrint from a Django template.

WeasyPrint fetches whatever URLs it finds in HTML and CSS (http, file, ftp, data)
and follows redirects. Our template autoescapes every user text, and on top of
that `StaticOnlyFetcher` serves only the project's own static files from disk, so
a plan can never make the server read a local file or call another host.
"""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from ..models import Plan, PlanStatus, PlanSubmission
from . import export_filename
from .rows import COLUMN_TITLES, plan_appendices, table_rows

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


def plan_html(plan: Plan) -> str:
    """The document as HTML; `plan` comes from `Plan.objects.for_editor()`: no queries."""
    return render_to_string(
        "plans/pdf/plan.html",
        {
            "plan": plan,
            "school": plan.school,
            "year": plan.year,
            "draft": plan.status != PlanStatus.APPROVED,
            "status": plan.get_status_display(),
            "approved_on": plan.approved_at.date() if plan.approved_at else None,
            "column_titles": COLUMN_TITLES,
            "rows": table_rows(plan),
            "appendices": plan_appendices(plan),
        },
    )


def plan_pdf(plan: Plan) -> bytes:
    """The plan as PDF bytes. `plan` comes from `Plan.objects.for_editor()`: no queries.
    Takes seconds for a big plan (about 3 s for 300 rows): keep it off hot paths."""
    html = weasyprint.HTML(
        string=plan_html(plan),
        # Relative URLs in the template ("css/pdf.css") resolve inside static/.
        base_url=path2url(str(static_roots()[0])),
        url_fetcher=StaticOnlyFetcher(),
    )
    return html.write_pdf()


def submission_pdf_save(*, submission: PlanSubmission, plan: Plan) -> None:
    """Store on `submission` the PDF of `plan` as it is now (for the submit step).

    `plan` must be the submitted plan fetched again with `for_editor()` after its
    rows were frozen, so the PDF shows exactly what was submitted."""
    submission.pdf.save(export_filename(plan, "pdf"), ContentFile(plan_pdf(plan)), save=True)
