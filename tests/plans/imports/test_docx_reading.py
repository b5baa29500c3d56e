"""Word files as schools type them: each quirk of their Table 1 is read, and each row
lands under the template item of its number, with its level and direction."""

from datetime import date
from decimal import Decimal

import pytest

from plans.imports.docx import read_docx
from plans.imports.placement import place_lines
from plans.imports.preview import placement_table
from plans.models import TemplateItem

from .wordfiles import Down, Span, docx_bytes, seed_lines

pytestmark = pytest.mark.django_db


def preview(data: bytes, year):
    placement = place_lines(read_docx(data, "план.docx"), year)
    table = {entry.row.number: entry for entry in placement_table(placement, year)}
    return placement, table


def item_of(entry, year) -> TemplateItem:
    return TemplateItem.objects.select_related("direction", "parent__level").get(
        pk=entry.row.item_id
    )


def test_the_bare_seed_reads_without_problems(year):
    placement, table = preview(docx_bytes(seed_lines()), year)
    assert placement.problems == []
    # The seed's blank numbered rows are the plan's empty rows, as plan_create makes them.
    assert table["1.1."].row.kind == "row" and table["1.1."].row.activity == ""
    assert table["3.4.13."].row.kind == "heading"
    assert table["5.1."].row.kind == "fixed"
    # The seed shows all three level blocks: each gets grades.
    assert sorted(placement.levels) == [6, 7, 8, 9, 10, 11]


def test_merged_cells_across_and_down(year):
    lines = seed_lines(
        fill={
            "3.1.1.": ["Приказ о назначении ответственного", "сентябрь", Down("Директор", 2)],
            "3.1.2.": ["Положение о профориентации", "октябрь"],
        },
        spans=True,
    )
    placement, table = preview(docx_bytes(lines), year)
    assert placement.problems == []
    # A cell merged down gives its text to both rows it covers.
    assert table["3.1.1."].row.responsible == "Директор"
    assert table["3.1.2."].row.responsible == "Директор"
    # Headings written as one merged cell «3.4.14 Реализация …» are the level blocks.
    assert table["3.4.14."].row.kind == "heading"


def test_extra_blank_rows_are_skipped(year):
    blank = ["", "", "", "", "", "", ""]
    lines = seed_lines(
        fill={"1.1.": ["Цель: сопровождение самоопределения"]},
        after={"1.1.": [blank, blank], "3.4.12.5.": [blank, blank], "5.1.": [blank]},
    )
    placement, table = preview(docx_bytes(lines), year)
    assert placement.problems == []
    assert placement.blank_lines == 5
    assert table["1.1."].row.activity == "Цель: сопровождение самоопределения"
    assert table["1.2."].row.activity == ""


def test_rows_of_dashes(year):
    lines = seed_lines(
        fill={"3.4.9.": ["–"], "3.2.5.": ["Экскурсия", "–", "—", "-", "–", "–"]},
        after={"3.2.5.": [["", "", "", "", "–", ""], ["", "", "", "", "–", ""]]},
    )
    placement, table = preview(docx_bytes(lines), year)
    assert placement.problems == []
    assert table["3.4.9."].row.activity == ""
    row = table["3.2.5."].row
    assert (row.activity, row.period, row.responsible, row.documents) == ("Экскурсия", "", "", "")
    assert table["3.2.6."].row.activity == ""  # the dash rows made no rows of their own


def test_numbers_with_and_without_the_final_dot(year):
    lines = seed_lines(
        after={
            "3.4.13": [["3.4.13.1.1", "Урок «Мир профессий», 2 ч, 8–9 кл."]],
            "3.4.13.2.": [["3.4.13.2.1.", "Курс «Россия – мои горизонты»\n34 ч; 8, 9 кл."]],
            "3.4.14.5": [["3.4.14.5.1", "Профессиональное обучение по профессии «Повар»"]],
        }
    )
    placement, table = preview(docx_bytes(lines), year)
    assert placement.problems == []
    first = table["3.4.13.1.1."]
    assert item_of(first, year).code == "3.4.13.1."
    assert (first.row.hours, first.row.grades) == (Decimal(2), (8, 9))
    second = table["3.4.13.2.1."]
    assert second.row.activity == "Курс «Россия – мои горизонты»"
    assert (second.row.hours, second.row.grades) == (Decimal(34), (8, 9))
    third = item_of(table["3.4.14.5.1."], year)
    assert (third.direction.code, third.parent.level.code) == ("vocational_training", "advanced")


def test_number_and_title_in_one_cell(year):
    lines = seed_lines(
        after={"3.3.5.": [["3.3.6. Обучение педагогов-навигаторов (ДПО, 36 ч)", "", "ноябрь"]]},
        spans=True,
    )
    placement, table = preview(docx_bytes(lines), year)
    assert placement.problems == []
    assert table["3.3.6."].row.activity == "Обучение педагогов-навигаторов (ДПО, 36 ч)"
    assert table["3.3.6."].row.period.startswith("ноябрь")


