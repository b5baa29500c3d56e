"""`make bench`: prints one `name value` line per figure.

Each tests/bench/bench_*.py module declares its figures' names in `FIGURES` and has
`run()` yielding (name, value) pairs; a module that yields a name it does not
declare, or leaves one out, fails the run. They run in-process against a fresh
SQLite file (or DATABASE_URL, when set) with the reference data loaded, so figures
do not depend on a developer's database.

`--smoke` (`make bench-smoke`, in CI): every module at a small size, one run of
each timing (tests/bench/common.py), the same names printed; any exception,
assertion or missing figure exits non-zero. Names of modules to run may follow.
"""

import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path


def main(arguments: list[str]) -> None:
    smoke = "--smoke" in arguments
    selected = [argument for argument in arguments if argument != "--smoke"]
    if smoke:
        # Read by tests/bench/common.py, imported below for the first time.
        os.environ["PROFPLAN_BENCH_SMOKE"] = "1"
    workdir = tempfile.mkdtemp(prefix="profplan-bench-")
    os.environ.setdefault("SQLITE_PATH", str(Path(workdir) / "bench.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profplan.settings.test")
    # Measured as production runs: templates without debug information.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmarks-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,testserver,localhost")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))

    import tests.bench as package

    for module_info in pkgutil.iter_modules(package.__path__):
        if not module_info.name.startswith("bench_"):
            continue
        if selected and module_info.name not in selected:
            continue
        module = importlib.import_module(f"tests.bench.{module_info.name}")
        printed = []
        for name, value in module.run():
            print(f"{name} {value}", flush=True)
            printed.append(name)
        if sorted(printed) != sorted(module.FIGURES):
            raise SystemExit(
                f"{module_info.name}: printed {sorted(printed)}, declares {sorted(module.FIGURES)}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
