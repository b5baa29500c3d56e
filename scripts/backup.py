"""`make backup` and `make restore FILE=…`: the database that the settings point at.

PostgreSQL: pg_dump's custom format (-Fc: compressed, restorable table by table)
and pg_restore. SQLite: a copy through SQLite's own backup API, which is consistent
while the application writes (copying the file by hand could catch it mid-write
and miss what is still in the WAL file).

A script, not a management command: the project package is not an app, and
backups belong to no app. It reads the database settings through Django, so
DATABASE_URL / SQLITE_PATH mean the same as for the application.

    python scripts/backup.py backup [--dir backups]
    python scripts/backup.py restore backups/profplan-20250901-120000.dump
"""

import argparse
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def is_postgres(db: dict) -> bool:
    return "postgresql" in db["ENGINE"]


def backup_database(db: dict, directory: Path) -> Path:
    """Write a dump of `db` (a DATABASES entry) into `directory`; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    if is_postgres(db):
        target = directory / f"profplan-{stamp}.dump"
        args, env = _pg_args(db)
        subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "--no-privileges",
                *args,
                "-f",
                str(target),
                db["NAME"],
            ],
            env=env,
            check=True,
        )
    else:
        target = directory / f"profplan-{stamp}.sqlite3"
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    return target


def restore_database(db: dict, dump: Path) -> None:
    """Replace the contents of `db` with `dump` (made by backup_database)."""
    if not dump.exists():
        raise FileNotFoundError(dump)
    if is_postgres(db):
        args, env = _pg_args(db)
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *args,
                "-d",
                db["NAME"],
                str(dump),
            ],
            env=env,
            check=True,
        )
    else:
        source = sqlite3.connect(dump)
        target = sqlite3.connect(db["NAME"])
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="сделать резервную копию")
    make.add_argument("--dir", default=str(ROOT / "backups"), help="куда положить (./backups)")
    back = commands.add_parser("restore", help="восстановить базу из копии")
    back.add_argument("file")
    options = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profplan.settings.base")
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if options.command == "backup":
        print(backup_database(db, Path(options.dir)))
    else:
        restore_database(db, Path(options.file))
        print(f"восстановлено из {options.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
