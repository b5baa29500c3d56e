"""Background work that must not be lost when a service or a worker goes away.

Two small tables (models.py), kept apart from the plans they serve:

- `OutboxTask`: a task asked for by a change (a submit's PDF, an approval's notice),
  written in the change's own database transaction when the queue is outside the
  database (RQ on Redis). It is handed to the queue right after the commit and, if
  the queue did not answer, by the worker's loop or `manage.py outbox_flush` once
  it does. The database backend needs none: its queue is a table written in the
  same transaction already.
- `Lease`: a render a worker is doing, with a heartbeat. A worker killed mid-render
  (out of memory, a deploy, a reboot) stops beating; the worker loop's reaper
  (`leases_reap`) finds it and queues the render again, and gives up after three
  starts with a Russian message, so a plan too large for the machine is never
  retried for ever. Neither task backend does this by itself (NOTES.md: a
  django-tasks-db task stays RUNNING for ever; RQ moves an abandoned job to its
  failed registry without running it again).
"""
