"""A meter's monthly volume as a small server-side SVG line chart (M4).

The numbers are computed here; ``meters/chart.svg`` only draws them. Colours come from the
design tokens (and the brand's primary colour), as an SVG shown through <img> cannot read
the page's CSS variables.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import Meter
from .validation import number

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 72, 36, 16, 40
MONTHS = 12


@dataclass(frozen=True)
class MonthVolume:
    month: date
    volume: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    points: str  # "x,y x,y …" for the polyline
    dots: list[tuple[float, float, str]]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    colours: dict[str, str]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM

    @property
    def is_empty(self) -> bool:
        return not self.dots


def month_ends(meter: Meter, *, months: int = MONTHS) -> list[tuple[date, int]]:
    """The highest (= last, meters count up) value of each recent month, in one query."""
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months):  # one month more than plotted: the first volume needs a start
        first = (first.replace(day=1) - date.resolution).replace(day=1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows = (
        meter.readings.filter(read_at__gte=start)
        .annotate(month=TruncMonth("read_at"))
        .values("month")
        .annotate(top=Max("value"))
        .order_by("month")
    )
    return [(_as_date(row["month"]), row["top"]) for row in rows]


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def monthly_volumes(ends: list[tuple[date, int]]) -> list[MonthVolume]:
    """Volume per month from consecutive month-end values; a gap is spread evenly."""
    volumes = []
    for (before, low), (month, high) in itertools.pairwise(ends):
        gap = (month.year - before.year) * 12 + month.month - before.month
        volumes.append(MonthVolume(month, max(high - low, 0) // max(gap, 1)))
    return volumes


def nice_ceiling(value: int) -> int:
    """The next 1, 2 or 5 × 10ⁿ at or above ``value`` (at least 10)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= max(value, 10):
                return factor * step
        step *= 10


def short_number(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return number(value)


@lru_cache(maxsize=1)
def token_colours() -> dict[str, str]:
    """--color-* values from the design tokens file, read once."""
    found = finders.find("portico/tokens.css")
    path = found if isinstance(found, str) else None
    text = Path(path).read_text() if path else ""
    return dict(re.findall(r"--(color-[a-z-]+):\s*(#[0-9a-fA-F]{3,8})", text))


def build_chart(volumes: list[MonthVolume], *, title: str, primary: str) -> Chart:
    tokens = token_colours()
    colours = {
        "line": primary,
        "text": tokens.get("color-muted", "currentColor"),
        "grid": tokens.get("color-border", "currentColor"),
        "surface": tokens.get("color-surface", "none"),
    }
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = nice_ceiling(max((v.volume for v in volumes), default=0))
    y_ticks = [
        Tick(HEIGHT - BOTTOM - plot_height * i / 4, short_number(top_value * i // 4))
        for i in range(5)
    ]
    count = len(volumes)
    step = plot_width / max(count - 1, 1)

    def x(i: int) -> float:
        return LEFT + (step * i if count > 1 else plot_width / 2)

    def y(value: int) -> float:
        return HEIGHT - BOTTOM - plot_height * value / top_value

    dots = [
        (round(x(i), 1), round(y(v.volume), 1), f"{v.month:%b %Y}: {number(v.volume)}")
        for i, v in enumerate(volumes)
    ]
    every = 1 if count <= 12 else 2
    x_ticks = [
        Tick(round(x(i), 1), f"{v.month:%b %y}") for i, v in enumerate(volumes) if i % every == 0
    ]
    if volumes:
        description = (
            f"Volume per month from {volumes[0].month:%B %Y} to "
            f"{volumes[-1].month:%B %Y}: "
            + "; ".join(f"{v.month:%b %Y} {number(v.volume)}" for v in volumes)
            + "."
        )
    else:
        description = "Not enough readings yet: the chart needs readings in two months."
    return Chart(
        title=title,
        description=description,
        points=" ".join(f"{px},{py}" for px, py, _ in dots),
        dots=dots,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        colours=colours,
    )


def chart_for(meter: Meter, *, primary: str) -> Chart:
    return build_chart(
        monthly_volumes(month_ends(meter)),
        title=f"{meter.meter_type.name} meter of {meter.asset.serial_number}: volume per month",
        primary=primary,
    )
