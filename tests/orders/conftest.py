from __future__ import annotations

import itertools
from typing import Any

from portico.assets.models import Asset, Supply
from portico.core.access import build_scope
from portico.orders.models import SupplyOrder
from portico.orders.services import place_order
from tests.equipment_fixtures import catalogue, equipment  # noqa: F401  (shared fixtures)

_keys = itertools.count(1)


def order_for(user: Any, asset: Asset, items: dict[Supply, int], **extra: Any) -> SupplyOrder:
    """Place an order through the service, as ``user`` would in the portal."""
    order, _ = place_order(
        actor=user,
        scope=build_scope(user),
        asset=asset,
        quantities={supply.pk: quantity for supply, quantity in items.items()},
        delivery_site=extra.pop("delivery_site", asset.site),
        submission_key=extra.pop("submission_key", f"test-{next(_keys)}"),
        **extra,
    )
    return order
