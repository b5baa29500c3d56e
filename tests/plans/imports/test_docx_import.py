"""A school's Word plan applied: a filled plan of 150 rows lands row for row, our own
DOCX export comes back equal, last year's plan fits this year's template as far as
it can, and the apply is all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from plans.documents.formats.docx import plan_docx
from plans.documents.formats.rows import table_rows
from plans.imports.docx import read_docx
from plans.imports.placement import place_lines
from plans.imports.services import ImportRefused, plan_import_docx
from plans.models import ItemKind, Plan, PlanRow, PlanStatus, SchoolYear, TemplateItem
from plans.numbering import plan_lines
from plans.services import PlanNotEditable, school_year_copy
from tests.factories import SchoolFactory, add_row

from .wordfiles import Span, docx_bytes

pytestmark = pytest.mark.django_db


def printed(plan) -> list[tuple]:
    """The plan as every format prints it, without database ids."""
    return [
        (row.number, row.kind, row.item_code, *row.columns[1:], row.hours, row.grades)
        for row in table_rows(Plan.objects.for_editor().get(pk=plan.pk))
    ]


def fill_plan(plan, count: int) -> None:
    """`count` school rows spread over every item that takes rows, as a school fills it."""
    targets = list(
        TemplateItem.objects.filter(year=plan.year, accepts_rows=True)
        .exclude(kind=ItemKind.ROW)
        .order_by("pk")
    )
    plan.rows.filter(fixed_item=None).delete()
    for index in range(count):
        parent = targets[index % len(targets)]
        level = parent.parent.level.code if parent.parent and parent.parent.level_id else None
        add_row(
            plan,
            parent.code,
            activity=f"Мероприятие {index + 1}: профессиональная проба",
            period=["в течение года", "октябрь", ""][index % 3],
            start_date=date(2023, 10, 1) if index % 3 == 1 else None,
            end_date=date(2023, 10, 31) if index % 3 == 1 else None,
            responsible="Классные руководители",
            results="Проведено",
            hours=Decimal(2) if level else None,
            grades={"basic": (6, 7), "main": (8, 9), "advanced": (10, 11)}.get(level, ()),
        )


def word_lines(plan, *, dotless_every: int = 3) -> list:
    """The plan typed into Word by hand: headings as the template, rows with their
    numbers (every third one without its final dot), hours and grades on a line of
    their own under the activity."""
    lines = []
    for index, line in enumerate(plan_lines(Plan.objects.for_editor().get(pk=plan.pk))):
        if line.kind == "section":
            lines.append(Span(f"{line.number} {line.item.title}"))
        elif line.kind == "heading":
            lines.append([line.number, line.item.title])
        elif line.kind == "fixed":
            lines.append([line.number, line.item.title])
        else:
            row = line.row
            number = line.number.rstrip(".") if index % dotless_every == 0 else line.number
            load = "; ".join(
                text
                for text in (
                    f"{row.hours.normalize():f} ч" if row.hours is not None else "",
                    f"{', '.join(map(str, row.grades))} кл." if row.grades else "",
                )
                if text
            )
            activity = f"{row.activity}\n{load}" if load else row.activity
            period = row.period or ("01.10.2023–31.10.2023" if row.start_date else "")
            lines.append(
                [number, activity, period, row.responsible, row.documents, row.links, row.results]
            )
    return lines


def test_a_filled_plan_of_150_rows_lands_under_the_right_numbers(plan, other_school):
    fill_plan(plan, 150)
    bad = [
        ["3.9.1.", "Строка под пунктом, которого нет"],
        ["4.7.", "Своя строка в разделе IV"],
    ]
    lines = word_lines(plan)
    lines[5:5] = [bad[0]]
    lines.insert(len(lines) - 3, bad[1])
    placement = place_lines(read_docx(docx_bytes(lines, split_every=60), "план.docx"), plan.year)

    new = plan_import_docx(placement=placement, school=other_school)

    def where(p):
        result = []
        for line in plan_lines(Plan.objects.for_editor().get(pk=p.pk)):
            if line.kind != "row":
                continue
            block = line.item.parent if line.item.parent and line.item.parent.level_id else None
            result.append(
                (
                    line.number,
                    line.item.code,
                    block.level.code if block else None,
                    line.item.direction.code if line.item.direction_id else None,
                    line.row.activity,
                )
            )
        return result

    expected, got = where(plan), where(new)
    assert len(expected) == 150
    assert got == expected
    assert [problem.original.split(" | ")[-1] for problem in placement.problems] == [
        "Строка под пунктом, которого нет",
        "Своя строка в разделе IV",
    ]


def test_our_own_docx_export_comes_back_equal_row_for_row(plan):
    fill_plan(plan, 60)
    add_row(
        plan,
        "3.2.",
        activity="Экскурсии:\nАО «Терекалмаз»\nООО «Хлебозавод»",
        period="сентябрь",
        start_date=date(2023, 9, 1),
        end_date=date(2023, 9, 30),
        responsible="Директор\nПедагог-навигатор",
        documents="Письмо № АБ-2324/05",
        links="https://bvbinfo.ru/\nhttps://edu.ru/",
        results="Справка",
    )
    add_row(plan, "3.3.", activity="Семинар", start_date=date(2023, 11, 15))
    add_row(plan, "3.4.14.7", activity="Профильный класс", hours=Decimal("1.5"), grades=(10, 11))
    fixed = plan.rows.get(fixed_item__code="4.2.")
    # Month names come back with their first and last days (that is what the import
    # reads them as), so the plan here carries them already.
    fixed.period, fixed.responsible, fixed.results = "апрель", "Педагог-психолог", "Отчёт"
    fixed.start_date, fixed.end_date = date(2024, 4, 1), date(2024, 4, 30)
    fixed.save()
    before = printed(plan)
    data = plan_docx(Plan.objects.for_editor().get(pk=plan.pk))
    school, year = plan.school, plan.year
    plan.delete()

    placement = place_lines(read_docx(data, "план.docx"), year)
    assert placement.problems == []
    new = plan_import_docx(placement=placement, school=school)

    assert printed(new) == before


def test_last_years_plan_into_this_years_template(plan, other_school):
    year = plan.year
    next_year = school_year_copy(
        source=year, title="2024-2025", start_date=date(2024, 9, 1), end_date=date(2025, 8, 31)
    )
    # The new template drops 3.1.3 «Нормативное обеспечение …» and its blank rows.
    gone = TemplateItem.objects.get(year=next_year, code="3.1.3.")
    TemplateItem.objects.filter(parent=gone).delete()
    gone.delete()
    add_row(plan, "3.1.3.", activity="Локальный акт о профминимуме")
    add_row(plan, "3.1.", activity="Приказ", period="", start_date=date(2023, 9, 1))
    data = plan_docx(Plan.objects.for_editor().get(pk=plan.pk))

    placement = place_lines(read_docx(data, "план.docx"), next_year)

    originals = [problem.original for problem in placement.problems]
    assert any("Нормативное обеспечение" in text for text in originals)
    assert any("Локальный акт о профминимуме" in text for text in originals)
    assert all("нет" in problem.reason for problem in placement.problems)
    new = plan_import_docx(placement=placement, school=other_school)
    order = new.rows.get(activity="Приказ")
    assert order.start_date == date(2024, 9, 1)  # moved into the new school year
    assert new.year == next_year
    assert not new.rows.filter(activity="Локальный акт о профминимуме").exists()


def test_apply_makes_a_draft_with_levels_and_fixed_rows(year, school):
    lines = [
        Span("III. Мероприятия, меры, управленческие решения"),
        ["3.4.", "ПРОФОРИЕНТАЦИОННЫЕ МЕРОПРИЯТИЯ"],
        Span("3.4.13 Реализация профориентационных мероприятий в рамках основного уровня"),
        ["3.4.13.2.", "ВНЕУРОЧНАЯ ДЕЯТЕЛЬНОСТЬ"],
        ["3.4.13.2.1.", "Курс «Россия – мои горизонты», 34 ч, 8–9 кл."],
    ]
    placement = place_lines(read_docx(docx_bytes(lines), "план.docx"), year)
    plan = plan_import_docx(placement=placement, school=school)
    assert plan.status == PlanStatus.DRAFT
    assert {g.grade: g.level.code for g in plan.grades.exclude(level=None)} == {
        8: "main",
        9: "main",
    }
    assert plan.rows.filter(fixed_item__isnull=False).count() == 5
    row = plan.rows.get(fixed_item=None)
    assert (row.hours, row.grades, row.parent.code) == (Decimal(34), (8, 9), "3.4.13.2.")


def test_an_existing_plan_is_replaced_only_when_asked_and_only_a_draft(plan):
    lines = [Span("I. Постановка целей"), ["1.1.", "Новая цель"]]
    placement = place_lines(read_docx(docx_bytes(lines), "план.docx"), plan.year)
    rows_before = plan.rows.count()
    with pytest.raises(ImportRefused):
        plan_import_docx(placement=placement, school=plan.school)
    assert plan.rows.count() == rows_before

    replaced = plan_import_docx(
        placement=placement, school=plan.school, replace=True, version=plan.version
    )
    assert replaced.pk == plan.pk
    assert list(plan.rows.filter(fixed_item=None).values_list("activity", flat=True)) == [
        "Новая цель"
    ]
    assert Plan.objects.get(pk=plan.pk).version == plan.version + 1

    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    with pytest.raises(PlanNotEditable):
        plan_import_docx(placement=placement, school=plan.school, replace=True)


def test_apply_is_all_or_nothing(year, school, monkeypatch):
    lines = [Span("I. Постановка целей"), ["1.1.", "Цель"]]
    placement = place_lines(read_docx(docx_bytes(lines), "план.docx"), year)

    def broken(*args, **kwargs):
        raise RuntimeError("диск переполнен")

    monkeypatch.setattr("plans.imports.services.plan_refresh_check", broken)
    with pytest.raises(RuntimeError):
        plan_import_docx(placement=placement, school=school)
    assert not Plan.objects.filter(school=school).exists()
    assert not PlanRow.objects.filter(plan__school=school).exists()


def test_the_command_prints_the_report_and_imports(year, tmp_path, capsys):
    school = SchoolFactory(inn="0701234567")
    lines = [
        Span("I. Постановка целей"),
        ["1.1.", "Цель", "в течение года"],
        ["9.9.9.", "Непонятная строка"],
    ]
    path = tmp_path / "план.docx"
    path.write_bytes(docx_bytes(lines))

    call_command("import_plan", str(path), school="0701234567", year="2023-2024", dry_run=True)
    out = capsys.readouterr().out
    assert "1.1. Цель [в течение года]" in out
    assert "Непонятная строка" in out and "ничего не записано" in out
    assert not Plan.objects.filter(school=school).exists()

    call_command("import_plan", str(path), school="0701234567", year="2023-2024")
    assert Plan.objects.get(school=school, year=SchoolYear.objects.get(title="2023-2024"))
