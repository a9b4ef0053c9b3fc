"""Demo supply orders and item requests, loaded by `portico demo` after the equipment.

Orders go through the same services a customer and staff use (numbers, lines, history),
then their timestamps are moved into the past so the lists and forecasts look lived-in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from portico.assets.models import Asset, Supply
from portico.customers.demo import Foundation

from .models import ItemRequest, OrderStatusChange, SupplyOrder
from .services import change_order_status, create_order

SEED = 20260302
S = SupplyOrder.Status
# (site index in foundation.acme_sites, machine index at that site, days ago, final status,
#  number of different supplies, who ordered)
ORDERS = [
    (1, 0, 118, S.DELIVERED, 2, "bob"),
    (1, 2, 75, S.DELIVERED, 1, "bob"),
    (1, 3, 41, S.DELIVERED, 1, "bob"),
    (1, 1, 12, S.DISPATCHED, 2, "bob"),
    (1, 4, 2, S.SUBMITTED, 1, "bob"),
    (0, 1, 96, S.DELIVERED, 1, "alice"),
    (0, 2, 64, S.CANCELLED, 1, "alice"),
    (0, 3, 33, S.DELIVERED, 3, "alice"),
    (0, 4, 6, S.CONFIRMED, 1, "alice"),
    (2, 0, 52, S.DELIVERED, 2, "alice"),
    (3, 1, 20, S.DISPATCHED, 1, "alice"),
    (4, 0, 1, S.SUBMITTED, 2, "alice"),
]
PATH: dict[str, list[str]] = {
    S.SUBMITTED: [],
    S.CONFIRMED: [S.CONFIRMED],
    S.DISPATCHED: [S.CONFIRMED, S.DISPATCHED],
    S.DELIVERED: [S.CONFIRMED, S.DISPATCHED, S.DELIVERED],
    S.CANCELLED: [S.CANCELLED],
}
STATUS_NOTES: dict[str, str] = {
    S.CONFIRMED: "In stock, packed today",
    S.DISPATCHED: "Sent by next-day courier",
    S.DELIVERED: "Signed for at reception",
    S.CANCELLED: "Cancelled at the customer's request",
}


@dataclass(frozen=True)
class DemoOrder:
    asset: Asset
    supplies: list[Supply]
    days_ago: float
    final: str
    who: str
    notes: str = ""


def _curated(foundation: Foundation, by_site: dict[int, list[Asset]], fits: Any) -> list[DemoOrder]:
    orders = []
    for index, (site_index, machine_index, days_ago, final, kinds, who) in enumerate(ORDERS):
        machines = by_site.get(foundation.acme_sites[site_index].pk, [])
        if machines:
            asset = machines[machine_index % len(machines)]
            notes = "Please deliver to goods-in." if index % 3 == 0 else ""
            orders.append(
                DemoOrder(
                    asset, fits(asset)[:kinds], days_ago + (index % 7) / 24, final, who, notes
                )
            )
    return orders


def _routine(foundation: Foundation, machines: list[Asset], fits: Any) -> list[DemoOrder]:
    """Most machines had their toner ordered in the last three months, so forecasts start."""
    rng = random.Random(SEED)
    orders = []
    for asset in machines:
        if rng.random() < 0.25 or not fits(asset):
            continue
        days_ago = rng.randint(6, 50) + rng.random()
        who = (
            "bob"
            if asset.site_id == foundation.acme_sites[1].pk and rng.random() < 0.7
            else "alice"
        )
        orders.append(DemoOrder(asset, fits(asset)[:1], days_ago, S.DELIVERED, who))
    return orders


def load(foundation: Foundation) -> None:
    staff = foundation.users["sam"]
    now = timezone.now()
    by_site: dict[int, list[Asset]] = {}
    machines = list(
        Asset.objects.filter(organisation=foundation.acme, replenishment="customer")
        .select_related("product_model")
        .order_by("pk")
    )
    for asset in machines:
        by_site.setdefault(asset.site_id, []).append(asset)
    supplies: dict[int, list[Supply]] = {}
    for supply in Supply.objects.prefetch_related("fits").order_by("item_code"):
        for model in supply.fits.all():
            supplies.setdefault(model.pk, []).append(supply)

    def fits(asset: Asset) -> list[Supply]:
        """Supplies with a yield, black toner first."""
        found = [s for s in supplies.get(asset.product_model_id, []) if s.yield_quantity]
        return sorted(found, key=lambda s: (s.kind != "Black toner", s.item_code))

    curated = _curated(foundation, by_site, fits)
    chosen = {o.asset.pk for o in curated}
    routine = _routine(foundation, [m for m in machines if m.pk not in chosen], fits)
    # Oldest first, so order numbers follow the dates.
    for index, spec in enumerate(sorted(curated + routine, key=lambda o: -o.days_ago)):
        placed_at = now - timedelta(days=spec.days_ago)
        order = create_order(
            actor=foundation.users[spec.who],
            asset=spec.asset,
            supplies={s.pk: s for s in spec.supplies},
            quantities={s.pk: 1 + (index + i) % 2 for i, s in enumerate(spec.supplies)},
            delivery_site=spec.asset.site,
            submission_key=f"demo-{index}",
            notes=spec.notes,
        )
        for step, status in enumerate(PATH[spec.final], start=1):
            change_order_status(
                order=order, to_status=status, actor=staff, note=STATUS_NOTES[status]
            )
            OrderStatusChange.objects.filter(order=order, to_status=status).update(
                changed_at=placed_at + timedelta(days=step, hours=2 * step)
            )
        OrderStatusChange.objects.filter(order=order, from_status="").update(changed_at=placed_at)
        SupplyOrder.objects.filter(pk=order.pk).update(
            created_at=placed_at, updated_at=placed_at + timedelta(days=len(PATH[spec.final]))
        )

    leeds = by_site.get(foundation.acme_sites[1].pk, [])
    if leeds:
        request = ItemRequest.objects.create(
            organisation=foundation.acme,
            asset=leeds[0],
            requested_by=foundation.users["bob"],
            message="Could you add the A3 paper tray kit? We need it for the site plans.",
        )
        ItemRequest.objects.filter(pk=request.pk).update(created_at=now - timedelta(days=9))
