"""The regional centre's review screens in the admin, and the school's side of comments."""

import pytest
from django.urls import reverse

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.models import Municipality, Plan, PlanComment, PlanStatus, School
from tests.plans.test_editor import complete
from tests.signin import log_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def centre(client, reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    log_in(client, reviewer)
    return client


@pytest.fixture
def submitted(plan, deputy):
    complete(plan)
    services.plan_submit(plan=plan, by=deputy, version=None)
    plan.refresh_from_db()
    return plan


def test_list_shows_what_a_reviewer_needs(centre, submitted, other_plan):
    page = centre.get(reverse("admin:plans_plan_changelist")).content.decode()
    for text in (
        submitted.school.short_name,
        "на рассмотрении",
        "✓ выполнен",
        "✗ есть замечания",
        "Открытых комментариев",
        "просрочен",
    ):
        assert text in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status__exact=submitted", "submitted", "other"),
        ("check_passed__exact=1", "submitted", "other"),
        ("check_passed__exact=0", "other", "submitted"),
        ("level=basic", "submitted", "other"),
    ],
)
def test_filters(centre, submitted, other_plan, query, shown, hidden):
    plans = {"submitted": submitted, "other": other_plan}
    page = centre.get(reverse("admin:plans_plan_changelist") + "?" + query).content.decode()
    assert plans[shown].school.short_name in page
    assert f">{plans[hidden].school.short_name}<" not in page


def test_overdue_filter_and_search_by_inn(centre, submitted, other_plan):
    other_plan.school.inn = "0711000099"
    other_plan.school.save()
    page = centre.get(reverse("admin:plans_plan_changelist") + "?overdue=yes").content.decode()
    assert f">{other_plan.school.short_name}<" in page  # never submitted, window closed in 2023
    page = centre.get(reverse("admin:plans_plan_changelist") + "?q=0711000099").content.decode()
    assert (
        f">{other_plan.school.short_name}<" in page
        and f">{submitted.school.short_name}<" not in page
    )


def many_plans(count, year):
    municipality = Municipality.objects.first()
    start = School.objects.count()
    schools = School.objects.bulk_create(
        School(full_name=f"Школа {i}", short_name=f"Школа {i:04}", municipality=municipality)
        for i in range(start, start + count)
    )
    Plan.objects.bulk_create(Plan(school=school, year=year) for school in schools)


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_admin_list_queries_do_not_grow_with_plans(centre, year):
    """Session, user, the reviewer's permissions, the years for the deadline, the two
    counts, one page of plans (school, municipality, year, overdue and open comments
    annotated), the filters' choices, the date hierarchy, the session's save: the same
    for 10 plans and for 1,000."""
    url = reverse("admin:plans_plan_changelist")
    many_plans(10, year)
    centre.get(url)
    ten = count_queries(centre, url)
    many_plans(990, year)
    assert count_queries(centre, url) == ten
    assert ten <= 20


def test_review_page_shows_the_document_and_takes_comments(centre, submitted, client, deputy):
    url = reverse("admin:plans_plan_review", args=[submitted.pk])
    page = centre.get(url).content.decode()
    assert "Таблица 1" in page and "3.4.12.1.1." in page and "Утвердить" in page
    row = submitted.rows.filter(parent__code="3.4.12.1.").first()
    response = centre.post(
        url, {"action": "comment", "row": row.pk, "text": "Уточните число часов"}
    )
    assert response.status_code == 302
    comment = PlanComment.objects.get(plan=submitted)
    assert comment.row == row and comment.row_number == "3.4.12.1.1."
    assert "Уточните число часов" in centre.get(url).content.decode()
    assert (
        ">1<" in centre.get(reverse("admin:plans_plan_changelist")).content.decode()
    )  # open comments

    # The school sees it next to the row, answers and marks it resolved.
    client.force_login(deputy)
    page = client.get(submitted.get_absolute_url()).content.decode()
    # Listed at the top of the plan with a jump to the row, and shown under the row.
    assert (
        f'<a class="alert-link" href="#row-{row.pk}">3.4.12.1.1.</a> Уточните число часов' in page
    )
    row_at = page.index(f'id="row-{row.pk}"')
    assert row_at < page.index("Уточните число часов", row_at) < page.index("3.4.12.2.", row_at)
    response = client.post(
        reverse("plans:comment-reply", args=[submitted.pk, comment.pk]),
        {"text": "Исправим"},
        **HTMX,
    )
    assert "Исправим" in response.content.decode()
    client.post(reverse("plans:comment-resolve", args=[submitted.pk, comment.pk]), **HTMX)
    comment.refresh_from_db()
    assert comment.resolved_at and comment.replies.get().text == "Исправим"


def test_another_school_cannot_answer_or_resolve(client, other_deputy, submitted, reviewer):
    comment = services.plan_comment_add(plan=submitted, by=reviewer, text="x")
    client.force_login(other_deputy)
    assert (
        client.post(
            reverse("plans:comment-reply", args=[submitted.pk, comment.pk]), {"text": "y"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("plans:comment-resolve", args=[submitted.pk, comment.pk])).status_code
        == 404
    )


def test_approve_and_return_from_the_review_page(centre, submitted):
    url = reverse("admin:plans_plan_review", args=[submitted.pk])
    response = centre.post(
        url, {"action": "return", "comment": "", "version": submitted.version}, follow=True
    )
    assert "без комментария план не возвращается" in response.content.decode()
    centre.post(
        url,
        {
            "action": "return",
            "comment": "Добавьте мероприятия для родителей",
            "version": submitted.version,
        },
    )
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.RETURNED


def test_replayed_approve_form_is_refused(centre, submitted, deputy):
    url = reverse("admin:plans_plan_review", args=[submitted.pk])
    stale = submitted.version
    centre.post(url, {"action": "return", "comment": "исправить", "version": stale})
    services.plan_submit(plan=submitted, by=deputy, version=None)
    response = centre.post(url, {"action": "approve", "version": stale}, follow=True)
    assert "План изменился с тех пор" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.SUBMITTED


def test_bulk_approve_reports_what_it_could_not_do(centre, submitted, other_plan):
    response = centre.post(
        reverse("admin:plans_plan_changelist"),
        {"action": "approve_selected", "_selected_action": [submitted.pk, other_plan.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Утверждён 1 план." in page and "Нельзя утвердить: план сейчас «черновик»." in page


def test_bulk_return_asks_for_a_comment(centre, submitted):
    url = reverse("admin:plans_plan_changelist")
    page = centre.post(
        url, {"action": "return_selected", "_selected_action": [submitted.pk]}
    ).content.decode()
    assert "Что исправить" in page
    centre.post(
        url,
        {
            "action": "return_selected",
            "_selected_action": [submitted.pk],
            "apply": "1",
            "comment": "Исправьте раздел IV",
        },
    )
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.RETURNED


def test_diff_page(centre, submitted, reviewer, deputy):
    services.plan_return(plan=submitted, by=reviewer, comment="исправить")
    row = submitted.rows.filter(parent__code="3.4.12.1.").first()
    row.activity = "Новый текст строки"
    row.save()
    page = centre.get(reverse("admin:plans_plan_diff", args=[submitted.pk])).content.decode()
    assert "Изменено (1)" in page and "Новый текст строки" in page and "план сейчас" in page


def test_reviewer_cannot_rewrite_a_schools_rows(centre, submitted):
    page = centre.get(reverse("admin:plans_plan_change", args=[submitted.pk])).content.decode()
    assert 'name="rows-0-activity"' not in page  # shown read-only
