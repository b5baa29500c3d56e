"""What an uploaded Office file holds: macros, embedded objects, and which old format it is.

One check for every upload that takes Office files: the evidence of the execution
(plans/execution/evidence.py) and the imports of schools and plans (accounts/onboarding.py,
plans/imports/). A file is judged by its content, never by its name:

* an OLE2 compound file (Word 97–2003 .doc, Excel 97–2003 .xls) is read with olefile:
  its kind is the stream it holds (`WordDocument`; `Workbook` or, in Excel 5, `Book`),
  and it carries macros when any storage is a VBA project (Word keeps it in
  `Macros/VBA/…`, Excel in `_VBA_PROJECT_CUR/VBA/…`), or when its workbook declares an
  Excel 4.0 macro sheet; embedded objects (`ObjectPool`, `MBD…`, `\\x01Ole10Native`)
  are refused too, as they are in the new formats;
* an OOXML or OpenDocument ZIP (.docx, .xlsx, .pptx, .odt, .ods) carries macros when
  `[Content_Types].xml` names a macro-enabled main part (a .docm saved as .docx) or a
  VBA project, or when a member is a VBA project, an Excel 4.0 macro sheet or an
  OpenDocument Basic library. Whatever its parts are called, a member that is itself
  an OLE2 file (a renamed vbaProject.bin, an embedded OLE object or ActiveX control)
  is refused, and a member that is itself a ZIP (the workbook behind a chart) is
  checked the same way, one level down.

Only the first bytes of each member and at most MAX_TYPES_BYTES of the content types
are read, so a ZIP bomb costs nothing here (the imports check sizes before as well).
"""

import io
import zipfile
import zlib

import olefile

from .uploads import UploadRefused

OLE_MAGIC = olefile.MAGIC
ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 5000  # a 200-slide presentation has about 1,500 parts
MAX_TYPES_BYTES = 1024 * 1024  # [Content_Types].xml of a real file: a few kilobytes
MAX_NESTED_BYTES = 20 * 1024 * 1024  # a workbook behind a chart, read to be checked
MAX_NESTED_TOTAL = 50 * 1024 * 1024  # all of them together: a file of many is a bomb
MAX_DEPTH = 2  # the file, and a file inside it
MAX_OLE_ENTRIES = 10000

# Storages and streams of an OLE2 file that hold a VBA project (case does not matter).
_VBA_NAMES = {"vba", "_vba_project_cur", "_vba_project", "macros"}
# Words in [Content_Types].xml of a file with macros: a macro-enabled main part
# (application/vnd.ms-word.document.macroEnabled.main+xml, …sheet.macroEnabled…,
# …presentation.macroEnabled…, templates and add-ins), the VBA project and its data,
# an Excel 4.0 macro sheet.
_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"vbadata", b"macrosheet", b"ms-office.activex")
# Members of a file with macros, by name (lower case).
_MACRO_SUFFIXES = ("vbaproject.bin", "vbadata.xml")
_MACRO_FOLDERS = ("basic/", "scripts/")  # OpenDocument macro libraries
_MACRO_PARTS = ("/macrosheets/",)

# BIFF records of the workbook stream: BOUNDSHEET (its sheet type byte: 1 an Excel 4.0
# macro sheet, 6 a VBA module) and EOF, the end of the workbook's globals.
_BOUNDSHEET, _EOF = 0x0085, 0x000A
_MACRO_SHEET_TYPES = {1, 6}
MAX_BIFF_RECORDS = 100000


def legacy_office_kind(source) -> str | None:
    """ "doc" for a Word 97–2003 file, "xls" for an Excel one, None for anything else
    (a text file or a program renamed .doc, an OLE2 file of another kind, a damaged one).
    `source`: bytes or a seekable binary file (left at its start)."""
    ole = _open_ole(source)
    if ole is None:
        return None
    try:
        if ole.exists("WordDocument"):
            return "doc"
        if ole.exists("Workbook") or ole.exists("Book"):
            return "xls"
        return None
    finally:
        ole.close()


def check_no_macros(source, *, name: str) -> None:
    """Refuse (`UploadRefused`, a Russian message naming the file `name`) an Office file
    that carries macros or embedded OLE objects. Anything else passes: whether it is a
    file the caller takes at all is the caller's check.
    `source`: bytes or a seekable binary file (left at its start)."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(OLE_MAGIC):
            finding = _ole_finding(stream)
        elif head.startswith(ZIP_MAGIC):
            finding = _zip_finding(stream, depth=1, budget=[MAX_NESTED_TOTAL])
        else:
            finding = None
    finally:
        stream.seek(0)
    if finding is not None:
        raise UploadRefused(_message(finding, name))


MACROS = "macros"
EMBEDDED = "embedded"
DAMAGED = "damaged"


def _shown(name: str) -> str:
    """The user's name of the file, for the message: no folders, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return f"«{name[:150]}»" if name else "Файл"


