"""Gunicorn for Profplan: `make serve`, or `gunicorn -c profplan/gunicorn.conf.py profplan.wsgi`.

Every number can be overridden from the environment (GUNICORN_*), so the same file
serves a 2-core test machine and a larger server.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads, because a request mostly waits for PostgreSQL; processes, because a
# PDF render holds the GIL for seconds. Two processes per core keep the pages
# answering while one process per core renders (profplan.limits caps PDFs at one
# per process).
cores = multiprocessing.cpu_count()
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * cores)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# PostgreSQL connections. Each process has its own pool (DJANGO_DB_POOL_MAX_SIZE,
# profplan/settings/base.py); a thread holds one connection for its request, so
#   threads ≤ DJANGO_DB_POOL_MAX_SIZE       (no thread waits for a connection), and
#   web nodes × workers × DJANGO_DB_POOL_MAX_SIZE + task workers + margin ≤ max_connections
# (PostgreSQL's, 100 by default). Here: 2 × 2 cores = 4 processes × 4 threads,
# DJANGO_DB_POOL_MAX_SIZE=4 → 16 connections a node; five such nodes (80) and ten task
# workers stay under 100. Without a pool each thread keeps its own connection for
# DJANGO_CONN_MAX_AGE seconds (the same ceiling) and opens a new one after that.
# README, «Развёртывание».

# A large PDF leaves a worker holding a hundred megabytes or more; restarting each
# worker after about a thousand requests gives that memory back. The jitter keeps
# the workers from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# No request draws a document (the task worker does: plans/documents/queue.py), so the
# slowest page is the editor of a big plan, well under a second. With gthread
# workers the timeout is a liveness check of the worker process; 60 s is generous,
# and nginx's proxy_read_timeout (README) matches it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Loading Django once in the master makes restarts after max_requests quick.
preload_app = True


def post_fork(server, worker):
    """A pool the master opened would be shared by every forked process (its sockets,
    without its threads): each process starts with none and opens its own."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()


# nginx on the same host sets X-Forwarded-Proto; only it is trusted.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log without query strings: an admin search (?q=…) may hold a person's
# name, and personal data stays out of the logs (152-ФЗ). No client address or
# user agent either: behind nginx they are nginx's.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# systemd (or the test harness) manages the server through signals. Gunicorn's
# control socket sits at one path per user (~/.gunicorn/gunicorn.ctl), so the
# servers that the tests, the load test and the fault check start at once would
# take it from each other.
control_socket_disable = True
