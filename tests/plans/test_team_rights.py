"""A team member across the existing pages: reads the school's plans, changes none of
their text, starts and imports nothing, and answers the centre's remarks only on the
rows assigned to them. Every URL of plans/ and monitoring/ is walked with a POST."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from monitoring.models import Report
from plans.models import Plan, PlanComment, PlanRow, RowAssignment, RowExecution, TemplateItem
from tests.factories import add_row, open_campaign
from tests.plans.test_team import member_of

pytestmark = pytest.mark.django_db

# Names whose POST changes something: a team member must get 403 or 404 from each.
EDITING = {
    "plans:start",
    "plans:import-docx",
    "plans:import-preview",
    "plans:import-xlsx",
    "plans:import-xlsx-preview",
    "plans:template-seen",
    "plans:template-accept",
    "plans:note",
    "plans:levels",
    "plans:submit",
    "plans:comment-reply",
    "plans:comment-resolve",
    "plans:row-new",
    "plans:row-add",
    "plans:row-restore",
    "plans:row-edit",
    "plans:row-delete",
    "plans:row-move",
    "plans:execution-row",  # a row not assigned to the member
    "plans:evidence-delete",
    "plans:document-retry",
    "plans:archive",
    "plans:export-region",
    "plans:execution-region",
    "plans:templates",
    "plans:template-new-year",
    "plans:template",
    "plans:template-item",
    "plans:template-levels",
    "plans:template-block-new",
    "plans:template-block",
    "plans:template-publish",
    "plans:template-export-docx",
    "plans:template-export-pdf",
    "plans:catalogue",
    "plans:catalogue-new",
    "plans:catalogue-activity",
    "plans:catalogue-activity-action",
    "plans:team",
    "plans:team-add",
    "plans:team-history",
    "plans:team-member",
    "plans:team-sheet",
    "plans:team-remove",
    "plans:assign",
    "plans:row-assignees",
    "monitoring:report",
    "monitoring:survey",
    "monitoring:recommendation-send",
    "monitoring:recommendation-acknowledge",
    "monitoring:recommendation-answer",
    "monitoring:plan-indicators",
    "monitoring:self-analysis",
    "monitoring:dashboard",
    "monitoring:dashboard-xlsx",
}
# Pages a member reads (a POST there reads too, or asks for a document of the plan).
READING = {
    "plans:home",
    "plans:edit",
    "plans:check",
    "plans:row",
    "plans:execution",
    "plans:evidence",
    "plans:export-pdf",
    "plans:export-docx",
    "plans:export-xlsx",
    "plans:submission-pdf",
    "plans:approved-pdf",
    "plans:document",
    "plans:document-download",
    "monitoring:home",
    "monitoring:recommendations",
    # Their own: «Мои мероприятия», their calendar link (a made-up token: 404).
    "plans:my",
    "plans:my-calendar",
    "plans:calendar-feed",
}


def patterns(namespace):
    resolver = get_resolver()
    for pattern in resolver.namespace_dict[namespace][1].url_patterns:
        if isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}", pattern


@pytest.fixture
def navigator(school):
    return member_of(school)


@pytest.fixture
def rows(plan):
    return [
        add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7)),
        add_row(plan, "3.4.12.1.", activity="Классный час «Мир профессий»", hours=1, grades=(8,)),
    ]


def state(plan):
    plan = Plan.objects.get(pk=plan.pk)
    return (
        plan.version,
        plan.status,
        plan.explanatory_note,
        list(PlanRow.objects.filter(plan=plan).values_list("pk", "activity", "order", "parent_id")),
        list(plan.grades.values_list("grade", "level_id")),
        PlanComment.objects.count(),
        Plan.objects.count(),
        RowExecution.objects.count(),
        list(Report.objects.values_list("pk", "submitted_at")),
    )


def test_a_members_post_to_every_editing_url_changes_nothing(
    client, navigator, plan, rows, deputy, reviewer, year
):
    open_campaign(year)
    comment = PlanComment.objects.create(plan=plan, row=rows[1], author=reviewer, text="Даты?")
    colleague = member_of(plan.school, username="teacher", email="teacher@example.org")
    item = TemplateItem.objects.filter(year=plan.year, accepts_rows=True).first()
    report = Report.objects.get(school=plan.school)
    values = {
        "pk": plan.pk,
        "plan_id": plan.pk,
        "row_pk": rows[1].pk,
        "comment_pk": comment.pk,
        "evidence_pk": 1,
        "number": 1,
        "token": "x" * 20,
        "item_pk": item.pk,
        "block_pk": item.pk,
        "activity_pk": 1,
        "user_pk": colleague.pk,
    }
    data = {
        "version": plan.version,
        "text": "Ответ",
        "parent": item.pk,
        "activity": "Чужая строка",
        "direction": "up",
        "explanatory_note": "Чужая записка",
        "year": plan.year_id,
        "mode": "empty",
        "answer": "Сделано",
        "invite": "1",
        "full_name": "Иванов Иван",
        "team_position": "teacher",
        "email": "ivanov@example.org",
        "delivery": "mail",
    }
    before = state(plan)
    client.force_login(navigator)
    seen = set()
    for namespace in ("plans", "monitoring"):
        for name, pattern in patterns(namespace):
            seen.add(name)
            kwargs = {key: values[key] for key in pattern.pattern.converters}
            if name.startswith("plans:template") or name.startswith("plans:catalogue"):
                kwargs = {**kwargs, "pk": plan.year_id} if "pk" in kwargs else kwargs
            if name in ("monitoring:report", "monitoring:survey"):
                kwargs["pk"] = report.pk
            url = reverse(name, kwargs=kwargs)
            response = client.post(url, data)
            assert response.status_code != 500, name
            if name in EDITING:
                assert response.status_code in (403, 404), (name, response.status_code)
            assert state(plan) == before, name
    assert seen <= EDITING | READING, (
        f"decide for a team member: {sorted(seen - EDITING - READING)}"
    )
    colleague.refresh_from_db()
    assert colleague.is_active


def _editor(client, plan):
    return client.get(reverse("plans:edit", args=[plan.pk])).content.decode()


EDITING_MARKS = (
    "Сдать на рассмотрение",
    "Загрузить из Excel",
    'id="levels-form"',
    "Добавить мероприятие",
    "/edit/",
    'name="explanatory_note"',
    "drag-handle",
)


def test_the_editor_is_read_only_for_a_member_whoever_opened_it_first(
    client, deputy, navigator, plan, rows
):
    # The deputy's editable page is in the cache first; the member never gets it.
    client.force_login(deputy)
    page = _editor(client, plan)
    assert all(mark in page for mark in EDITING_MARKS)
    client.force_login(navigator)
    page = _editor(client, plan)
    assert "Урок «Шоу профессий»" in page
    for mark in EDITING_MARKS:
        assert mark not in page, mark
    # And the other way round: the member's read-only page is not the deputy's.
    Plan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
    client.force_login(navigator)
    _editor(client, plan)
    client.force_login(deputy)
    assert all(mark in _editor(client, plan) for mark in EDITING_MARKS)


def test_home_offers_a_member_neither_a_new_plan_nor_an_import(client, navigator, deputy, year):
    client.force_login(deputy)
    page = client.get(reverse("plans:home")).content.decode()
    assert "Начать план" in page and "Загрузить план из Word" in page
    client.force_login(navigator)
    page = client.get(reverse("plans:home")).content.decode()
    assert "Начать план" not in page and "Загрузить план из Word" not in page
    assert "Команда школы" not in page


def test_a_member_sees_the_schools_plans_but_not_another_schools(
    client, navigator, plan, other_plan
):
    client.force_login(navigator)
    page = client.get(reverse("plans:home"), follow=True).content.decode()  # /my/
    assert reverse("plans:edit", args=[plan.pk]) in page
    assert reverse("plans:edit", args=[other_plan.pk]) not in page
    assert client.get(reverse("plans:edit", args=[other_plan.pk])).status_code == 404
    assert client.get(reverse("plans:execution", args=[other_plan.pk])).status_code == 404


def test_a_member_answers_remarks_on_their_rows_only(
    client, navigator, deputy, reviewer, plan, rows, run_worker
):
    mine, theirs = rows
    RowAssignment.objects.create(row=mine, person=navigator, assigned_by=deputy)
    on_mine = PlanComment.objects.create(plan=plan, row=mine, author=reviewer, text="Где часы?")
    on_theirs = PlanComment.objects.create(plan=plan, row=theirs, author=reviewer, text="Даты?")
    client.force_login(navigator)
    page = _editor(client, plan)
    assert f"/comments/{on_mine.pk}/reply/" in page
    assert f"/comments/{on_theirs.pk}/reply/" not in page
    assert "/resolve/" not in page  # the deputy, who fixes the text, marks remarks fixed

    answer = client.post(
        reverse("plans:comment-reply", args=[plan.pk, on_mine.pk]), {"text": "4 часа, в плане"}
    )
    assert answer.status_code == 200 and "4 часа, в плане" in answer.content.decode()
    assert "Отметить как исправленное" not in answer.content.decode()
    assert PlanComment.objects.filter(reply_to=on_mine, author=navigator).exists()
    refused = client.post(
        reverse("plans:comment-reply", args=[plan.pk, on_theirs.pk]), {"text": "чужое"}
    )
    assert refused.status_code == 404
    assert (
        client.post(reverse("plans:comment-resolve", args=[plan.pk, on_mine.pk])).status_code == 404
    )
    on_mine.refresh_from_db()
    assert on_mine.resolved_at is None
    assert not PlanComment.objects.filter(reply_to=on_theirs).exists()

    # The deputy still answers and resolves every remark.
    client.force_login(deputy)
    page = _editor(client, plan)
    assert f"/comments/{on_theirs.pk}/resolve/" in page


def test_a_members_answer_goes_to_the_centre_not_back_to_the_school(
    navigator, deputy, reviewer, plan, rows, django_capture_on_commit_callbacks, run_worker
):
    from django.core import mail

    from accounts.roles import REGIONAL, ensure_roles
    from plans.services import plan_comment_add

    ensure_roles()[REGIONAL].user_set.add(reviewer)
    mine = rows[0]
    RowAssignment.objects.create(row=mine, person=navigator, assigned_by=deputy)
    remark = plan_comment_add(plan=plan, by=reviewer, text="Где часы?", row=mine)
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([deputy.email, navigator.email])
    mail.outbox.clear()
    plan_comment_add(plan=plan, by=navigator, text="4 часа", reply_to=remark)
    run_worker()
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
