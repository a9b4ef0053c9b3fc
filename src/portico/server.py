"""``portico serve``: uvicorn in several processes, each with its own listening socket.

uvicorn's ``--workers`` shares one listening socket between its processes, and whichever
process wakes first accepts every connection waiting. A client that opens a few long-lived
connections at once (a load balancer's pool, a benchmark) often found all of them on one
process: measured with 8 connections on 2 workers, splits of 8/0 and 7/1 in four runs out of
ten, and half the throughput when one process held them all. Here each process listens on
its own socket with ``SO_REUSEPORT`` and the kernel spreads new connections across them
(4/4 to 6/2 in the same runs, never worse).

The parent only supervises: it restarts a process that dies, stops all of them on SIGTERM
or Ctrl-C, and gives up if a process fails right after starting (a port already taken, a
broken configuration), so a crash is not restarted in a loop. A process that keeps dying
within a minute of its start is restarted after 1, 2, 4 … up to 30 seconds, not at once.
A process whose parent was killed outright stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

APP = "portico.asgi:application"
# A process that exits sooner than this after starting is failing, not crashing once.
STARTUP_SECONDS = 5.0
# A process that ran this long was healthy: if it dies, it is restarted at once.
STABLE_SECONDS = 60.0
# The longest wait before restarting a process that keeps dying.
MAX_RESTART_DELAY = 30.0


def restart_delay(failures: int) -> float:
    """Seconds before restarting a process that has died ``failures`` times in a row, each
    time within STABLE_SECONDS of starting: none after the first, then 1, 2, 4 … 30."""
    return 0.0 if failures <= 1 else min(MAX_RESTART_DELAY, 2.0 ** (failures - 2))


@dataclass
class Slot:
    """One of the server's processes, and its restarts."""

    process: BaseProcess | None = None
    started: float = 0.0
    failures: int = 0  # deaths in a row, each soon after a start
    restart_at: float = 0.0


def bound_socket(host: str, port: int) -> socket.socket:
    """A socket bound to the address, sharing it with the other processes' sockets."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def stop_with_parent() -> None:
    """A process whose supervisor is gone (killed outright) stops too, instead of serving on
    as an orphan beside the next server."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGTERM)


def run_process(options: dict[str, Any]) -> None:
    """One server process: its own socket, uvicorn serving the portal on it."""
    import uvicorn

    threading.Thread(target=stop_with_parent, daemon=True).start()
    try:
        sock = bound_socket(options["host"], options["port"])
        sock.listen(2048)
    except OSError as exc:
        print(f"Cannot listen on {options['host']}:{options['port']}: {exc}", file=sys.stderr)
        sys.exit(3)
    config = uvicorn.Config(
        options["app"],
        lifespan="on",
        access_log=options["access_log"],
        log_level=options["log_level"],
        server_header=False,
    )
    # Ctrl-C reaches every process of the terminal; uvicorn shuts down, then re-raises it.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    def __init__(self, options: dict[str, Any], workers: int) -> None:
        self.options = options
        self.context = multiprocessing.get_context("spawn")
        self.slots = [Slot() for _ in range(workers)]
        self.stopping = False

    def start(self, slot: Slot) -> None:
        slot.process = self.context.Process(target=run_process, args=(self.options,), daemon=False)
        slot.process.start()
        slot.started = time.monotonic()

    def stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        try:
            return self.supervise()
        finally:
            self.shutdown()

    def supervise(self) -> int:
        for slot in self.slots:
            self.start(slot)
        while not self.stopping:
            wait([slot.process.sentinel for slot in self.slots if slot.process], timeout=0.5)
            for slot in self.slots:
                if self.stopping:
                    break
                if slot.process is None:
                    if time.monotonic() >= slot.restart_at:
                        self.start(slot)
                    continue
                if slot.process.is_alive():
                    continue
                code = self.exited(slot, slot.process)
                if code:
                    return code
        return 0

    def exited(self, slot: Slot, process: BaseProcess) -> int:
        """A process has died: schedule its restart, or give up (the exit code to return)."""
        lived = time.monotonic() - slot.started
        exitcode = process.exitcode or 0
        if exitcode > 0 and lived < STARTUP_SECONDS:
            print(f"A server process failed on start (exit code {exitcode}).", file=sys.stderr)
            self.stopping = True
            return exitcode
        slot.failures = slot.failures + 1 if lived < STABLE_SECONDS else 1
        delay = restart_delay(slot.failures)
        slot.process = None
        slot.restart_at = time.monotonic() + delay
        when = f" in {delay:.0f} s" if delay else ""
        print(f"Server process {process.pid} exited; starting another{when}.", file=sys.stderr)
        return 0

    def shutdown(self) -> None:
        running = [slot.process for slot in self.slots if slot.process is not None]
        for process in running:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # uvicorn finishes its requests
        deadline = time.monotonic() + 30
        for process in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def serve(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="portico serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("PORTICO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=os.environ.get("PORTICO_PORT", "8000"))
    parser.add_argument("--workers", type=int, default=os.environ.get("PORTICO_WEB_WORKERS", "1"))
    parser.add_argument("--app", default=APP, help=argparse.SUPPRESS)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    options = {
        "app": args.app,
        "host": args.host,
        "port": args.port,
        "access_log": not args.no_access_log,
        "log_level": args.log_level,
    }
    # Fail here, with a plain message, when the address cannot be used at all.
    try:
        bound_socket(args.host, args.port).close()
    except OSError as exc:
        print(f"Cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 3
    return Supervisor(options, args.workers).run()
