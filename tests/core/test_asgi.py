"""The portal as uvicorn serves it (``portico.serving.PooledASGIHandler``): requests are
driven as raw ASGI messages, the way the server sends and receives them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core import signals
from django.db import connections

from portico.serving import PooledASGIHandler, Stream

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Served:
    status: int
    headers: list[tuple[bytes, bytes]]
    bodies: list[bytes] = field(default_factory=list)

    @property
    def content(self) -> bytes:
        return b"".join(self.bodies)

    def header(self, name: bytes) -> list[bytes]:
        return [value for key, value in self.headers if key.lower() == name]

    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for value in self.header(b"set-cookie"):
            jar.load(value.decode("latin1"))
        return {name: morsel.value for name, morsel in jar.items()}


@pytest.fixture
def make_handler() -> Iterator[Callable[[], PooledASGIHandler]]:
    """Handlers read the settings once (as a served process does): make them after any
    settings change."""
    made: list[PooledASGIHandler] = []

    def make() -> PooledASGIHandler:
        made.append(PooledASGIHandler(threads=1))
        return made[-1]

    yield make
    for served in made:
        # The pool's thread holds its own database connection: return it before the test's
        # database is flushed.
        served.executor.submit(connections.close_all).result()
        served.executor.shutdown()


@pytest.fixture
def handler(make_handler) -> PooledASGIHandler:
    return make_handler()


def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]], query: str = ""):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def exchange(app, scope, body_parts: list[bytes]) -> Served:
    communicator = ApplicationCommunicator(app, scope)
    for number, part in enumerate(body_parts, start=1):
        more = number < len(body_parts)
        await communicator.send_input({"type": "http.request", "body": part, "more_body": more})
    start = await communicator.receive_output(timeout=10)
    assert start["type"] == "http.response.start"
    served = Served(start["status"], start["headers"])
    while True:
        message = await communicator.receive_output(timeout=10)
        served.bodies.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=10)
    return served


def serve(
    app,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
    body_parts: list[bytes] | None = None,
) -> Served:
    sent = list(headers or [])
    if cookies:
        sent.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    path, _, query = path.partition("?")
    scope = http_scope(method, path, sent, query)
    return async_to_sync(exchange)(app, scope, body_parts or [b""])


def test_login_post_and_pages_work_through_the_served_application(foundation, handler):
    page = serve(handler, "GET", "/accounts/login/")
    assert page.status == 200
    assert b"<form" in page.content
    cookies = page.cookies()
    form = urlencode(
        {
            "login": "alice@acme.example",
            "password": "portico-demo",
            "csrfmiddlewaretoken": cookies["csrftoken"],
        }
    ).encode()
    # The body arrives in two messages, as a server delivers a larger POST.
    login = serve(
        handler,
        "POST",
        "/accounts/login/",
        cookies=cookies,
        headers=[
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(form)).encode()),
        ],
        body_parts=[form[:20], form[20:]],
    )
    assert login.status == 302, login.content[:500]
    cookies.update(login.cookies())
    assert "sessionid" in cookies
    home = serve(handler, "GET", "/", cookies=cookies)
    assert home.status == 200
    assert b"Acme Ltd" in home.content
    assert home.header(b"content-type") == [b"text/html; charset=utf-8"]


def test_production_mode_request_knows_its_scheme(foundation, make_handler, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    handler = make_handler()
    plain = serve(handler, "GET", "/accounts/login/")
    assert plain.status == 301
    assert plain.header(b"location") == [b"https://testserver/accounts/login/"]
    secure = serve(handler, "GET", "/accounts/login/", headers=[(b"x-forwarded-proto", b"https")])
    assert secure.status == 200


def test_csv_export_streams_in_chunks(foundation, alice, client, handler):
    from portico.accounts.models import LoginAttempt
    from portico.core.exports import CHUNK_LINES

    LoginAttempt.objects.bulk_create(
        LoginAttempt(user=alice, email=alice.email, succeeded=i % 2 == 0, ip_address="10.0.0.1")
        for i in range(CHUNK_LINES * 2 + 7)
    )
    client.force_login(alice)
    export = serve(
        handler,
        "GET",
        "/accounts/profile/logins.csv",
        cookies={"sessionid": client.session.session_key},
    )
    assert export.status == 200
    assert export.header(b"content-type") == [b"text/csv; charset=utf-8"]
    # One message per chunk of CHUNK_LINES rows, then the closing empty one.
    assert len([body for body in export.bodies if body]) >= 3
    assert export.bodies[-1] == b""
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Time (UTC),Outcome,IP address,Device"
    assert sum(",10.0.0.1," in line for line in lines) == CHUNK_LINES * 2 + 7


def test_requests_wait_their_turn_on_the_pool_threads(foundation, handler):
    """Three requests at once on a one-thread pool: served one after another, each on the
    pool's long-lived thread."""
    running: list[str] = []
    most = 0
    threads: set[str] = set()
    lock = threading.Lock()

    def started(**kwargs):
        nonlocal most
        with lock:
            running.append(threading.current_thread().name)
            threads.add(threading.current_thread().name)
            most = max(most, len(running))

    def finished(**kwargs):
        with lock:
            running.pop()

    signals.request_started.connect(started, dispatch_uid="test-pool-started")
    signals.request_finished.connect(finished, dispatch_uid="test-pool-finished")
    try:

        async def three() -> list[Served]:
            scope = http_scope("GET", "/accounts/login/", [])
            return await asyncio.gather(*(exchange(handler, dict(scope), [b""]) for _ in range(3)))

        served = async_to_sync(three)()
    finally:
        signals.request_started.disconnect(dispatch_uid="test-pool-started")
        signals.request_finished.disconnect(dispatch_uid="test-pool-finished")
    assert [page.status for page in served] == [200, 200, 200]
    assert most == 1
    assert len(threads) == 1
    assert threads.pop().startswith("portico-http")


