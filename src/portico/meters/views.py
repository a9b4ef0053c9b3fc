"""Meter readings pages (M1–M4): thin — parse, call a service or query, render."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Lag
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from portico.assets.hooks import visible_asset
from portico.assets.models import Asset
from portico.core.access import PortalRequest, access_object, portal_view
from portico.core.models import Branding
from portico.core.rights import Function, Right
from portico.customers.models import Site

from .chart import chart_for
from .forms import MachineSearchForm, ReadingRowForm
from .models import Meter
from .reminders import readings_due_for
from .services import REMOTE_REFUSED, ReadingResult, record_reading
from .validation import Outcome

GRID_PAGE_SIZE = 60
LIST_PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 25
MAX_POSTED_ROWS = 1000
SAVED_KEY = "portico.meters.saved"
POSTED_VALUE = re.compile(r"^m(\d+)-value$")


# --- Index: due readings, sites, machine search --------------------------------------------


@portal_view(Function.METERS, Right.VIEW)
@require_GET
def index(request: PortalRequest) -> HttpResponse:
    """Where readings are due, every visible site with meters, and a machine finder."""
    scope = request.portal_scope
    due = readings_due_for(scope)
    due_ids = {d.site_id for d in due}
    retired = Q(assets__status=Asset.Status.RETIRED)
    sites = (
        Site.objects.visible_to(scope)
        .annotate(
            meter_count=Count("assets__meters", filter=~retired),
            machine_count=Count(
                "assets", filter=~retired & Q(assets__meters__isnull=False), distinct=True
            ),
            last_read_at=Max("assets__meters__last_read_at"),
        )
        .filter(meter_count__gt=0)
        .order_by("name", "id")
    )
    search = MachineSearchForm(request.GET or None)
    machines = None
    if search.is_valid() and search.cleaned_data["q"]:
        query = search.cleaned_data["q"]
        machines = Paginator(
            Asset.objects.visible_to(scope)
            .filter(Exists(Meter.objects.filter(asset=OuterRef("pk"))))
            .search(query)
            .select_related("site", "product_model")
            .order_by("site__name", "serial_number"),
            LIST_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
    page = Paginator(sites, LIST_PAGE_SIZE).get_page(None if machines else request.GET.get("page"))
    return render(
        request,
        "meters/index.html",
        {
            "due": due,
            "due_ids": due_ids,
            "page": page,
            "search": search,
            "machines": machines,
            "can_enter": scope.can(Function.METERS, Right.CREATE),
        },
    )


# --- The grid (M1, M2, M3) ----------------------------------------------------------------


@dataclass
class GridRow:
    meter: Meter
    form: ReadingRowForm | None  # None: read-only (remote-monitored, or no right to enter)
    outcome: str = ""
    message: str = ""

    @property
    def anchor(self) -> str:
        return f"m{self.meter.pk}-value" if self.form else f"meter-{self.meter.pk}"


@dataclass
class Machine:
    asset: Asset
    rows: list[GridRow] = field(default_factory=list)


def grid_meters(request: PortalRequest) -> QuerySet[Meter]:
    return (
        Meter.objects.visible_to(request.portal_scope)
        .exclude(asset__status=Asset.Status.RETIRED)
        .select_related("asset", "asset__product_model", "meter_type")
        .order_by(
            "asset__location",
            "asset__serial_number",
            "asset_id",
            "meter_type__position",
            "meter_type__name",
        )
    )


def _row_form(meter: Meter, can_enter: bool, data: Any = None) -> ReadingRowForm | None:
    if not can_enter or meter.asset.is_remote_monitored:
        return None
    return ReadingRowForm(data, prefix=f"m{meter.pk}")


def _posted_ids(data: Any) -> list[int]:
    ids = []
    for key, value in data.items():
        match = POSTED_VALUE.match(key)
        if match and value.strip():
            ids.append(int(match.group(1)))
    return ids[:MAX_POSTED_ROWS]


def _save_posted(request: PortalRequest, meters: QuerySet[Meter]) -> dict[int, GridRow]:
    """Validate and save each posted row on its own; one row's problem leaves the others saved."""
    results: dict[int, GridRow] = {}
    for meter in meters.filter(pk__in=_posted_ids(request.POST)):
        form = ReadingRowForm(request.POST, prefix=f"m{meter.pk}")
        row = GridRow(meter, form)
        results[meter.pk] = row
        if meter.asset.is_remote_monitored:
            row.form, row.outcome, row.message = None, Outcome.REJECTED, REMOTE_REFUSED
        elif not form.is_valid():
            row.outcome = Outcome.REJECTED
            row.message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        elif form.cleaned_data["value"] is not None:
            result: ReadingResult = record_reading(
                meter=meter,
                value=form.cleaned_data["value"],
                read_at=form.read_at(),
                actor=request.user,
                confirm=form.is_confirmed(),
                scope=request.portal_scope,
            )
            row.outcome, row.message = result.outcome, result.message
            if result.outcome == Outcome.CAUTION:
                data = request.POST.copy()
                data[f"m{meter.pk}-cautioned"] = str(form.cleaned_data["value"])
                data.pop(f"m{meter.pk}-confirm", None)
                row.form = ReadingRowForm(data, prefix=f"m{meter.pk}")
    return results


