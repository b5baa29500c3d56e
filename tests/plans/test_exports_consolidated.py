import io
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from plans.documents.formats.consolidated import SUMMARY_TITLES, region_xlsx
from plans.documents.formats.rows import table_rows
from plans.models import Municipality, Plan, PlanStatus
from tests.factories import SchoolFactory, add_row, make_plan
from tests.plans.export_data import fill_rows
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def sheets(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    return workbook["Сводка"], workbook["Строки планов"]


def column(titles, title):
    return list(titles).index(title)


def test_summary_has_one_line_per_plan_with_levels_hours_and_the_check(plan, other_plan):
    add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6,))
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPROVED,
        submitted_at=timezone.make_aware(datetime(2023, 9, 10, 23, 30)),
        approved_at=timezone.make_aware(datetime(2023, 9, 15, 12, 0)),
    )

    summary, _ = sheets(region_xlsx(Plan.objects.all()))

    header, *lines = list(summary.iter_rows(values_only=True))
    assert header == SUMMARY_TITLES
    assert len(lines) == 2
    line = next(line for line in lines if line[1] == plan.school.short_name)
    assert line[0] == plan.school.municipality.name
    assert line[2] == "утверждён"
    assert line[3] == datetime(2023, 9, 10) and line[4] == datetime(2023, 9, 15)
    assert line[column(header, "6 кл.: уровень")] == "базовый"
    assert line[column(header, "6 кл.: часов")] == 4
    assert line[column(header, "7 кл.: часов")] == 0
    assert line[column(header, "Профминимум: требования выполнены")] == "нет"
    assert "6 класс: запланировано 4 ч из 40" in line[column(header, "Замечания проверки")]
    other = next(line for line in lines if line[1] == other_plan.school.short_name)
    assert other[column(header, "6 кл.: уровень")] == "—"
    assert other[column(header, "6 кл.: часов")] is None


def test_rows_sheet_holds_every_row_of_every_plan_with_municipality_and_school(plan, other_plan):
    add_row(plan, "I.", activity="=1+1\x0b")
    expected = []
    for each in Plan.objects.for_editor().order_by("school__short_name"):
        expected += [(each.school.short_name, row.number) for row in table_rows(each)]

    _, rows = sheets(region_xlsx(Plan.objects.all()))

    header, *lines = list(rows.iter_rows(values_only=True))
    assert header[:5] == ("Муниципалитет", "Школа", "Пункт примерного плана", "Вид строки", "№ п/п")
    assert [(line[1], line[4]) for line in lines] == expected
    assert {line[0] for line in lines} == {plan.school.municipality.name}
    assert ("I.", "мероприятие школы", "=1+1") in [line[2:4] + (line[5],) for line in lines]
    cells = [c for row in rows.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]


# Queries: 1 the ids in region order; then per chunk of up to 50 plans: plans with
# school, municipality, year and self-analysis; grades with levels; rows; template
# items; levels; directions; section II indicators; the rows' executions. 3 and 30
# plans are one chunk each.
PER_CHUNK = 8
CONSOLIDATED_QUERIES = 1 + PER_CHUNK


def test_consolidated_queries_do_not_grow_with_plans_or_rows(django_assert_num_queries, year):
    few = [make_plan(SchoolFactory()) for _ in range(3)]
    many = few + [make_plan(SchoolFactory()) for _ in range(27)]
    fill_rows(many[-1], 200)

    with django_assert_num_queries(CONSOLIDATED_QUERIES):
        region_xlsx(Plan.objects.filter(pk__in=[p.pk for p in few]))
    with django_assert_num_queries(CONSOLIDATED_QUERIES):
        data = region_xlsx(Plan.objects.filter(pk__in=[p.pk for p in many]))
    assert sheets(data)[0].max_row == 31


def test_chunks_cost_a_fixed_number_of_queries(django_assert_num_queries, year, monkeypatch):
    monkeypatch.setattr("plans.documents.formats.consolidated.CHUNK", 2)
    plans = [make_plan(SchoolFactory()) for _ in range(5)]
    with django_assert_num_queries(1 + PER_CHUNK * 3):
        region_xlsx(Plan.objects.filter(pk__in=[p.pk for p in plans]))


def test_command_writes_the_region_or_one_municipality(tmp_path, plan, year):
    elsewhere = Municipality.objects.exclude(pk=plan.school.municipality_id).first()
    make_plan(SchoolFactory(municipality=elsewhere))
    output = tmp_path / "region.xlsx"

    call_command("export_region", year="2023-2024", output=str(output), stdout=io.StringIO())
    assert sheets(output.read_bytes())[0].max_row == 3

    call_command(
        "export_region",
        "--year=2023-2024",
        f"--output={output}",
        f"--municipality={elsewhere.name}",
        stdout=io.StringIO(),
    )
    summary, _ = sheets(output.read_bytes())
    assert [line[0] for line in summary.iter_rows(min_row=2, values_only=True)] == [elsewhere.name]

    with pytest.raises(CommandError):
        call_command("export_region", year="1999-2000", output=str(output))


def test_admin_action_downloads_the_consolidated_table(
    client, reviewer, plan, other_plan, run_worker
):
    from django.contrib.auth.models import Permission

    reviewer.user_permissions.add(Permission.objects.get(codename="view_plan"))
    log_in(client, reviewer)
    response = client.post(
        reverse("admin:plans_plan_changelist"),
        {"action": "export_consolidated", "_selected_action": [plan.pk]},
    )
    assert response.status_code == 302 and response["Location"].startswith("/documents/")
    run_worker()
    ready = client.get(response["Location"]).content.decode()
    assert "Готово" in ready
    download = client.get(response["Location"] + "download/")
    assert "filename*=utf-8''" in download["Content-Disposition"]
    summary, _ = sheets(b"".join(download.streaming_content))
    assert [line[1] for line in summary.iter_rows(min_row=2, values_only=True)] == [
        plan.school.short_name
    ]


