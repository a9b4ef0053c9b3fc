"""What the service app gives other apps: a machine's last request, its timeline events,
and the link to invoices. Each reads a whole page at once, in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from portico.core.rights import Function, Right

from .models import ServiceRequest

if TYPE_CHECKING:
    from portico.assets.hooks import ServiceRequestSummary
    from portico.assets.models import Asset
    from portico.assets.timeline import TimelineEvent
    from portico.billing.models import Invoice
    from portico.core.access import Scope

# Badge modifier per state: open = blue (""), waiting on customer = amber, done = green,
# cancelled = grey.
STATE_BADGES: dict[str, str] = {
    ServiceRequest.State.NEW: "",
    ServiceRequest.State.ACKNOWLEDGED: "",
    ServiceRequest.State.SCHEDULED: "",
    ServiceRequest.State.IN_PROGRESS: "",
    ServiceRequest.State.AWAITING_CUSTOMER: "waiting",
    ServiceRequest.State.RESOLVED: "done",
    ServiceRequest.State.CLOSED: "done",
    ServiceRequest.State.CANCELLED: "cancelled",
}


def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "")


def last_requests_for_assets(asset_ids: Iterable[int], scope: Scope) -> dict[int, ServiceRequest]:
    """The newest request the scope may see for each machine, in one query."""
    ids = list(asset_ids)
    if not ids or not scope.can(Function.TICKETS, Right.VIEW):
        return {}
    visible = ServiceRequest.objects.visible_to(scope)
    newest = (
        visible.filter(asset_id=OuterRef("asset_id"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    rows = visible.filter(asset_id__in=ids, pk=Subquery(newest)).only(
        "pk", "number", "title", "state", "created_at", "asset_id"
    )
    return {row.asset_id: row for row in rows if row.asset_id is not None}


def last_request_summaries(
    assets: Sequence[Asset], scope: Scope
) -> Mapping[int, ServiceRequestSummary]:
    """The provider for the equipment list's "last service request" column (E2)."""
    from portico.assets.hooks import ServiceRequestSummary

    found = last_requests_for_assets([asset.pk for asset in assets], scope)
    return {
        asset_id: ServiceRequestSummary(
            number=request.number,
            title=request.title,
            opened_at=request.created_at,
            status_label=request.get_state_display(),
            badge=state_badge(request.state),
            url=reverse("service:detail", args=[request.number]),
        )
        for asset_id, request in found.items()
    }


def asset_timeline_events(asset: Asset, scope: Scope, limit: int) -> list[TimelineEvent]:
    """A machine's requests as events on its timeline (E6)."""
    from portico.assets.timeline import TimelineEvent

    if not scope.can(Function.TICKETS, Right.VIEW):
        return []
    requests = (
        ServiceRequest.objects.visible_to(scope)
        .filter(asset_id=asset.pk)
        .only("number", "title", "state", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEvent(
            when=request.created_at,
            kind="request",
            title=f"Service request {request.number}",
            detail=request.title,
            url=reverse("service:detail", args=[request.number]),
            badge=state_badge(request.state),
            badge_label=request.get_state_display(),
        )
        for request in requests
    ]


def related_invoices(service_request: ServiceRequest, scope: Scope) -> list[Invoice]:
    """Invoices linked to the request (``Invoice.service_requests``) that the scope may see:
    through ``visible_to``, so never a draft and never another customer's."""
    from portico.billing.models import Invoice

    return list(
        Invoice.objects.visible_to(scope)
        .filter(service_requests=service_request)
        .order_by("-issued_on", "-pk")[:50]
    )
