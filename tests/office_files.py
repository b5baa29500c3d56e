"""Hostile and harmless Office files, built in code for the upload tests.

olefile only reads compound files, so `compound_file()` writes one: the smallest valid
OLE2 (CFB version 3, 512-byte sectors; [MS-CFB]). Every stream is padded to the
mini-stream cutoff (4096 bytes), so all of them live in ordinary sectors and no
mini stream is needed; the directory is a chain of right siblings (a degenerate
red-black tree, which readers accept). Storages are made from the paths' folders:
`{"Macros/VBA/dir": b"…"}` gives the storages Macros and Macros/VBA and the stream.

Real Word 97 and Excel 97 files made by LibreOffice are in tests/data/office/
(`tests/data/office/make.sh` writes them again).
"""

import io
import struct
import zipfile
from pathlib import Path

import olefile

SECTOR = 512
CUTOFF = 4096
FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
DATA = Path(__file__).parent / "data" / "office"


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file holding `streams` (path → content)."""
    # The directory: the root (0), then every storage and stream, in path order.
    entries = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]
    index = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            key = "/".join(parts[:depth])
            if key in index:
                continue
            is_stream = depth == len(parts)
            data = streams[path] if is_stream else b""
            if is_stream:
                data = data + b"\0" * max(0, CUTOFF - len(data))
            index[key] = len(entries)
            entries.append(
                {
                    "name": parts[depth - 1],
                    "type": 2 if is_stream else 1,
                    "children": [],
                    "data": data,
                }
            )
            entries[index["/".join(parts[: depth - 1])]]["children"].append(index[key])
    # Sectors: the FAT first, then the directory, then the streams.
    dir_sectors = -(-len(entries) * 128 // SECTOR)
    data_sectors = [-(-len(e["data"]) // SECTOR) for e in entries]
    total = dir_sectors + sum(data_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < total + fat_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109, "too big for a header-only DIFAT"
    fat = [FAT_SECTOR] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [END]
    starts = []
    for count in data_sectors:
        if count == 0:
            starts.append(END)
            continue
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [END]
    fat += [FREE] * (fat_sectors * SECTOR // 4 - len(fat))

    directory = b""
    for number, entry in enumerate(entries):
        children = entry["children"]
        name = entry["name"].encode("utf-16-le") + b"\0\0"
        right = NONE
        # Siblings as a chain: each entry's right sibling is the next child of its parent.
        for siblings in (e["children"] for e in entries):
            if number in siblings and siblings.index(number) + 1 < len(siblings):
                right = siblings[siblings.index(number) + 1]
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name.ljust(64, b"\0"),
            len(name),
            entry["type"],
            1,  # black
            NONE,
            right,
            children[0] if children else NONE,
            b"\0" * 16,
            0,
            0,
            0,
            starts[number] if entry["data"] else (END if number == 0 else 0),
            len(entry["data"]),
        )
    # Unused directory slots: empty entries whose siblings and child are "none".
    unused = struct.pack("<64sHBBIII", b"", 0, 0, 0, NONE, NONE, NONE).ljust(128, b"\0")
    directory += unused * (dir_sectors * SECTOR // 128 - len(entries))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        olefile.MAGIC,
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        first_dir,
        0,
        CUTOFF,
        END,
        0,
        END,
        0,
    )
    difat = list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    for entry in entries:
        if entry["data"]:
            body += entry["data"].ljust(-(-len(entry["data"]) // SECTOR) * SECTOR, b"\0")
    return header + body


def word97(*, macros: bool = False, embedded: bool = False) -> bytes:
    """A Word 97–2003 file: the streams Word writes, a VBA project in Macros/VBA."""
    streams = {"WordDocument": b"\xec\xa5" + b"\0" * 64, "1Table": b"\0" * 64}
    if macros:
        streams |= {
            "Macros/VBA/dir": b"\x01" * 32,
            "Macros/VBA/ThisDocument": b'Attribute VB_Name = "ThisDocument"',
            "Macros/VBA/_VBA_PROJECT": b"\xcc\x61",
            "Macros/PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"',
        }
    if embedded:
        streams["ObjectPool/_1234567890/\x01Ole10Native"] = b"MZ\x90\x00 a program"
    return compound_file(streams)


def _biff(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def excel97(*, macros: bool = False, macro_sheet: bool = False) -> bytes:
    """An Excel 97–2003 file: a Workbook stream (BOF, a sheet, EOF), a VBA project in
    _VBA_PROJECT_CUR/VBA; `macro_sheet`: the sheet is an Excel 4.0 macro sheet."""
    sheet_type = 1 if macro_sheet else 0
    workbook = (
        _biff(0x0809, b"\x00\x06\x05\x00" + b"\0" * 12)
        + _biff(0x0085, struct.pack("<IBB", 0, 0, sheet_type) + b"\x06\x00Macro1")
        + _biff(0x000A, b"")
    )
    streams = {"Workbook": workbook}
    if macros:
        streams |= {
            "_VBA_PROJECT_CUR/VBA/dir": b"\x01" * 32,
            "_VBA_PROJECT_CUR/VBA/Module1": b'Attribute VB_Name = "Module1"',
            "_VBA_PROJECT_CUR/PROJECT": b"Module=Module1",
        }
    return compound_file(streams)


def vba_project() -> bytes:
    """What vbaProject.bin of a .docm or .xlsm is: a compound file with a VBA storage."""
    return compound_file({"VBA/dir": b"\x01" * 32, "VBA/_VBA_PROJECT": b"\xcc\x61"})


def legacy(name: str) -> bytes:
    """A real Word or Excel 97–2003 file saved by LibreOffice: «order.doc», «report.xls»."""
    return (DATA / name).read_bytes()


MACRO_TYPES = {
    "word": "application/vnd.ms-word.document.macroEnabled.main+xml",
    "xl": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, types=None) -> bytes:
    """A copy of the OOXML file `data` with members added (or replaced) and, if
    `types` is given, its main part's content type replaced by `types`."""
    add = add or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename in add:
                continue
            content = source.read(member)
            if member.filename == "[Content_Types].xml" and types:
                text = content.decode()
                for plain in (
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                ):
                    text = text.replace(plain, types)
                content = text.encode()
            archive.writestr(member, content)
        for name, content in add.items():
            archive.writestr(name, content)
    return output.getvalue()


def docm_as_docx(docx: bytes) -> bytes:
    """A macro document (.docm) saved with a .docx name: the macro content type and
    word/vbaProject.bin."""
    return rezip(docx, add={"word/vbaProject.bin": vba_project()}, types=MACRO_TYPES["word"])


def docx_with_renamed_macros(docx: bytes) -> bytes:
    """A .docx whose VBA project is hidden as a picture: word/media/image1.png holds it."""
    return rezip(docx, add={"word/media/image1.png": vba_project()})


def xlsm_as_xlsx(xlsx: bytes) -> bytes:
    return rezip(xlsx, add={"xl/vbaProject.bin": vba_project()}, types=MACRO_TYPES["xl"])


def odt_bytes() -> bytes:
    """A minimal OpenDocument text: its mimetype first, stored, as the format wants."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return output.getvalue()
