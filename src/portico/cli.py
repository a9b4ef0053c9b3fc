"""The ``portico`` command for operators.

``portico run``      migrate, load demo data into an empty database, serve on 127.0.0.1:8000
                     with uvicorn (ASGI) and run the task worker; Ctrl-C stops both.
``portico serve``    serve only: ``--host``, ``--port``, ``--workers`` processes (uvicorn, one
                     listening socket each; see ``portico.server``).
``portico demo``     load demo data (``--reset`` to start over).
``portico worker``   run the background task worker.
``portico check``    Django's system checks (``--deploy`` for production settings).
Anything else is passed to Django's manage.py commands (``portico migrate`` …).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")
    import django

    django.setup()


def _manage(args: Sequence[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["portico", *args])


def run(args: Sequence[str]) -> int:
    host = os.environ.get("PORTICO_HOST", "127.0.0.1")
    port = os.environ.get("PORTICO_PORT", "8000")
    workers = os.environ.get("PORTICO_WEB_WORKERS", "1")
    _manage(["migrate", "--no-input", "-v", "0"])
    _manage(["collectstatic", "--no-input", "-v", "0"])
    _manage(["demo", "--if-empty"])
    python = sys.executable
    worker = subprocess.Popen([python, "-m", "portico.cli", "worker"])  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [python, "-m", "portico.cli", "serve", "--host", host, "--port", port, "--workers", workers]
    )
    from django.conf import settings

    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(f"E-mails are written to {settings.EMAIL_FILE_PATH}/ (set EMAIL_URL to send them).")
    print(f"\nPortico is running on http://{host}:{port}/  (Ctrl-C stops it)\n", flush=True)
    processes = [server, worker]

    def stop(signum: int, frame: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes):
            try:
                server.wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        stop(signal.SIGTERM, None)
        for process in processes:
            try:
                process.wait(timeout=40)  # portico serve gives its requests 30 s
            except subprocess.TimeoutExpired:
                process.kill()
    print("Portico stopped.", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command == "run":
        return run(argv[1:])
    if command == "serve":
        from portico.server import serve

        return serve(argv[1:])
    if command == "worker":
        _manage(["db_worker", *argv[1:]])
        return 0
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    _manage(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
