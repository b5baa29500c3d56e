"""Evidence files of the execution: what may be uploaded, and how it is served.

The type is read from the file's content, not from its name or from what the
browser claims: a page renamed to «отчёт.pdf» is refused, and so is a text file or
a program named «приказ.doc» (Word and Excel 97–2003 are told by the streams their
OLE2 file holds). Office files with macros or embedded OLE objects are refused, by
the check the imports use too (profplan/office_files.py). Only PDF, images and
office documents are kept; each is stored under a generated name through the
storage API and served as an attachment with `nosniff`, so nothing uploaded is
ever rendered by the browser as a page of the site.
"""

import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from profplan.office_files import check_no_macros, legacy_office_kind
from profplan.uploads import UploadRefused

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # nginx takes 10 MB a request (README)
MAX_EVIDENCE_FILES = 10  # per row


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    label: str


PDF = Kind("pdf", "application/pdf", "PDF")
JPEG = Kind("jpg", "image/jpeg", "JPEG")
PNG = Kind("png", "image/png", "PNG")
WEBP = Kind("webp", "image/webp", "WebP")
DOCX = Kind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
)
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
PPTX = Kind(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint",
)
ODT = Kind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument")
ODS = Kind("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument")
DOC = Kind("doc", "application/msword", "Word 97–2003")
XLS = Kind("xls", "application/vnd.ms-excel", "Excel 97–2003")

# What a name may end with for each kind (a photo from a phone is .jpeg as often as .jpg).
NAMES = {
    PDF: {"pdf"},
    JPEG: {"jpg", "jpeg"},
    PNG: {"png"},
    WEBP: {"webp"},
    DOCX: {"docx"},
    XLSX: {"xlsx"},
    PPTX: {"pptx"},
    ODT: {"odt"},
    ODS: {"ods"},
    DOC: {"doc"},
    XLS: {"xls"},
}
OFFICE = {DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS}
ACCEPT = ",".join(sorted(f".{ext}" for names in NAMES.values() for ext in names))
ALLOWED_TEXT = (
    "PDF, JPEG, PNG, WebP, Word (DOC, DOCX), Excel (XLS, XLSX), PowerPoint (PPTX), ODT, ODS"
)

REFUSED = "«%(name)s»: можно прикрепить только файлы " + ALLOWED_TEXT + "."


def _zip_kind(upload) -> Kind | None:
    """An office document is a ZIP: which one, by the parts it holds."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return {ODT.content_type: ODT, ODS.content_type: ODS}.get(mimetype)
            if "[Content_Types].xml" not in names:
                return None
            for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
                if any(name.startswith(prefix) for name in names):
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    finally:
        upload.seek(0)
    return None


def sniff(upload) -> Kind | None:
    """The kind of an uploaded file by its content; None for anything else."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: Word or Excel 97–2003?
        return {"doc": DOC, "xls": XLS}.get(legacy_office_kind(upload))
    return None


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def safe_display_name(name: str) -> str:
    """The user's name of the file, for showing only: no path, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name.strip()[:150] or "файл"


def check_upload(upload) -> Kind:
    """The upload's kind, or ValidationError in Russian: too large, or not a type we keep,
    or a name that says another type than its content, or an office file with macros."""
    name = safe_display_name(upload.name or "")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            "«%(name)s» больше 10 МБ: уменьшите файл (например, сожмите фотографии).",
            code="too_large",
            params={"name": name},
        )
    if upload.size == 0:
        raise ValidationError("«%(name)s» – пустой файл.", code="empty", params={"name": name})
    kind = sniff(upload)
    if kind is None or _extension(name) not in NAMES[kind]:
        raise ValidationError(REFUSED, code="type", params={"name": name})
    if kind in OFFICE:
        try:
            check_no_macros(upload, name=name)
        except UploadRefused as refused:
            raise ValidationError(refused.message, code="macros") from None
    return kind


def new_key() -> str:
    return uuid.uuid4().hex
