"""Cache invalidation only: no workflow lives in signals (STYLE.md).

An edit of a year's reference data (the template tree, levels, directions, the
catalogue) changes what every plan of that year shows, and may come from anywhere:
the admin's forms and bulk deletes, a management command, a shell. A signal sees
them all; an override in each admin and each command would miss the next one. So
each save or delete moves the year's `reference_revision`, which is part of the
editor page's cache key (plans/editor/cache.py) and of the template's documents. Writes that send no signals (`update()`,
`bulk_create()`) call `SchoolYear.objects.filter(...).reference_changed()`
themselves. Apps that hang reference data of their own on a year (monitoring's
indicators) connect `reference_changed` for their models.

And storage clean-up: an evidence file goes with its record however the record goes
(the school deletes the file, a row or a plan is deleted and the cascade takes its
execution, the admin deletes a plan), once the transaction commits.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import (
    ActivityTemplate,
    Direction,
    Evidence,
    Level,
    SchoolYear,
    TemplateBlock,
    TemplateItem,
)


def reference_changed(sender, instance, **kwargs) -> None:
    """A receiver for a model with a `year` foreign key."""
    SchoolYear.objects.filter(pk=instance.year_id).reference_changed()


def school_year_changed(sender, instance, created=False, **kwargs) -> None:
    # Its dates and titles show on the page too; a new year has no pages yet.
    if not created:
        SchoolYear.objects.filter(pk=instance.pk).reference_changed()


def evidence_deleted(sender, instance, **kwargs) -> None:
    """Delete the file once the deletion is committed: a rolled-back delete keeps it."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def connect() -> None:
    for model in (TemplateItem, TemplateBlock, Level, Direction, ActivityTemplate):
        post_save.connect(
            reference_changed, sender=model, dispatch_uid=f"reference-{model._meta.label}"
        )
        post_delete.connect(
            reference_changed, sender=model, dispatch_uid=f"reference-{model._meta.label}"
        )
    post_save.connect(school_year_changed, sender=SchoolYear, dispatch_uid="reference-year")
    post_delete.connect(evidence_deleted, sender=Evidence, dispatch_uid="evidence-file")
