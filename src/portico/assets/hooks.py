"""What other apps add to a machine's row: its last service request and its actions (E2).

Both are filled for a whole page of machines at once, so an equipment list issues the same
number of queries for 10 machines or 10,000:

- ``last_service_request``: the service (tickets) app registers one provider with
  ``@last_service_request_provider``; it receives the page of assets and the scope and
  returns ``{asset_id: ServiceRequestSummary}`` from one query; with no provider the column
  shows "—".
- ``MACHINE_ACTIONS``: the one list of per-machine links. An action appears when the user
  holds its right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.http import urlencode

from portico.core.branding import label
from portico.core.rights import Function, Right

if TYPE_CHECKING:
    from portico.core.access import Scope

    from .models import Asset


@dataclass(frozen=True)
class ServiceRequestSummary:
    """The last service request of a machine, as its row shows it."""

    number: str
    title: str
    opened_at: datetime
    status_label: str
    badge: str = ""  # badge modifier: "", "waiting", "done", "cancelled", "rejected", "caution"
    url: str | None = None


LastRequestsProvider = Callable[[Sequence["Asset"], "Scope"], Mapping[int, ServiceRequestSummary]]
_last_request_providers: list[LastRequestsProvider] = []


def last_service_request_provider(provider: LastRequestsProvider) -> LastRequestsProvider:
    """Register the function that finds the last request of each machine of a page."""
    if provider not in _last_request_providers:
        _last_request_providers.append(provider)
    return provider


def attach_last_service_requests(assets: Sequence[Asset], scope: Scope) -> None:
    """Set ``asset.last_request`` (a summary or None) on every asset of the page."""
    found: dict[int, ServiceRequestSummary] = {}
    if assets and scope.can(Function.TICKETS, Right.VIEW):
        for provider in _last_request_providers:
            found.update(provider(assets, scope))
    for asset in assets:
        asset.last_request = found.get(asset.pk)  # type: ignore[attr-defined]


def last_service_request(asset: Asset) -> ServiceRequestSummary | None:
    """The summary attached by ``attach_last_service_requests``; None when there is none."""
    return getattr(asset, "last_request", None)


@dataclass(frozen=True)
class MachineAction:
    """A link on a machine's row: shown when the right is held."""

    text: str
    url_name: str
    function: Function
    right: Right
    # How the machine goes into the URL: as the URL's argument (query=None), or as the query
    # parameter ``query`` holding the asset's ``attribute`` (e.g. ?asset=12 or ?q=<serial>).
    query: str | None = None
    attribute: str = "pk"
    is_primary: bool = False
    label_key: str | None = None  # the branding label that overrides ``text``

    def url_for(self, asset: Asset) -> str:
        value = getattr(asset, self.attribute)
        if self.query is None:
            return reverse(self.url_name, args=[value])
        return f"{reverse(self.url_name)}?{urlencode({self.query: value})}"


# The one place per-machine actions are declared, in the order they are shown.
MACHINE_ACTIONS: list[MachineAction] = [
    # Service requests (tickets): the service app's "new request" pre-selects ?asset=<id>;
    # its list has no machine filter, so "View requests" searches for the serial number.
    MachineAction(
        "New request",
        "service:new",
        Function.TICKETS,
        Right.CREATE,
        query="asset",
        label_key="new_request",
    ),
    MachineAction(
        "View requests",
        "service:list",
        Function.TICKETS,
        Right.VIEW,
        query="q",
        attribute="serial_number",
    ),
    MachineAction(
        "New order",
        "orders:new",
        Function.ORDERS,
        Right.CREATE,
        is_primary=True,
        label_key="new_order",
    ),
    MachineAction("View orders", "orders:list", Function.ORDERS, Right.VIEW, query="asset"),
    MachineAction("Meter readings", "meters:asset", Function.METERS, Right.VIEW),
]


def machine_actions(asset: Asset, scope: Scope, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The actions this user may take on this machine, as ``{text, url, is_primary}``."""
    actions = []
    for action in MACHINE_ACTIONS:
        if not scope.can(action.function, action.right):
            continue
        url = action.url_for(asset)
        actions.append(
            {
                "text": label(dict(labels), action.label_key) if action.label_key else action.text,
                "url": url,
                "is_primary": action.is_primary,
            }
        )
    return actions


def attach_machine_actions(assets: Iterable[Asset], scope: Scope) -> None:
    """Set ``asset.actions`` (all), ``.primary_actions`` and ``.other_actions`` (the menu),
    with the provider's own words for the buttons (H5)."""
    from portico.core.models import Branding

    labels = Branding.current().labels or {}
    for asset in assets:
        actions = machine_actions(asset, scope, labels)
        asset.actions = actions  # type: ignore[attr-defined]
        asset.primary_actions = [a for a in actions if a["is_primary"]]  # type: ignore[attr-defined]
        asset.other_actions = [a for a in actions if not a["is_primary"]]  # type: ignore[attr-defined]


def visible_asset(scope: Scope, asset_id: int) -> Asset:
    """One machine the scope may see, with its model and site, or 404: for every page that
    is about a machine (its detail, its orders, its meters)."""
    from django.shortcuts import get_object_or_404

    from .models import Asset

    return get_object_or_404(
        Asset.objects.visible_to(scope).select_related("product_model", "site"), pk=asset_id
    )