def _message(finding: str, name: str) -> str:
    shown = _shown(name)
    if finding == MACROS:
        return (
            f"{shown}: в файле есть макросы. Файлы с макросами не принимаются: сохраните "
            "документ без макросов (Word – .docx, Excel – .xlsx, или PDF) и загрузите его снова."
        )
    if finding == EMBEDDED:
        return (
            f"{shown}: в файле есть встроенный объект OLE (в нём могут быть макросы или "
            "программа). Такие файлы не принимаются: удалите встроенные объекты или сохраните "
            "документ в PDF и загрузите его снова."
        )
    return (
        f"{shown}: файл повреждён или зашифрован, его содержимое не удалось проверить. "
        "Сохраните документ заново (или в PDF) и загрузите его снова."
    )


def _open_ole(source):
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    stream.seek(0)
    try:
        if not stream.read(8).startswith(OLE_MAGIC):
            return None
        stream.seek(0)
        return olefile.OleFileIO(stream)
    except Exception:  # olefile raises OSError and others on a damaged file
        return None
    finally:
        stream.seek(0)


def _ole_finding(stream) -> str | None:
    ole = _open_ole(stream)
    if ole is None:
        # Neither Word nor Excel: no caller takes an OLE2 file it cannot read.
        return None
    try:
        entries = ole.listdir(streams=True, storages=True)
        if len(entries) > MAX_OLE_ENTRIES:
            return DAMAGED
        for path in entries:
            lowered = [part.lower() for part in path]
            if any(part in _VBA_NAMES for part in lowered):
                return MACROS
        for path in entries:
            if any(
                part == "objectpool" or part.startswith("mbd") or part == "\x01ole10native"
                for part in (p.lower() for p in path)
            ):
                return EMBEDDED
        for workbook in ("Workbook", "Book"):
            if ole.exists(workbook) and _biff_has_macro_sheet(ole, workbook):
                return MACROS
        return None
    except Exception:
        return DAMAGED
    finally:
        ole.close()


def _biff_has_macro_sheet(ole, stream_name: str) -> bool:
    """Whether the workbook's globals declare an Excel 4.0 macro sheet or a VBA module
    sheet (BOUNDSHEET records, read until the globals end)."""
    with ole.openstream(stream_name) as data:
        for _ in range(MAX_BIFF_RECORDS):
            header = data.read(4)
            if len(header) < 4:
                return False
            kind = int.from_bytes(header[:2], "little")
            length = int.from_bytes(header[2:], "little")
            body = data.read(length)
            if kind == _BOUNDSHEET and len(body) >= 6 and body[5] in _MACRO_SHEET_TYPES:
                return True
            if kind == _EOF:
                return False
    return False


def _zip_finding(stream, *, depth: int, budget: list[int]) -> str | None:
    """`budget`: how many bytes of nested files may still be unpacked, shared by the
    whole check (a list, so that nested calls spend from it)."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # Not a ZIP after all: no caller takes it (each says why in its own words).
        return None
    try:
        with archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                return DAMAGED
            for member in members:
                lowered = member.filename.lower()
                if (
                    lowered.endswith(_MACRO_SUFFIXES)
                    or lowered.startswith(_MACRO_FOLDERS)
                    or any(part in f"/{lowered}" for part in _MACRO_PARTS)
                ):
                    return MACROS
            types = next((m for m in members if m.filename == "[Content_Types].xml"), None)
            if types is not None:
                with archive.open(types) as part:
                    text = part.read(MAX_TYPES_BYTES).lower()
                if any(word in text for word in _MACRO_TYPES):
                    return MACROS
            for member in members:
                if member.is_dir():
                    continue
                if member.flag_bits & 0x1:
                    return DAMAGED  # an encrypted member cannot be looked into
                with archive.open(member) as part:
                    head = part.read(8)
                if head.startswith(OLE_MAGIC):
                    return EMBEDDED
                if head.startswith(ZIP_MAGIC):
                    finding = _nested_finding(archive, member, depth=depth, budget=budget)
                    if finding is not None:
                        return finding
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        return DAMAGED  # a member that cannot be read cannot be checked
    return None


def _nested_finding(archive, member, *, depth: int, budget: list[int]) -> str | None:
    """A ZIP inside the file (an embedded workbook or document): checked the same way."""
    if depth >= MAX_DEPTH or member.file_size > min(MAX_NESTED_BYTES, budget[0]):
        return EMBEDDED  # deeper than any office file nests, or too big to look into
    with archive.open(member) as part:
        data = part.read(member.file_size + 1)
    budget[0] -= len(data)
    if len(data) > member.file_size:
        return DAMAGED
    return _zip_finding(io.BytesIO(data), depth=depth + 1, budget=budget)
