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
