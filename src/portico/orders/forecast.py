"""Reorder suggestion (E7): when will each supply of a machine run out?

A supply lasts ``yield × quantity`` pages (or units) of the meter it is used by. The pages a
machine makes per day come from its meter readings over the last ``WINDOW_DAYS`` (or, without
enough readings, from the model's expected monthly volume / 30). The clock starts at the last
order of that supply for that machine that the user may see; never ordered, it starts at the
oldest reading in the window; with neither there is no estimate.

``forecasts_for_assets`` does this for a page of machines in four queries, whatever the
number of machines, meters, readings or orders.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, Max, Min, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from portico.assets.models import Asset, Supply
from portico.core.access import Scope
from portico.meters.models import Meter, MeterReading

from .models import OrderLine, SupplyOrder

WINDOW_DAYS = 90
DUE_SOON_DAYS = 14
# Orders that put the supply on its way to the machine; a cancelled one did not.
COUNTED_STATUSES = [
    SupplyOrder.Status.SUBMITTED,
    SupplyOrder.Status.CONFIRMED,
    SupplyOrder.Status.DISPATCHED,
    SupplyOrder.Status.DELIVERED,
]
SECONDS_PER_DAY = 86400


# --- The arithmetic (pure functions, unit-tested) ----------------------------------------


def daily_increase(
    first_value: int, last_value: int, first_at: datetime, last_at: datetime
) -> float | None:
    """Average increase per day between two readings; None when it cannot be known."""
    days = (last_at - first_at).total_seconds() / SECONDS_PER_DAY
    if days < 1 or last_value < first_value:
        return None
    return (last_value - first_value) / days


def expected_daily(expected_monthly_volume: int) -> float | None:
    return expected_monthly_volume / 30 if expected_monthly_volume > 0 else None


def days_until_empty(
    *,
    yield_quantity: int | None,
    quantity: int,
    daily_volume: float | None,
    start: date | None,
    today: date,
) -> int | None:
    """Whole days from ``today`` until what was fitted at ``start`` runs out (negative: overdue)."""
    if not yield_quantity or quantity < 1 or start is None:
        return None
    if daily_volume is None or daily_volume <= 0:
        return None
    lasts = yield_quantity * quantity / daily_volume
    return math.floor(lasts) - (today - start).days


@dataclass(frozen=True)
class MeterVolume:
    """How fast one meter of a machine counts."""

    name: str
    from_readings: float | None
    expected: float | None
    oldest_read_at: datetime | None = None

    @property
    def daily(self) -> float | None:
        return self.from_readings if self.from_readings is not None else self.expected

    @property
    def basis(self) -> str:
        if self.from_readings is not None:
            return "readings"
        return "expected" if self.expected is not None else ""


@dataclass(frozen=True)
class SupplyForecast:
    supply: Supply
    days_left: int | None
    daily_volume: float | None = None
    basis: str = ""  # "readings", "expected" or "" (no estimate)
    last_ordered_on: date | None = None

    @property
    def has_estimate(self) -> bool:
        return self.days_left is not None

    @property
    def is_overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def is_due_soon(self) -> bool:
        return self.days_left is not None and self.days_left <= DUE_SOON_DAYS

    @property
    def text(self) -> str:
        if self.days_left is None:
            return "No estimate"
        if self.days_left < 0:
            return "Overdue"
        if self.days_left == 0:
            return "Due today"
        unit = "day" if self.days_left == 1 else "days"
        return f"Due in about {self.days_left} {unit}"

    @property
    def explanation(self) -> str:
        if self.days_left is None:
            return "Not enough meter readings or orders to estimate."
        source = (
            f"meter readings of the last {WINDOW_DAYS} days"
            if self.basis == "readings"
            else "the model's expected monthly volume"
        )
        since = (
            f"the last order on {self.last_ordered_on:%d %b %Y}"
            if self.last_ordered_on
            else "the oldest recent reading"
        )
        return f"Estimated from {source}, counted from {since}."


def volume_for(supply: Supply, meters: Iterable[MeterVolume]) -> tuple[float | None, str]:
    """Pages per day that use the supply up: its own meter, or every meter when none is named."""
    wanted = supply.meter_name.strip().lower()
    used = [m for m in meters if not wanted or m.name.lower() == wanted]
    known = [m for m in used if m.daily is not None]
    if not known:
        return None, ""
    basis = "readings" if all(m.basis == "readings" for m in known) else "expected"
    return sum(m.daily or 0.0 for m in known), basis


def forecast_supply(
    supply: Supply,
    meters: Sequence[MeterVolume],
    last_order: tuple[datetime, int] | None,
    today: date,
) -> SupplyForecast:
    daily, basis = volume_for(supply, meters)
    if last_order is not None:
        ordered_at, quantity = last_order
        start: date | None = timezone.localdate(ordered_at)
    else:
        quantity = 1
        wanted = supply.meter_name.strip().lower()
        oldest = [
            m.oldest_read_at
            for m in meters
            if m.oldest_read_at is not None and (not wanted or m.name.lower() == wanted)
        ]
        start = timezone.localdate(min(oldest)) if oldest else None
    days = days_until_empty(
        yield_quantity=supply.yield_quantity,
        quantity=quantity,
        daily_volume=daily,
        start=start,
        today=today,
    )
    return SupplyForecast(
        supply=supply,
        days_left=days,
        daily_volume=daily if days is not None else None,
        basis=basis if days is not None else "",
        last_ordered_on=start if last_order is not None else None,
    )


# --- The queries: a fixed number for a whole page of machines ----------------------------


def _supplies_by_model(model_ids: set[int]) -> dict[int, list[Supply]]:
    through = Supply.fits.through
    rows = (
        through.objects.filter(productmodel_id__in=model_ids, supply__is_active=True)
        .select_related("supply")
        .order_by("supply__item_code")
    )
    supplies: dict[int, list[Supply]] = defaultdict(list)
    for row in rows:
        supplies[row.productmodel_id].append(row.supply)
    return supplies


def _meter_volumes(asset_ids: list[int], now: datetime) -> dict[int, list[MeterVolume]]:
    meters = list(
        Meter.objects.filter(asset_id__in=asset_ids)
        .select_related("meter_type")
        .order_by("asset_id", "meter_type__position", "meter_type__name")
    )
    if not meters:
        return {}
    window = {
        row["meter_id"]: row
        for row in MeterReading.objects.filter(
            meter_id__in=[m.pk for m in meters], read_at__gte=now - timedelta(days=WINDOW_DAYS)
        )
        .values("meter_id")
        .annotate(
            first_at=Min("read_at"), last_at=Max("read_at"), low=Min("value"), high=Max("value")
        )
        .order_by()
    }
    volumes: dict[int, list[MeterVolume]] = defaultdict(list)
    for meter in meters:
        row = window.get(meter.pk)
        from_readings = (
            daily_increase(row["low"], row["high"], row["first_at"], row["last_at"])
            if row
            else None
        )
        volumes[meter.asset_id].append(
            MeterVolume(
                name=meter.meter_type.name,
                from_readings=from_readings,
                expected=expected_daily(meter.meter_type.expected_monthly_volume),
                oldest_read_at=row["first_at"] if row else None,
            )
        )
    return volumes


def _last_orders(asset_ids: list[int], scope: Scope) -> dict[tuple[int, int], tuple[datetime, int]]:
    """The newest counted order line per (machine, supply) the user may see, in one query.

    Only visible orders count: the explanation names the order's date.
    """
    rows = (
        OrderLine.objects.filter(
            asset_id__in=asset_ids,
            order__status__in=COUNTED_STATUSES,
            order__in=SupplyOrder.objects.visible_to(scope),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("asset_id"), F("supply_id")],
                order_by=[F("order__created_at").desc(), F("order_id").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values_list("asset_id", "supply_id", "order__created_at", "quantity")
    )
    return {(a, s): (at, qty) for a, s, at, qty in rows}


def forecasts_for_assets(
    assets: Sequence[Asset], *, scope: Scope, today: date | None = None
) -> dict[int, list[SupplyForecast]]:
    """Every fitting supply of every machine, soonest first (no estimate last)."""
    if not assets:
        return {}
    today = today or timezone.localdate()
    asset_ids = [a.pk for a in assets]
    supplies = _supplies_by_model({a.product_model_id for a in assets})
    volumes = _meter_volumes(asset_ids, timezone.now())
    last_orders = _last_orders(asset_ids, scope)
    result: dict[int, list[SupplyForecast]] = {}
    for asset in assets:
        forecasts = [
            forecast_supply(
                supply, volumes.get(asset.pk, []), last_orders.get((asset.pk, supply.pk)), today
            )
            for supply in supplies.get(asset.product_model_id, [])
        ]
        forecasts.sort(key=lambda f: (f.days_left is None, f.days_left or 0, f.supply.item_code))
        result[asset.pk] = forecasts
    return result


def attach_next_supply_due(assets: Sequence[Asset], *, scope: Scope) -> None:
    """Set ``asset.next_due``: the supply expected to run out first, or None."""
    forecasts = forecasts_for_assets(assets, scope=scope)
    for asset in assets:
        estimated = [f for f in forecasts.get(asset.pk, []) if f.has_estimate]
        asset.next_due = estimated[0] if estimated else None  # type: ignore[attr-defined]