def test_admin_action_puts_the_selected_plans_in_one_archive(
    client, reviewer, plan, other_plan, run_worker
):
    import io
    import zipfile

    from django.contrib.auth.models import Permission

    reviewer.user_permissions.add(Permission.objects.get(codename="view_plan"))
    log_in(client, reviewer)
    response = client.post(
        reverse("admin:plans_plan_changelist"),
        {"action": "archive_selected", "_selected_action": [plan.pk, other_plan.pk]},
    )
    assert response.status_code == 302
    run_worker()
    download = client.get(response["Location"] + "download/")
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len(names) == 4 and {name.rsplit(".", 1)[1] for name in names} == {"pdf", "docx"}


def test_admin_plan_page_links_to_both_exports(client, superuser, plan):
    log_in(client, superuser)
    page = client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    assert reverse("plans:export-pdf", args=[plan.pk]) in page
    assert reverse("plans:export-xlsx", args=[plan.pk]) in page


# --- The execution, for the ministry ----------------------------------------------


def approve_and_mark(plan, by, hours_by_block: dict[str, int]):
    """Approve `plan` and mark done, in each level block `code`, a row of that many
    hours for the block's grades."""
    from plans.services import row_execution_record

    grades = {"3.4.12.1.": (6, 7), "3.4.13.1.": (8, 9), "3.4.14.1.": (10, 11)}
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    for code, hours in hours_by_block.items():
        row = add_row(plan, code, activity=f"Мероприятие {code}", hours=hours, grades=grades[code])
        row_execution_record(row=row, by=by, data={"status": "done"})


def test_downloaded_workbook_has_each_schools_execution_and_the_share_that_met_it(
    client, reviewer, plan, deputy, levels, download
):
    from plans.execution.reads import markable_lines
    from plans.numbering import plan_lines

    approve_and_mark(plan, deputy, {"3.4.12.1.": 40, "3.4.13.1.": 60, "3.4.14.1.": 80})
    behind = make_plan(
        SchoolFactory(municipality=plan.school.municipality), levels={9: levels["main"].pk}
    )
    approve_and_mark(behind, None, {"3.4.13.1.": 12})  # another school's: by the site
    make_plan(SchoolFactory(municipality=plan.school.municipality))  # a draft: no execution

    log_in(client, reviewer)
    workbook = load_workbook(io.BytesIO(download(reverse("plans:export-region")).content))

    assert workbook.sheetnames == ["Сводка", "Исполнение", "Итоги исполнения", "Строки планов"]
    header, *lines = list(workbook["Исполнение"].iter_rows(values_only=True))
    assert len(lines) == 2  # approved plans only
    done = next(line for line in lines if line[1] == plan.school.short_name)
    planned = len(markable_lines(plan_lines(Plan.objects.for_editor().get(pk=plan.pk))))
    assert done[column(header, "Строк в плане")] == planned
    assert done[column(header, "Выполнено")] == 3
    assert done[column(header, "Без отметки")] == planned - 3
    assert done[column(header, "9 кл.: минимум уровня, ч")] == 60
    assert done[column(header, "9 кл.: проведено, ч")] == 60
    assert done[column(header, "11 кл.: проведено, ч")] == 80
    assert done[-1] == "да"
    late = next(line for line in lines if line[1] == behind.school.short_name)
    assert late[column(header, "9 кл.: проведено, ч")] == 12
    assert late[column(header, "8 кл.: минимум уровня, ч")] is None  # no level chosen
    assert late[-1] == "нет"

    titles, *totals = list(workbook["Итоги исполнения"].iter_rows(values_only=True))
    assert titles[:4] == (
        "Муниципалитет",
        "Утверждённых планов",
        "Выполнили профминимум по проведённым часам",
        "Доля школ, выполнивших профминимум, %",
    )
    assert totals[0][:4] == (plan.school.municipality.name, 2, 1, 50)
    assert totals[-1][:4] == ("Кабардино-Балкарская Республика", 2, 1, 50)


def test_a_new_mark_makes_a_new_workbook(client, reviewer, plan, deputy, download):
    from plans.services import row_execution_record

    approve_and_mark(plan, deputy, {"3.4.13.1.": 10})
    log_in(client, reviewer)
    url = reverse("plans:export-region")

    def delivered_in_grade_9():
        sheet = load_workbook(io.BytesIO(download(url).content))["Исполнение"]
        header, line = list(sheet.iter_rows(values_only=True))
        return line[column(header, "9 кл.: проведено, ч")]

    assert delivered_in_grade_9() == 10
    row = plan.rows.get(activity="Мероприятие 3.4.13.1.")
    row_execution_record(row=row, by=deputy, data={"status": "done", "hours": 25})
    assert delivered_in_grade_9() == 25  # the plan's version did not change; the marks did


def test_consolidated_queries_do_not_grow_with_marked_plans(django_assert_num_queries, year):
    few = [make_plan(SchoolFactory()) for _ in range(3)]
    many = few + [make_plan(SchoolFactory()) for _ in range(27)]
    for each in many:
        approve_and_mark(each, None, {"3.4.13.1.": 10, "3.4.14.1.": 20})  # not one deputy's

    with django_assert_num_queries(CONSOLIDATED_QUERIES):
        region_xlsx(Plan.objects.filter(pk__in=[p.pk for p in few]))
    with django_assert_num_queries(CONSOLIDATED_QUERIES):
        data = region_xlsx(Plan.objects.filter(pk__in=[p.pk for p in many]))
    assert load_workbook(io.BytesIO(data))["Исполнение"].max_row == 31
