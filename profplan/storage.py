"""The file store (Django's storage API: the file system or an S3 bucket) when it
does not answer.

Documents, frozen PDFs and evidence files live in `default_storage`. With several
machines that is an S3-compatible bucket (settings: DJANGO_S3_*), a service that can
be down for a while like any other. Then a download says so in Russian (503 with
Retry-After, not a 500) and works again once the store is back; an upload is refused
and leaves nothing behind (plans/services/execution.py).
"""

from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string

UNAVAILABLE = "Хранилище файлов временно недоступно, попробуйте через минуту."

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - botocore comes with django-storages[s3]
    BotoCoreError = ClientError = None


def is_unavailable(error: BaseException | None) -> bool:
    """Is `error` (or what it was raised from) the store not answering, as opposed
    to a file that is not there or a request the store refused?

    botocore's connection and timeout errors are BotoCoreError; a ClientError is an
    answer, and only a 5xx one (503 Slow Down, 500) means the store is in trouble."""
    seen = 0
    while error is not None and seen < 10:
        if BotoCoreError is not None and isinstance(error, BotoCoreError):
            return True
        if ClientError is not None and isinstance(error, ClientError):
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return status >= 500
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class _Stream:
    """An object of the bucket read as it arrives, block by block: never whole in
    the web process's memory nor on its disk (django-storages' own S3File downloads
    the whole object first). `size` gives the download its Content-Length."""

    def __init__(self, body, size: int):
        self.body, self.size = body, size

    def read(self, amount: int = -1) -> bytes:
        return self.body.read(amount if amount is not None and amount >= 0 else None)

    def close(self) -> None:
        self.body.close()


def open_stored(field):
    """A stored file (a FieldFile) opened for a download.

    Downloads stream from the store through the web node (FileResponse over this):
    the access check and the download's bookkeeping stay on every request, evidence
    files keep their nosniff and sandbox headers, and the bucket need not be
    reachable from the internet. A missing file is FileNotFoundError (a 404); a
    store that does not answer raises here, in the view, where it becomes the
    Russian 503 (StorageUnavailableMiddleware), not a broken half-sent file."""
    storage = field.storage
    if not getattr(storage, "bucket_name", None):
        return field.open("rb")
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(field.name))
    try:
        answer = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(field.name) from error
        raise
    return _Stream(answer["Body"], answer["ContentLength"])


def unavailable_response(request=None) -> HttpResponse:
    if request is not None and request.headers.get("HX-Request"):
        response = HttpResponse(UNAVAILABLE, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(render_to_string("storage_unavailable.html"))
    response.status_code = 503
    response["Retry-After"] = "60"
    return response


class StorageUnavailableMiddleware:
    """Any view that touched the store while it was down answers with the Russian
    503 page instead of a 500 (the error is logged as a warning, once)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_unavailable(exception):
            return None
        import logging

        logging.getLogger(__name__).warning(
            "file store unavailable: %s %s", type(exception).__name__, request.path
        )
        return unavailable_response(request)


def storage_check() -> str | None:
    """For /readyz: None when the store answers, else what went wrong (one line).

    On S3 one HEAD of the bucket; on the file system, that the folder is there and
    writable. Never lists or reads a file."""
    from django.core.files.storage import FileSystemStorage

    storage = default_storage
    try:
        if getattr(storage, "bucket_name", None):
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
            return None
        if isinstance(storage, FileSystemStorage):
            import os

            # Django makes the folder at the first save; a fresh node has none yet.
            os.makedirs(storage.location, exist_ok=True)
            if not os.access(storage.location, os.W_OK):
                return "folder not writable"
        return None
    except Exception as error:  # the probe reports, never raises
        return type(error).__name__
