"""Sites (E1), a site's equipment (E2), the assets page with exports (E3), registering a
machine or product (E3, E4) and a machine's detail with its timeline (E6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from portico.core.access import PortalRequest, Scope, access_object, portal_view
from portico.core.exports import stream_csv, xlsx_response
from portico.core.paginators import CappedCountPaginator
from portico.core.rights import Function, Right
from portico.customers.models import Site

from . import services
from .forms import AssetFilterForm, AssetRegistrationForm
from .hooks import attach_last_service_requests, attach_machine_actions, visible_asset
from .models import Asset
from .timeline import asset_timeline

PAGE_SIZE = 25
SITES_PAGE_SIZE = 48

# Sort keys the assets lists accept, and the columns they order by.
ASSET_SORTS: dict[str, list[str]] = {
    "model": ["product_model__manufacturer", "product_model__name"],
    "serial": ["serial_number"],
    "site": ["site__name"],
    "location": ["location"],
    "tag": ["asset_tag"],
    "warranty": ["warranty_ends_on"],
}
DEFAULT_ASSET_SORT = "site"


def sort_order(value: str | None, allowed: dict[str, list[str]], default: str) -> tuple[str, list]:
    """The chosen sort key and ORDER BY columns, with the id as the final tie-break."""
    key = value if value and value.lstrip("-") in allowed else default
    descending = key.startswith("-")
    columns = [f"-{c}" if descending else c for c in allowed[key.lstrip("-")]]
    return key, [*columns, "-id" if descending else "id"]


def _list_context(request: PortalRequest, assets: QuerySet[Asset], sort: str) -> dict[str, Any]:
    return {
        "page": _page_of_assets(request, assets),
        "sort": sort,
        "show_supplies": request.portal_scope.can(Function.ORDERS, Right.VIEW),
        "can_add": request.portal_scope.can(Function.ASSETS, Right.CREATE),
    }


def _page_of_assets(request: PortalRequest, assets: QuerySet[Asset]) -> Any:
    page = CappedCountPaginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    attach_last_service_requests(rows, request.portal_scope)
    attach_machine_actions(rows, request.portal_scope)
    if request.portal_scope.can(Function.ORDERS, Right.VIEW):
        from portico.orders.forecast import attach_next_supply_due

        attach_next_supply_due(rows, scope=request.portal_scope)
    page.object_list = rows
    return page


def _listed(assets: QuerySet[Asset]) -> QuerySet[Asset]:
    return assets.select_related("product_model", "site")


def sites_with_equipment_counts(scope: Scope) -> QuerySet[Site]:
    """The scope's sites, each with ``equipment_count``, in one query (E1)."""
    # The site is visible, so its machines are too when they belong to a visible organisation.
    counted = Q(assets__organisation_id__in=scope.organisation_ids)
    return (
        Site.objects.visible_to(scope)
        .annotate(equipment_count=Count("assets", filter=counted))
        .order_by("name", "id")
    )


