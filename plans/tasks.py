"""The worker's tasks for plans: thin wrappers over plans/documents/queue.py.

Arguments are ids, never objects: a task may run on another machine, later, after
the row it names has changed or gone.
"""

from plans.documents import queue
from profplan.tasks import task


@task(queue_name="documents")
def render_document(document_id: int) -> bool:
    return queue.document_render(document_id=document_id) is not None


@task(queue_name="documents")
def render_submission(submission_id: int, approved: bool = False) -> bool:
    return queue.submission_render(submission_id=submission_id, approved=approved) is not None
