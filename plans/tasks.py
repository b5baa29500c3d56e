"""The worker's tasks for plans: thin wrappers over plans/documents.py.

Arguments are ids, never objects: a task may run on another machine, later, after
the row it names has changed or gone.
"""

from profplan.tasks import task

from . import documents


@task(queue_name="documents")
def render_document(document_id: int) -> bool:
    return documents.document_render(document_id=document_id) is not None


@task(queue_name="documents")
def render_submission(submission_id: int, approved: bool = False) -> bool:
    return documents.submission_render(submission_id=submission_id, approved=approved) is not None