@require_safe
@portal_view(Function.ASSETS, Right.VIEW)
def sites(request: PortalRequest) -> HttpResponse:
    """E1: every site the user may see, with its equipment count and "Choose equipment"."""
    sites = sites_with_equipment_counts(request.portal_scope)
    page = Paginator(sites, SITES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assets/sites.html", {"page": page})


@require_safe
@portal_view(Function.ASSETS, Right.VIEW)
def site_equipment(request: PortalRequest, site_id: int) -> HttpResponse:
    """E2: the machines at one site, each with the actions the user's rights allow."""
    site = access_object(Site, request.portal_scope, pk=site_id)
    sort, order_by = sort_order(request.GET.get("sort"), ASSET_SORTS, "location")
    assets = _listed(Asset.objects.visible_to(request.portal_scope).filter(site=site)).order_by(
        *order_by
    )
    context = {"site": site, **_list_context(request, assets, sort)}
    if request.portal_scope.can(Function.METERS, Right.VIEW):
        context["meters_url"] = reverse("meters:site", args=[site.pk])
    return render(request, "assets/site_equipment.html", context)


def _filtered_assets(request: PortalRequest) -> tuple[AssetFilterForm, QuerySet[Asset], str]:
    form = AssetFilterForm(request.GET or None, scope=request.portal_scope)
    sort, order_by = sort_order(request.GET.get("sort"), ASSET_SORTS, DEFAULT_ASSET_SORT)
    assets = form.filter(_listed(Asset.objects.visible_to(request.portal_scope))).order_by(
        *order_by
    )
    return form, assets, sort


@require_safe
@portal_view(Function.ASSETS, Right.VIEW)
def asset_list(request: PortalRequest) -> HttpResponse:
    """E3: every visible machine, filtered, searched and sorted from the URL."""
    form, assets, sort = _filtered_assets(request)
    context = {"form": form, **_list_context(request, assets, sort)}
    return render(request, "assets/asset_list.html", context)


EXPORT_HEADER = [
    "Serial number",
    "Asset tag",
    "Manufacturer",
    "Model",
    "Site",
    "Location",
    "Status",
    "Install date",
    "Warranty ends",
    "Warranty",
    "Purchase date",
    "Customer-registered",
]


def _export_rows(assets: QuerySet[Asset]) -> Iterator[list[Any]]:
    for asset in assets.iterator(chunk_size=2000):
        yield [
            asset.serial_number,
            asset.asset_tag,
            asset.product_model.manufacturer,
            asset.product_model.name,
            asset.site.name,
            asset.location,
            asset.get_status_display(),
            asset.install_date,
            asset.warranty_ends_on,
            asset.warranty_status,
            asset.purchased_on,
            "Yes" if asset.is_customer_registered else "No",
        ]


@require_safe
@portal_view(Function.ASSETS, Right.VIEW)
def asset_export_csv(request: PortalRequest) -> StreamingHttpResponse:
    _, assets, _ = _filtered_assets(request)
    rows = ([("" if v is None else v) for v in row] for row in _export_rows(assets))
    return stream_csv("equipment.csv", EXPORT_HEADER, rows)


@require_safe
@portal_view(Function.ASSETS, Right.VIEW)
def asset_export_xlsx(request: PortalRequest) -> FileResponse:
    _, assets, _ = _filtered_assets(request)
    return xlsx_response("equipment.xlsx", EXPORT_HEADER, _export_rows(assets), sheet="Equipment")


@portal_view(Function.ASSETS, Right.CREATE)
def asset_new(request: PortalRequest) -> HttpResponse:
    """E3/E4: a customer adds a machine; an individual registers a product."""
    individual = services.is_individual(request.portal_scope)
    form = AssetRegistrationForm(
        request.POST or None, scope=request.portal_scope, individual=individual
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asset = services.register_asset(
                actor=request.user,
                scope=request.portal_scope,
                product_model=data["product_model"],
                site=data["site"],
                serial_number=data["serial_number"],
                location=data.get("location", ""),
                asset_tag=data.get("asset_tag", ""),
                purchased_on=data.get("purchased_on"),
            )
        except services.AssetError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                f"{asset.product_model} ({asset.serial_number}) is registered. "
                "We will confirm it shortly.",
            )
            return redirect("assets:detail", asset_id=asset.pk)
    return render(request, "assets/asset_new.html", {"form": form, "individual": individual})


ASSET_TABS = ["timeline", "specifications", "supplies"]
TIMELINE_LIMIT = 40
# The timeline's filter: what each choice shows (kinds of TimelineEvent).
TIMELINE_FILTERS: dict[str, tuple[str, set[str] | None]] = {
    "all": ("Everything", None),
    "requests": ("Service requests", {"request"}),
    "orders": ("Orders", {"order", "item-request"}),
    "readings": ("Meter readings", {"reading"}),
    "machine": ("Machine", {"registered", "confirmed", "purchased", "installed", "warranty"}),
}


@require_safe
@portal_view(Function.ASSETS, Right.VIEW)
def asset_detail(request: PortalRequest, asset_id: int) -> HttpResponse:
    """E6: a machine's facts, warranty, specifications, supplies and one timeline."""
    asset = visible_asset(request.portal_scope, asset_id)
    can_order = request.portal_scope.can(Function.ORDERS, Right.VIEW)
    tabs = ASSET_TABS if can_order else ASSET_TABS[:2]
    tab = request.GET.get("tab") if request.GET.get("tab") in tabs else tabs[0]
    context: dict[str, Any] = {
        "asset": asset,
        "tab": tab,
        "tabs": tabs,
        "can_request_item": request.portal_scope.can(Function.ORDERS, Right.CREATE),
    }
    attach_last_service_requests([asset], request.portal_scope)
    attach_machine_actions([asset], request.portal_scope)
    if tab == "timeline":
        show = request.GET.get("show", "all")
        show = show if show in TIMELINE_FILTERS else "all"
        kinds = TIMELINE_FILTERS[show][1]
        context["timeline"] = asset_timeline(asset, request.portal_scope, TIMELINE_LIMIT, kinds)
        context["timeline_filters"] = [(key, text) for key, (text, _) in TIMELINE_FILTERS.items()]
        context["show"] = show
        context["timeline_limit"] = TIMELINE_LIMIT
    elif tab == "specifications":
        context["specifications"] = asset.product_model.specifications.select_related("attribute")
    else:
        from portico.orders.forecast import forecasts_for_assets

        context["forecasts"] = forecasts_for_assets([asset], scope=request.portal_scope).get(
            asset.pk, []
        )
    return render(request, "assets/asset_detail.html", context)
