"""`make backup` and `make restore FILE=…`: what cannot be made again, the database and
the evidence files that schools uploaded.

Database. PostgreSQL: pg_dump's custom format (-Fc: compressed, restorable table by
table) and pg_restore. SQLite: a copy through SQLite's own backup API, which is
consistent while the application writes (copying the file by hand could catch it
mid-write and miss what is still in the WAL file).

Evidence files (plans.Evidence): every file the dump names, read through Django's
storage API (the file system or the S3 bucket, whichever the settings say) into
`<dump>.evidence.zip` beside the dump; the names come from the same snapshot as the
dump (PostgreSQL: pg_dump --snapshot; SQLite: the copy itself), so the archive holds
exactly the files the restored database points at. Restore puts back the ones the
storage lacks.

Generated documents (exports, archives) and the frozen PDFs of submissions are left
out: they are drawn again from the database (a submission keeps what was submitted
in its `document`). After a restore a document whose file is gone is forgotten (the
next download draws it again) and a frozen PDF that is gone is queued to be drawn.

A script, not a management command: the project package is not an app, and
backups belong to no app. It reads the database settings through Django, so
DATABASE_URL / SQLITE_PATH mean the same as for the application.

    python scripts/backup.py backup [--dir backups]
    python scripts/backup.py restore backups/profplan-20250901-120000.dump
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
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


def backup_database(db: dict, directory: Path, snapshot: str | None = None) -> Path:
    """Write a dump of `db` (a DATABASES entry) into `directory`; return its path.
    `snapshot`: a PostgreSQL snapshot (pg_export_snapshot()) the dump must see."""
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
                *([f"--snapshot={snapshot}"] if snapshot else []),
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


# The evidence files a database names (plans.Evidence.file).
EVIDENCE_NAMES = "SELECT file FROM plans_evidence WHERE file <> '' ORDER BY file"


def evidence_archive(dump: Path) -> Path:
    return dump.with_suffix(".evidence.zip")


def backup(db: dict, directory: Path) -> tuple[Path, Path, list[str]]:
    """The database and the evidence files it names: (dump, archive, names of files
    the dump names but the storage no longer has)."""
    if is_postgres(db):
        import psycopg

        # A read-only snapshot shared with pg_dump: the names read here are the
        # names in the dump, whatever is uploaded or deleted meanwhile.
        with psycopg.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
        ) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            names = [row[0] for row in connection.execute(EVIDENCE_NAMES)]
            dump = backup_database(db, directory, snapshot=snapshot)
    else:
        dump = backup_database(db, directory)
        copy = sqlite3.connect(dump)
        try:
            names = [row[0] for row in copy.execute(EVIDENCE_NAMES)]
        finally:
            copy.close()
    archive, missing = backup_evidence(names, evidence_archive(dump))
    return dump, archive, missing


def backup_evidence(names: list[str], target: Path) -> tuple[Path, list[str]]:
    """Copy the stored files `names` into the ZIP `target`, one member per storage
    name, streamed (a file is never held whole in memory). Stored, not compressed:
    photos, PDFs and Office files are compressed already. Returns the names the
    storage did not have."""
    from django.core.files.storage import default_storage

    partial = target.with_name(target.name + ".partial")
    missing = []
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name in names:
            try:
                source = default_storage.open(name, "rb")
            except FileNotFoundError:
                missing.append(name)
                continue
            with source, zf.open(name, "w", force_zip64=True) as member:
                shutil.copyfileobj(source, member, 1024 * 1024)
    # Renamed only once whole: a cut-off backup never looks like a good one.
    partial.replace(target)
    return target, missing


def restore_evidence(archive: Path) -> tuple[int, int]:
    """Put back every file of `archive` that the storage lacks, under its own name;
    returns (put back, already there)."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    restored = present = 0
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            if default_storage.exists(name):
                present += 1
                continue
            with zf.open(name) as member:
                saved = default_storage.save(name, File(member, name=name))
            if saved != name:
                raise RuntimeError(f"{name} was stored as {saved}")
            restored += 1
    return restored, present


def forget_missing_generated() -> tuple[int, int]:
    """After a restore: a generated document whose file is gone is forgotten (the
    next download draws it again); a frozen PDF that is gone is queued to be drawn
    from what the submission recorded. Returns (documents, PDFs)."""
    from django.core.files.storage import default_storage

    from plans.documents import queue
    from plans.models import Document, PlanSubmission

    gone = [
        document.pk
        for document in Document.objects.exclude(file="").only("file")
        if not default_storage.exists(document.file.name)
    ]
    Document.objects.filter(pk__in=gone).delete()
    drawn = 0
    for field, approved in (("pdf", False), ("approved_pdf", True)):
        for submission in PlanSubmission.objects.exclude(**{field: ""}).only(field):
            if default_storage.exists(getattr(submission, field).name):
                continue
            PlanSubmission.objects.filter(pk=submission.pk).update(**{field: ""})
            queue.submission_rerender(submission=submission, approved=approved)
            drawn += 1
    return len(gone), drawn


def restore(db: dict, dump: Path) -> list[str]:
    """The database from `dump`, then the evidence files from the archive beside
    it; returns what was done, in Russian, a line each."""
    from django.db import connections

    connections.close_all()
    restore_database(db, dump)
    report = [f"база восстановлена из {dump}"]
    archive = evidence_archive(dump)
    if archive.exists():
        restored, present = restore_evidence(archive)
        report.append(f"файлы подтверждений: возвращено {restored}, уже были на месте {present}")
    else:
        report.append(f"ВНИМАНИЕ: рядом нет {archive.name}: файлы подтверждений не восстановлены")
    documents, pdfs = forget_missing_generated()
    report.append(
        f"документов без файла забыто: {documents} (сформируются заново при скачивании); "
        f"PDF сданных версий поставлено в очередь: {pdfs}"
    )
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="сделать резервную копию")
    make.add_argument("--dir", default=str(ROOT / "backups"), help="куда положить (./backups)")
    back = commands.add_parser("restore", help="восстановить базу и файлы из копии")
    back.add_argument("file")
    options = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profplan.settings.base")
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if options.command == "backup":
        dump, archive, missing = backup(db, Path(options.dir))
        print(dump)
        print(archive)
        for name in missing:
            print(f"ВНИМАНИЕ: файла {name} нет в хранилище: в копию не вошёл", file=sys.stderr)
    else:
        for line in restore(db, Path(options.file)):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
