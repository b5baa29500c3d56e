"""The regional template as PDF: the preamble, then Table 1, with the print CSS and the
URL fetcher of a school's plan (plans/documents/formats/pdf.py)."""

import weasyprint
from django.template.loader import render_to_string
from weasyprint.urls import path2url

from plans.documents.formats.pdf import StaticOnlyFetcher, row_groups, static_roots
from plans.regional_template.document import split_bold


def template_pdf(context: dict) -> bytes:
    """The regional template (plans/regional_template/document.py `template_context`) as PDF bytes."""
    preamble = [
        {"kind": block.kind, "text": block.text, "runs": split_bold(block.text, block.bold)}
        for block in context["preamble"]
    ]
    html = render_to_string(
        "plans/pdf/template.html",
        {
            **context,
            "preamble": preamble,
            "draft": not getattr(context["year"], "is_published", True),
            "row_groups": row_groups(list(context["lines"])),
        },
    )
    return weasyprint.HTML(
        string=html,
        base_url=path2url(str(static_roots()[0])),
        url_fetcher=StaticOnlyFetcher(),
    ).write_pdf()
