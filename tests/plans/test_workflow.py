"""Every transition of a plan, legal and illegal; deadlines; the diff; notifications."""

from datetime import date, datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import REGIONAL, ensure_roles
from plans import services
from plans.diff import diff_snapshots
from plans.models import Plan, PlanEvent, PlanStatus
from tests.factories import add_row
from tests.plans.test_editor import complete

# `tasks`: .ci/run runs these once more against RQ on a real Redis.
pytestmark = [pytest.mark.django_db, pytest.mark.tasks]


@pytest.fixture
def reviewer_in_role(reviewer):
    reviewer.groups.add(ensure_roles()[REGIONAL])
    reviewer.email = "centre@example.org"
    reviewer.save()
    return reviewer


@pytest.fixture
def submitted(plan, deputy, django_capture_on_commit_callbacks):
    complete(plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, by=deputy, version=None)
    plan.refresh_from_db()
    return plan


def statuses(plan):
    return [
        (e.from_status, e.to_status)
        for e in PlanEvent.objects.filter(plan=plan).order_by("at", "pk")
    ]


def test_draft_to_submitted_to_returned_to_submitted_to_approved(
    plan, deputy, reviewer_in_role, django_capture_on_commit_callbacks, run_worker
):
    complete(plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, by=deputy, version=None)
    assert mail.outbox == []  # the worker sends it
    run_worker("mail")
    assert [m.to for m in mail.outbox] == [["centre@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_return(
            plan=plan, by=reviewer_in_role, comment="Добавьте экскурсии для 9 класса"
        )
    run_worker("mail")
    assert "Добавьте экскурсии для 9 класса" in mail.outbox[-1].body and mail.outbox[-1].to == [
        deputy.email
    ]
    services.plan_submit(plan=plan, by=deputy, version=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_approve(plan=plan, by=reviewer_in_role)
    run_worker("mail")
    assert "утверждён" in mail.outbox[-1].subject
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_at
    assert statuses(plan) == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    assert plan.submissions.count() == 2
    event = PlanEvent.objects.get(plan=plan, to_status="returned")
    assert event.by == reviewer_in_role and event.comment == "Добавьте экскурсии для 9 класса"


def test_return_needs_a_comment(submitted, reviewer):
    with pytest.raises(services.TransitionRefused, match="без комментария план не возвращается"):
        services.plan_return(plan=submitted, by=reviewer, comment="   ")
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.SUBMITTED


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", PlanStatus.DRAFT, "Нельзя утвердить: план сейчас «черновик»."),
        ("return", PlanStatus.DRAFT, "Нельзя вернуть на доработку: план сейчас «черновик»."),
        ("approve", PlanStatus.APPROVED, "Нельзя утвердить: план сейчас «утверждён»."),
        ("return", PlanStatus.RETURNED, "Нельзя вернуть на доработку"),
        ("reopen", PlanStatus.SUBMITTED, "Нельзя вернуть утверждённый план на доработку"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    plan, reviewer, action, status, message
):
    Plan.objects.filter(pk=plan.pk).update(status=status)
    before = Plan.objects.get(pk=plan.pk)
    call = {
        "approve": lambda: services.plan_approve(plan=plan, by=reviewer),
        "return": lambda: services.plan_return(plan=plan, by=reviewer, comment="почему"),
        "reopen": lambda: services.plan_reopen(plan=plan, by=reviewer, reason="почему"),
    }[action]
    with pytest.raises(services.TransitionRefused, match=message):
        call()
    after = Plan.objects.get(pk=plan.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert not PlanEvent.objects.filter(plan=plan).exists()


def test_submitting_an_approved_plan_is_refused(submitted, reviewer, deputy):
    services.plan_approve(plan=submitted, by=reviewer)
    with pytest.raises(services.PlanNotEditable):
        services.plan_submit(plan=submitted, by=deputy, version=None)


def test_a_replayed_old_form_is_refused(submitted, reviewer):
    old_version = submitted.version
    services.plan_return(plan=submitted, by=reviewer, comment="исправить", version=old_version)
    submitted.refresh_from_db()
    Plan.objects.filter(pk=submitted.pk).update(
        status=PlanStatus.SUBMITTED
    )  # resubmitted meanwhile
    with pytest.raises(services.TransitionRefused, match="План изменился с тех пор"):
        services.plan_approve(plan=submitted, by=reviewer, version=old_version)


def test_only_the_regional_centre_reopens_an_approved_plan_with_a_reason(
    submitted, reviewer, deputy
):
    services.plan_approve(plan=submitted, by=reviewer)
    with pytest.raises(services.TransitionRefused, match="только региональный центр"):
        services.plan_reopen(plan=submitted, by=deputy, reason="хочу исправить")
    with pytest.raises(services.TransitionRefused, match="Укажите причину"):
        services.plan_reopen(plan=submitted, by=reviewer, reason="")
    services.plan_reopen(plan=submitted, by=reviewer, reason="Изменились федеральные рекомендации")
    submitted.refresh_from_db()
    assert submitted.status == PlanStatus.RETURNED and submitted.is_editable


def test_a_mail_server_that_is_down_delays_the_notice_and_never_loses_it(
    plan,
    deputy,
    reviewer_in_role,
    django_capture_on_commit_callbacks,
    caplog,
    run_worker,
    deferred_tasks,
):
    complete(plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, by=deputy, version=None)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("smtp down"),
    ):
        run_worker("mail")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert mail.outbox == []
    assert "plan-submitted: 1 recipient(s) will be tried again (attempt 1)" in caplog.text
    assert "centre@example.org" not in caplog.text
    assert deferred_tasks.count() == 1  # later, not in a busy loop

    deferred_tasks.make_due()  # time passes; the server is back
    run_worker("mail")
    assert [m.to for m in mail.outbox] == [["centre@example.org"]]


# --- deadlines (Moscow time) ------------------------------------------------------


def at_moscow(*args):
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    ("submitted_at", "late"),
    [
        (at_moscow(2023, 9, 29, 23, 58), False),  # 20:58 UTC on the last day
        (at_moscow(2023, 9, 30, 0, 1), True),
        (at_moscow(2023, 9, 1, 9, 0), False),
    ],
)
def test_deadline_is_the_end_of_the_last_day_in_moscow(plan, submitted_at, late):
    assert plan.year.submission_closes == date(2023, 9, 29)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED, submitted_at=submitted_at)
    annotated = Plan.objects.with_deadline(today=date(2023, 10, 5)).get(pk=plan.pk)
    assert annotated.is_overdue is late


