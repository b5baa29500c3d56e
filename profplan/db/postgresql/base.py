"""PostgreSQL, waiting a few seconds for the server instead of failing at once.

A restart or failover of PostgreSQL takes a few seconds. Queries that were running
when it stopped fail (the «попробуйте ещё раз» page); a request that only needs a
new connection waits for the server, up to DB_CONNECT_RETRY_SECONDS, and then goes
on as if nothing happened. Retrying is safe here because nothing has been sent
yet: only opening the connection is repeated, never a query.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + getattr(settings, "DB_CONNECT_RETRY_SECONDS", 0)
        delay = 0.1
        while True:
            try:
                return super().get_new_connection(conn_params)
            except base.Database.OperationalError:
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
