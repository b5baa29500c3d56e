"""Hostile and wrong files are refused with a message, in bounded memory.

Each file is built in tmp_path at test time; the peak of Python allocations
while reading it is measured with tracemalloc.
"""

import io
import time
import tracemalloc
import zipfile

import openpyxl.xml
import openpyxl.xml.functions
import pytest

from accounts import onboarding
from accounts.onboarding import ImportFileError, read_rows

from .conftest import HEADER, rewrite_zip, school_row, xlsx_bytes

MEMORY_BOUND = 100 * 1024 * 1024

BILLION_LAUGHS_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def refuse(path) -> tuple[str, int]:
    """Read the file as the upload does; the refusal's message and the memory peak."""
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as refused:
            read_rows(path.read_bytes(), path.name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return refused.value.message, peak


@pytest.fixture
def good_xlsx():
    return xlsx_bytes([school_row(1)])


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")
    assert openpyxl.xml.functions.fromstring.__module__.startswith("defusedxml")


def test_billion_laughs_in_shared_strings_is_refused(tmp_path, good_xlsx):
    strings = (
        BILLION_LAUGHS_DTD
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    with zipfile.ZipFile(io.BytesIO(good_xlsx)) as source:
        types = source.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    path = tmp_path / "schools.xlsx"
    path.write_bytes(
        rewrite_zip(
            good_xlsx, {"[Content_Types].xml": types}, add={"xl/sharedStrings.xml": strings}
        )
    )
    message, peak = refuse(path)
    assert "недопустимые конструкции XML" in message
    assert peak < MEMORY_BOUND


def test_billion_laughs_in_the_sheet_is_refused(tmp_path, good_xlsx):
    sheet = (
        BILLION_LAUGHS_DTD
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    path = tmp_path / "schools.xlsx"
    path.write_bytes(rewrite_zip(good_xlsx, {"xl/worksheets/sheet1.xml": sheet}))
    message, peak = refuse(path)
    assert "недопустимые конструкции XML" in message
    assert peak < MEMORY_BOUND


def test_a_zip_bomb_is_refused_before_parsing(tmp_path, good_xlsx):
    """A sheet that unpacks to 256 MB of zeros from a few hundred kilobytes."""
    path = tmp_path / "schools.xlsx"
    with zipfile.ZipFile(io.BytesIO(good_xlsx)) as source:
        entries = {item.filename: source.read(item) for item in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries.items():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, content)
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(256):
                sheet.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    message, peak = refuse(path)
    assert "слишком велика" in message
    assert peak < MEMORY_BOUND


def test_a_small_but_suspiciously_packed_entry_is_refused(tmp_path, good_xlsx):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(
        rewrite_zip(good_xlsx, {}, add={"xl/media/filler.bin": b" " * (5 * 1024 * 1024)})
    )
    message, _ = refuse(path)
    assert "сжата подозрительно сильно" in message


def test_too_many_zip_entries_are_refused(tmp_path, good_xlsx):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(rewrite_zip(good_xlsx, {}, add={f"xl/x{i}.xml": b"<x/>" for i in range(300)}))
    message, _ = refuse(path)
    assert "слишком много частей" in message


def test_a_renamed_exe_is_refused(tmp_path):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 64)
    message, _ = refuse(path)
    assert "Файл не является книгой Excel (.xlsx)" in message
    csv_path = tmp_path / "schools.csv"
    csv_path.write_bytes(path.read_bytes())
    message, _ = refuse(csv_path)
    assert "не является текстовым CSV" in message


def test_a_renamed_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "schools.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "не таблица")
    message, _ = refuse(path)
    assert "в нём нет листов Excel" in message


def test_an_ole2_file_is_refused_as_encrypted_or_xls(tmp_path):
    """Excel saves a password-protected workbook as an OLE2 compound file."""
    path = tmp_path / "schools.xlsx"
    path.write_bytes(onboarding.OLE2_SIGNATURE + b"\0" * 4096)
    message, _ = refuse(path)
    assert "защищён паролем" in message
    assert ".xls" in message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("schools.xlsm", "с макросами (.xlsm)"),
        ("schools.xls", "(.xls) не поддерживается"),
        ("schools.ods", "Загрузите файл .xlsx"),
        ("schools", "Загрузите файл .xlsx"),
    ],
)
def test_other_kinds_of_file_are_refused_by_name(tmp_path, good_xlsx, name, words):
    path = tmp_path / name
    path.write_bytes(good_xlsx)
    message, _ = refuse(path)
    assert words in message


def test_macros_in_a_file_renamed_to_xlsx_are_refused(tmp_path, good_xlsx):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(rewrite_zip(good_xlsx, {}, add={"xl/vbaProject.bin": b"\0" * 100}))
    message, _ = refuse(path)
    assert "«schools.xlsx»: в файле есть макросы" in message


def test_an_over_large_upload_is_refused(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes(b"a;b\n" * (3 * 1024 * 1024))
    message, _ = refuse(path)
    assert "Файл больше 10 МБ" in message


def write_million_rows(path) -> None:
    """A real header, then 1,000,000 data rows, streamed into the zip: about 70 MB of
    sheet XML that is never held in memory, here or by the reader."""
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{title}</t></is></c>'
        for i, title in enumerate(HEADER)
    )
    workbook = xlsx_bytes([])
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        entries = {item.filename: source.read(item) for item in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries.items():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, content)
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                # Excel always writes the sheet's size; without it openpyxl scans the
                # whole sheet on opening (bounded then by MAX_UNCOMPRESSED_BYTES).
                b'<dimension ref="A1:I1000001"/>'
                b'<sheetData><row r="1">' + header.encode() + b"</row>"
            )
            batch = []
            for n in range(2, 1_000_002):
                batch.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>')
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write(b"</sheetData></worksheet>")


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("million") / "schools.xlsx"
    write_million_rows(path)
    return path


def test_a_million_row_sheet_is_refused(million_rows):
    message, peak = refuse(million_rows)
    assert "слишком велика" in message
    assert peak < MEMORY_BOUND


def test_a_million_row_sheet_stops_at_the_row_limit_even_within_the_size_limit(
    million_rows, monkeypatch
):
    """With the zip limits lifted, reading still stops after MAX_ROWS rows: openpyxl
    streams the sheet in read-only mode and nothing reads on."""
    monkeypatch.setattr(onboarding, "MAX_UNCOMPRESSED_BYTES", 10**10)
    monkeypatch.setattr(onboarding, "MAX_COMPRESSION_RATIO", 10**6)
    started = time.monotonic()
    message, peak = refuse(million_rows)
    elapsed = time.monotonic() - started
    assert "больше 5 000 строк данных" in message
    assert peak < MEMORY_BOUND
    assert elapsed < 30
