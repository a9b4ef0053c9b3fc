"""The rules a meter reading must pass (M2), as pure functions: no database, no clock.

A reading is rejected when it is dated outside the allowed window or is lower than the
reading before it (meters only count up); it gets a caution when the increase since the
previous reading is more than ``caution_factor`` times the expected volume for that time;
otherwise it is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

DAYS_PER_MONTH = Decimal("30.4")
SECONDS_PER_DAY = Decimal(86400)
# The shortest time the plausibility check assumes between readings, so two readings on
# the same day are not compared with a few minutes' worth of expected volume.
MIN_DAYS = Decimal(1)
# The machine's own average needs readings at least this far apart to mean anything.
MIN_AVERAGE_SPAN_DAYS = Decimal(7)
LIMIT_PLACES = Decimal("0.000001")


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    CAUTION = "caution"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    message: str = ""

    @property
    def is_accepted(self) -> bool:
        return self.outcome == Outcome.ACCEPTED


@dataclass(frozen=True)
class Rules:
    caution_factor: Decimal = Decimal("3.00")
    max_days_in_past: int = 62
    max_days_in_future: int = 1
    use_average: bool = False


@dataclass(frozen=True)
class Point:
    """A reading the new one is compared with."""

    value: int
    read_at: datetime


def number(value: int | Decimal) -> str:
    """123456 → '123,456' (whole units)."""
    return f"{round(value):,}"


def elapsed_days(earlier: datetime, later: datetime) -> Decimal:
    return Decimal((later - earlier).total_seconds()) / SECONDS_PER_DAY


def daily_from_monthly(monthly_volume: int) -> Decimal | None:
    """The model's expected monthly volume per day; None when the catalogue gives none."""
    return Decimal(monthly_volume) / DAYS_PER_MONTH if monthly_volume > 0 else None


def average_daily_increase(oldest: Point, newest: Point) -> Decimal | None:
    """The machine's own average per day between two of its readings, if meaningful."""
    days = elapsed_days(oldest.read_at, newest.read_at)
    increase = newest.value - oldest.value
    if days < MIN_AVERAGE_SPAN_DAYS or increase <= 0:
        return None
    return Decimal(increase) / days


def daily_volume(
    *, rules: Rules, monthly_volume: int, own_average: Decimal | None
) -> Decimal | None:
    """Expected count per day: the machine's average when chosen and known, else the model's."""
    if rules.use_average and own_average is not None:
        return own_average
    return daily_from_monthly(monthly_volume)


def expected_volume(*, daily: Decimal, since: datetime, until: datetime) -> Decimal:
    return daily * max(elapsed_days(since, until), MIN_DAYS)


def check_date(*, read_on: date, today: date, rules: Rules) -> Verdict | None:
    days_ahead = (read_on - today).days
    if days_ahead > rules.max_days_in_future:
        return Verdict(Outcome.REJECTED, "The reading date is in the future. Enter today's date.")
    if -days_ahead > rules.max_days_in_past:
        return Verdict(
            Outcome.REJECTED,
            f"The reading date is more than {rules.max_days_in_past} days ago. "
            "Enter a current reading instead.",
        )
    return None


def check_order(*, value: int, previous: Point | None, following: Point | None) -> Verdict | None:
    """Meters only count up: not below the reading before, not above the reading after."""
    if value < 0:
        return Verdict(Outcome.REJECTED, "A meter reading cannot be negative.")
    if previous is not None and value < previous.value:
        return Verdict(
            Outcome.REJECTED,
            f"This is lower than the previous reading ({number(previous.value)}). "
            "Meters only count up: check the number on the machine.",
        )
    if following is not None and value > following.value:
        return Verdict(
            Outcome.REJECTED,
            f"This is higher than a later reading ({number(following.value)}). "
            "Check the number and the reading date.",
        )
    return None


def check_plausibility(
    *, value: int, previous: Point | None, read_at: datetime, daily: Decimal | None, factor: Decimal
) -> Verdict:
    if previous is None or daily is None or daily <= 0:
        return Verdict(Outcome.ACCEPTED)
    increase = value - previous.value
    expected = expected_volume(daily=daily, since=previous.read_at, until=read_at)
    # Rounded to a millionth: 28-digit decimals put an exact limit (3,430) a hair below
    # itself (3,429.999…), and a reading of exactly the limit was cautioned.
    if increase > (factor * expected).quantize(LIMIT_PLACES):
        return Verdict(
            Outcome.CAUTION,
            f"This is {number(increase)} more than the last reading; about {number(expected)} "
            "was expected. Check the number, then confirm it or correct it.",
        )
    return Verdict(Outcome.ACCEPTED)


def validate_reading(
    *,
    value: int,
    read_at: datetime,
    read_on: date,
    today: date,
    previous: Point | None,
    following: Point | None = None,
    daily: Decimal | None,
    rules: Rules,
) -> Verdict:
    """The verdict on one reading: the first rule it breaks, or accepted."""
    return (
        check_date(read_on=read_on, today=today, rules=rules)
        or check_order(value=value, previous=previous, following=following)
        or check_plausibility(
            value=value,
            previous=previous,
            read_at=read_at,
            daily=daily,
            factor=rules.caution_factor,
        )
    )
