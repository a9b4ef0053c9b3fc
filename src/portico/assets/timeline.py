"""One timeline per asset (E6): every app that knows something about a machine contributes.

An app registers a provider with ``@timeline_provider`` (imported from its AppConfig.ready).
A provider returns at most ``limit`` recent events for the asset, in one query, and nothing
for a function the scope may not view.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portico.core.access import Scope

    from .models import Asset


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime
    kind: str  # "order", "reading", "request", "rma", "invoice", "registered" …
    title: str
    detail: str = ""
    url: str | None = None
    badge: str = ""  # badge modifier: "", "waiting", "done", "cancelled", "rejected", "caution"
    badge_label: str = ""
    # A fact known only to the day (installed, purchased): shown as a date, not a time.
    all_day: bool = False


Provider = Callable[["Asset", "Scope", int], Iterable[TimelineEvent]]
_providers: list[Provider] = []


def timeline_provider(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def asset_timeline(
    asset: Asset, scope: Scope, limit: int = 50, kinds: Collection[str] | None = None
) -> list[TimelineEvent]:
    """The newest ``limit`` events from every provider, newest first (only ``kinds`` if given)."""
    streams = [
        [e for e in provider(asset, scope, limit) if kinds is None or e.kind in kinds]
        for provider in _providers
    ]
    merged = heapq.merge(
        *[sorted(s, key=lambda e: e.when, reverse=True) for s in streams],
        key=lambda e: e.when,
        reverse=True,
    )
    return list(merged)[:limit]
