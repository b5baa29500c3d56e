"""`make clustercheck`: the production shape on one machine, through the year's
busiest day and four faults.

Starts PostgreSQL if it is not running (pg_ctlcluster, as .ci/run does) and uses a
scratch database `<name>_cluster` beside DATABASE_URL's; its own Redis (the RQ
queue, append-only file in its folder, as a production Redis keeps its queue across
a restart); the local S3 (moto_server) behind a gate that this script opens and
closes (moto keeps its bucket in memory, so stopping the process itself would lose
the files; closing the gate refuses every connection as a stopped store does);
two web nodes (gunicorn with the connection pool, each in its own folder with its
own media folder: only the bucket carries a file from one to the other) and two RQ
workers (`manage.py worker`, DJANGO_TASKS_BACKEND=rq), each in its own folder too.
A worker or node that exits is started again after a second, as systemd does.

The day: deputies edit their plans through both nodes at once (one sign-in: the
session lives in the database both nodes share); plans are submitted on node A and
their frozen PDFs downloaded through node B; evidence is uploaded through B and
fetched through A; the regional centre asks for the region's archive on A and
downloads it through B. Faults, one after another, with traffic going on:
1. the worker rendering the archive is SIGKILLed mid-render (and started again);
2. web node B is stopped and started again (the clients' balancer sends B's share
   to A while B refuses connections, as nginx's upstream does);
3. Redis is stopped for ten seconds while plans are submitted;
4. the object store is stopped for ten seconds while files are fetched and uploaded.

Prints `name value` lines and exits 1 if anything is lost or stuck, or a request
failed outside a fault or without a Russian page; exits 2 (FAILED, never skipped)
when a service cannot be started. Cleans up every process (process groups) and
folder it started, and drops its scratch database.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults.__main__ import LOCAL_HOSTS, cluster_version, pg_ready, wait_for_pg
from tests.load.server import GUNICORN, PYTHON, ROOT, free_port, manage, production_env

BIN = Path(sys.executable).parent
EDITORS, SUBMITS_BEFORE, SUBMITS_DURING_OUTAGE, APPROVED = 6, 2, 3, 3
OUTAGE_S = 10  # Redis and the object store are stopped this long
LEASE_S = 10  # DJANGO_RENDER_LEASE_SECONDS: a dead worker's render is queued again after it
SETTLE_S = 150  # at most this long for every document and file to be there at the end
VERSION = re.compile(r'id="plan-version" name="version" value="(\d+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EVIDENCE_LINK = re.compile(r"/execution/files/(\d+)/")
# A failure a user may see during a fault: the Russian page of a service that is down.
RUSSIAN_PAGES = ("попробуйте ещё раз", "временно недоступно", "попробуйте через минуту")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40
PASSWORD_FIELD = 'id="id_password"'


class CannotRun(Exception):
    pass


# --- processes ----------------------------------------------------------------------


class Service:
    """A process in its own process group (so that stop and kill reach its children:
    gunicorn's workers, RQ's work horses), started again by the supervisor if it
    exits while it should run."""

    def __init__(self, name: str, argv: list[str], env: dict, cwd: Path, logs: Path):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.wanted = False
        self.restarts = 0

    def start(self) -> None:
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.wanted = True

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 30) -> None:
        """Gracefully (SIGTERM), then SIGKILL; the supervisor leaves it stopped."""
        self.wanted = False
        if self.process is None:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.process.wait()
        # Whatever it left behind in its group (a work horse) goes too.
        self.signal_group(signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL to the whole group, as the OOM killer or a power cut would."""
        self.signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Supervisor(threading.Thread):
    """systemd's Restart=always, RestartSec=1 for the workers and the web nodes."""

    def __init__(self, services: list[Service]):
        super().__init__(daemon=True)
        self.services, self.halt = services, threading.Event()

    def run(self):
        while not self.halt.wait(1.0):
            for service in self.services:
                if service.wanted and not service.running():
                    service.restarts += 1
                    service.start()


