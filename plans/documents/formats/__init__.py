"""Exports of plans: PDF, Word and Excel of one plan, consolidated workbooks of many.

All formats draw from one row generator (rows.py), so they never disagree.
"""

import re

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}

_UNSAFE = re.compile(r"[^\w.-]+")


def export_filename(plan, extension: str) -> str:
    """«План_профориентации_МКОУ_СОШ_1_2023-2024.pdf»: Russian, no spaces or «№»."""
    stem = f"План профориентации {plan.school.short_name} {plan.year.title}"
    return f"{_UNSAFE.sub('_', stem).strip('_')}.{extension}"


def _disposition(filename: str) -> str:
    """An attachment with the Russian file name in RFC 6266 `filename*`, and an ASCII
    `filename` before it for the rare client that cannot read `filename*`."""
    extension = filename.rsplit(".", 1)[-1]
    # For a non-ASCII name Django writes only filename*.
    header = content_disposition_header(True, filename)
    if "filename*=" in header:
        header = header.replace("attachment;", f'attachment; filename="profplan.{extension}";')
    return header


def download_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = _disposition(filename)
    return response


def file_response(file, filename: str) -> FileResponse:
    """A stored file streamed to the browser in blocks, never read whole into memory."""
    response = FileResponse(file, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = _disposition(filename)
    if "Content-Length" not in response and getattr(file, "size", None) is not None:
        response["Content-Length"] = file.size  # a stream from S3 (profplan/storage.py)
    return response