def test_manual_line_breaks_and_paragraphs_in_cells(year):
    lines = seed_lines(
        fill={
            "3.2.1.": [
                "Экскурсии на предприятия:\nАО «Терекалмаз»\n\nООО «Нальчикский хлебозавод»",
                "в течение года",
                "Классные руководители\nПедагог-навигатор",
                "",
                "https://bvbinfo.ru/\nhttps://edu.ru/",
            ]
        }
    )
    placement, table = preview(docx_bytes(lines), year)
    row = table["3.2.1."].row
    assert row.activity == (
        "Экскурсии на предприятия:\nАО «Терекалмаз»\nООО «Нальчикский хлебозавод»"
    )
    assert row.responsible == "Классные руководители\nПедагог-навигатор"
    assert row.links == "https://bvbinfo.ru/\nhttps://edu.ru/"


@pytest.mark.parametrize("header", [True, False])
def test_missing_numbers_row_and_header(year, header):
    lines = seed_lines(fill={"2.1.": ["Доля обучающихся, прошедших диагностику"]})
    placement, table = preview(docx_bytes(lines, header=header, numbers_row=False), year)
    assert placement.problems == []
    assert table["2.1."].row.activity == "Доля обучающихся, прошедших диагностику"


def test_text_and_tables_before_and_after_the_table(year):
    lines = seed_lines(fill={"1.2.": ["Задача: профпробы"]})
    data = docx_bytes(
        lines,
        before=("УТВЕРЖДАЮ", "Директор МКОУ СОШ № 1", "План на 2023-2024 учебный год", "Таблица 1"),
        after=("Заместитель директора ____________ А.И. Петрова",),
        table_after=[["Исполнитель", "Петрова А.И.", "", "", "", "", ""]],
        split_every=40,  # Table 1 in three tables, as in the seed's document
    )
    placement, table = preview(data, year)
    assert placement.problems == []
    assert table["1.2."].row.activity == "Задача: профпробы"
    assert table["5.1."].row.kind == "fixed"


def test_periods_become_text_and_dates(year):
    periods = {
        "3.2.1.": ("в течение года", "в течение года", None, None),
        "3.2.2.": ("сентябрь–октябрь", "сентябрь–октябрь", date(2023, 9, 1), date(2023, 10, 31)),
        "3.2.3.": ("до 15.09", "", None, date(2023, 9, 15)),
        "3.2.4.": ("01.09.2023–31.05.2024", "", date(2023, 9, 1), date(2024, 5, 31)),
        "3.2.5.": ("по четвергам", "по четвергам", None, None),
    }
    lines = seed_lines(fill={n: ["Мероприятие", text] for n, (text, *_) in periods.items()})
    placement, _ = preview(docx_bytes(lines), year)
    rows = {row.line: row for row in placement.rows}
    lines_by_number = {
        line[0]: index for index, line in enumerate(seed_lines(), start=3) if isinstance(line, list)
    }
    for number, (_, text, start, end) in periods.items():
        row = rows[lines_by_number[number]]
        values = row.values()
        assert (values["period"], values["start_date"], values["end_date"]) == (
            text,
            start,
            end,
        ), number


def test_fixed_activities_take_columns_three_to_seven(year):
    lines = seed_lines()
    index = next(i for i, line in enumerate(lines) if isinstance(line, list) and line[0] == "4.1.")
    lines[index] = [
        "4.1.",
        "Проведение мониторинга (как в шаблоне)",
        "ноябрь, апрель",
        "Заместитель директора",
        "",
        "",
        "Справка",
    ]
    placement, table = preview(docx_bytes(lines), year)
    assert placement.problems == []
    row = table["4.1."].row
    assert (row.kind, row.period, row.responsible, row.results) == (
        "fixed",
        "ноябрь, апрель",
        "Заместитель директора",
        "Справка",
    )
    # The title is the template's, whatever the school typed.
    assert row.activity.startswith("Проведение мониторинга по сопровождению")


def test_rows_that_cannot_be_placed_are_reported_with_their_text(year):
    lines = seed_lines(
        after={
            "III.": [["3.7.1.", "Строка под несуществующим пунктом"]],
            "3.4.12.": [["", "Строка прямо в блоке уровня, без направления"]],
            "4.4.": [["4.5.", "Своя строка в разделе мониторинга"]],
        }
    )
    placement, _ = preview(docx_bytes(lines), year)
    reasons = {problem.original.split(" | ")[-1]: problem.reason for problem in placement.problems}
    assert set(reasons) == {
        "Строка под несуществующим пунктом",
        "Строка прямо в блоке уровня, без направления",
        "Своя строка в разделе мониторинга",
    }
    assert "пункта 3.7. нет" in reasons["Строка под несуществующим пунктом"]
    assert (
        "не под одним из его направлений" in reasons["Строка прямо в блоке уровня, без направления"]
    )
    assert "школа не добавляет своих строк" in reasons["Своя строка в разделе мониторинга"]
    assert all(problem.line > 0 for problem in placement.problems)


def test_a_section_as_one_cell_without_merging(year):
    lines = [line if not isinstance(line, Span) else [line.text] for line in seed_lines()]
    placement, table = preview(docx_bytes(lines), year)
    assert placement.problems == []
    assert table["III."].row.kind == "section"
