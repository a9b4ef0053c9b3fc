"""``portico serve``: several uvicorn processes, each listening on its own socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="Linux servers")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PORTICO_VAR_DIR": str(tmp_path)}
    return subprocess.Popen(
        [sys.executable, "-m", "portico.cli", "serve", "--log-level", "warning", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def healthy(port: int, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            time.sleep(0.2)
    return False


def listening_pids(port: int) -> set[int]:
    """Processes holding a listening TCP socket on ``port`` (from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        if any(link.startswith("socket:[") and link[8:-1] in inodes for link in links(entry)):
            pids.add(int(entry.name))
    return pids


def links(process: Path) -> list[str]:
    """What a process's file descriptors point at. A descriptor closed while they are read
    (a served connection ending) is skipped, not the whole process."""
    try:
        descriptors = list((process / "fd").iterdir())
    except OSError:
        return []
    found = []
    for descriptor in descriptors:
        try:
            found.append(os.readlink(descriptor))
        except OSError:
            continue
    return found


def stop(server: subprocess.Popen[str]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@contextmanager
def two_processes(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``portico serve --workers 2`` answering, both processes listening; stopped after."""
    port = free_port()
    server = start(tmp_path, "--port", str(port), "--workers", "2")
    try:
        assert healthy(port)
        assert wait_for(lambda: len(listening_pids(port)) == 2)
        yield server, port
    finally:
        stop(server)


def test_each_process_listens_on_its_own_socket_and_all_stop_together(tmp_path):
    with two_processes(tmp_path) as (server, port):
        workers = listening_pids(port)
        assert server.pid not in workers  # the parent only supervises
    assert server.returncode == 0
    assert listening_pids(port) == set()
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)


def test_a_process_that_dies_is_replaced(tmp_path):
    with two_processes(tmp_path) as (server, port):
        first, second = sorted(listening_pids(port))
        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: len(listening_pids(port) - {first}) == 2)
        assert second in listening_pids(port)
        assert healthy(port)
    assert "exited; starting another" in server.stderr.read()  # type: ignore[union-attr]


def test_a_process_that_keeps_dying_is_restarted_after_a_growing_wait(tmp_path):
    with two_processes(tmp_path) as (server, port):
        first, second = sorted(listening_pids(port))
        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: len(listening_pids(port) - {first}) == 2)
        (replacement,) = listening_pids(port) - {first, second}
        os.kill(replacement, signal.SIGKILL)  # the same process dies again within a minute
        assert wait_for(lambda: len(listening_pids(port) - {first, replacement}) == 2)
        assert second in listening_pids(port)
    errors = server.stderr.read()  # type: ignore[union-attr]
    assert f"Server process {first} exited; starting another.\n" in errors
    assert f"Server process {replacement} exited; starting another in 1 s.\n" in errors


def test_restarts_wait_longer_each_time_up_to_half_a_minute():
    from portico.server import restart_delay

    assert [restart_delay(n) for n in range(1, 9)] == [0, 1, 2, 4, 8, 16, 30, 30]


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start(tmp_path, "--port", str(port), "--workers", "2")
        _, errors = server.communicate(timeout=60)
    assert server.returncode == 3
    assert f"Cannot listen on 127.0.0.1:{port}" in errors


def test_workers_must_be_a_number_of_at_least_one(tmp_path, monkeypatch):
    server = start(tmp_path, "--workers", "0")
    _, errors = server.communicate(timeout=60)
    assert server.returncode == 2
    assert "--workers must be at least 1" in errors
    monkeypatch.setenv("PORTICO_WEB_WORKERS", "four")
    server = start(tmp_path)
    _, errors = server.communicate(timeout=60)
    assert server.returncode == 2
    assert "argument --workers: invalid int value: 'four'" in errors


def test_processes_stop_when_their_supervisor_is_killed(tmp_path):
    with two_processes(tmp_path) as (server, port):
        server.kill()  # SIGKILL: no chance to stop its processes itself
        server.wait()
        assert wait_for(lambda: listening_pids(port) == set())


def test_a_process_that_fails_on_start_stops_the_server_instead_of_looping(tmp_path):
    port = free_port()
    server = start(tmp_path, "--port", str(port), "--workers", "2", "--app", "no_such_module:app")
    _, errors = server.communicate(timeout=60)
    assert server.returncode == 3  # uvicorn's code for an application it cannot load
    assert "A server process failed on start (exit code 3)." in errors
    assert "starting another" not in errors
