"""Streamed CSV (and later Excel) exports, with spreadsheet-formula cells neutralised."""

import csv
from collections.abc import AsyncIterator, Iterable, Iterator
from itertools import islice
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse

CHUNK_LINES = 500

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _next_chunk(lines: Iterator[str]) -> str:
    return "".join(islice(lines, CHUNK_LINES))


async def _pull_async(lines: Iterator[str]) -> AsyncIterator[str]:
    """Feed an ASGI server chunk by chunk; each chunk's queries run in the request's thread."""
    while chunk := await sync_to_async(_next_chunk, thread_sensitive=True)(lines):
        yield chunk


def stream_csv(
    filename: str,
    header: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    request: HttpRequest | None = None,
) -> StreamingHttpResponse:
    """A CSV download written row by row as the rows are read, never held whole in memory.

    Under ASGI (uvicorn) Django would buffer a synchronous iterator completely, so the
    rows are handed over as an asynchronous stream there.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)  # BOM: Excel opens UTF-8 correctly
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    content: Iterator[str] | AsyncIterator[str] = lines()
    if isinstance(request, ASGIRequest):
        content = _pull_async(lines())
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
