"""Every write to supply orders (E5): place an order, request an item, change a status."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from portico.assets.models import Asset, Supply
from portico.core.access import Scope
from portico.core.models import next_number
from portico.core.rights import Function, Right
from portico.customers.models import Site

from .models import ItemRequest, OrderLine, OrderStatusChange, SupplyOrder

MAX_QUANTITY = 99


class OrderError(Exception):
    """Something the customer can fix; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(Exception):
    """The order's status may not change that way (SupplyOrder.TRANSITIONS)."""


def _require(scope: Scope, right: Right, asset: Asset) -> None:
    if not scope.can(Function.ORDERS, right):
        raise PermissionDenied("Your access rights do not include ordering supplies.")
    # The view fetched the machine through the scope; check again so no caller can skip it.
    if not Asset.objects.visible_to(scope).filter(pk=asset.pk).exists():
        raise PermissionDenied("This machine is not one of yours.")


def _fitting_supplies(asset: Asset, quantities: Mapping[int, int]) -> dict[int, Supply]:
    if not quantities:
        raise OrderError("Tick at least one item to order.", field="supplies")
    supplies = {
        s.pk: s
        for s in Supply.objects.filter(
            pk__in=list(quantities), fits=asset.product_model_id, is_active=True
        )
    }
    if set(supplies) != set(quantities):
        raise OrderError(
            "One of the chosen items does not fit this machine. Choose from the list, or use "
            "“Request an item” to ask for something else.",
            field="supplies",
        )
    for quantity in quantities.values():
        if not 1 <= quantity <= MAX_QUANTITY:
            raise OrderError(
                f"Enter a quantity from 1 to {MAX_QUANTITY} for each ticked item.",
                field="supplies",
            )
    if len({s.currency for s in supplies.values()}) > 1:
        raise OrderError(
            "These items are priced in different currencies; please order them separately.",
            field="supplies",
        )
    return supplies


def _previous_submission(submission_key: str, actor: Any) -> SupplyOrder | None:
    order = SupplyOrder.objects.filter(submission_key=submission_key).first()
    if order is not None and order.created_by_id != actor.pk:
        raise OrderError("This form has already been used. Please open “New order” again.")
    return order


def place_order(
    *,
    actor: Any,
    scope: Scope,
    asset: Asset,
    quantities: Mapping[int, int],
    delivery_site: Site,
    submission_key: str,
    notes: str = "",
) -> tuple[SupplyOrder, bool]:
    """Order supplies for a machine. Returns the order and whether it was created just now.

    ``quantities`` maps supply id to quantity. Submitting the same form twice (same
    ``submission_key``) returns the first order instead of creating a second one.
    """
    _require(scope, Right.CREATE, asset)
    supplies = _fitting_supplies(asset, quantities)
    visible_sites = Site.objects.visible_to(scope).filter(organisation_id=asset.organisation_id)
    if not visible_sites.filter(pk=delivery_site.pk).exists():
        raise OrderError("Choose one of your sites for delivery.", field="delivery_site")
    if not submission_key:
        raise OrderError("The form has expired. Please open “New order” again.")
    previous = _previous_submission(submission_key, actor)
    if previous is not None:
        return previous, False
    try:
        order = create_order(
            actor=actor,
            asset=asset,
            supplies=supplies,
            quantities=quantities,
            delivery_site=delivery_site,
            submission_key=submission_key,
            notes=notes,
        )
    except IntegrityError:
        # A concurrent submit of the same form won the race: its order is this order.
        previous = _previous_submission(submission_key, actor)
        if previous is None:
            raise
        return previous, False
    return order, True


@transaction.atomic
def create_order(
    *,
    actor: Any,
    asset: Asset,
    supplies: Mapping[int, Supply],
    quantities: Mapping[int, int],
    delivery_site: Site,
    submission_key: str,
    notes: str,
) -> SupplyOrder:
    """Write a numbered order with its lines and first history row. No checks: callers check
    (``place_order``) or are trusted (demo data)."""
    lines = [
        OrderLine(supply=supply, asset=asset, quantity=quantities[pk], unit_price=supply.price)
        for pk, supply in sorted(supplies.items(), key=lambda item: item[1].item_code)
    ]
    order = SupplyOrder.objects.create(
        number=next_number("ORD"),
        organisation_id=asset.organisation_id,
        site=delivery_site,
        created_by=actor,
        notes=notes.strip(),
        submission_key=submission_key,
        total=sum((line.total for line in lines), Decimal("0.00")),
        currency=next(iter(supplies.values())).currency,
    )
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    OrderStatusChange.objects.create(
        order=order,
        from_status="",
        to_status=SupplyOrder.Status.SUBMITTED,
        changed_by=actor,
        note="Placed in the portal",
    )
    return order


@transaction.atomic
def change_order_status(
    *, order: SupplyOrder, to_status: str, actor: Any, note: str = ""
) -> SupplyOrder:
    """Staff move an order on (or cancel it); the only way a status changes. Writes history."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only provider staff change the status of an order.")
    order = SupplyOrder.objects.select_for_update().get(pk=order.pk)
    if to_status not in SupplyOrder.Status.values:
        raise InvalidTransition(f"“{to_status}” is not an order status.")
    if not order.can_become(to_status):
        raise InvalidTransition(
            f"Order {order.number} is {order.get_status_display().lower()} and cannot become "
            f"{SupplyOrder.Status(to_status).label.lower()}."
        )
    old = order.status
    order.status = to_status
    order.save(update_fields=["status", "updated_at"])
    OrderStatusChange.objects.create(
        order=order, from_status=old, to_status=to_status, changed_by=actor, note=note[:300]
    )
    return order


@transaction.atomic
def request_item(*, actor: Any, scope: Scope, asset: Asset, message: str) -> ItemRequest:
    """'Request an item': tell the provider what is missing for this machine (E5)."""
    _require(scope, Right.CREATE, asset)
    message = message.strip()
    if not message:
        raise OrderError("Describe the item you need.", field="message")
    if len(message) > 2000:
        raise OrderError("Keep the message under 2,000 characters.", field="message")
    return ItemRequest.objects.create(
        organisation_id=asset.organisation_id, asset=asset, requested_by=actor, message=message
    )


@transaction.atomic
def mark_item_request_handled(*, item_request: ItemRequest, actor: Any) -> bool:
    """Staff mark an item request as dealt with. Returns False if it already was."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only provider staff handle item requests.")
    updated = ItemRequest.objects.filter(pk=item_request.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=actor
    )
    return bool(updated)
