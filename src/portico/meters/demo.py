"""Demo meter data, loaded by `portico demo` after the assets demo has created the machines.

For every meter: a year of monthly readings around the model's expected volume, taken on
its site's reading day (deterministic). Two of Acme's sites — Leeds Works and Bristol
Depot — have not entered this period's readings, so the "Readings due" notice shows.
Remote-monitored machines' readings come from the "FleetWatch" monitoring system, which
has no token: staff issue one in the back office (Monitoring systems → select →
"Issue a new token"), shown once.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from portico.customers.demo import Foundation

from .models import Meter, MeterReading, MonitoringSystem, ReadingDay, ValidationSettings
from .reminders import DEFAULT_DAY, period_start

MONTHS = 12
READING_DAYS = {
    "Head Office": 1,
    "Leeds Works": 15,
    "Bristol Depot": 1,
    "Manchester Studio": 20,
    "Glasgow Office": 25,
    "Cardiff Warehouse": 1,
}
SITES_WITH_READINGS_DUE = {"Leeds Works", "Bristol Depot"}
FALLBACK_MONTHLY_VOLUME = 500


def previous_period(start: date, day: int) -> date:
    return period_start(start - timedelta(days=1), day)


def reading_dates(today: date, day: int, *, due: bool) -> list[date]:
    """The last ``MONTHS`` reading days, oldest first; one period back if readings are due."""
    start = period_start(today, day)
    if due:
        start = previous_period(start, day)
    dates = [start]
    for _ in range(MONTHS - 1):
        dates.append(previous_period(dates[-1], day))
    return dates[::-1]


def load(foundation: Foundation) -> None:
    ValidationSettings.objects.get_or_create(pk=1)
    fleetwatch, _ = MonitoringSystem.objects.get_or_create(name="FleetWatch")
    for site in foundation.acme_sites:
        ReadingDay.objects.update_or_create(
            site=site, defaults={"day_of_month": READING_DAYS.get(site.name, DEFAULT_DAY)}
        )
    days = dict(ReadingDay.objects.values_list("site_id", "day_of_month"))
    today = timezone.localdate()
    now = timezone.now()
    readings: list[MeterReading] = []
    meters = list(
        Meter.objects.select_related("asset__site", "meter_type").order_by("asset_id", "pk")
    )
    for meter in meters:
        asset = meter.asset
        rng = random.Random(f"{asset.serial_number}/{meter.meter_type.name}")
        monthly = meter.meter_type.expected_monthly_volume or FALLBACK_MONTHLY_VOLUME
        value = rng.randint(monthly * 6, monthly * 40)
        due = asset.site.name in SITES_WITH_READINGS_DUE and not asset.is_remote_monitored
        moments = [
            timezone.make_aware(datetime.combine(d, time(9, rng.randint(0, 59))))
            for d in reading_dates(today, days.get(asset.site_id, DEFAULT_DAY), due=due)
        ]
        if asset.is_remote_monitored:  # the monitoring system also sent this morning's count
            moments.append(now.replace(hour=6, minute=0, second=0, microsecond=0))
        moments = sorted({min(m, now - timedelta(minutes=5)) for m in moments})
        for moment in moments:
            value += int(monthly * rng.uniform(0.6, 1.3))
            remote = asset.is_remote_monitored
            readings.append(
                MeterReading(
                    meter=meter,
                    value=value,
                    read_at=moment,
                    source=MeterReading.Source.REMOTE if remote else MeterReading.Source.MANUAL,
                    monitoring_system=fleetwatch if remote else None,
                )
            )
        meter.last_value, meter.last_read_at = value, moments[-1]
    MeterReading.objects.bulk_create(readings, batch_size=1000)
    Meter.objects.bulk_update(meters, ["last_value", "last_read_at"], batch_size=1000)
