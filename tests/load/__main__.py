"""`make loadtest`: Locust against gunicorn on 127.0.0.1, bounded in time, headless.

1. a scratch database (SQLite file in a temporary folder, or the database
   `<name>_load` beside DATABASE_URL's on PostgreSQL): migrate, reference data,
   schools with deputies and plans (tests/load/seed.py);
2. gunicorn as `make serve` runs it (profplan/gunicorn.conf.py);
3. the submission-week mix (Deputy, Reviewer) for --time seconds with --users;
4. load_ratio: the same signed-in users in a closed loop without think time, once
   against the plan page and once against the trivial view of a signed-in user
   (GET /session/: reads the session and the user, renders a one-line template,
   writes nothing); plan page rps ÷ trivial rps, counted once every user has signed
   in. The same ratio against /healthz (no session at all) is printed as
   load_ratio_healthz for comparison;
5. on PostgreSQL, the plan page's closed loop again against a server without
   Django's connection pool and one with it (DJANGO_DB_POOL_MAX_SIZE):
   load_nopool_p95_ms, load_pool_p95_ms, their rates and load_pool_ratio.

Prints `name value` lines, as `make bench` does, and exits 1 if a target is missed:
0 errors, p95 of page requests under 300 ms, load_ratio ≥ 0.3.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.load.server import ROOT, gunicorn, manage, production_env

PAGES = {"plan page", "home page", "row form", "row save", "admin plan list"}
# Seconds of each closed loop once every user has signed in. The loop runs longer
# by the sign-in time, which is not counted: signing in hashes a password (~0.3 s
# of CPU each), and counting the page rate while 20 sign-ins compete for the same
# two cores measured the sign-ins, not the page.
RATIO_SECONDS = 15
# Users arrive two a second, as people sign in over a morning, not all in one
# instant: a sign-in hashes the password (PBKDF2, ~0.3 s of CPU by design).
SPAWN_RATE = 2


def scratch_database(workdir: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg

        db = dj_database_url.parse(url)
        name = db["NAME"] + "_load"
        admin = psycopg.connect(
            autocommit=True,
            dbname="postgres",
            user=db["USER"],
            password=db["PASSWORD"],
            host=db["HOST"],
            port=db["PORT"],
        )
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return {"database_url": url.rsplit("/", 1)[0] + "/" + name}
    return {"sqlite_path": str(workdir / "load.sqlite3")}


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run_locust(
    base: str, classes: list[str], users: int, seconds: int, env: dict, workdir: Path
) -> list:
    results = workdir / f"results-{'-'.join(classes)}.json"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            "tests/load/locustfile.py",
            "--headless",
            "--only-summary",
            "--users",
            str(users),
            "--spawn-rate",
            str(SPAWN_RATE),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            base,
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env | {"LOAD_RESULTS": str(results)},
        check=False,  # locust exits 1 when any request failed; we count them ourselves
        timeout=seconds + 120,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(results.read_text(encoding="utf-8"))


def rate(records: list, name: str, users: int = 0) -> float:
    """Requests per second of `name`, from when the last of `users` had signed in."""
    if not records:
        return 0.0
    steady_from = min(r[3] for r in records) + users / SPAWN_RATE
    times = [r[3] for r in records if r[0] == name and r[2] and r[3] >= steady_from]
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / (max(times) - min(times))


# The pool's size in the comparison: one connection for each of gunicorn's threads
# (profplan/gunicorn.conf.py: threads ≤ pool size).
POOL_SIZE = 4


def pool_comparison(env: dict, users: int, seconds: int, workdir: Path) -> dict:
    """On PostgreSQL, the plan page in a closed loop against gunicorn without the
    connection pool (each thread keeping its own connection, DJANGO_CONN_MAX_AGE) and
    with it (DJANGO_DB_POOL_MAX_SIZE): p95 and requests a second of each, and the
    ratio of their rates (> 1: the pool serves more)."""
    if "DATABASE_URL" not in env:
        print("pool comparison: PostgreSQL only (DATABASE_URL=postgres://…)", file=sys.stderr)
        return {}
    figures = {}
    for label, extra in (("nopool", {}), ("pool", {"DJANGO_DB_POOL_MAX_SIZE": POOL_SIZE})):
        with gunicorn(
            env | {k: str(v) for k, v in extra.items()},
            log_path=str(workdir / f"gunicorn-{label}.log"),
        ) as base:
            print(f"plan page closed loop, {label}…", file=sys.stderr, flush=True)
            records = run_locust(base, ["PlanPageOnly"], users, seconds, env, workdir)
        steady_from = min((r[3] for r in records), default=0) + users / SPAWN_RATE
        times = [r[1] for r in records if r[0] == "plan page" and r[2] and r[3] >= steady_from]
        figures[f"load_{label}_p95_ms"] = round(percentile(times, 0.95))
        figures[f"load_{label}_rps"] = round(rate(records, "plan page", users), 1)
        figures[f"load_{label}_errors"] = sum(1 for r in records if not r[2])
    figures["load_pool_ratio"] = (
        round(figures["load_pool_rps"] / figures["load_nopool_rps"], 3)
        if figures["load_nopool_rps"]
        else 0
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--time", type=int, default=60, help="seconds of the mixed scenario")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="profplan-load-"))
    env = production_env(**scratch_database(workdir))
    env["DJANGO_STATIC_ROOT"] = str(workdir / "static")
    env["PYTHONPATH"] = str(ROOT)
    print("preparing the database and static files…", file=sys.stderr, flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    accounts = workdir / "accounts.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.load.seed",
            "--schools",
            str(max(40, 2 * options.users)),
            "--out",
            str(accounts),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    env["LOAD_ACCOUNTS"] = str(accounts)

    with gunicorn(env, log_path=str(workdir / "gunicorn.log")) as base:
        print(
            f"server {base}; mixed scenario, {options.users} users, {options.time} s…",
            file=sys.stderr,
            flush=True,
        )
        mixed = run_locust(base, ["Deputy", "Reviewer"], options.users, options.time, env, workdir)
        loop = RATIO_SECONDS + options.users // SPAWN_RATE + 1
        plan_only = run_locust(base, ["PlanPageOnly"], options.users, loop, env, workdir)
        trivial = run_locust(base, ["TrivialOnly"], options.users, loop, env, workdir)
        health = run_locust(base, ["HealthzOnly"], options.users, loop, env, workdir)

        pool_figures = pool_comparison(env, options.users, loop, workdir)

    span = max(r[3] for r in mixed) - min(r[3] for r in mixed)
    # Percentiles of the steady state: after every user has signed in.
    steady_from = min(r[3] for r in mixed) + options.users / SPAWN_RATE
    errors = [r for r in mixed if not r[2]]
    pages = [r[1] for r in mixed if r[0] in PAGES and r[2] and r[3] >= steady_from]
    figures = {
        "load_users": options.users,
        "load_seconds": options.time,
        "load_requests": len(mixed),
        "load_rps": round(len(mixed) / span, 1),
        "load_errors": len(errors),
        "load_page_p50_ms": round(percentile(pages, 0.50)),
        "load_page_p95_ms": round(percentile(pages, 0.95)),
        "load_page_p99_ms": round(percentile(pages, 0.99)),
    }
    for name in sorted({r[0] for r in mixed}):
        times = [
            r[1]
            for r in mixed
            if r[0] == name
            and r[2]
            and (r[3] >= steady_from or name in ("sign in", "login page", "second factor"))
        ]
        slug = name.replace(" ", "_")
        figures[f"load_{slug}_count"] = len(times)
        figures[f"load_{slug}_p95_ms"] = round(percentile(times, 0.95))
    users = options.users
    plan_rps = rate(plan_only, "plan page", users)
    trivial_rps = rate(trivial, "session page", users)
    healthz_rps = rate(health, "healthz", users)
    figures["load_plan_page_closed_loop_rps"] = round(plan_rps, 1)
    figures["load_trivial_closed_loop_rps"] = round(trivial_rps, 1)
    figures["load_healthz_closed_loop_rps"] = round(healthz_rps, 1)
    figures["load_ratio"] = round(plan_rps / trivial_rps, 3) if trivial_rps else 0
    figures["load_ratio_healthz"] = round(plan_rps / healthz_rps, 3) if healthz_rps else 0
    figures["load_ratio_errors"] = sum(1 for r in plan_only + trivial + health if not r[2])
    figures |= pool_figures
    for name, value in figures.items():
        print(f"{name} {value}", flush=True)
    if errors:
        kinds = statistics.multimode([r[0] for r in errors])
        print(f"failed requests, most often: {', '.join(kinds)}", file=sys.stderr)

    missed = []
    if (
        figures["load_errors"]
        or figures["load_ratio_errors"]
        or figures.get("load_pool_errors")
        or figures.get("load_nopool_errors")
    ):
        missed.append("errors > 0")
    if figures["load_page_p95_ms"] >= 300:
        missed.append("p95 of page requests ≥ 300 ms")
    if figures["load_ratio"] < 0.3:
        missed.append("load_ratio < 0.3")
    print("targets: " + ("met" if not missed else "MISSED: " + "; ".join(missed)), flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