def test_a_plan_never_submitted_is_late_only_after_the_last_day(plan):
    assert not Plan.objects.with_deadline(today=date(2023, 9, 29)).get(pk=plan.pk).is_overdue
    assert Plan.objects.with_deadline(today=date(2023, 9, 30)).get(pk=plan.pk).is_overdue


def test_resubmitting_after_a_return_does_not_make_an_on_time_plan_late(
    submitted, reviewer, deputy
):
    from plans.models import PlanSubmission

    PlanSubmission.objects.filter(plan=submitted).update(submitted_at=at_moscow(2023, 9, 20, 10, 0))
    services.plan_return(plan=submitted, by=reviewer, comment="исправить")
    services.plan_submit(plan=submitted, by=deputy, version=None)  # submitted "now", long after
    assert not Plan.objects.with_deadline(today=date(2026, 1, 1)).get(pk=submitted.pk).is_overdue


# --- what changed since the last submission ----------------------------------------


def test_diff_between_two_submissions(submitted, reviewer, deputy):
    services.plan_return(plan=submitted, by=reviewer, comment="исправить")
    changed = submitted.rows.filter(parent__code="3.4.12.1.").first()
    removed = submitted.rows.filter(parent__code="3.4.12.2.").first()
    old_text = changed.activity
    changed.activity = "Уроки «Шоу профессий» в 6 классе"
    changed.save()
    removed_text = removed.activity
    removed.delete()
    add_row(
        submitted, "3.4.12.2.", activity="Курс «Россия – мои горизонты»", hours=34, grades=(6, 7)
    )
    services.plan_submit(plan=submitted, by=deputy, version=None)
    first, second = submitted.submissions.order_by("number")
    diff = diff_snapshots(first.snapshot, second.snapshot)
    assert [line["title"] for line in diff.added] == ["Курс «Россия – мои горизонты»"]
    assert [line["title"] for line in diff.removed] == [removed_text]
    assert len(diff.changed) == 1
    assert ("мероприятие", old_text, "Уроки «Шоу профессий» в 6 классе") in diff.changed[0].fields


def test_unchanged_resubmission_has_an_empty_diff(submitted, reviewer, deputy):
    services.plan_return(plan=submitted, by=reviewer, comment="исправить")
    services.plan_submit(plan=submitted, by=deputy, version=None)
    first, second = submitted.submissions.order_by("number")
    assert diff_snapshots(first.snapshot, second.snapshot).empty


# --- comments ----------------------------------------------------------------------


def test_comments_on_rows_answers_and_resolving(
    submitted, reviewer_in_role, deputy, django_capture_on_commit_callbacks, run_worker
):
    row = submitted.rows.filter(parent__code="3.4.12.1.").first()
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.plan_comment_add(
            plan=submitted, by=reviewer_in_role, text="Уточните часы", row=row
        )
    assert comment.row_number == "3.4.12.1.1."
    run_worker("mail")
    assert (
        mail.outbox[-1].to == [deputy.email] and "к строке 3.4.12.1.1." in mail.outbox[-1].subject
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.plan_comment_add(
            plan=submitted, by=deputy, text="Исправили: 6 часов", reply_to=comment
        )
    run_worker("mail")
    assert answer.row == row and mail.outbox[-1].to == ["centre@example.org"]
    services.plan_comment_resolve(comment=answer, by=deputy)
    comment.refresh_from_db()
    assert comment.resolved_at and comment.resolved_by == deputy


def test_a_comment_cannot_point_at_another_plans_row(submitted, other_plan, reviewer):
    foreign = other_plan.rows.first()
    with pytest.raises(services.TransitionRefused):
        services.plan_comment_add(plan=submitted, by=reviewer, text="x", row=foreign)


def test_check_result_is_stored_for_the_reviewers_filter(plan, deputy):
    assert not Plan.objects.get(pk=plan.pk).check_passed
    complete(plan)
    row = plan.rows.filter(parent__code="3.2.").first()
    services.plan_row_update(row=row, data={"activity": "x"}, version=None)
    assert Plan.objects.get(pk=plan.pk).check_passed
