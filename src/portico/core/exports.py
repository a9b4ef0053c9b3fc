"""Exports: CSV streamed row by row, Excel built row by row; formula cells neutralised.

openpyxl's write-only workbook keeps one row in memory at a time; the finished file is
spooled (in memory up to a few MB, then on disk) and streamed out with FileResponse.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CHUNK_LINES = 500

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_value(value: Any) -> str:
    """A CSV cell: dates as ISO, date-times as local "YYYY-MM-DD HH:MM", text neutralised."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _chunks(lines: Iterator[str]) -> Iterator[str]:
    """Lines joined ``CHUNK_LINES`` at a time: one message to the server per chunk."""
    while chunk := "".join(islice(lines, CHUNK_LINES)):
        yield chunk


def stream_csv(
    filename: str,
    header: list[str],
    rows: Iterable[Iterable[Any]],
) -> StreamingHttpResponse:
    """A CSV download written row by row as the rows are read, never held whole in memory.
    Rows keep their types (the same rows feed ``xlsx_response``); ``csv_value`` writes them.

    The server (``portico.serving``) sends each chunk as it is written, from the request's
    own thread, so the rows' queries run on the connection that started them.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)  # BOM: Excel opens UTF-8 correctly
        for row in rows:
            yield writer.writerow([csv_value(cell) for cell in row])

    response = StreamingHttpResponse(_chunks(lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024


def excel_value(value: Any) -> Any:
    """Numbers and dates stay typed; everything else becomes harmless text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: write the local wall-clock time.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return safe_cell(value)


def xlsx_response(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]], *, sheet: str = "Export"
) -> FileResponse:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    bold = Font(bold=True)
    heading = []
    for text in header:
        cell = WriteOnlyCell(worksheet, value=safe_cell(text))
        cell.font = bold
        heading.append(cell)
    worksheet.append(heading)
    for row in rows:
        worksheet.append([excel_value(value) for value in row])
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
