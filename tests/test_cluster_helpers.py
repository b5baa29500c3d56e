"""The helpers of `make clustercheck` (tests/cluster): the gate in front of the object
store refuses connections while closed and relays again once open, cutting what was
in progress; a service's whole process group is stopped, children included."""

import socket
import socketserver
import sys
import threading

import pytest

from tests.cluster.__main__ import Gate, Service
from tests.load.server import free_port


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while data := self.request.recv(1024):
            self.request.sendall(data)


@pytest.fixture
def echo():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def talk(port: int, message: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(message)
        return connection.recv(1024)


def test_the_gate_refuses_while_closed_and_relays_once_open(echo):
    gate = Gate(free_port(), echo)
    gate.open()
    try:
        assert talk(gate.port, "до".encode()) == "до".encode()
        kept = socket.create_connection(("127.0.0.1", gate.port), timeout=5)
        kept.sendall(b"x")
        assert kept.recv(10) == b"x"

        gate.close()
        with pytest.raises(ConnectionRefusedError):
            talk(gate.port, b"closed")
        assert kept.recv(10) == b""  # the connection in progress was cut
        kept.close()

        gate.open()
        assert talk(gate.port, "после".encode()) == "после".encode()
    finally:
        gate.close()


def test_a_service_is_stopped_with_its_children(tmp_path):
    child = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); print('up', flush=True); time.sleep(60)"
    service = Service("sleeper", [sys.executable, "-c", child], {}, tmp_path, tmp_path)
    service.start()
    import time

    deadline = time.monotonic() + 10
    while "up" not in service.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    group = service.process.pid
    service.stop(timeout=5)
    assert not service.running()
    assert alive_in_group(group) == []


def alive_in_group(group: int) -> list[int]:
    """Processes of the group that still run (a zombie waiting for a parent that
    does not reap it is not running)."""
    from pathlib import Path

    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive
