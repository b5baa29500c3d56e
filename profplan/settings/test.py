"""Test settings: the same as base, with fast hashing and mail kept in memory."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
WHITENOISE_AUTOREFRESH = True

# A file, not SQLite's shared in-memory database: the browser tests' live server
# answers from another thread, and shared-cache memory databases fail with "table
# is locked" where a file in WAL mode waits its turn.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"profplan-test-{os.getpid()}.sqlite3")  # noqa: F405
    }

# The heartbeat thread writes only in tests that ask for it: inside a test's
# transaction on SQLite its write would wait for the test's lock.
RENDER_HEARTBEAT_SECONDS = 3600
