"""Checks every uploaded Office file passes before anything parses it.

Shared by the onboarding import (a list of schools, accounts/onboarding.py) and the
plan imports (a plan in Word or Excel, plans/imports/). A file from outside is
distrusted until checked, and everything here is learnt from the zip directory
(and, for Word, from the bytes of its XML parts), never by running a parser on it:

* size: at most MAX_FILE_BYTES uploaded;
* type: a real zip (an OLE2 compound file is an old .xls/.doc or a
  password-encrypted file), holding the format's main part (a renamed file of
  another kind is named as such);
* zip bombs: at most MAX_ZIP_ENTRIES entries and MAX_UNCOMPRESSED_BYTES unpacked,
  no entry packed more than MAX_COMPRESSION_RATIO times;
* encrypted entries;
* XML entities: openpyxl parses through defusedxml; python-docx's lxml parser does
  not expand entities but still reads a DTD, so a Word file whose XML declares one
  is refused here before python-docx opens it.

Macros and embedded OLE objects are refused before all this, by the check the
evidence files pass too: profplan/office_files.py (`check_no_macros`, called first by
every import, whatever the file's name says).

Every refusal is an `UploadRefused` whose message is for the user, in Russian.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_COMPRESSION_RATIO = 100  # XML packs 5–20 times; a zip bomb, thousands
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny entries may pack very well legitimately

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UploadRefused(Exception):
    """The file as a whole is refused; `message` is for the user, in Russian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OfficeFormat:
    """The words the refusals use for one format, and its parts."""

    suffix: str  # ".xlsx"
    main_part: str  # "xl/workbook.xml"
    old_suffix: str  # ".xls"
    macro_suffix: str  # ".xlsm"
    app: str  # "Excel"
    noun: str  # "книгой Excel (.xlsx)": «Файл не является …»
    in_noun: str  # "В книге": «В книге есть макросы»
    parts_of: str  # "В книге Excel": «В книге Excel слишком много частей»
    protect: str  # "Защита книги"
    save_as: str  # "таблицу как «Книга Excel» (.xlsx)"
    no_content: str  # "в нём нет листов Excel"
    too_many_parts: str  # what to do about it
    too_big: str  # «Книга Excel в распакованном виде слишком велика ({limit}) или сжата …»
    copy_hint: str  # what to copy where
    subject: str  # "Книга Excel"
    xml_refused: str  # «… не будет прочитана»
    unreadable: str  # when the parser fails


XLSX = OfficeFormat(
    suffix=".xlsx",
    main_part="xl/workbook.xml",
    old_suffix=".xls",
    macro_suffix=".xlsm",
    app="Excel",
    noun="книгой Excel (.xlsx)",
    in_noun="В книге",
    parts_of="В книге Excel",
    protect="Защита книги",
    save_as="таблицу как «Книга Excel» (.xlsx)",
    no_content="в нём нет листов Excel",
    too_many_parts="Скопируйте таблицу на один лист новой книги и загрузите её.",
    too_big="Книга Excel в распакованном виде слишком велика (допустимо {limit} МБ) или "
    "сжата подозрительно сильно.",
    copy_hint="Скопируйте таблицу в новую книгу и загрузите её.",
    subject="Книга Excel",
    xml_refused="Книга Excel содержит недопустимые конструкции XML (объявления сущностей или "
    "DTD) и не будет прочитана.",
    unreadable="Книгу Excel не удалось прочитать: файл повреждён или это не таблица Excel.",
)

DOCX = OfficeFormat(
    suffix=".docx",
    main_part="word/document.xml",
    old_suffix=".doc",
    macro_suffix=".docm",
    app="Word",
    noun="документом Word (.docx)",
    in_noun="В документе",
    parts_of="В документе Word",
    protect="Защита документа",
    save_as="документ как «Документ Word» (.docx)",
    no_content="в нём нет текста документа Word",
    too_many_parts="Скопируйте таблицу плана в новый документ и загрузите его.",
    too_big="Документ Word в распакованном виде слишком велик (допустимо {limit} МБ) или "
    "сжат подозрительно сильно.",
    copy_hint="Скопируйте таблицу плана в новый документ Word и загрузите его.",
    subject="Документ Word",
    xml_refused="Документ Word содержит недопустимые конструкции XML (объявления сущностей "
    "или DTD) и не будет прочитан.",
    unreadable="Документ Word не удалось прочитать: файл повреждён или это не документ Word.",
)

_OTHER_KIND = {
    "xl/workbook.xml": "книга Excel",
    "word/document.xml": "документ Word",
    "ppt/presentation.xml": "презентация PowerPoint",
    "content.xml": "документ OpenDocument (LibreOffice)",
}


