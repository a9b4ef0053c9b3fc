"""Orders and item requests on a machine's timeline (E6): one query each."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.urls import reverse

from portico.assets.models import Asset
from portico.assets.timeline import TimelineEvent, timeline_provider
from portico.core.access import Scope
from portico.core.rights import Function, Right

from .models import ItemRequest, OrderLine, OrderStatusChange, SupplyOrder

STATUS_TITLES: dict[str, str] = {
    SupplyOrder.Status.SUBMITTED: "placed",
    SupplyOrder.Status.CONFIRMED: "confirmed",
    SupplyOrder.Status.DISPATCHED: "dispatched",
    SupplyOrder.Status.DELIVERED: "delivered",
    SupplyOrder.Status.CANCELLED: "cancelled",
}


@timeline_provider
def order_events(asset: Asset, scope: Scope, limit: int) -> Iterable[TimelineEvent]:
    """Each status an order for this machine went through."""
    if not scope.can(Function.ORDERS, Right.VIEW):
        return []
    for_machine = OrderLine.objects.filter(order=OuterRef("order_id"), asset=asset)
    changes = (
        OrderStatusChange.objects.filter(
            Exists(for_machine), order__in=SupplyOrder.objects.visible_to(scope)
        )
        .select_related("order")
        .order_by("-changed_at", "-id")[:limit]
    )
    return [
        TimelineEvent(
            when=change.changed_at,
            kind="order",
            title=f"Order {change.order.number} {STATUS_TITLES.get(change.to_status, 'updated')}",
            detail=change.note,
            url=reverse("orders:detail", args=[change.order.number]),
            badge=change.badge,
            badge_label=change.to_label,
        )
        for change in changes
    ]


@timeline_provider
def item_request_events(asset: Asset, scope: Scope, limit: int) -> Iterable[TimelineEvent]:
    if not scope.can(Function.ORDERS, Right.VIEW):
        return []
    requests = ItemRequest.objects.visible_to(scope).filter(asset=asset).order_by("-created_at")
    return [
        TimelineEvent(
            when=item.created_at,
            kind="item-request",
            title="Item requested",
            detail=item.message if len(item.message) <= 200 else item.message[:199] + "…",
            badge="done" if item.is_handled else "",
            badge_label="Handled" if item.is_handled else "Sent to us",
        )
        for item in requests[:limit]
    ]