class Gate:
    """A TCP relay in front of the object store that can refuse connections (closed)
    and cut the ones in progress, the store's data kept behind it."""

    def __init__(self, port: int, upstream: int):
        self.port, self.upstream = port, upstream
        self.listener: socket.socket | None = None
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.2)
        self.listener = listener
        self.acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self.acceptor.start()

    def close(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
            # The kernel keeps listening until the acceptor's poll() lets go of the
            # socket (up to its 0.2 s timeout): only then are connections refused.
            self.acceptor.join()
        with self.lock:
            connections, self.connections = self.connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            client.settimeout(None)
            with self.lock:
                self.connections |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        with self.lock:
            self.connections -= {source, target}


def wait_for(check, seconds: float, what: str, step: float = 0.3):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            result = check()
            if result:
                return result
        time.sleep(step)
    raise CannotRun(f"{what} did not answer within {seconds:.0f} s")


# --- clients ------------------------------------------------------------------------


@dataclass
class Record:
    started: float
    finished: float
    kind: str
    node: str
    status: int
    problem: str = ""  # why this answer is a failure; "" when it is not
    russian: bool = False  # the failure is the Russian page of a service that is down
    page: bool = False  # a page (for cluster_page_p95_ms), not a download or a post


@dataclass
class Log:
    records: list[Record] = field(default_factory=list)
    failovers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)


class User:
    """A browser: one session (cookies) used on both nodes, as behind a balancer."""

    def __init__(self, nodes: dict[str, str], log: Log, username: str, password: str, codes=()):
        import requests

        self.nodes, self.log = nodes, log
        self.session = requests.Session()
        self.username, self.password = username, password
        # The centre's recovery codes (tests/load/seed.py): the second factor after the
        # password (accounts/middleware.py), one spent per sign-in.
        self.codes = iter(codes)
        self.must_pass_code = bool(codes)
        self.csrf = ""

    def call(self, method: str, node: str, path: str, kind: str, ok=(200,), page=False, **kwargs):
        """One request on `node`; on a refused connection the balancer's next node.
        Records it; returns the response (None if no node answered)."""
        import requests

        started = time.monotonic()
        order = [node] + [name for name in self.nodes if name != node]
        response, problem, used = None, "", node
        for index, used in enumerate(order):
            try:
                response = self.session.request(
                    method, self.nodes[used] + path, timeout=60, allow_redirects=False, **kwargs
                )
                break
            except requests.ConnectionError as error:
                problem = f"{type(error).__name__}"
                if index + 1 < len(order):
                    with self.log.lock:
                        self.log.failovers += 1
            except requests.RequestException as error:
                problem = f"{type(error).__name__}: {error}"
                break
        status = response.status_code if response is not None else 0
        russian = False
        if response is not None:
            problem = "" if status in ok else f"status {status}"
            if problem and status == 503:
                russian = any(text in response.text for text in RUSSIAN_PAGES)
            if status == 302 and "/accounts/login/" in response.headers.get("Location", ""):
                problem = "signed out: the session was not found"
        self.log.add(Record(started, time.monotonic(), kind, used, status, problem, russian, page))
        return response

    def sign_in(self, node: str) -> None:
        page = self.call("GET", node, "/accounts/login/", "login page", page=True)
        token = CSRF_INPUT.search(page.text).group(1)
        response = self.call(
            "POST",
            node,
            "/accounts/login/",
            "sign in",
            ok=(302,),
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": self.nodes[node] + "/accounts/login/"},
        )
        if response is None or response.status_code != 302:
            raise CannotRun(f"{self.username} could not sign in on node {node}")
        if self.must_pass_code:  # the password took us to "/", which sends us here
            code_page = "/accounts/second-factor/code/"
            page = self.call("GET", node, code_page, "code page", page=True)
            token = CSRF_INPUT.search(page.text).group(1)
            response = self.call(
                "POST",
                node,
                code_page,
                "second factor",
                ok=(302,),
                data={"code": next(self.codes), "csrfmiddlewaretoken": token},
                headers={"Referer": self.nodes[node] + code_page},
            )
            if response is None or "/second-factor/" in response.headers.get("Location", "/"):
                raise CannotRun(f"{self.username} could not pass the second factor on {node}")
        home = self.call("GET", node, "/", "home page", page=True)
        self.csrf = CSRF_HEADER.search(home.text).group(1)

    def post(self, node: str, path: str, kind: str, data: dict, ok=(302,), **kwargs):
        headers = {"X-CSRFToken": self.csrf, "Referer": self.nodes[node] + path}
        headers |= kwargs.pop("headers", {})
        return self.call("POST", node, path, kind, ok=ok, data=data, headers=headers, **kwargs)