def check_size(size: int, *, limit: int = MAX_FILE_BYTES, what: str = "этого файла") -> None:
    if size > limit:
        raise UploadRefused(
            f"Файл больше {limit // (1024 * 1024)} МБ: для {what} это слишком много. "
            "Проверьте, тот ли файл выбран."
        )


def check_suffix(filename: str, fmt: OfficeFormat) -> None:
    """Refuse macro-enabled and old formats by name, and anything not of `fmt`."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == fmt.macro_suffix:
        raise UploadRefused(
            f"Файлы с макросами ({fmt.macro_suffix}) не принимаются. Сохраните {fmt.save_as}."
        )
    if suffix == fmt.old_suffix:
        raise UploadRefused(
            f"Старый формат {fmt.app} ({fmt.old_suffix}) не поддерживается. Откройте файл в "
            f"{fmt.app} и сохраните {fmt.save_as}."
        )
    if suffix != fmt.suffix:
        raise UploadRefused(f"Загрузите файл {fmt.suffix} ({fmt.app}).")


def check_office_container(
    data: bytes,
    fmt: OfficeFormat,
    *,
    max_entries: int = MAX_ZIP_ENTRIES,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: int = MAX_COMPRESSION_RATIO,
) -> None:
    """Everything that can be learnt from the zip directory, before any XML is parsed."""
    if data.startswith(OLE2_SIGNATURE):
        raise UploadRefused(
            f"Файл защищён паролем или сохранён в старом формате {fmt.app} ({fmt.old_suffix}). "
            f"Снимите пароль (Файл → Сведения → {fmt.protect}) и сохраните {fmt.save_as}."
        )
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise UploadRefused(
            f"Файл не является {fmt.noun}: похоже, это файл другого типа с изменённым "
            f"расширением. Откройте его в {fmt.app} и сохраните {fmt.save_as}."
        )
    try:
        with zipfile.ZipFile(buffer) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused(f"Файл повреждён: его не удалось открыть в {fmt.app}.") from None
    if len(entries) > max_entries:
        raise UploadRefused(
            f"{fmt.parts_of} слишком много частей ({len(entries)}, допустимо {max_entries}). "
            f"{fmt.too_many_parts}"
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or fmt.main_part not in names:
        other = next(
            (kind for part, kind in _OTHER_KIND.items() if part in names and part != fmt.main_part),
            None,
        )
        hint = f" Похоже, это {other}." if other else ""
        raise UploadRefused(
            f"Файл не является {fmt.noun}: {fmt.no_content}.{hint} "
            f"Откройте его в {fmt.app} и сохраните {fmt.save_as}."
        )
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise UploadRefused("Файл зашифрован. Снимите пароль и сохраните файл заново.")
    total = sum(entry.file_size for entry in entries)
    bomb = any(
        entry.file_size > RATIO_CHECK_FROM_BYTES
        and entry.file_size > max_ratio * max(entry.compress_size, 1)
        for entry in entries
    )
    if total > max_uncompressed or bomb:
        limit = max_uncompressed // (1024 * 1024)
        raise UploadRefused(f"{fmt.too_big.format(limit=limit)} {fmt.copy_hint}")


def check_no_dtd(data: bytes, fmt: OfficeFormat) -> None:
    """Refuse a file any of whose XML parts declares a DTD or entities.

    Precondition: `check_office_container()` passed, so the unpacked size is bounded.
    Office never writes a DTD; one in a part is an attack on the parser (billion
    laughs, external entities) or a hand-made file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if not entry.filename.lower().endswith((".xml", ".rels")):
                continue
            head = archive.read(entry)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", errors="replace").encode()
            upper = head.upper()
            if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
                raise UploadRefused(f"{fmt.xml_refused} {fmt.copy_hint}")


def unreadable_xml_message(error: Exception, fmt: OfficeFormat) -> str:
    """The message for a parser's failure: an XML attack, or a damaged file."""
    from defusedxml import DefusedXmlException

    # openpyxl re-raises parse errors as ValueError "from" the original one.
    cause = error
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__
    if cause is not None:
        return f"{fmt.xml_refused} {fmt.copy_hint}"
    return fmt.unreadable


def load_xlsx(data: bytes, fmt: OfficeFormat = XLSX, *, data_only: bool, **limits):
    """The workbook, opened read-only (streamed) after every check above.

    `data_only=False` gives a formula cell's formula as text ("=A1+1") instead of
    the value Excel cached, which a file from outside may fake or leave empty.
    The caller closes the workbook. Precondition checked here: openpyxl parses
    through defusedxml (without it openpyxl would expand XML entities)."""
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:
        raise UploadRefused(
            "Загрузка книг Excel отключена: на сервере не установлена защита разбора XML "
            "(defusedxml). Сообщите администратору."
        )
    check_office_container(data, fmt, **limits)
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except Exception as error:  # defusedxml, zipfile and openpyxl raise many kinds
        raise UploadRefused(unreadable_xml_message(error, fmt)) from None
