"""`make faultcheck`: PostgreSQL restarted under traffic.

Gunicorn (profplan/gunicorn.conf.py) serves a scratch database `<name>_faults`
beside DATABASE_URL's; signed-in clients keep opening their plans while the local
cluster restarts (`pg_ctlcluster --skip-systemctl-redirect <version> main restart`).
Holds when:
- every answer is the page (200) or the Russian «попробуйте ещё раз» page (503):
  no 500, no dropped connection;
- at most the requests in flight fail (one per client): a request that arrives
  while PostgreSQL is down waits for it (profplan/db/postgresql) instead of failing;
- every request sent after PostgreSQL answers again succeeds (CONN_HEALTH_CHECKS
  replaces the workers' dead persistent connections instead of failing on them).

Needs DATABASE_URL=postgres://… on this machine and pg_ctlcluster to restart its
cluster; without them it FAILS (exit 2) rather than skip, so that CI cannot pass a
check that did not run. Always leaves the cluster running.
"""

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.load.server import ROOT, gunicorn, manage, production_env

CLIENTS = 8
BEFORE, AFTER = 3.0, 5.0  # seconds of traffic before the restart and after PostgreSQL is back
TRY_AGAIN = "попробуйте ещё раз"


def cluster_version() -> str | None:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return versions[0] if versions else None


def pg_ready(host: str, port: str) -> bool:
    return (
        subprocess.run(["pg_isready", "-q", "-h", host, "-p", str(port)], check=False).returncode
        == 0
    )


def wait_for_pg(host: str, port: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pg_ready(host, port):
            return True
        time.sleep(0.2)
    return False


class Client:
    """A signed-in browser, enough of one: cookies and the CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, username: str, password: str) -> None:
        _, page = self.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, page = self.request(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if status != 200 or 'id="id_password"' in page:
            raise RuntimeError(f"{username} could not sign in ({status})")


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def cannot_run(reason: str) -> int:
    print(f"faultcheck: FAILED, it could not run: {reason}")
    return 2


def restart_under_traffic(label, env, accounts, workdir, version, host, port) -> bool:
    """Signed-in clients open their plans while PostgreSQL restarts; prints the
    figures under `label` and says whether the check holds."""
    ok = True
    results: list[tuple[float, float, int, str]] = []  # started, finished, status, problem
    lock = threading.Lock()
    stop = threading.Event()
    restarted_at = ready_at = None
    try:
        with gunicorn(env, log_path=str(workdir / f"gunicorn-{label}.log")) as base:
            clients = []
            for account in accounts["deputies"]:
                client = Client(base)
                client.sign_in(account["username"], accounts["password"])
                clients.append((client, f"/plans/{account['plan']}/"))

            def traffic(client: Client, path: str) -> None:
                while not stop.is_set():
                    started = time.monotonic()
                    try:
                        status, page = client.request(path)
                        problem = ""
                        if status == 503 and TRY_AGAIN not in page:
                            problem = "503 without the Russian «try again» page"
                        elif status not in (200, 503):
                            problem = f"status {status}"
                    except Exception as error:  # a dropped connection is a failure too
                        status, problem = 0, f"{type(error).__name__}: {error}"
                    with lock:
                        results.append((started, time.monotonic(), status, problem))
                    time.sleep(0.05)

            threads = [threading.Thread(target=traffic, args=pair, daemon=True) for pair in clients]
            for thread in threads:
                thread.start()
            time.sleep(BEFORE)
            restarted_at = time.monotonic()
            print(f"{label}: restarting PostgreSQL {version}/main under traffic…", flush=True)
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                check=True,
                timeout=120,
            )
            if not wait_for_pg(host, port):
                raise RuntimeError("PostgreSQL did not come back within 60 s")
            ready_at = time.monotonic()
            time.sleep(AFTER)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
    finally:
        stop.set()
        # Whatever happened above, leave the cluster running for whoever is next.
        if not pg_ready(host, port):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )
            wait_for_pg(host, port)

    before = [r for r in results if r[1] < restarted_at]
    after = [r for r in results if r[0] > ready_at]
    failed = [r for r in results if r[2] != 200]
    problems = [r for r in results if r[3]]
    print(f"{label}_requests {len(results)}")
    print(f"{label}_restart_s {ready_at - restarted_at:.1f}")
    print(f"{label}_failed_during_restart {len(failed)}")
    print(f"{label}_requests_after_restart {len(after)}")
    if not before or any(r[2] != 200 for r in before):
        print(f"{label}: FAILED: requests before the restart did not all succeed")
        ok = False
    if problems:
        print(
            f"{label}: FAILED: {len(problems)} answers were neither the page nor the «try again» page: {problems[0][3]}"
        )
        ok = False
    if len(failed) > CLIENTS:
        print(f"{label}: FAILED: {len(failed)} requests failed, more than the {CLIENTS} in flight")
        ok = False
    late = [r for r in after if r[2] != 200]
    if not after or late:
        print(
            f"{label}: FAILED: {len(late)} of {len(after)} requests after PostgreSQL was back failed"
        )
        ok = False
    return ok


def main() -> int:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return cannot_run("it needs DATABASE_URL=postgres://… (PostgreSQL on this machine)")
    version = cluster_version()
    if version is None:
        return cannot_run("no local PostgreSQL cluster to restart (pg_ctlcluster, /etc/postgresql)")
    db = dj_database_url.parse(url)
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    # Restarting the local cluster proves nothing about a server elsewhere: the check
    # would pass without PostgreSQL ever going away under the traffic.
    if host not in LOCAL_HOSTS and not host.startswith("/"):
        return cannot_run(f"DATABASE_URL points at {host}, not at the local cluster")
    if not pg_ready(host, port):
        return cannot_run(f"PostgreSQL does not answer on {host}:{port}")

    import psycopg

    name = db["NAME"] + "_faults"
    admin = psycopg.connect(
        autocommit=True,
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"],
        host=host,
        port=port,
    )
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()

    workdir = Path(tempfile.mkdtemp(prefix="profplan-faults-"))
    env = production_env(database_url=url.rsplit("/", 1)[0] + "/" + name)
    env["DJANGO_STATIC_ROOT"] = str(workdir / "static")
    env["PYTHONPATH"] = str(ROOT)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    accounts_file = workdir / "accounts.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.load.seed",
            "--schools",
            str(CLIENTS),
            "--rows",
            "10",
            "--reviewers",
            "0",
            "--out",
            str(accounts_file),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    import json

    accounts = json.loads(accounts_file.read_text(encoding="utf-8"))

    ok = True
    # Twice: each process with its own connections (DJANGO_CONN_MAX_AGE), then with
    # Django's connection pool (DJANGO_DB_POOL_MAX_SIZE, README «Развёртывание»).
    for label, pool in (("faults", {}), ("faults_pool", {"DJANGO_DB_POOL_MAX_SIZE": "4"})):
        ok = restart_under_traffic(label, env | pool, accounts, workdir, version, host, port) and ok
    print("faultcheck: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
