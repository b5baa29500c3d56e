"""Files in the storage and the database records that name them: never one without the other.

The storage is not part of the database's transaction, so the order of the two writes
decides what a failure leaves behind:

* evidence files (plans/execution/services.py): written inside the request's
  transaction, so that a store that does not answer refuses the upload on the page;
  when the transaction fails, the files it wrote are deleted again.
* `file_store_then_record` (renders of the worker, which runs without an enclosing
  transaction): the file is written first, then the record in a savepoint; if the
  record cannot be saved, the file is deleted before the error goes on.
"""

from django.db import transaction


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
