"""Excel exports (E3, orders tab), the partner of ``core.exports.stream_csv``.

openpyxl's write-only workbook keeps one row in memory at a time; the finished file is
spooled (in memory up to a few MB, then on disk) and streamed out with FileResponse.
Text that a spreadsheet would run as a formula is neutralised with ``safe_cell``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from portico.core.exports import safe_cell

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
