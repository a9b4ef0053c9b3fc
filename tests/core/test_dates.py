"""Dates in the user's format and relative times, as lists print them for every row."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone

from portico.accounts.models import DateFormat
from portico.core.dates import TimeHtml, format_date, relative_time, time_html

WHEN = datetime(2026, 3, 7, 8, 5, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("fmt", [*DateFormat.values, "d/m/Y H:i", "j M Y H:i", "n/j/y"])
def test_compiled_formats_match_django(fmt: str) -> None:
    with timezone.override("Europe/Oslo"):
        assert format_date(WHEN, fmt) == dateformat.format(timezone.localtime(WHEN), fmt)
        assert format_date(date(2026, 12, 31), fmt.replace(" H:i", "")) == dateformat.format(
            date(2026, 12, 31), fmt.replace(" H:i", "")
        )
    # Single digits, midnight, the year 2000, and years strftime would not pad.
    for value in (
        datetime(2000, 1, 2, 0, 7),
        datetime(2031, 11, 9, 23, 59),
        datetime(999, 4, 5, 6, 7),
        datetime(12, 10, 1, 9, 30),
    ):
        assert format_date(value, fmt) == dateformat.format(value, fmt), value


def test_a_datetime_is_shown_in_the_current_time_zone() -> None:
    with timezone.override("Europe/Oslo"):
        assert format_date(WHEN, "Y-m-d H:i") == "2026-03-07 09:05"
    with timezone.override("America/New_York"):
        assert format_date(WHEN, "Y-m-d H:i") == "2026-03-07 03:05"


def test_other_format_characters_go_through_django() -> None:
    assert format_date(WHEN, "l, F jS") == dateformat.format(timezone.localtime(WHEN), "l, F jS")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(seconds=-20), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59), "59 minutes ago"),
        (timedelta(hours=5, minutes=59), "5 hours ago"),
        (timedelta(days=1, hours=23), "1 day ago"),
        (timedelta(days=13), "1 week ago"),
        (timedelta(days=45), "1 month ago"),
        (timedelta(days=800), "2 years ago"),
        (-timedelta(hours=3, minutes=1), "in 3 hours"),
        (-timedelta(days=2), "in 2 days"),
    ],
)
def test_relative_time(delta: timedelta, text: str) -> None:
    assert relative_time(WHEN - delta, now=WHEN) == text


def test_time_html_carries_the_machine_date_and_the_users_format() -> None:
    with timezone.override("UTC"):
        html = time_html(WHEN, "d.m.Y", now=WHEN + timedelta(days=3))
    assert html == (
        '<time datetime="2026-03-07T08:05:00+00:00" title="07.03.2026 08:05">3 days ago</time>'
    )


def test_time_html_escapes_words_from_translations(monkeypatch) -> None:
    monkeypatch.setattr("portico.core.dates._relative_phrase", lambda *args: "<b>&")
    assert time_html(WHEN, "d/m/Y").endswith(">&lt;b&gt;&amp;</time>")


def test_a_pages_times_are_its_time_zones_and_language(monkeypatch) -> None:
    """TimeHtml looks the zone, language and format up once, and every row still reads
    as format_date and relative_time say in that zone and language."""
    from html import escape

    from django.utils import translation

    now = WHEN + timedelta(days=3)
    values = [WHEN - timedelta(hours=h, minutes=7 * h) for h in range(0, 400, 37)]
    values.append(now + timedelta(hours=2))  # "in 2 hours"
    for zone, language, fmt in (("UTC", "en", "d/m/Y"), ("Asia/Kolkata", "de", "j M Y")):
        with timezone.override(zone), translation.override(language):
            page = TimeHtml(fmt, now)
            each = [
                f'<time datetime="{value.isoformat()}" '
                f'title="{escape(format_date(value, fmt + " H:i"))}">'
                f"{escape(relative_time(value, now))}</time>"
                for value in values
            ]
            assert [page(value) for value in values] == each
    with timezone.override("Asia/Kolkata"):
        assert 'title="07/03/2026 13:35"' in TimeHtml("d/m/Y", now)(WHEN)


def test_relative_times_are_remembered_per_language(monkeypatch) -> None:
    """Phrases are translated once per language and reused, never across languages."""
    from django.utils import translation

    from portico.core import dates

    monkeypatch.setattr(
        dates, "ngettext", lambda one, many, n: f"{translation.get_language()}:{many}"
    )
    dates._relative_phrase.cache_clear()
    try:
        two_days_ago = WHEN - timedelta(days=2)
        with translation.override("en"):
            assert relative_time(two_days_ago, now=WHEN) == "en:2 days ago"
        with translation.override("nb"):
            assert relative_time(two_days_ago, now=WHEN) == "nb:2 days ago"
        with translation.override("en"):
            assert relative_time(two_days_ago, now=WHEN) == "en:2 days ago"
        assert dates._relative_phrase.cache_info().hits == 1
    finally:
        dates._relative_phrase.cache_clear()
