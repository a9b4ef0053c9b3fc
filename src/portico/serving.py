"""The HTTP side of ``portico.asgi``: Django's ASGI handler, with each request's synchronous
work done in one hand-off to a small, fixed pool of threads.

Portico's views and middleware are synchronous. Django's own ASGI handler runs them in a new
thread for every request and crosses between the event loop and that thread four times
(request started, the middleware chain, closing the response, request finished), and every
request a worker has accepted runs at once, sharing the interpreter lock. Here:

- the event loop reads the request body (a slow upload never holds a thread), then
- one call to the pool builds the request, runs the middleware and view, and closes the
  response (``request_finished``: connections are returned in the thread that used them),
- the event loop sends the finished bytes (a slow reader never holds a thread either).

Requests beyond the pool's size wait their turn in order instead of slowing each other down;
one whose client leaves while it waits is dropped, not run.
A file (``FileResponse``: attachments, spreadsheets, static files) is read off the pool and
sent by the loop. A streaming response built from queries (CSV exports) keeps its thread
until the last chunk is sent, so its queries run on the connection that started them, and
stops when the client disconnects. A HEAD request gets the headers only: no export is
streamed and no file read for a body that is never sent.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix
from django.utils import timezone, translation

Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Stream:
    """One request's connection, seen from its pool thread: whether the client has gone, and
    a streaming response sent chunk by chunk, each message waiting until the event loop has
    handed it to the server (which holds the thread to the client's pace)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, receive: Receive, send: Send) -> None:
        self.loop = loop
        self.receive = receive
        self.send = send
        self.gone = threading.Event()
        self.watching: asyncio.Future[None] | None = None

    def listen(self) -> None:
        """On the event loop, once the body is read: note the client leaving from now on."""
        self.watching = asyncio.ensure_future(self.watch())

    def close(self) -> None:
        """On the event loop, when the request is over: stop listening."""
        if self.watching is not None:
            self.watching.cancel()

    def start(self, message: Message) -> None:
        self.deliver(message)

    def body(self, chunk: bytes) -> bool:
        """Send one chunk; False once the client has disconnected."""
        if self.gone.is_set():
            return False
        self.deliver({"type": "http.response.body", "body": chunk, "more_body": True})
        return True

    def end(self) -> None:
        self.deliver({"type": "http.response.body"})

    def stop(self) -> None:
        """From the pool thread: the response is over either way."""
        self.gone.set()

    def deliver(self, message: Message) -> None:
        asyncio.run_coroutine_threadsafe(self.sent(message), self.loop).result()

    async def sent(self, message: Message) -> None:
        await self.send(message)

    async def watch(self) -> None:
        """The only message after the body is the disconnect; note it for the thread."""
        while not self.gone.is_set():
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.gone.set()


class PooledASGIHandler(ASGIHandler):
    """Django's ASGI handler (same request class, body reading, header encoding), running
    the synchronous middleware chain in one hop to ``threads`` long-lived threads."""

    def __init__(self, threads: int | None = None) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.threads = threads or settings.WEB_THREADS
        self.executor = ThreadPoolExecutor(self.threads, thread_name_prefix="portico-http")

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"Portico serves HTTP only, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        stream = Stream(asyncio.get_running_loop(), receive, send)
        stream.listen()
        try:
            response = await stream.loop.run_in_executor(
                self.executor, self.respond, scope, body_file, stream
            )
            if response is None:
                pass  # streamed from its thread, or the client left before it was served
            elif response.streaming and scope["method"] == "HEAD":
                await send(self.start_message(response))
                await send({"type": "http.response.body"})
            elif isinstance(response, FileResponse):
                await self.send_file(response, send, stream.loop)
            else:
                await self.send_response(response, send)
        finally:
            stream.close()
            body_file.close()

    def respond(
        self, scope: Message, body_file: IO[bytes], stream: Stream
    ) -> HttpResponseBase | None:
        """In a pool thread: the whole request. A finished response is returned for the
        event loop to send; a streaming one is sent from here, chunk by chunk, and stops
        early when the client goes away. A request whose client left while it waited for a
        thread is not run at all."""
        if stream.gone.is_set():
            return None
        # Threads serve one request after another: start from the defaults, not from what
        # the last request's middleware activated.
        translation.deactivate()
        timezone.deactivate()
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
        assert response is not None
        if not response.streaming or scope["method"] == "HEAD":
            response.close()  # a HEAD's stream or file is closed unread: headers only
            return response
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
            return response  # read and sent by the event loop: see send_file
        try:
            stream.start(self.start_message(response))
            for part in response:
                for chunk, _last in self.chunk_bytes(part):
                    if not stream.body(bytes(chunk)):
                        return None
            stream.end()
        finally:
            stream.stop()
            response.close()
        return None

    def start_message(self, response: HttpResponseBase) -> Message:
        headers = [
            (str(name).encode("ascii"), str(value).encode("latin1"))
            for name, value in response.items()
        ]
        headers.extend(
            (b"Set-Cookie", cookie.output(header="").encode("ascii").strip())
            for cookie in response.cookies.values()
        )
        return {"type": "http.response.start", "status": response.status_code, "headers": headers}

    async def send_response(self, response: HttpResponseBase, send: Send) -> None:
        await send(self.start_message(response))
        content = response.content  # type: ignore[attr-defined]
        for chunk, last in self.chunk_bytes(content):
            await send({"type": "http.response.body", "body": chunk, "more_body": not last})

    async def send_file(
        self, response: FileResponse, send: Send, loop: asyncio.AbstractEventLoop
    ) -> None:
        """Files (attachments, spreadsheets, static files) need no database: their chunks are
        read on the loop's default executor, so a slow reader never holds a request thread."""
        try:
            await send(self.start_message(response))
            chunks = iter(response)
            while chunk := await loop.run_in_executor(None, next, chunks, b""):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body"})
        finally:
            await loop.run_in_executor(None, response.close)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.executor.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return
