"""Exports of plans: PDF, Word and Excel of one plan, consolidated workbooks of many.

All formats draw from one row generator (rows.py), so they never disagree.
"""

import re

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_UNSAFE = re.compile(r"[^\w.-]+")


def export_filename(plan, extension: str) -> str:
    """«План_профориентации_МКОУ_СОШ_1_2023-2024.pdf»: Russian, no spaces or «№»."""
    stem = f"План профориентации {plan.school.short_name} {plan.year.title}"
    return f"{_UNSAFE.sub('_', stem).strip('_')}.{extension}"


def download_response(data: bytes, filename: str) -> HttpResponse:
    """An attachment with the Russian file name in RFC 6266 `filename*`, and an ASCII
    `filename` before it for the rare client that cannot read `filename*`."""
    extension = filename.rsplit(".", 1)[-1]
    response = HttpResponse(data, content_type=CONTENT_TYPES[extension])
    # For a non-ASCII name Django writes only filename*.
    header = content_disposition_header(True, filename)
    if "filename*=" in header:
        header = header.replace("attachment;", f'attachment; filename="profplan.{extension}";')
    response["Content-Disposition"] = header
    return response
