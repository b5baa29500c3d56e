"""The web server and the task worker, started and stopped together.

`make run`:   scripts/run.py dev 127.0.0.1:8000   (runserver + worker)
`make serve`: scripts/run.py serve                (gunicorn + worker, production settings)

Ctrl+C or SIGTERM (or either process ending) stops both, so no worker is left
behind. In production systemd runs the two as separate services (README).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    python = sys.executable
    env = dict(os.environ)
    if argv[0] == "dev":
        web = [python, "manage.py", "runserver", argv[1]]
        # A developer's server: DEBUG is off unless asked for (profplan/settings/base.py).
        env.setdefault("DJANGO_DEBUG", "1")
    else:
        gunicorn = str(Path(python).with_name("gunicorn"))
        web = [gunicorn, "-c", "profplan/gunicorn.conf.py", "profplan.wsgi"]
    processes = [
        subprocess.Popen([python, "manage.py", "worker"], env=env),
        subprocess.Popen(web, env=env),
    ]

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(process.poll() is None for process in processes):
            try:
                processes[1].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