class Editor(threading.Thread):
    """A deputy editing: the plan page on one node, a row's form and save on the other."""

    def __init__(self, user: User, account: dict, stop: threading.Event):
        super().__init__(daemon=True)
        self.user, self.account, self.stop, self.version = user, account, stop, None

    def run(self):
        plan, turn = self.account["plan"], 0
        while not self.stop.is_set():
            turn += 1
            first, second = ("A", "B") if turn % 2 else ("B", "A")
            page = self.user.call("GET", first, f"/plans/{plan}/", "plan page", page=True)
            found = VERSION.search(page.text) if page is not None and page.ok else None
            if found:
                self.version = found.group(1)
                row = self.account["rows"][turn % len(self.account["rows"])]
                url = f"/plans/{plan}/rows/{row}/edit/"
                headers = {"HX-Request": "true"}
                self.user.call("GET", second, url, "row form", page=True, headers=headers)
                saved = self.user.post(
                    second,
                    url,
                    "row save",
                    ok=(200,),
                    headers=headers,
                    data={
                        "activity": f"Экскурсия на предприятие, правка {turn}",
                        "period": "октябрь",
                        "responsible": "Классные руководители 8–9 классов",
                        "documents": "Методические рекомендации",
                        "links": "https://bvbinfo.ru/",
                        "results": "Проведено, отчёт размещён на сайте школы",
                        "version": self.version,
                    },
                )
                if saved is not None and saved.ok:
                    trigger = json.loads(saved.headers.get("HX-Trigger", "{}") or "{}")
                    self.version = str(trigger.get("planChanged", {}).get("version", self.version))
            self.stop.wait(0.5)


# --- the check ----------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    started: float
    ended: float = 0.0  # when the service is back (the fault's own end)
    recovered: float = 0.0  # when what it broke works again


def scratch_database(url: str) -> tuple[str, str]:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    name = db["NAME"] + "_cluster"
    with psycopg.connect(
        autocommit=True,
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name, name


def drop_database(url: str, name: str) -> None:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    with contextlib.suppress(Exception):
        with psycopg.connect(
            autocommit=True,
            dbname="postgres",
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, *params):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def ensure_postgres(url: str) -> tuple[str, str]:
    import dj_database_url

    db = dj_database_url.parse(url)
    host, port = db["HOST"] or "127.0.0.1", str(db["PORT"] or 5432)
    if host not in LOCAL_HOSTS:
        raise CannotRun(f"DATABASE_URL points at {host}, not at this machine")
    if not pg_ready(host, port):
        version = cluster_version()
        if version is None:
            raise CannotRun("PostgreSQL does not answer and there is no local cluster to start")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            timeout=120,
        )
        if not wait_for_pg(host, port):
            raise CannotRun("PostgreSQL did not start")
    return host, port


def main() -> int:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/profplan"
    if not url.startswith(("postgres://", "postgresql://")):
        print("clustercheck: FAILED, it could not run: DATABASE_URL must be postgres://…")
        return 2
    for program in ("redis-server",):
        if not shutil.which(program):
            print(f"clustercheck: FAILED, it could not run: {program} is not installed")
            return 2
    if not (BIN / "moto_server").exists():
        print("clustercheck: FAILED, it could not run: moto_server (requirements-dev.txt)")
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="profplan-cluster-"))
    logs = workdir / "logs"
    logs.mkdir()
    services: list[Service] = []
    held: dict = {}  # the gate and the supervisor, once run() has started them
    stop = threading.Event()
    database = None
    ok = False
    try:
        began = time.monotonic()
        ensure_postgres(url)
        database, database_name = scratch_database(url)
        figures, ok = run(workdir, logs, database, services, held, stop, began)
        for name, value in figures.items():
            print(f"{name} {value}", flush=True)
    except CannotRun as error:
        print(f"clustercheck: FAILED, it could not run: {error}", flush=True)
        return 2
    except RuntimeError as error:
        print(f"clustercheck: FAILED: {error}", flush=True)
        return 1
    finally:
        stop.set()
        for service in services:
            service.wanted = False
        if "supervisor" in held:
            held["supervisor"].halt.set()
        for service in reversed(services):
            service.stop(timeout=15)
        if "gate" in held:
            held["gate"].close()
        if not ok:
            for service in services:
                print(f"--- {service.name} (last lines) ---\n{service.tail()}", file=sys.stderr)
        if database is not None:
            drop_database(url, database_name)
        shutil.rmtree(workdir, ignore_errors=True)
    print("clustercheck: " + ("passed" if ok else "FAILED"), flush=True)
    return 0 if ok else 1


