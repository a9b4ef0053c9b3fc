"""Which sites owe meter readings (M4): each site's reading day, default the 1st.

A meter is due when its machine is read by hand (not remote-monitored, not retired) and has
no reading since the start of the current reading period — readings taken up to
``EARLY_DAYS`` before the reading day count for it, since people read a little early.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from portico.assets.models import Asset
from portico.core.access import Scope
from portico.core.rights import Function, Right

from .models import Meter

DEFAULT_DAY = 1
EARLY_DAYS = 7


@dataclass(frozen=True)
class DueSite:
    site_id: int
    site_name: str
    due_on: date
    meters_due: int


def period_start(today: date, day_of_month: int) -> date:
    """The most recent reading day on or before ``today``."""
    if today.day >= day_of_month:
        return today.replace(day=day_of_month)
    last_month = today.replace(day=1) - timedelta(days=1)
    return last_month.replace(day=day_of_month)


def _counts_from(start: date) -> datetime:
    return timezone.make_aware(datetime.combine(start - timedelta(days=EARLY_DAYS), time.min))


def readings_due_for(scope: Scope, *, today: date | None = None, limit: int = 50) -> list[DueSite]:
    """Sites of the scope with meters still to be read this period, in one query.

    Empty for a scope that may not enter readings: the reminder is for those who can act.
    """
    if not scope.can(Function.METERS, Right.CREATE):
        return []
    today = today or timezone.localdate()
    # One condition per possible reading day (at most 28), not one per site.
    overdue = Q()
    for day in range(1, 29):
        start = period_start(today, day)
        overdue |= Q(reading_day=day) & (
            Q(last_read_at__isnull=True) | Q(last_read_at__lt=_counts_from(start))
        )
    rows = (
        Meter.objects.visible_to(scope)
        .filter(asset__is_remote_monitored=False)
        .exclude(asset__status=Asset.Status.RETIRED)
        .annotate(reading_day=Coalesce("asset__site__reading_day__day_of_month", DEFAULT_DAY))
        .filter(overdue)
        .values("asset__site_id", "asset__site__name", "reading_day")
        .annotate(meters_due=Count("id"))
        .order_by("asset__site__name", "asset__site_id")[:limit]
    )
    return [
        DueSite(
            site_id=row["asset__site_id"],
            site_name=row["asset__site__name"],
            due_on=period_start(today, row["reading_day"]),
            meters_due=row["meters_due"],
        )
        for row in rows
    ]