def _grid(request: PortalRequest, meters: QuerySet[Meter], context: dict[str, Any]) -> HttpResponse:
    can_enter = request.portal_scope.can(Function.METERS, Right.CREATE)
    results: dict[int, GridRow] = {}
    saved: set[int] = set()
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied("Your access rights do not include entering meter readings.")
        results = _save_posted(request, meters)
        accepted = [pk for pk, row in results.items() if row.outcome == Outcome.ACCEPTED]
        if len(accepted) == len(results):
            request.session[SAVED_KEY] = accepted
            if accepted:
                count = len(accepted)
                messages.success(
                    request, f"{count} reading{'s' if count != 1 else ''} saved. Thank you."
                )
            else:
                messages.info(request, "No new readings were entered.")
            return redirect(request.get_full_path())
        saved = set(accepted)
    else:
        saved = set(request.session.pop(SAVED_KEY, []))

    page = Paginator(meters, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    machines: list[Machine] = []
    problems: list[GridRow] = []
    for meter in page.object_list:
        posted = results.get(meter.pk)
        if posted is not None and posted.outcome != Outcome.ACCEPTED:
            row = GridRow(meter, posted.form, posted.outcome, posted.message)
            if row.form is not None:
                row.form.fields["value"].widget.attrs.update(
                    {"aria-describedby": f"meter-{meter.pk}-message", "aria-invalid": "true"}
                )
            problems.append(row)
        else:
            row = GridRow(meter, _row_form(meter, can_enter))
            if meter.pk in saved:
                row.outcome = Outcome.ACCEPTED
        if not machines or machines[-1].asset.pk != meter.asset_id:
            machines.append(Machine(meter.asset))
        machines[-1].rows.append(row)
    accepted_count = sum(1 for r in results.values() if r.outcome == Outcome.ACCEPTED)
    return render(
        request,
        "meters/grid.html",
        {
            **context,
            "page": page,
            "machines": machines,
            "problems": problems,
            "accepted_count": accepted_count,
            "can_enter": can_enter,
            "has_inputs": any(r.form for m in machines for r in m.rows),
        },
        status=200,
    )


@portal_view(Function.METERS, Right.VIEW)
@require_http_methods(["GET", "POST"])
def site_grid(request: PortalRequest, site_id: int) -> HttpResponse:
    """Every meter of every visible machine at one site, in one form (M1)."""
    site = access_object(Site, request.portal_scope, pk=site_id)
    return _grid(
        request,
        grid_meters(request).filter(asset__site=site),
        {"site": site, "title": "Meter readings", "context_line": f"{site.name} · {site.address}"},
    )


@portal_view(Function.METERS, Right.VIEW)
@require_http_methods(["GET", "POST"])
def asset_grid(request: PortalRequest, asset_id: int) -> HttpResponse:
    """The meters of one machine (M1)."""
    asset = visible_asset(request.portal_scope, asset_id)
    return _grid(
        request,
        grid_meters(request).filter(asset=asset),
        {
            "asset": asset,
            "site": asset.site,
            "title": "Meter readings",
            "context_line": f"{asset.product_model} · {asset.serial_number} · {asset.site.name}",
        },
    )


# --- History (M4) -------------------------------------------------------------------------


def visible_meter(request: PortalRequest, meter_id: int) -> Meter:
    return get_object_or_404(
        Meter.objects.visible_to(request.portal_scope).select_related(
            "asset", "asset__site", "asset__product_model", "meter_type"
        ),
        pk=meter_id,
    )


@portal_view(Function.METERS, Right.VIEW)
@require_GET
def history(request: PortalRequest, meter_id: int) -> HttpResponse:
    """One meter's readings as a table and a monthly chart."""
    meter = visible_meter(request, meter_id)
    readings = (
        meter.readings.select_related("entered_by", "monitoring_system")
        .annotate(previous_value=Window(Lag("value"), order_by=[F("read_at").asc(), F("id").asc()]))
        .order_by("-read_at", "-id")
    )
    page = Paginator(readings, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for reading in page.object_list:
        previous = reading.previous_value
        reading.increase = None if previous is None else reading.value - previous
    return render(
        request,
        "meters/history.html",
        {
            "meter": meter,
            "asset": meter.asset,
            "page": page,
            "can_enter": request.portal_scope.can(Function.METERS, Right.CREATE),
        },
    )


@portal_view(Function.METERS, Right.VIEW)
@require_GET
def history_svg(request: PortalRequest, meter_id: int) -> HttpResponse:
    """The monthly chart as an SVG image; ``?download=1`` saves it as a file."""
    meter = visible_meter(request, meter_id)
    chart = chart_for(meter, primary=Branding.current().primary_colour)
    response = HttpResponse(
        render_to_string("meters/chart.svg", {"chart": chart}),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=60"
    if request.GET.get("download"):
        name = slugify(f"meter {meter.asset.serial_number} {meter.meter_type.name}")
        response["Content-Disposition"] = f'attachment; filename="{name}.svg"'
    return response
