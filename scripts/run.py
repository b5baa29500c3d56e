"""`make run`: the development server and the task worker, started and stopped together.

Ctrl+C (or either process ending) stops both, so no worker is left behind.
"""

import signal
import subprocess
import sys


def main(argv: list[str]) -> int:
    python, address = sys.executable, argv[0]
    processes = [
        subprocess.Popen([python, "manage.py", "worker"]),
        subprocess.Popen([python, "manage.py", "runserver", address]),
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
