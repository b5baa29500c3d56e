"""The execution of an approved plan: marks on its rows and their evidence files.

None of this touches the plan: not its rows, not `Plan.version` (the editor's cache
key and the frozen PDFs depend on it). The execution keeps its own history
(`RowExecution.history`).
"""

from django.db import transaction

from accounts import access
from plans.execution.evidence import MAX_EVIDENCE_FILES, check_upload, new_key, safe_display_name
from plans.execution.reads import delivery_by_grade, executions_of_plans
from plans.models import (
    Evidence,
    Plan,
    PlanGrade,
    PlanRow,
    PlanStatus,
    RowAssignment,
    RowExecution,
)
from plans.services.errors import TransitionRefused

NOT_APPROVED = "Исполнение отмечается только в утверждённом плане."
TOO_MANY_FILES = f"К строке можно прикрепить не больше {MAX_EVIDENCE_FILES} файлов."
NOT_YOURS = (
    "Отмечать это мероприятие может заместитель директора или исполнитель, которому оно назначено."
)


def _check_may_mark(row: PlanRow, by) -> None:
    """`by` may mark `row` (`access.may_mark_row`: one query for the row's assignees).
    `by=None` is the site itself (a management command, the demo data), not a person."""
    if by is None:
        return
    assignee_ids = RowAssignment.objects.filter(row=row).values_list("person_id", flat=True)
    if not access.may_mark_row(by, row.plan, list(assignee_ids)):
        raise TransitionRefused(NOT_YOURS)


@transaction.atomic
def row_execution_record(*, row: PlanRow, by, data: dict, files=()) -> RowExecution:
    """Record what became of `row` (`data`: the fields of RowExecution, validated by
    the form) and keep the new evidence `files` (already checked by `check_upload`).
    `by` signs the mark (`recorded_by`) and must be allowed to make it: the school's
    deputy on any row, a team member on the rows assigned to them (`access.may_mark_row`)."""
    if row.plan.status != PlanStatus.APPROVED:
        raise TransitionRefused(NOT_APPROVED)
    _check_may_mark(row, by)
    execution = RowExecution.objects.select_for_update().filter(row=row).first()
    if execution is None:
        execution = RowExecution(row=row)
    for name, value in data.items():
        setattr(execution, name, value)
    execution.recorded_by = by
    execution.full_clean(exclude=["row", "recorded_by"])
    execution.save()
    if files and execution.evidence.count() + len(files) > MAX_EVIDENCE_FILES:
        raise TransitionRefused(TOO_MANY_FILES)
    stored: list[Evidence] = []
    try:
        for upload in files:
            stored.append(evidence_add(execution=execution, upload=upload, by=by))
        plan_delivery_store(plan=row.plan)
    except BaseException:
        # The transaction rolls back the records; the files already in the store
        # (the first of two when the store went away at the second) go with them.
        for evidence in stored:
            try:
                evidence.file.storage.delete(evidence.file.name)
            except Exception:  # the store is down: an orphan file, never a record
                pass
        raise
    return execution


def evidence_add(*, execution: RowExecution, upload, by) -> Evidence:
    kind = check_upload(upload)
    evidence = Evidence(
        execution=execution,
        key=new_key(),
        extension=kind.extension,
        content_type=kind.content_type,
        name=safe_display_name(upload.name or ""),
        size=upload.size,
        uploaded_by=by,
    )
    # The storage gets the generated name; the user's name is kept for display only.
    # The file is written inside the transaction, so that a file store that does not
    # answer refuses the upload there and then (the page says so); a failure later in
    # the transaction removes the files already written (`row_execution_record`).
    evidence.file.save(f"{evidence.key}.{kind.extension}", upload, save=False)
    try:
        evidence.save()
    except BaseException:  # no file without its record
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, by) -> None:
    """Remove an evidence file: whoever may mark its row (`by=None`: the site itself)."""
    if evidence.execution.row.plan.status != PlanStatus.APPROVED:
        raise TransitionRefused(NOT_APPROVED)
    _check_may_mark(evidence.execution.row, by)
    # The file leaves the storage when this commits (plans/signals.py: `evidence_deleted`).
    evidence.delete()


# --- Hours per grade, stored for the region's dashboard ------------------------------


def plan_delivery_store(*, plan: Plan) -> None:
    """Store on the plan's grades (`PlanGrade.hours_planned`, `hours_delivered`) what
    `delivery_by_grade` computes, so that the region's dashboard adds them up in the
    database. Called on approval and on every mark. Queries: the editor's bundle (7),
    the executions (1), the update (1)."""
    _store_chunk([Plan.objects.for_editor().get(pk=plan.pk)])


def plans_delivery_store(plans, chunk: int = 50) -> int:
    """`plan_delivery_store` for every plan of queryset `plans`, `chunk` at a time (the
    editor's bundle, one query for their executions, one update). Returns how many
    plans were stored."""
    ids = list(plans.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            _store_chunk(list(Plan.objects.for_editor().filter(pk__in=ids[start : start + chunk])))
    return len(ids)


def _store_chunk(plans: list[Plan]) -> None:
    executions = executions_of_plans(plan.pk for plan in plans)
    grades = []
    for plan in plans:
        grades += _figures(plan, executions)
    PlanGrade.objects.bulk_update(grades, ["hours_planned", "hours_delivered"])


def _figures(bundle: Plan, executions) -> list[PlanGrade]:
    grades = {grade.grade: grade for grade in bundle.grades.all()}
    for delivery in delivery_by_grade(bundle, executions):
        grade = grades[delivery.grade]
        grade.hours_planned, grade.hours_delivered = delivery.planned, delivery.delivered
    return list(grades.values())
