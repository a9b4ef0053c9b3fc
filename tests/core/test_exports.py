"""CSV cells from typed rows: local date-times, ISO dates, formula text neutralised."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from portico.core.exports import csv_value


def test_csv_cells_from_typed_values():
    when = datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("UTC"))
    with timezone.override("Europe/London"):
        assert csv_value(when) == "2026-07-01 23:30"  # the local wall-clock time
    assert csv_value(date(2026, 12, 31)) == "2026-12-31"
    assert csv_value(Decimal("12.50")) == "12.50"
    assert csv_value(None) == ""
    assert csv_value("=HYPERLINK(1)") == "'=HYPERLINK(1)"
