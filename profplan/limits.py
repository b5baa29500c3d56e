"""A cap on heavy exports, so that PDF renders cannot take every thread from the pages.

A PDF of a large plan takes seconds of CPU. Gunicorn runs a few threads per worker
process; without a cap, ten exports at once would hold them all and the editor
would stop answering. The cap is per process (a semaphore), which bounds the
whole server at workers × PDF_EXPORT_CONCURRENCY renders and needs no shared state.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpResponse

_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0

RETRY_AFTER_SECONDS = 30


class ExportsBusy(Exception):
    pass


def _semaphore() -> threading.BoundedSemaphore:
    global _slots, _slots_size
    size = settings.PDF_EXPORT_CONCURRENCY
    with _lock:
        # Re-created when the setting changes (tests override it).
        if _slots is None or _slots_size != size:
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots


@contextmanager
def heavy_export_slot():
    """Hold one of the process's export slots; waits up to PDF_EXPORT_WAIT seconds,
    then raises ExportsBusy."""
    slots = _semaphore()
    if not slots.acquire(timeout=settings.PDF_EXPORT_WAIT):
        raise ExportsBusy
    try:
        yield
    finally:
        slots.release()


def exports_busy_response() -> HttpResponse:
    response = HttpResponse(
        "Сейчас формируется много PDF-файлов одновременно. Попробуйте ещё раз через минуту: "
        "план сохранён, ничего не потеряно.",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
