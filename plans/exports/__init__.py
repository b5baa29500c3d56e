"""Exports of plans: PDF and Excel of one plan, consolidated workbooks of many.

All formats draw from one row generator (rows.py), so they never disagree.
"""

import re
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    "pdf": "application/pdf",
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
    response["Content-Disposition"] = _attachment(filename)
    return response


def file_download_response(write: Callable[[BinaryIO], None], filename: str) -> FileResponse:
    """An attachment that `write(file)` fills: written to a temporary file, then sent
    from it block by block, so memory stays flat however big the file grows (the
    consolidated workbook of a region). The file goes when the response is closed.

    The writing happens here, inside the view: its queries run in the request, and
    an error is a normal error page, not a download cut short."""
    extension = filename.rsplit(".", 1)[-1]
    output = tempfile.TemporaryFile()
    try:
        write(output)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    response = FileResponse(output, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1]
    # For a non-ASCII name Django writes only filename*.
    header = content_disposition_header(True, filename)
    if "filename*=" in header:
        header = header.replace("attachment;", f'attachment; filename="profplan.{extension}";')
    return header
