"""New order on a machine and "Request an item" (E5), the orders tab with exports and an
order's detail page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from portico.assets.hooks import visible_asset
from portico.assets.models import Asset
from portico.assets.views import sort_order
from portico.core.access import PortalRequest, access_object, portal_view
from portico.core.exports import stream_csv, xlsx_response
from portico.core.paginators import CappedCountPaginator
from portico.core.rights import Function, Right

from . import services
from .forecast import forecasts_for_assets
from .forms import ItemRequestForm, NewOrderForm, OrderFilterForm
from .models import OrderLine, SupplyOrder

PAGE_SIZE = 25
ORDER_SORTS: dict[str, list[str]] = {
    "number": ["number"],
    "date": ["created_at"],
    "site": ["site__name"],
    "status": ["status"],
    "total": ["total"],
}
DEFAULT_ORDER_SORT = "-date"


@portal_view(Function.ORDERS, Right.CREATE)
def new_order(request: PortalRequest, asset_id: int) -> HttpResponse:
    """E5: tick the supplies that fit this machine, choose quantities and delivery site."""
    asset = visible_asset(request.portal_scope, asset_id)
    form = NewOrderForm(request.POST or None, asset=asset, scope=request.portal_scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order, created = services.place_order(
                actor=request.user,
                scope=request.portal_scope,
                asset=asset,
                quantities=data["quantities"],
                delivery_site=data["delivery_site"],
                submission_key=data["submission_key"],
                notes=data["notes"],
            )
        except services.OrderError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if created:
                messages.success(request, f"Thank you: your order {order.number} is placed.")
            else:
                messages.info(request, f"Your order {order.number} was already placed.")
            return redirect("orders:detail", number=order.number)
    forecasts = {
        f.supply.pk: f
        for f in forecasts_for_assets([asset], scope=request.portal_scope).get(asset.pk, [])
    }
    return render(
        request,
        "orders/new_order.html",
        {"asset": asset, "form": form, "rows": form.rows(forecasts)},
    )


@portal_view(Function.ORDERS, Right.CREATE)
def request_item(request: PortalRequest, asset_id: int) -> HttpResponse:
    """E5: the wanted supply is not listed; tell the provider instead of a dead end."""
    asset = visible_asset(request.portal_scope, asset_id)
    form = ItemRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_item(
                actor=request.user,
                scope=request.portal_scope,
                asset=asset,
                message=form.cleaned_data["message"],
            )
        except services.OrderError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, "Thank you: we have your request and will add the item or contact you."
            )
            return redirect("assets:detail", asset_id=asset.pk)
    return render(request, "orders/request_item.html", {"asset": asset, "form": form})


def _filtered_orders(
    request: PortalRequest,
) -> tuple[OrderFilterForm, QuerySet[SupplyOrder], str, Asset | None]:
    form = OrderFilterForm(request.GET or None, scope=request.portal_scope)
    sort, order_by = sort_order(request.GET.get("sort"), ORDER_SORTS, DEFAULT_ORDER_SORT)
    orders = form.filter(SupplyOrder.objects.visible_to(request.portal_scope)).select_related(
        "site"
    )
    asset = None
    asset_id = form.cleaned_data.get("asset") if form.is_bound else None  # filter() cleaned it
    if asset_id:
        asset = visible_asset(request.portal_scope, asset_id)
        for_machine = OrderLine.objects.filter(order=OuterRef("pk"), asset=asset)
        orders = orders.filter(Exists(for_machine))
    lines = OrderLine.objects.select_related("supply", "asset__product_model")
    orders = orders.prefetch_related(Prefetch("lines", queryset=lines))
    return form, orders.order_by(*order_by), sort, asset


def _describe(order: SupplyOrder) -> None:
    """Machines and items of an order from its prefetched lines (no query)."""
    lines = list(order.lines.all())
    machines: dict[int, Asset] = {}
    for line in lines:
        machines.setdefault(line.asset_id, line.asset)
    order.machines = list(machines.values())  # type: ignore[attr-defined]
    order.item_count = sum(line.quantity for line in lines)  # type: ignore[attr-defined]
    order.item_summary = "; ".join(  # type: ignore[attr-defined]
        f"{line.quantity} × {line.supply.description}" for line in lines
    )


@require_safe
@portal_view(Function.ORDERS, Right.VIEW)
def order_list(request: PortalRequest) -> HttpResponse:
    """The orders tab: status list with filters, search by number, sorting and exports."""
    form, orders, sort, asset = _filtered_orders(request)
    page = CappedCountPaginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for order in rows:
        _describe(order)
    page.object_list = rows
    return render(
        request,
        "orders/order_list.html",
        {"form": form, "page": page, "sort": sort, "asset": asset},
    )


EXPORT_HEADER = [
    "Order number",
    "Date",
    "Status",
    "Delivery site",
    "Machines",
    "Items",
    "Total",
    "Currency",
    "Notes",
]


def _export_rows(orders: QuerySet[SupplyOrder]) -> Iterator[list[Any]]:
    for order in orders.iterator(chunk_size=1000):
        _describe(order)
        yield [
            order.number,
            order.created_at,
            order.get_status_display(),
            order.site.name,
            ", ".join(a.serial_number for a in order.machines),  # type: ignore[attr-defined]
            order.item_summary,  # type: ignore[attr-defined]
            order.total,
            order.currency,
            order.notes,
        ]


@require_safe
@portal_view(Function.ORDERS, Right.VIEW)
def order_export_csv(request: PortalRequest) -> StreamingHttpResponse:
    _, orders, _, _ = _filtered_orders(request)
    return stream_csv("orders.csv", EXPORT_HEADER, _export_rows(orders))


@require_safe
@portal_view(Function.ORDERS, Right.VIEW)
def order_export_xlsx(request: PortalRequest) -> FileResponse:
    _, orders, _, _ = _filtered_orders(request)
    return xlsx_response("orders.xlsx", EXPORT_HEADER, _export_rows(orders), sheet="Orders")


@require_safe
@portal_view(Function.ORDERS, Right.VIEW)
def order_detail(request: PortalRequest, number: str) -> HttpResponse:
    """An order: lines, totals, status history and the machine(s) it is for."""
    order = access_object(SupplyOrder, request.portal_scope, number=number)
    lines = list(order.lines.select_related("supply", "asset__product_model"))
    visible_machines = set(
        Asset.objects.visible_to(request.portal_scope)
        .filter(pk__in={line.asset_id for line in lines})
        .values_list("pk", flat=True)
    )
    machines: dict[int, Asset] = {}
    for line in lines:
        machines.setdefault(line.asset_id, line.asset)
    history = list(order.history.select_related("changed_by"))
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "machines": list(machines.values()),
            "visible_machines": visible_machines,
            "history": history,
        },
    )
