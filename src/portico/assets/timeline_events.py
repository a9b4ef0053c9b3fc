"""The machine's own facts on its timeline (E6): registered, confirmed, purchased, installed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.utils import timezone

from portico.core.access import Scope

from .models import Asset
from .timeline import TimelineEvent, timeline_provider


def _day(value: date) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.min))


@timeline_provider
def asset_facts(asset: Asset, scope: Scope, limit: int) -> Iterable[TimelineEvent]:
    """No query: everything is on the asset row."""
    events = []
    if asset.is_customer_registered or asset.registered_by_id:
        events.append(
            TimelineEvent(
                when=asset.created_at,
                kind="registered",
                title="Registered in the portal",
                badge="caution" if asset.is_customer_registered else "",
                badge_label="Awaiting confirmation" if asset.is_customer_registered else "",
            )
        )
    elif asset.install_date is None and asset.purchased_on is None:
        # Otherwise "Installed" or "Purchased" already says when it joined.
        events.append(
            TimelineEvent(when=asset.created_at, kind="registered", title="Added to your equipment")
        )
    if asset.confirmed_at:
        events.append(
            TimelineEvent(
                when=asset.confirmed_at,
                kind="confirmed",
                title="Confirmed by your service provider",
                badge="done",
                badge_label="Confirmed",
            )
        )
    if asset.purchased_on:
        events.append(
            TimelineEvent(
                when=_day(asset.purchased_on), kind="purchased", title="Purchased", all_day=True
            )
        )
    if asset.install_date:
        events.append(
            TimelineEvent(
                when=_day(asset.install_date), kind="installed", title="Installed", all_day=True
            )
        )
    if asset.warranty_ends_on and asset.warranty_ends_on < timezone.localdate():
        events.append(
            TimelineEvent(
                when=_day(asset.warranty_ends_on),
                kind="warranty",
                title="Warranty ended",
                badge="cancelled",
                badge_label="Expired",
                all_day=True,
            )
        )
    return events[:limit]
