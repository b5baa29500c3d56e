"""Files in the storage and the database records that name them: never one without the other.

The storage is not part of the database's transaction, so the order of the two writes
decides what a failure leaves behind:

* `file_store_on_commit` (uploads in a request: evidence files): the record is saved
  with the name its file will have, and the file is written only once the
  transaction commits. A rollback, wherever it comes from (a check after the upload,
  a failure further on in the same service), leaves neither a record nor a file. Should
  the storage then refuse the write, the record is removed again and the failure logged.
* `file_store_then_record` (renders of the worker, which runs without an enclosing
  transaction): the file is written first, then the record in a savepoint; if the
  record cannot be saved, the file is deleted before the error goes on.
"""

import logging
import tempfile

from django.core.files import File
from django.db import transaction

logger = logging.getLogger(__name__)
SPOOL_BYTES = 1024 * 1024  # a larger file waits for the commit on disk, not in memory


def file_store_on_commit(field_file, filename: str, content) -> str:
    """Give `field_file` (a FileField of a record about to be saved) the name its
    upload_to makes of `filename`, and write `content` there when the transaction in
    progress commits. The caller saves the record in that transaction. Returns the name."""
    instance, field = field_file.instance, field_file.field
    name = field.generate_filename(instance, filename)
    field_file.name = name
    # A copy of our own, kept until the commit: an upload is closed (and its temporary
    # file removed) with the request, and the commit may come later (a caller's
    # transaction, a test's). A rollback drops the callback and, with it, the copy.
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    for chunk in File(content).chunks():
        copy.write(chunk)

    def write() -> None:
        try:
            copy.seek(0)
            stored = field_file.storage.save(name, File(copy), max_length=field.max_length)
        except Exception:
            logger.exception("%s %s: file not stored", instance._meta.label, instance.pk)
            type(instance)._default_manager.filter(pk=instance.pk).delete()
            return
        finally:
            copy.close()
        if stored != name:  # the storage chose another name (this one was taken)
            type(instance)._default_manager.filter(pk=instance.pk).update(**{field.attname: stored})
            field_file.name = stored

    transaction.on_commit(write)
    return name


def file_store_then_record(field_file, filename: str, content, save_record) -> None:
    """Write `content` to `field_file` (as `FieldFile.save(save=False)` does), then call
    `save_record()` in a savepoint; if it fails, the file is deleted and the error raised."""
    field_file.save(filename, content, save=False)
    try:
        with transaction.atomic():
            save_record()
    except BaseException:
        field_file.storage.delete(field_file.name)
        field_file.name = None
        raise
