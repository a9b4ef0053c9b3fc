"""Reorder suggestion (E7): the arithmetic, the data it reads, and its fixed query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from portico.assets.models import Supply
from portico.core.access import build_scope
from portico.meters.models import Meter, MeterReading
from portico.orders.forecast import (
    MeterVolume,
    SupplyForecast,
    daily_increase,
    days_until_empty,
    expected_daily,
    forecast_supply,
    forecasts_for_assets,
    volume_for,
)
from portico.orders.models import SupplyOrder
from tests.equipment_fixtures import make_asset
from tests.orders.conftest import order_for

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 4, 1)


# --- Arithmetic ---------------------------------------------------------------------------


def test_daily_increase_is_the_average_per_day():
    assert daily_increase(1000, 4000, T0, T0 + timedelta(days=30)) == 100


def test_daily_increase_needs_a_day_and_a_rising_meter():
    assert daily_increase(1000, 1100, T0, T0 + timedelta(hours=6)) is None
    assert daily_increase(5000, 4000, T0, T0 + timedelta(days=30)) is None


def test_expected_daily_from_the_monthly_volume():
    assert expected_daily(3000) == 100
    assert expected_daily(0) is None


def test_days_until_empty_counts_from_the_start():
    # 3,000 pages at 100 a day last 30 days; 10 days have passed.
    assert (
        days_until_empty(
            yield_quantity=3000, quantity=1, daily_volume=100, start=date(2026, 3, 22), today=TODAY
        )
        == 20
    )


def test_two_units_last_twice_as_long():
    assert (
        days_until_empty(
            yield_quantity=3000, quantity=2, daily_volume=100, start=TODAY, today=TODAY
        )
        == 60
    )


def test_an_old_order_is_overdue():
    days = days_until_empty(
        yield_quantity=3000, quantity=1, daily_volume=100, start=date(2026, 1, 1), today=TODAY
    )
    assert days is not None and days < 0
    assert SupplyForecast(supply=Supply(), days_left=days).text == "Overdue"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"yield_quantity": None},
        {"yield_quantity": 0},
        {"daily_volume": None},
        {"daily_volume": 0},
        {"start": None},
        {"quantity": 0},
    ],
)
def test_no_estimate_without_the_facts(kwargs):
    args = {
        "yield_quantity": 3000,
        "quantity": 1,
        "daily_volume": 100.0,
        "start": TODAY,
        "today": TODAY,
    }
    args.update(kwargs)
    assert days_until_empty(**args) is None


@given(
    yield_quantity=st.integers(1, 10**6),
    daily=st.floats(0.01, 10**5, allow_nan=False),
    elapsed=st.integers(0, 2000),
)
def test_more_time_passed_means_fewer_days_left(yield_quantity, daily, elapsed):
    start = TODAY - timedelta(days=elapsed)
    earlier = days_until_empty(
        yield_quantity=yield_quantity, quantity=1, daily_volume=daily, start=start, today=TODAY
    )
    later = days_until_empty(
        yield_quantity=yield_quantity,
        quantity=1,
        daily_volume=daily,
        start=start,
        today=TODAY + timedelta(days=1),
    )
    assert later == earlier - 1


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (None, "No estimate"),
        (-3, "Overdue"),
        (0, "Due today"),
        (1, "Due in about 1 day"),
        (45, "Due in about 45 days"),
    ],
)
def test_forecast_wording(days, text):
    assert SupplyForecast(supply=Supply(), days_left=days).text == text


def test_a_supply_uses_the_meter_it_names_or_all_meters():
    meters = [
        MeterVolume("Mono", from_readings=100.0, expected=50.0),
        MeterVolume("Colour", from_readings=None, expected=20.0),
    ]
    assert volume_for(Supply(meter_name="colour"), meters) == (20.0, "expected")
    assert volume_for(Supply(meter_name="Mono"), meters) == (100.0, "readings")
    assert volume_for(Supply(meter_name=""), meters) == (120.0, "expected")
    assert volume_for(Supply(meter_name="Scans"), meters) == (None, "")


def test_never_ordered_counts_from_the_oldest_reading_in_the_window():
    meters = [MeterVolume("Mono", from_readings=100.0, expected=None, oldest_read_at=T0)]
    supply = Supply(yield_quantity=6000, meter_name="Mono")

    forecast = forecast_supply(supply, meters, None, TODAY)

    # 60 days of toner from 1 March: 29 days left on 1 April.
    assert forecast.days_left == 29
    assert forecast.basis == "readings"
    assert forecast.last_ordered_on is None


def test_never_ordered_and_never_read_has_no_estimate():
    meters = [MeterVolume("Mono", from_readings=None, expected=100.0)]

    assert forecast_supply(Supply(yield_quantity=3000), meters, None, TODAY).days_left is None


# --- From the database, for a page of machines --------------------------------------------


def local_days_ago(days: int):
    """Now, ``days`` calendar days back in the local time zone: across a change to or from
    summer time, ``timezone.now() - timedelta(days)`` late in the evening falls on the
    next local day and the forecasts (counted in local dates) moved by one."""
    return timezone.localtime() - timedelta(days=days)


def read(meter: Meter, value: int, days_ago: int) -> None:
    MeterReading.objects.create(meter=meter, value=value, read_at=local_days_ago(days_ago))


@pytest.mark.django_db
def test_forecast_from_readings_and_the_last_order(alice, equipment):
    cat = equipment.catalogue
    asset = equipment.leeds_colour
    colour = asset.meters.get(meter_type__name="Colour")
    mono = asset.meters.get(meter_type__name="Mono")
    read(colour, 10_000, 80)
    read(colour, 18_000, 0)  # 100 colour pages a day
    read(mono, 50_000, 80)
    read(mono, 66_000, 0)  # 200 mono pages a day
    read(mono, 1_000, 200)  # outside the 90-day window: ignored
    cyan_order = order_for(alice, asset, {cat.cyan: 1})
    SupplyOrder.objects.filter(pk=cyan_order.pk).update(created_at=local_days_ago(10))
    cancelled = order_for(alice, asset, {cat.magenta: 1})
    cancelled.status = SupplyOrder.Status.CANCELLED
    cancelled.save()

    forecasts = {
        f.supply: f for f in forecasts_for_assets([asset], scope=build_scope(alice))[asset.pk]
    }

    # Cyan: 6,000 colour pages at 100 a day = 60 days, ordered 10 days ago.
    assert forecasts[cat.cyan].days_left == 50
    assert forecasts[cat.cyan].basis == "readings"
    # Magenta: only a cancelled order, so counted from the oldest reading (80 days ago).
    assert forecasts[cat.magenta].days_left == -20
    # Black on a colour device: every meter, 300 pages a day, 10,000 pages → 33 days from
    # the oldest reading 80 days ago.
    assert forecasts[cat.colour_black].days_left == 33 - 80
    # Staples have no yield.
    assert forecasts[cat.staples].days_left is None
    # Soonest first, no estimate last.
    ordered = [f.supply for f in forecasts_for_assets([asset], scope=build_scope(alice))[asset.pk]]
    assert ordered[-1] == cat.staples


@pytest.mark.django_db
def test_forecast_falls_back_to_the_expected_volume(alice, equipment):
    cat = equipment.catalogue
    order_for(alice, equipment.leeds_mono, {cat.black: 1})

    forecast = next(
        f
        for f in forecasts_for_assets([equipment.leeds_mono], scope=build_scope(alice))[
            equipment.leeds_mono.pk
        ]
        if f.supply == cat.black
    )

    # 3,000 a month expected = 100 a day; 3,000 pages ordered today.
    assert forecast.days_left == 30
    assert forecast.basis == "expected"
    assert "expected monthly volume" in forecast.explanation


@pytest.mark.django_db
def test_forecast_uses_four_queries_for_any_number_of_machines(
    alice, equipment, foundation, django_assert_num_queries
):
    cat = equipment.catalogue
    assets = [
        make_asset(foundation.acme_sites[i % 6], cat.colour if i % 2 else cat.mono, f"F-{i}")
        for i in range(30)
    ]
    for i, asset in enumerate(assets):
        for meter in asset.meters.all():
            read(meter, 1000, 60)
            read(meter, 1000 + 100 * i, 1)
        if i % 3 == 0:
            supply = cat.cyan if i % 2 else cat.black
            order_for(alice, asset, {supply: 1})

    scope = build_scope(alice)
    with django_assert_num_queries(4):
        few = forecasts_for_assets(assets[:3], scope=scope)
    with django_assert_num_queries(4):
        many = forecasts_for_assets(assets, scope=scope)

    assert len(few) == 3 and len(many) == 30
    assert Decimal(len(many[assets[1].pk])) == 4  # colour MFP: four supplies


@pytest.mark.django_db
def test_forecast_counts_only_orders_the_user_may_see(alice, bob, equipment):
    cat = equipment.catalogue
    asset = equipment.leeds_mono
    # Delivered to head office, a site bob (Leeds Works only) does not see.
    hidden = order_for(alice, asset, {cat.black: 1}, delivery_site=equipment.head_office)
    SupplyOrder.objects.filter(pk=hidden.pk).update(created_at=timezone.now() - timedelta(days=3))

    def black(user):
        forecasts = forecasts_for_assets([asset], scope=build_scope(user))[asset.pk]
        return next(f for f in forecasts if f.supply == cat.black)

    assert black(alice).last_ordered_on == timezone.localdate() - timedelta(days=3)
    assert black(bob).last_ordered_on is None
    assert "last order" not in black(bob).explanation
