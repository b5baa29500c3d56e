"""Settings for every environment; everything that differs comes from the environment.

The defaults are safe rather than convenient: without DJANGO_DEBUG the app runs as
production does (DEBUG off, so it needs DJANGO_SECRET_KEY and a real mail server).
A developer's machine gets DEBUG from `make run` / `make demo` (DJANGO_DEBUG=1) and
the tests from profplan/settings/test.py; production sets DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _s3_client_config():
    from botocore.config import Config

    return Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        connect_timeout=float(os.environ.get("DJANGO_S3_TIMEOUT", "5")),
        read_timeout=float(os.environ.get("DJANGO_S3_TIMEOUT", "5")) * 6,
        retries={"max_attempts": 2, "mode": "standard"},
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: a server started with a forgotten variable must not show
# tracebacks and settings to the world.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Refuse to start rather than sign sessions with a key everybody knows.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off (the default) Profplan "
            "refuses to start without a secret key: set DJANGO_SECRET_KEY to a long random "
            "string. On a developer's machine use `make run`, or set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin on django-otp's admin site (profplan/admin_site.py).
    "profplan.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "profplan.outbox",
    "accounts",
    "plans",
    # Before monitoring: the roles are set up after monitoring's migrations
    # (accounts/apps.py) and give the centre the right to read the audit trail.
    "audit",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "profplan.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above the session: see its docstring.
    "profplan.middleware.DatabaseUnavailableMiddleware",
    # Django's, which leaves the session unsaved where a view only reads it.
    "profplan.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "profplan.middleware.MalformedInputMiddleware",
    # The file store down: the Russian 503 page, not a 500 (profplan/storage.py).
    "profplan.storage.StorageUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "profplan.middleware.HtmxLoginRequiredMiddleware",
    # The second factor before any page (accounts/access.py: who must use it).
    "accounts.middleware.SecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "profplan.urls"
WSGI_APPLICATION = "profplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "profplan.context_processors.session_timing",
                "accounts.access.context",
            ],
            # Places where one app shows another's fragments (see profplan/fragments.py).
            "libraries": {"fragments": "profplan.fragments"},
        },
    },
]

# SQLite by default: WAL lets readers go on while one request writes, and
# IMMEDIATE transactions take the write lock up front, so two saves at once wait
# for each other (up to the timeout) instead of failing with "database is locked".
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, waiting for the server during a restart (profplan/db/postgresql).
    DATABASES["default"]["ENGINE"] = "profplan.db.postgresql"
    # Django's own connection pool (psycopg 3 and psycopg-pool), off unless
    # DJANGO_DB_POOL_MAX_SIZE is set: each gunicorn process keeps up to that many
    # connections open and lends them to its threads, so a request no longer opens
    # one (~2 ms on loopback, far more over TLS to another machine). Size it so that
    # every thread of a process can hold one at once (max ≥ GUNICORN_THREADS) and
    # all processes of all machines together stay under PostgreSQL's
    # max_connections (web nodes × workers × max + task workers + margin ≤
    # max_connections): README, «Развёртывание», and profplan/gunicorn.conf.py.
    # Persistent connections and a pool exclude each other (CONN_MAX_AGE = 0).
    DB_POOL_MAX_SIZE = int(os.environ.get("DJANGO_DB_POOL_MAX_SIZE", "0") or 0)
    if DB_POOL_MAX_SIZE > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(
                DB_POOL_MAX_SIZE, int(os.environ.get("DJANGO_DB_POOL_MIN_SIZE", "1") or 1)
            ),
            "max_size": DB_POOL_MAX_SIZE,
            # A thread waits this long for a free connection (or for PostgreSQL to
            # come back after a restart) before the request fails with the Russian
            # «попробуйте ещё раз» page.
            "timeout": float(os.environ.get("DJANGO_DB_POOL_TIMEOUT", "10")),
        }
DB_CONNECT_RETRY_SECONDS = float(os.environ.get("DJANGO_DB_CONNECT_RETRY", "10"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ru-ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

WHITENOISE_AUTOREFRESH = DEBUG
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Generated documents, frozen PDFs of submissions and evidence files go through
# Django's storage API only: one machine keeps them in MEDIA_ROOT; several machines
# share an S3-compatible bucket (README, «Развёртывание»), set by DJANGO_S3_BUCKET and
# its neighbours. Path-style addressing: MinIO, Ceph and the local test server do not
# answer BUCKET.host names. file_overwrite off: a name taken is never replaced
# silently (the default of django-storages is to overwrite).
S3_BUCKET = os.environ.get("DJANGO_S3_BUCKET", "")
if os.environ.get("DJANGO_STORAGE_BACKEND") or os.environ.get("DJANGO_STORAGE_OPTIONS"):
    # Silently falling back to the local disk would split the files between machines.
    raise ImproperlyConfigured(
        "DJANGO_STORAGE_BACKEND and DJANGO_STORAGE_OPTIONS are replaced by DJANGO_S3_BUCKET, "
        "DJANGO_S3_ENDPOINT_URL, DJANGO_S3_ACCESS_KEY, DJANGO_S3_SECRET_KEY and "
        "DJANGO_S3_REGION (README, «Развёртывание»)."
    )
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("DJANGO_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("DJANGO_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("DJANGO_S3_REGION") or "us-east-1",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            # What the worker reads back (a plan's file for an archive) spills to a
            # temporary file past 10 MB; downloads stream and hold only a block.
            "max_memory_size": 10 * 1024 * 1024,
            # Path-style addressing and s3v4 signatures are set in the client
            # config (which django-storages then takes instead of its own); a store
            # that does not answer fails the request in seconds (a Russian 503,
            # profplan/storage.py), not after botocore's retries.
            "client_config": _s3_client_config(),
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A plan of 300 rows edited on one page posts far more than Django's default of
# 1,000 fields; the limit still stops a request that is clearly abusive.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# A working day: the session slides with every request.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(10 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
# static/js/session.js warns this long before the session ends, with a button
# «Остаться в системе» (POST /session/keepalive/).
SESSION_WARNING_SECONDS = int(os.environ.get("DJANGO_SESSION_WARNING", str(5 * 60)))

# In development a notice is one line on the console (profplan/mail.py), not raw MIME.
# In production the default is SMTP (DJANGO_EMAIL_HOST …): a backend that only prints
# or keeps the message would lose every notice and password reset without a word, so
# with DEBUG off it is refused at start.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "profplan.mail.ConsoleEmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
MAIL_BACKENDS_THAT_LOSE_MAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "profplan.mail.ConsoleEmailBackend",
}
if not DEBUG and EMAIL_BACKEND in MAIL_BACKENDS_THAT_LOSE_MAIL:
    raise ImproperlyConfigured(
        f"DJANGO_EMAIL_BACKEND={EMAIL_BACKEND} does not send mail: with DJANGO_DEBUG off "
        "notices and password resets would be lost without a word. Leave DJANGO_EMAIL_BACKEND "
        "unset (SMTP) and set DJANGO_EMAIL_HOST, DJANGO_EMAIL_PORT, DJANGO_EMAIL_HOST_USER, "
        "DJANGO_EMAIL_HOST_PASSWORD, DJANGO_EMAIL_USE_TLS (README, «Развёртывание»)."
    )
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "profplan@localhost")

# Sign-in protection: lock a username from one address, not a whole school
# that sits behind one address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Several app servers need one cache (Redis) for what the cache holds to agree
# across them; one server does well with its own memory. Sessions live in the
# database, which every server shares already.
CACHE_URL = os.environ.get("DJANGO_CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "profplan",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work (documents, e-mail) goes through Django's Tasks API: the
# `django-tasks` backport on Django 5.2 (profplan/tasks.py is the one import to
# change for Django 6's `django.tasks`). The database backend needs nothing but
# the database and is the default; RQ on Redis is for deployments with several
# worker machines: DJANGO_TASKS_BACKEND=rq and DJANGO_TASKS_REDIS_URL (or
# REDIS_URL). `manage.py worker` runs the right worker for either.
TASK_QUEUES = ["default", "documents", "mail"]
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "db")
if TASKS_BACKEND == "rq":
    TASKS_REDIS_URL = os.environ.get("DJANGO_TASKS_REDIS_URL") or os.environ.get(
        "REDIS_URL", "redis://127.0.0.1:6379/0"
    )
    if "socket_connect_timeout" not in TASKS_REDIS_URL:
        # A Redis host that does not answer (not even with a refusal) delays a
        # submit's hand-over to the outbox by seconds, not by the system's minutes of
        # TCP retries (profplan/outbox). Only the connect: RQ's worker waits on its
        # queues longer than any read timeout would allow.
        TASKS_REDIS_URL += ("&" if "?" in TASKS_REDIS_URL else "?") + "socket_connect_timeout=3"
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {name: {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
elif TASKS_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
else:
    raise ImproperlyConfigured("DJANGO_TASKS_BACKEND is «db» or «rq».")
# A render's worker marks it alive every RENDER_HEARTBEAT_SECONDS; a render silent
# for RENDER_LEASE_SECONDS lost its worker (killed: out of memory, a deploy, a
# reboot) and any running worker queues it again within half that more
# (profplan/outbox): at most 90 s with the default. Three such starts and it is
# given up with a message.
RENDER_LEASE_SECONDS = int(os.environ.get("DJANGO_RENDER_LEASE_SECONDS", "60"))
RENDER_HEARTBEAT_SECONDS = max(1, RENDER_LEASE_SECONDS // 4)
# The worker's address space in MB (resource.setrlimit RLIMIT_AS in `manage.py
# worker`); 0: no cap. A render that would pass it fails with a Russian message
# instead of the kernel's OOM killer taking the machine's memory (README).
WORKER_MEMORY_MB = int(os.environ.get("DJANGO_WORKER_MEMORY_MB", "0"))
# Rendered documents and archives nobody asked for again are deleted after this
# many days (`manage.py prune_documents`, run daily); a submission's frozen PDF is
# never deleted.
DOCUMENTS_KEEP_DAYS = int(os.environ.get("DJANGO_DOCUMENTS_KEEP_DAYS", "14"))

# The audit trail (audit/): events older than this many days are deleted by
# `manage.py prune_audit`, run daily.
PROFPLAN_AUDIT_KEEP_DAYS = int(os.environ.get("DJANGO_AUDIT_KEEP_DAYS", "365"))
# The header in which our own proxy passes the client's address (nginx:
# X-Forwarded-For, README «nginx»); the trail takes the last address in it, the one
# nginx added. Unset, the header is ignored: a client could write anything there.
PROFPLAN_AUDIT_IP_HEADER = os.environ.get("DJANGO_AUDIT_IP_HEADER", "").strip()

# Content-Security-Policy (profplan.middleware.ContentSecurityPolicyMiddleware).
# Scripts: only our files, no inline script, no eval. Styles allow inline
# `style` attributes: the templates set column widths and progress bars with them,
# and htmx and Django's admin add inline styles too; an injected style cannot run
# code, an injected script can. img-src allows data: for Bootstrap's SVG icons
# embedded in its CSS (checkboxes, select arrows).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# /healthz and /readyz answer over plain HTTP too: the load balancer and monitoring
# ask them directly, not through nginx's HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Off only for servers on 127.0.0.1 without nginx (the load and fault checks):
    # their HTTP clients do not send Secure cookies over plain HTTP.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    # Both bind more than this site, so they are the operator's decision: includeSubDomains
    # forces HTTPS on every subdomain of the domain (the ministry's other sites too), and
    # a preloaded domain stays HTTPS-only in browsers for months after it is withdrawn.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    # check --deploy warns when they are off (W005, W021); off is a documented choice
    # here (README), not an oversight, and `make deploycheck` fails on warnings.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            # Masks e-mails, phones and database key details (profplan/logs.py).
            "()": "profplan.logs.PersonalDataFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; the lockouts (WARNING) are what matters.
    # RQ's worker logs each job with its arguments at INFO: e-mail addresses and
    # texts of notices (152-ФЗ). Its warnings and errors carry no arguments.
    # WeasyPrint logs each rendering step at INFO, three lines already when it is
    # imported (its own stylesheets), before any module of ours could quiet it.
    "loggers": {
        "axes": {"level": "WARNING"},
        "rq.worker": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The second factor (accounts/second_factor.py). The name the authenticator app shows
# beside the account; django-otp's admin pages, were they registered, would not show keys.
OTP_TOTP_ISSUER = "Профплан"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

AXES_VERBOSE = False
# Lockout warnings name the account by a digest, not by its username.
AXES_CLIENT_STR_CALLABLE = "profplan.logs.axes_client_str"
CSRF_FAILURE_VIEW = "profplan.views.csrf_failure"
# Where links in e-mails point (profplan/site.py); a system check warns when it is
# unset in production.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "").rstrip("/")
