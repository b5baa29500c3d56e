"""Builders for onboarding files: real .xlsx and .csv lists, and hostile ones."""

import io
import zipfile

import openpyxl
import pytest

HEADER = [
    "муниципалитет",
    "полное наименование",
    "краткое наименование",
    "ИНН",
    "ФИО руководителя",
    "должность руководителя",
    "ФИО заместителя",
    "e-mail заместителя",
    "логин",
]


def make_inn(number: int) -> str:
    """A valid organisation ИНН of KBR (07…) with its checksum digit."""
    head = f"07{number:07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return head + str(sum(int(d) * w for d, w in zip(head, weights, strict=True)) % 11 % 10)


def school_row(n: int, **changes) -> list[str]:
    row = {
        "муниципалитет": "Нальчик",
        "полное наименование": f"Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа № {n}»",
        "краткое наименование": f"МКОУ СОШ № {n}",
        "ИНН": make_inn(n),
        "ФИО руководителя": "Кодзоков Аслан Мухамедович",
        "должность руководителя": "",
        "ФИО заместителя": "Шогенова Мадина Хасановна",
        "e-mail заместителя": f"zam{n}@school.example.org",
        "логин": f"sosh{n}",
    }
    row.update(changes)
    return [row[h] for h in HEADER]


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def rewrite_zip(data: bytes, replace: dict, add: dict | None = None) -> bytes:
    """A copy of the .xlsx `data` with some entries replaced or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def good_rows():
    return [
        school_row(1),
        school_row(
            2,
            **{
                "муниципалитет": "Баксанский муниципальный район",
                "ФИО заместителя": "Иванова Мария Петровна",
                "логин": "",
                "должность руководителя": "Исполняющий обязанности директора",
            },
        ),
    ]
