"""Meter readings on the asset timeline (E6)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from portico.assets.timeline import TimelineEvent, timeline_provider
from portico.core.rights import Function, Right

from .models import MeterReading
from .validation import number

if TYPE_CHECKING:
    from portico.assets.models import Asset
    from portico.core.access import Scope


@timeline_provider
def reading_events(asset: Asset, scope: Scope, limit: int) -> Iterable[TimelineEvent]:
    """The asset's newest ``limit`` readings, in one query."""
    if not scope.can(Function.METERS, Right.VIEW):
        return []
    readings = (
        MeterReading.objects.visible_to(scope)
        .filter(meter__asset=asset)
        .select_related("meter__meter_type", "entered_by", "monitoring_system")
        .order_by("-read_at", "-id")[:limit]
    )
    events = []
    for reading in readings:
        confirmed = reading.check_result == MeterReading.Check.CONFIRMED
        if reading.source == MeterReading.Source.REMOTE:
            system = reading.monitoring_system
            detail = f"Received from {system.name}" if system else "Received by remote monitoring"
        else:
            person = reading.entered_by
            detail = f"Entered by {person.get_full_name()}" if person else "Entered"
        events.append(
            TimelineEvent(
                when=reading.read_at,
                kind="reading",
                title=f"{reading.meter.meter_type.name} meter reading {number(reading.value)}",
                detail=detail,
                url=reverse("meters:history", args=[reading.meter_id]),
                badge="caution" if confirmed else "done",
                badge_label=reading.get_check_result_display(),
            )
        )
    return events
