"""The reading rules (M2) as pure functions: monotonic, plausibility edges, date window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from portico.meters.validation import (
    DAYS_PER_MONTH,
    Outcome,
    Point,
    Rules,
    average_daily_increase,
    check_date,
    check_order,
    check_plausibility,
    daily_from_monthly,
    daily_volume,
    validate_reading,
)

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
RULES = Rules(caution_factor=Decimal("3"), max_days_in_past=62, max_days_in_future=1)

values = st.integers(min_value=0, max_value=10**12)
days = st.integers(min_value=1, max_value=400)
factors = st.decimals(min_value=Decimal("1"), max_value=Decimal("20"), places=2)
monthly = st.integers(min_value=1, max_value=200_000)


def verdict(value, previous, *, daily=Decimal(100), read_at=NOW, following=None, rules=RULES):
    return validate_reading(
        value=value,
        read_at=read_at,
        read_on=read_at.date(),
        today=TODAY,
        previous=previous,
        following=following,
        daily=daily,
        rules=rules,
    )


# --- Monotonic ----------------------------------------------------------------------------


@given(value=values, drop=st.integers(min_value=1, max_value=10**6))
def test_a_reading_below_the_previous_is_always_rejected(value, drop):
    result = verdict(value, Point(value + drop, NOW - timedelta(days=30)))
    assert result.outcome == Outcome.REJECTED
    assert "lower than the previous reading" in result.message


@given(previous=values)
def test_the_same_value_as_before_is_accepted(previous):
    assert verdict(previous, Point(previous, NOW - timedelta(days=30))).is_accepted


@given(value=values, later=values)
def test_a_backdated_reading_above_a_later_one_is_rejected(value, later):
    result = check_order(
        value=value, previous=None, following=Point(later, NOW + timedelta(days=1))
    )
    assert (result is not None) == (value > later)


def test_negative_readings_are_rejected():
    result = check_order(value=-1, previous=None, following=None)
    assert result is not None and result.outcome == Outcome.REJECTED


# --- Plausibility -------------------------------------------------------------------------


@example(start=0, monthly_volume=280, elapsed=280, factor=Decimal("1.33"))  # limit 3,430 exactly
@given(start=values, monthly_volume=monthly, elapsed=days, factor=factors)
def test_caution_starts_just_above_factor_times_expected_volume(
    start, monthly_volume, elapsed, factor
):
    daily = daily_from_monthly(monthly_volume)
    assert daily is not None
    previous = Point(start, NOW - timedelta(days=elapsed))
    limit = (factor * daily * elapsed).quantize(Decimal("0.000001"))  # expected volume × factor
    at_limit = start + int(limit)  # whole counts at or below the limit
    above = start + int(limit) + 1

    def outcome(value: int) -> Outcome:
        return check_plausibility(
            value=value, previous=previous, read_at=NOW, daily=daily, factor=factor
        ).outcome

    assert outcome(at_limit) == Outcome.ACCEPTED
    assert outcome(above) == Outcome.CAUTION


@given(start=values, increase=values)
def test_without_an_expected_volume_nothing_is_cautioned(start, increase):
    result = check_plausibility(
        value=start + increase,
        previous=Point(start, NOW - timedelta(days=30)),
        read_at=NOW,
        daily=daily_from_monthly(0),
        factor=Decimal(3),
    )
    assert result.is_accepted


@given(value=values)
def test_the_first_reading_of_a_meter_is_accepted(value):
    assert verdict(value, None).is_accepted


def test_readings_hours_apart_are_compared_with_at_least_a_days_volume():
    previous = Point(1000, NOW - timedelta(hours=1))
    # 100 a day, factor 3: up to 300 more within the same day is plausible.
    assert verdict(1300, previous).is_accepted
    assert verdict(1301, previous).outcome == Outcome.CAUTION


def test_the_caution_says_how_much_was_expected():
    result = verdict(50_000, Point(10_000, NOW - timedelta(days=30)))
    assert result.outcome == Outcome.CAUTION
    assert "40,000 more" in result.message and "3,000" in result.message


def test_expected_volume_uses_days_over_30_4():
    daily = daily_from_monthly(3040)
    assert daily == Decimal(3040) / DAYS_PER_MONTH == Decimal(100)


# --- The machine's own average --------------------------------------------------------------


def test_average_basis_uses_the_machines_own_average_when_known():
    rules = Rules(use_average=True)
    own = average_daily_increase(
        Point(0, NOW - timedelta(days=100)), Point(50_000, NOW - timedelta(days=30))
    )
    assert own == Decimal(50_000) / Decimal(70)
    assert daily_volume(rules=rules, monthly_volume=3040, own_average=own) == own
    assert daily_volume(rules=rules, monthly_volume=3040, own_average=None) == Decimal(100)
    assert daily_volume(rules=RULES, monthly_volume=3040, own_average=own) == Decimal(100)


@given(increase=st.integers(max_value=0), span=st.integers(min_value=0, max_value=400))
def test_average_falls_back_when_it_means_nothing(increase, span):
    oldest = Point(1000, NOW - timedelta(days=span))
    assert average_daily_increase(oldest, Point(1000 + increase, NOW)) is None


def test_average_needs_a_week_of_history():
    assert average_daily_increase(Point(0, NOW - timedelta(days=6)), Point(600, NOW)) is None
    assert average_daily_increase(Point(0, NOW - timedelta(days=7)), Point(700, NOW)) == 100


# --- Date window --------------------------------------------------------------------------


@given(offset=st.integers(min_value=-400, max_value=400))
def test_date_window(offset):
    read_on = TODAY + timedelta(days=offset)
    result = check_date(read_on=read_on, today=TODAY, rules=RULES)
    allowed = -RULES.max_days_in_past <= offset <= RULES.max_days_in_future
    assert (result is None) == allowed
    if result is not None:
        assert result.outcome == Outcome.REJECTED
        assert ("future" in result.message) == (offset > 0)


def test_the_date_is_checked_before_the_value():
    result = validate_reading(
        value=1,
        read_at=NOW,
        read_on=date(2020, 1, 1),
        today=TODAY,
        previous=Point(5, NOW),
        daily=Decimal(1),
        rules=RULES,
    )
    assert "days ago" in result.message
