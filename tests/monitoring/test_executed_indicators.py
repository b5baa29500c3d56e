"""Indicators of section II counted from what was done: excursions held, professional
trials, pupils, hours. Shown beside the targets to the school and the centre, and
offered in the monitoring report so the same number is not typed twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.computed import executed_values
from monitoring.models import Indicator, PlanIndicator, ReportValue
from plans.execution.reads import executions_for
from plans.models import Direction, Plan, PlanStatus
from plans.services import row_execution_record
from tests.factories import add_row
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def approve(plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


def mark(plan, activity, by, **data):
    row = plan.rows.get(activity=activity)
    return row_execution_record(row=row, by=by, data=data)


@pytest.fixture
def approved(plan, deputy):
    add_row(plan, "3.4.", activity="Экскурсия на завод «Терекалмаз»", grades=(8, 9))
    add_row(plan, "3.4.", activity="Экскурсии в колледж", grades=(9,))
    add_row(plan, "3.4.", activity="Экскурсия в музей", grades=(7,))
    add_row(plan, "3.4.", activity="Профпробы на платформе «Билет в будущее»", grades=(8,))
    add_row(plan, "3.4.", activity="Апробация новой программы", grades=(10,))
    add_row(plan, "3.4.13.1.", activity="Урок профессий", hours=10, grades=(8, 9))
    plan = approve(plan)
    mark(plan, "Экскурсия на завод «Терекалмаз»", deputy, status="done", pupils=25)
    mark(plan, "Экскурсии в колледж", deputy, status="partly", pupils=12)
    mark(plan, "Экскурсия в музей", deputy, status="not_done")
    mark(plan, "Профпробы на платформе «Билет в будущее»", deputy, status="done", pupils=40)
    mark(plan, "Апробация новой программы", deputy, status="done")
    mark(plan, "Урок профессий", deputy, status="done", hours=6, grades=(8, 9))
    return plan


@pytest.fixture
def section_two(approved, catalogue):
    PlanIndicator.objects.create(plan=approved, indicator=catalogue["excursions"], target=5)
    PlanIndicator.objects.create(plan=approved, indicator=catalogue["prof_trials"], target=1)
    PlanIndicator.objects.create(plan=approved, indicator=catalogue["coverage_6_11"], target=90)
    return approved


def values_for(plan, *indicators):
    bundle = Plan.objects.for_editor().get(pk=plan.pk)
    return executed_values(bundle, executions_for(bundle, with_evidence=False), indicators)


# --- what is counted --------------------------------------------------------------


def test_excursions_held_count_the_rows_done_or_partly_done(approved, catalogue):
    excursions = catalogue["excursions"]
    assert values_for(approved, excursions) == {excursions.pk: Decimal(2)}


def test_a_keyword_matches_the_beginning_of_a_word_only(approved, catalogue):
    trials = catalogue["prof_trials"]  # «проб; профпроб»: not «Апробация»
    assert values_for(approved, trials) == {trials.pk: Decimal(1)}


def test_pupils_and_hours_are_summed_within_the_indicators_direction(approved, year):
    lessons = Direction.objects.get(year=year, code="lessons")
    pupils = Indicator.objects.create(
        year=year,
        code="excursion_pupils",
        name="Участники экскурсий",
        unit="people",
        execution_count="pupils",
        execution_keywords="экскурси",
    )
    hours = Indicator.objects.create(
        year=year,
        code="lesson_hours",
        name="Часов урочной деятельности",
        unit="hours",
        execution_count="hours",
        direction=lessons,
    )
    assert values_for(approved, pupils, hours) == {pupils.pk: 37, hours.pk: 6}


def test_an_indicator_without_a_count_is_not_offered(approved, catalogue):
    assert values_for(approved, catalogue["coverage_6_11"]) == {}


def test_the_centre_is_told_when_a_count_does_not_fit_the_indicator(year, catalogue):
    computed = catalogue["min_grade_hours"]
    computed.execution_count = "hours"
    with pytest.raises(ValidationError) as error:
        computed.full_clean()
    assert "только показатели, которые вносит школа" in str(error.value)
    percent = catalogue["coverage_6_11"]
    percent.execution_count = "pupils"
    with pytest.raises(ValidationError) as error:
        percent.full_clean()
    assert "единица – «чел.»" in str(error.value)


# --- the monitoring report ---------------------------------------------------------


def field_value(page: str, indicator) -> str:
    start = page.index(f'name="indicator_{indicator.pk}"')
    tag = page[page.rindex("<input", 0, start) : page.index(">", start)]
    return tag.split('value="')[1].split('"')[0] if 'value="' in tag else ""


def test_report_offers_the_count_and_prefills_an_empty_field(client, deputy, section_two, report):
    catalogue = {i.code: i for i in Indicator.objects.all()}
    client.force_login(deputy)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "По отметкам об исполнении: <strong>1</strong>" in page  # professional trials
    assert field_value(page, catalogue["prof_trials"]) == "1"
    assert "это число в поле, проверьте его" in page
    assert field_value(page, catalogue["coverage_6_11"]) == ""  # not counted: left to type


def test_a_value_the_school_entered_is_kept_and_the_count_offered(
    client, deputy, section_two, report
):
    trials = Indicator.objects.get(code="prof_trials")
    ReportValue.objects.create(report=report, indicator=trials, value=3)
    client.force_login(deputy)
    page = client.get(report.get_absolute_url()).content.decode()
    assert field_value(page, trials) == "3,00"
    assert f'name="fill" value="{trials.pk}"' in page and "Подставить" in page


def test_substitute_puts_the_count_in_keeping_what_was_typed(client, deputy, section_two, report):
    catalogue = {i.code: i for i in Indicator.objects.all()}
    trials, coverage = catalogue["prof_trials"], catalogue["coverage_6_11"]
    ReportValue.objects.create(report=report, indicator=trials, value=3)
    client.force_login(deputy)
    response = client.post(
        report.get_absolute_url(),
        {f"indicator_{trials.pk}": "3", f"indicator_{coverage.pk}": "87,5", "fill": trials.pk},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert field_value(page, trials) == "1" and field_value(page, coverage) == "87,5"
    assert "Подставлено число по отметкам об исполнении" in page
    assert ReportValue.objects.get(report=report, indicator=trials).value == 3  # not saved yet


def test_a_submitted_report_offers_nothing(client, deputy, section_two, report):
    from django.utils import timezone

    type(report).objects.filter(pk=report.pk).update(
        status="submitted", submitted_at=timezone.now()
    )
    client.force_login(deputy)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "По отметкам об исполнении" not in page


def test_the_report_runs_the_same_queries_for_few_and_many_rows(
    client, deputy, section_two, report
):
    client.force_login(deputy)
    url = report.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        row = add_row(section_two, "3.4.", activity=f"Экскурсия № {n}")
        row_execution_record(row=row, by=deputy, data={"status": "done", "pupils": 10})
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert "По отметкам об исполнении: <strong>1</strong>" in page


# --- section II beside the targets -----------------------------------------------------


def test_the_schools_plan_shows_the_counts_beside_the_targets(client, deputy, section_two):
    client.force_login(deputy)
    editor = client.get(reverse("plans:edit", args=[section_two.pk])).content.decode()
    block = editor[editor.index('id="executed-indicators"') :][:2500]
    assert "Количество экскурсий" in block and "<strong>2</strong>" in block
    execution = client.get(reverse("plans:execution", args=[section_two.pk])).content.decode()
    assert 'id="executed-indicators"' in execution
    section = client.get(reverse("monitoring:plan-indicators", args=[section_two.pk]))
    assert "По отметкам об исполнении" in section.content.decode()


def test_the_centres_review_shows_the_counts_in_section_two(client, reviewer, section_two):
    from accounts.roles import REGIONAL, ensure_roles

    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    page = client.get(reverse("admin:plans_plan_review", args=[section_two.pk])).content.decode()
    table = page[page.index('class="table table-sm table-bordered bg-white plan-indicators"') :]
    table = table[: table.index("</table>")]
    assert "По отметкам об исполнении" in table
    assert '<td class="executed-value"><strong>2</strong></td>' in table
    assert "не считается" in table  # the coverage share is not a count


def test_another_school_cannot_see_the_counts(client, other_deputy, section_two):
    client.force_login(other_deputy)
    url = reverse("monitoring:plan-indicators", args=[section_two.pk])
    assert client.get(url).status_code == 404


def test_substitute_for_a_number_the_marks_do_not_give_saves_nothing(
    client, deputy, section_two, report
):
    coverage = Indicator.objects.get(code="coverage_6_11")
    client.force_login(deputy)
    response = client.post(
        report.get_absolute_url(), {f"indicator_{coverage.pk}": "50", "fill": coverage.pk}
    )
    assert response.status_code == 200
    assert "По отметкам об исполнении этого числа нет" in response.content.decode()
    assert not ReportValue.objects.filter(report=report).exists()


def test_review_of_a_plan_not_yet_approved_shows_no_counts(client, reviewer, plan, catalogue):
    from accounts.roles import REGIONAL, ensure_roles

    PlanIndicator.objects.create(plan=plan, indicator=catalogue["excursions"], target=5)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    response = client.get(reverse("admin:plans_plan_review", args=[plan.pk]))
    assert response.status_code == 200
    assert "По отметкам об исполнении" not in response.content.decode()


def test_an_approved_plan_without_marks_counts_zero(client, deputy, plan, catalogue):
    PlanIndicator.objects.create(plan=plan, indicator=catalogue["excursions"], target=5)
    approve(plan)
    client.force_login(deputy)
    page = client.get(reverse("plans:edit", args=[plan.pk])).content.decode()
    block = page[page.index('id="executed-indicators"') :][:2000]
    assert "<strong>0</strong>" in block