def run(workdir, logs, database, services, held, stop, began) -> tuple[dict, bool]:
    import boto3

    # Free ports unless told (CLUSTER_REDIS_PORT, CLUSTER_S3_PORT): never a Redis
    # that something else on the machine uses.
    redis_port = int(os.environ.get("CLUSTER_REDIS_PORT") or free_port())
    gate_port = int(os.environ.get("CLUSTER_S3_PORT") or free_port())
    s3_port = free_port()
    ports = {"A": free_port(), "B": free_port()}
    bucket = "profplan-cluster"
    env = production_env(database_url=database) | {
        "PYTHONPATH": str(ROOT),
        "DJANGO_TASKS_BACKEND": "rq",
        "DJANGO_TASKS_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DJANGO_S3_BUCKET": bucket,
        "DJANGO_S3_ENDPOINT_URL": f"http://127.0.0.1:{gate_port}",
        "DJANGO_S3_ACCESS_KEY": "profplan-cluster",
        "DJANGO_S3_SECRET_KEY": "profplan-cluster-secret",
        "DJANGO_S3_TIMEOUT": "2",
        "DJANGO_RENDER_LEASE_SECONDS": str(LEASE_S),
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_MEDIA_ROOT": str(workdir / "no-media-here"),
    }

    # Redis, with its queue on disk in its own folder (appendonly), on a port of its own.
    (workdir / "redis").mkdir()
    redis = Service(
        "redis",
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--dir",
            str(workdir / "redis"),
        ],
        env,
        workdir / "redis",
        logs,
    )
    services.append(redis)
    redis.start()

    def redis_answers():
        import redis as redis_client

        return redis_client.Redis(port=redis_port, socket_timeout=1).ping()

    wait_for(redis_answers, 20, "Redis")

    s3 = Service(
        "s3",
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
        env,
        workdir,
        logs,
    )
    services.append(s3)
    s3.start()
    gate = held["gate"] = Gate(gate_port, s3_port)
    gate.open()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{gate_port}",
        aws_access_key_id="profplan-cluster",
        aws_secret_access_key="profplan-cluster-secret",
        region_name="us-east-1",
    )
    wait_for(lambda: client.list_buckets() is not None, 30, "the local S3 (moto_server)")
    client.create_bucket(Bucket=bucket)

    print("clustercheck: preparing the database…", file=sys.stderr, flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    accounts_file = workdir / "accounts.json"
    subprocess.run(
        [
            PYTHON,
            "-m",
            "tests.cluster.seed",
            "--editors",
            str(EDITORS),
            "--submits",
            str(SUBMITS_BEFORE + SUBMITS_DURING_OUTAGE),
            "--approved",
            str(APPROVED),
            "--out",
            str(accounts_file),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    accounts = json.loads(accounts_file.read_text(encoding="utf-8"))

    # Two web nodes and two workers, each in its own folder with its own media folder.
    webs = {}
    for name, port in ports.items():
        home = workdir / f"web-{name}"
        shutil.copytree(workdir / "static", home / "static")
        node_env = env | {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "DJANGO_DB_POOL_MAX_SIZE": "4",
            "DJANGO_MEDIA_ROOT": str(home / "media"),
            "DJANGO_STATIC_ROOT": str(home / "static"),
        }
        webs[name] = Service(
            f"web-{name}",
            [GUNICORN, "-c", str(ROOT / "profplan" / "gunicorn.conf.py"), "profplan.wsgi"],
            node_env,
            home,
            logs,
        )
    workers = []
    for index in (1, 2):
        home = workdir / f"worker-{index}"
        home.mkdir()
        workers.append(
            Service(
                f"worker-{index}",
                [PYTHON, str(ROOT / "manage.py"), "worker"],
                env | {"DJANGO_MEDIA_ROOT": str(home / "media")},
                home,
                logs,
            )
        )
    for service in [*webs.values(), *workers]:
        services.append(service)
        service.start()
    nodes = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    def healthy(node):
        import requests

        return requests.get(nodes[node] + "/healthz", timeout=2).status_code == 200

    for node in nodes:
        wait_for(lambda node=node: healthy(node), 90, f"web node {node}")
    supervisor = held["supervisor"] = Supervisor([*webs.values(), *workers])
    supervisor.start()
    setup_s = time.monotonic() - began

    log = Log()
    password = accounts["password"]

    def user(account) -> User:
        person = User(nodes, log, account["username"], password, account.get("codes", ()))
        person.sign_in("A")
        return person

    # --- the day begins: editors on both nodes -----------------------------------
    editors = [Editor(user(account), account, stop) for account in accounts["editors"]]
    for editor in editors:
        editor.start()
    reviewer = user(accounts["reviewers"][0])
    submitters = [(user(account), account) for account in accounts["submits"]]
    schools = [(user(account), account) for account in accounts["approved"]]
    faults: list[Fault] = []
    submitted: list[tuple[User, dict]] = []
    uploads: dict[int, tuple[User, int, bytes]] = {}  # evidence id → (owner, plan, bytes)
    refused_names: list[str] = []
    time.sleep(3)

    def submit(person: User, account: dict) -> bool:
        plan = account["plan"]
        page = person.call("GET", "A", f"/plans/{plan}/", "plan page", page=True)
        if page is None or not VERSION.search(page.text):
            return False
        version = VERSION.search(page.text).group(1)
        response = person.post("A", f"/plans/{plan}/submit/", "submit", {"version": version})
        status = query(database, "SELECT status FROM plans_plan WHERE id = %s", plan)[0][0]
        if response is None or response.status_code != 302 or status != "submitted":
            return False
        submitted.append((person, account))
        return True

    def submission_pdf(person: User, plan: int, node: str = "B") -> bool:
        response = person.call(
            "GET", node, f"/plans/{plan}/submissions/1.pdf", "frozen pdf", ok=(200,)
        )
        return (
            response is not None
            and response.headers.get("Content-Type", "").startswith("application/pdf")
            and response.content.startswith(b"%PDF")
        )

    def upload(person: User, account: dict, number: int, ok=(302,)) -> int | None:
        plan, row = account["plan"], account["row"]
        content = JPEG + f"файл {number}".encode()
        before = set(EVIDENCE_LINK.findall(execution_page(person, plan, "A")))
        response = person.post(
            "B",
            f"/plans/{plan}/execution/rows/{row}/",
            "evidence upload",
            {"status": "done", "grades": ["6", "7"], "pupils": "48", "hours": "4"},
            ok=ok,
            files={"files": (f"фото-{number}.jpg", content, "image/jpeg")},
        )
        if response is None or response.status_code != 302:
            refused_names.append(f"фото-{number}.jpg")
            return None
        new = set(EVIDENCE_LINK.findall(execution_page(person, plan, "A"))) - before
        if len(new) != 1:
            raise RuntimeError(f"upload {number}: {len(new)} new files on the page")
        evidence = int(new.pop())
        uploads[evidence] = (person, plan, content)
        return evidence

    def execution_page(person: User, plan: int, node: str) -> str:
        page = person.call("GET", node, f"/plans/{plan}/execution/", "execution page", page=True)
        return page.text if page is not None else ""

    def fetch(evidence: int, node: str = "A", ok=(200,)) -> bool:
        person, plan, content = uploads[evidence]
        response = person.call(
            "GET", node, f"/plans/{plan}/execution/files/{evidence}/", "evidence download", ok=ok
        )
        return response is not None and response.status_code == 200 and response.content == content

    # Before the faults: two submits on A (PDFs through B), evidence through B (fetched on A).
    for person, account in submitters[:SUBMITS_BEFORE]:
        if not submit(person, account):
            raise RuntimeError(f"the submit of plan {account['plan']} was refused")
    for number, (person, account) in enumerate(schools):
        upload(person, account, number)

    # --- fault 1: the worker rendering the region's archive is killed ------------
    response = reviewer.post(
        "A", "/plans/archive/", "archive request", {"year": accounts["year"]}, ok=(302,)
    )
    archive_path = response.headers["Location"]
    archive_id = int(re.search(r"/documents/(\d+)/", archive_path).group(1))

    def rendering_worker():
        held = query(
            database,
            "SELECT 1 FROM outbox_lease WHERE key = %s AND state = 'running'",
            f"document:{archive_id}",
        )
        if not held:
            return None
        from redis import Redis
        from rq import Worker

        for rq_worker in Worker.all(connection=Redis(port=redis_port)):
            job = rq_worker.get_current_job()
            if job is None or "render_document" not in repr((job.func_name, job.args, job.kwargs)):
                continue
            for worker in workers:
                if worker.running() and worker.process.pid == rq_worker.pid:
                    return worker
        return None

    victim = wait_for(rendering_worker, 120, "a worker rendering the archive", step=0.1)
    fault = Fault("worker", time.monotonic())
    faults.append(fault)
    print(f"clustercheck: SIGKILL to {victim.name} mid-render…", file=sys.stderr, flush=True)
    victim.wanted = False
    victim.kill()
    fault.ended = time.monotonic()
    time.sleep(2)
    victim.start()  # systemd starts it again; the render is taken again after the lease

    def archive_ready(node="B") -> bool:
        got = reviewer.call(
            "GET", node, f"/documents/{archive_id}/download/", "archive download", ok=(200, 302)
        )
        return got is not None and got.status_code == 200 and got.content.startswith(b"PK")

    wait_until(archive_ready, 60 + 6 * LEASE_S, "the archive after its worker was killed")
    fault.recovered = time.monotonic()

    # --- fault 2: web node B stopped and started again ---------------------------
    fault = Fault("web", time.monotonic())
    faults.append(fault)
    print("clustercheck: web node B stopped…", file=sys.stderr, flush=True)
    webs["B"].stop()
    time.sleep(5)
    webs["B"].start()
    fault.ended = time.monotonic()
    wait_until(lambda: healthy("B"), 90, "web node B after its restart")
    fault.recovered = time.monotonic()

    # --- fault 3: Redis stopped for ten seconds while plans are submitted ---------
    fault = Fault("redis", time.monotonic())
    faults.append(fault)
    print("clustercheck: Redis stopped…", file=sys.stderr, flush=True)
    redis.stop()
    outage_submits = []
    for person, account in submitters[SUBMITS_BEFORE:]:
        if not submit(person, account):
            raise RuntimeError(f"the submit of plan {account['plan']} failed while Redis was down")
        outage_submits.append((person, account))
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - fault.started)))
    redis.start()
    fault.ended = time.monotonic()
    wait_for(redis_answers, 20, "Redis after its restart")
    wait_until(
        lambda: all(submission_pdf(person, account["plan"]) for person, account in outage_submits),
        SETTLE_S,
        "the frozen PDFs of the plans submitted while Redis was down",
        step=1.0,
    )
    fault.recovered = time.monotonic()

    # --- fault 4: the object store stopped for ten seconds ------------------------
    fault = Fault("s3", time.monotonic())
    faults.append(fault)
    print("clustercheck: object store stopped…", file=sys.stderr, flush=True)
    gate.close()
    some = next(iter(uploads))
    number = 100
    while time.monotonic() - fault.started < OUTAGE_S:
        fetch(some, "A")
        submission_pdf(submitted[0][0], submitted[0][1]["plan"], node="A")
        number += 1
        upload(*schools[0], number)
        time.sleep(1)
    gate.open()
    fault.ended = time.monotonic()
    wait_until(lambda: fetch(some, "A"), 60, "an evidence file after the store came back")
    fault.recovered = time.monotonic()

    # --- after the faults: more of the day, then everything must be there ---------
    recovered_at = max(f.recovered for f in faults)
    for number, (person, account) in enumerate(schools):
        upload(person, account, 200 + number)
    time.sleep(8)
    stop.set()
    for editor in editors:
        editor.join(timeout=90)

    def settled() -> bool:
        return not stuck(database)

    with contextlib.suppress(CannotRun):
        wait_for(settled, SETTLE_S, "the queue to drain", step=1.0)
    stuck_tasks = stuck(database)
    documents_lost = sum(
        1 for person, account in submitted if not submission_pdf(person, account["plan"], "B")
    ) + (0 if archive_ready("B") else 1)
    files_lost = sum(1 for evidence in uploads if not fetch(evidence, "A"))
    # A refused upload leaves neither a record nor a file in the bucket.
    half_written = query(
        database, "SELECT count(*) FROM plans_evidence WHERE name = ANY(%s)", refused_names
    )[0][0]
    recorded = {row[0] for row in query(database, "SELECT file FROM plans_evidence")}
    listing = client.list_objects_v2(Bucket=bucket, Prefix="execution/").get("Contents", [])
    half_written += sum(1 for item in listing if item["Key"] not in recorded)

    # --- figures --------------------------------------------------------------------
    records = log.records
    windows = [(f.started, f.recovered + 2) for f in faults]

    def during(record: Record) -> bool:
        return any(start <= record.finished and record.started <= end for start, end in windows)

    failed = [r for r in records if r.problem]
    in_faults = [r for r in failed if during(r)]
    outside = [r for r in failed if not during(r)]
    after_recovery = [r for r in failed if r.started > recovered_at]
    not_russian = [r for r in in_faults if not r.russian]
    pages = sorted(r.finished - r.started for r in records if r.page and not r.problem)
    p95 = pages[min(len(pages) - 1, int(round(0.95 * (len(pages) - 1))))] if pages else 0
    figures = {
        "cluster_setup_s": round(setup_s, 1),
        "cluster_requests": len(records),
        "cluster_page_p95_ms": round(p95 * 1000),
        "cluster_submits": len(submitted),
        "cluster_evidence_files": len(uploads),
        "cluster_failovers": log.failovers,
        "cluster_errors_during_faults": len(in_faults),
        "cluster_errors_without_russian_page": len(not_russian),
        "cluster_errors_outside_faults": len(outside),
        "cluster_errors_after_recovery": len(after_recovery),
        "cluster_uploads_refused_while_store_down": len(refused_names),
        "cluster_half_written_uploads": half_written,
        "cluster_documents_lost": documents_lost,
        "cluster_files_lost": files_lost,
        "cluster_stuck_tasks": stuck_tasks,
        "cluster_worker_restarts": sum(w.restarts for w in workers),
    }
    for f in faults:
        figures[f"cluster_recovery_{f.name}_s"] = round(f.recovered - f.ended, 1)
    figures["cluster_recovery_s"] = max(figures[f"cluster_recovery_{f.name}_s"] for f in faults)
    figures["cluster_total_s"] = round(time.monotonic() - began, 1)
    for record in (not_russian + outside)[:10]:
        print(
            f"failed: {record.kind} on {record.node}: {record.problem} "
            f"at {record.started - began:.1f} s",
            file=sys.stderr,
        )
    ok = not (
        in_faults
        and not_russian
        or outside
        or after_recovery
        or documents_lost
        or files_lost
        or stuck_tasks
        or half_written
    )
    return figures, ok


def wait_until(check, seconds: float, what: str, step: float = 0.5) -> None:
    """Like wait_for, but a timeout is a failed check, not a service that cannot run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(step)
    raise RuntimeError(f"{what}: not there after {seconds:.0f} s")


def stuck(database: str) -> int:
    """Work that is not done: tasks waiting for the queue, renders still held or
    queued, documents not ready, frozen PDFs neither drawn nor failed."""
    return sum(
        query(database, sql)[0][0]
        for sql in (
            "SELECT count(*) FROM outbox_outboxtask",
            "SELECT count(*) FROM outbox_lease",
            "SELECT count(*) FROM plans_document WHERE status <> 'ready'",
            "SELECT count(*) FROM plans_plansubmission WHERE pdf = ''",
        )
    )


if __name__ == "__main__":
    sys.exit(main())