def test_files_are_sent_by_the_event_loop_not_a_request_thread(foundation, alice, client, handler):
    """A spreadsheet (a FileResponse) is read and closed off the request threads, so a slow
    reader cannot hold one; the bytes arrive whole."""
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.service.factories import raise_request

    raise_request(alice, title="Scanner jams")
    client.force_login(alice)
    closed_in: list[str] = []

    def finished(**kwargs):
        closed_in.append(threading.current_thread().name)

    signals.request_finished.connect(finished, dispatch_uid="test-file-finished")
    try:
        export = serve(
            handler,
            "GET",
            "/requests/export.xlsx",
            cookies={"sessionid": client.session.session_key},
        )
    finally:
        signals.request_finished.disconnect(dispatch_uid="test-file-finished")
    assert export.status == 200
    assert export.content.startswith(b"PK")
    sheet = load_workbook(BytesIO(export.content)).active
    assert any(row[1] == "Scanner jams" for row in sheet.iter_rows(values_only=True))
    assert len(closed_in) == 1
    assert not closed_in[0].startswith("portico-http")


def test_a_thread_starts_each_request_from_the_default_time_zone_and_language(
    foundation, alice, client, handler
):
    alice.time_zone = "Asia/Tokyo"
    alice.language = "nb"
    alice.save(update_fields=["time_zone", "language"])
    client.force_login(alice)
    seen: list[tuple[str, str]] = []

    def started(**kwargs):
        from django.utils import timezone, translation

        seen.append((timezone.get_current_timezone_name(), translation.get_language()))

    signals.request_started.connect(started, dispatch_uid="test-thread-defaults")
    try:
        assert (
            serve(handler, "GET", "/", cookies={"sessionid": client.session.session_key}).status
            == 200
        )
        assert serve(handler, "GET", "/accounts/login/").status == 200
    finally:
        signals.request_started.disconnect(dispatch_uid="test-thread-defaults")
    assert seen[0] == seen[1]  # alice's Tokyo and Norwegian did not carry over


