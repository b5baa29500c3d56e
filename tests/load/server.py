"""Start Profplan as `make serve` does (production settings, collectstatic, gunicorn)
on a free port of 127.0.0.1, for the load test, the fault check and the smoke test."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(
    database_url: str | None = None, sqlite_path: str | None = None, **extra
) -> dict:
    """The environment of a production server, minus HTTPS (no nginx in front here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="profplan.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="local-server-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_CSRF_TRUSTED_ORIGINS="http://127.0.0.1",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies not marked Secure.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_ROOT=str(Path(tempfile.gettempdir()) / "profplan-staticfiles"),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if sqlite_path:
        env["SQLITE_PATH"] = sqlite_path
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env: dict, *args: str, timeout: int = 600) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def gunicorn(env: dict, port: int | None = None, log_path: str | None = None, **gunicorn_env):
    """Yields the base URL; the server is stopped (SIGTERM, then SIGKILL) on exit."""
    port = port or free_port()
    env = (
        env | {"GUNICORN_BIND": f"127.0.0.1:{port}"} | {k: str(v) for k, v in gunicorn_env.items()}
    )
    log = open(log_path or os.devnull, "w")
    process = subprocess.Popen(
        [GUNICORN, "-c", "profplan/gunicorn.conf.py", "profplan.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