def test_a_stream_stops_when_the_client_goes_away():
    sent: list[dict] = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def run() -> bool:
        stream = Stream(asyncio.get_running_loop(), receive, send)
        stream.listen()

        def in_thread() -> bool:
            stream.start({"type": "http.response.start", "status": 200, "headers": []})
            assert stream.gone.wait(5)
            delivered = stream.body(b"more rows")
            stream.stop()
            return delivered

        return await asyncio.get_running_loop().run_in_executor(None, in_thread)

    assert async_to_sync(run)() is False
    assert [message["type"] for message in sent] == ["http.response.start"]


def test_head_on_an_export_sends_the_headers_without_running_the_export(
    foundation, alice, client, handler, monkeypatch
):
    from portico.service import views
    from tests.service.factories import raise_request

    raise_request(alice, title="Scanner jams")
    client.force_login(alice)
    cookies = {"sessionid": client.session.session_key}
    produced: list[str] = []
    export_rows = views._export_rows

    def spied(qs):
        for row in export_rows(qs):
            produced.append(row[0])
            yield row

    monkeypatch.setattr(views, "_export_rows", spied)
    head = serve(handler, "HEAD", "/requests/export.csv", cookies=cookies)
    assert head.status == 200
    assert head.header(b"content-type") == [b"text/csv; charset=utf-8"]
    assert head.content == b""
    assert produced == []
    get = serve(handler, "GET", "/requests/export.csv", cookies=cookies)
    assert b"Scanner jams" in get.content
    assert len(produced) == 1


def test_a_request_whose_client_left_while_it_waited_is_not_run(foundation, handler):
    """On a one-thread pool, a second request waits behind a slow first one; its client
    leaves meanwhile, and it is dropped instead of served to nobody."""
    release = threading.Event()
    started: list[str] = []

    def slow_start(scope, **kwargs):
        started.append(scope["path"])
        if scope["path"] == "/accounts/login/":
            assert release.wait(10)

    signals.request_started.connect(slow_start, dispatch_uid="test-left-started")
    try:

        async def run() -> tuple[Served, list]:
            first = asyncio.ensure_future(
                exchange(handler, http_scope("GET", "/accounts/login/", []), [b""])
            )
            while not started:
                await asyncio.sleep(0.01)
            second = ApplicationCommunicator(handler, http_scope("GET", "/healthz", []))
            await second.send_input({"type": "http.request", "body": b"", "more_body": False})
            await second.send_input({"type": "http.disconnect"})
            await asyncio.sleep(0.2)  # the loop notes the disconnect while the thread is busy
            release.set()
            served = await first
            await second.wait(timeout=10)
            left_over = []
            while not second.output_queue.empty():
                left_over.append(second.output_queue.get_nowait())
            return served, left_over

        served, left_over = async_to_sync(run)()
    finally:
        release.set()
        signals.request_started.disconnect(dispatch_uid="test-left-started")
    assert served.status == 200
    assert started == ["/accounts/login/"]
    assert left_over == []


def test_lifespan_and_other_protocols():
    handler = PooledASGIHandler(threads=1)

    async def lifespan() -> list[str]:
        communicator = ApplicationCommunicator(handler, {"type": "lifespan"})
        await communicator.send_input({"type": "lifespan.startup"})
        first = await communicator.receive_output(timeout=5)
        await communicator.send_input({"type": "lifespan.shutdown"})
        second = await communicator.receive_output(timeout=5)
        await communicator.wait(timeout=5)
        return [first["type"], second["type"]]

    assert async_to_sync(lifespan)() == ["lifespan.startup.complete", "lifespan.shutdown.complete"]

    async def websocket() -> None:
        await handler({"type": "websocket"}, None, None)  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="HTTP only"):
        async_to_sync(websocket)()


def test_the_served_application_freezes_its_startup_heap(tmp_path):
    """uvicorn imports portico.asgi: the URL patterns are loaded and the heap frozen, so a
    full garbage collection no longer walks the whole startup heap during a request."""
    import os
    import subprocess
    import sys

    code = (
        "import gc, sys; import portico.asgi;"
        "print(gc.get_freeze_count() > 50_000, 'portico.billing.views' in sys.modules,"
        " type(portico.asgi.application).__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PORTICO_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "True", "PooledASGIHandler"]
