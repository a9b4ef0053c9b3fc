"""Customer pages for service requests (T1–T7). Thin: parse, call a service or a query, render.

Requests are fetched only through ``access_object(ServiceRequest, request.portal_scope, ...)`` and
their entries and attachments only through the request's own thread, public ones only.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from portico.accounts.models import User
from portico.core.access import PortalRequest, portal_view
from portico.core.dates import TimeHtml, user_date_format
from portico.core.exports import stream_csv, xlsx_response
from portico.core.live import render_list, render_varying, wants_results_only
from portico.core.paginators import CappedCountPaginator
from portico.core.prepared import PreparedQuery
from portico.core.rights import Function, Right
from portico.threads.downloads import attachment_response
from portico.threads.models import Attachment, Entry

from . import services
from .forms import (
    SORTS,
    CommentForm,
    RequestFilterForm,
    RequestForm,
    RespondForm,
    UploadForm,
)
from .hooks import related_invoices, state_badge
from .listing import DEFAULT_SORT, PAGE_SIZE, RequestListing
from .models import ExtraField, Recommendation, ServiceRequest
from .rows import list_rows, page_reader, request_rows_html, sort_head_html

# The list says "1,000+" rather than counting a huge table on every page view.
TIMELINE_LIMIT = 200
TABS = ["summary", "timeline", "attachments", "invoices", "parts"]
TAB_LABELS = {
    "summary": "Summary",
    "timeline": "Timeline",
    "attachments": "Attachments",
    "invoices": "Invoices",
    "parts": "Parts & labour",
}


# --- lists (T2) ---------------------------------------------------------------------------


def _tab(request: PortalRequest) -> str:
    return "mine" if request.GET.get("tab") == "mine" else "company"


def list_filters(request: PortalRequest) -> tuple[RequestListing, RequestFilterForm]:
    """The list exactly as the URL describes it: tab, filters, search and sort."""
    form = RequestFilterForm(request.GET or None, scope=request.portal_scope)
    listing = RequestListing.of(
        request.portal_scope,
        form.cleaned_data if form.is_valid() else {},
        involving=request.user.pk if _tab(request) == "mine" else None,
        sort=request.GET.get("sort", DEFAULT_SORT),
    )
    return listing, form


# The list's sortable columns, in the table's order: (sort key, heading).
SORT_COLUMNS = (
    ("number", "Number"),
    ("title", "Title"),
    ("site", "Site and machine"),
    ("priority", "Priority"),
    ("status", "Status"),
    ("created", "Created"),
)
_SORT_SLOT = "sortslot0"


def _sort_links(request: PortalRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the URL that sorts by it (the page's query without its
    page number, sorted anew) and its aria-sort state. The query is encoded once and each
    column's sort put in its place (``&`` and ``=`` inside names and values are encoded, so
    ``&sort=`` can only be the sort itself)."""
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = _SORT_SLOT
    before, after = f"&{params.urlencode()}".split(f"&sort={_SORT_SLOT}", 1)
    links = {}
    for key in SORTS:
        if current == key:
            target, state = f"-{key}", "ascending"
        elif current == f"-{key}":
            target, state = key, "descending"
        else:
            target, state = (f"-{key}" if key in ("created", "updated") else key), "none"
        query = f"{before}&sort={target}{after}"[1:]  # without the "&" put before it
        links[key] = {"url": f"?{query}", "aria": state}
    return links


# What a row of the list shows (reading only these skips the long texts and eight dates).
LIST_FIELDS = ("id", "number", "title", "priority", "state", "created_at", "asset_id")
LIST_RELATED = {
    "category_name": F("category__name"),
    "site_name": F("site__name"),
    "serial_number": F("asset__serial_number"),
    "asset_tag": F("asset__asset_tag"),
    "manufacturer": F("asset__product_model__manufacturer"),
    "model_name": F("asset__product_model__name"),
}


def machine_text(row: dict[str, Any]) -> str:
    """ "Kyocera TASKalfa 2554ci · SN-123 · tag A-7": the machine as a list row names it."""
    text = f"{row['manufacturer']} {row['model_name']} · {row['serial_number']}"
    return f"{text} · tag {row['asset_tag']}" if row["asset_tag"] else text


read_list_page = page_reader(LIST_FIELDS, LIST_RELATED)


@portal_view(Function.TICKETS, Right.VIEW)
def request_list(request: PortalRequest) -> HttpResponse:
    listing, form = list_filters(request)
    page = CappedCountPaginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    # Counted, and the page's ids found, without joins (``service.listing``); only then
    # are the joined columns read (``rows.page_reader``).
    rows = read_list_page(page.object_list)
    for row in rows:
        row["machine"] = machine_text(row) if row["asset_id"] else ""
    list_rows(rows, "service:detail", TimeHtml(user_date_format(request.user)))
    params = request.GET.copy()
    params.pop("page", None)
    export_query = params.urlencode()
    return render_list(
        request,
        "service/request_list.html",
        "service/_request_results.html",
        {
            "tab": _tab(request),
            "sort": request.GET.get("sort", ""),
            "form": form,
            "rows": rows,
            "table_rows": request_rows_html(rows),
            "page": page,
            "table_head": sort_head_html(SORT_COLUMNS, _sort_links(request, listing.sort)),
            "export_query": export_query,
            "is_filtered": any(
                request.GET.get(name) for name in form.fields if name in request.GET
            ),
            "can_create": request.portal_scope.can(Function.TICKETS, Right.CREATE),
        },
    )


EXPORT_HEADER = [
    "Number",
    "Title",
    "Status",
    "Priority",
    "Category",
    "Site",
    "Machine",
    "Serial number",
    "Asset tag",
    "Created",
    "Last updated",
]


def _export_rows(qs: QuerySet[ServiceRequest]) -> Iterator[list[Any]]:
    for row in qs.iterator(chunk_size=2000):
        yield [
            row.number,
            row.title,
            row.get_state_display(),
            row.get_priority_display(),
            row.category.name if row.category else "",
            row.site.name if row.site else "",
            str(row.asset.product_model) if row.asset else "",
            row.asset.serial_number if row.asset else "",
            row.asset.asset_tag if row.asset else "",
            row.created_at,
            row.updated_at,
        ]


@portal_view(Function.TICKETS, Right.VIEW)
def export_csv(request: PortalRequest) -> HttpResponseBase:
    qs = list_filters(request)[0].queryset().for_list()
    stamp = timezone.localdate().isoformat()
    return stream_csv(f"service-requests-{stamp}.csv", EXPORT_HEADER, _export_rows(qs))


@portal_view(Function.TICKETS, Right.VIEW)
def export_excel(request: PortalRequest) -> HttpResponseBase:
    qs = list_filters(request)[0].queryset().for_list()
    stamp = timezone.localdate().isoformat()
    return xlsx_response(
        f"service-requests-{stamp}.xlsx", EXPORT_HEADER, _export_rows(qs), sheet="Service requests"
    )


# --- raising a request (T1) ----------------------------------------------------------------


def _initial_place(request: PortalRequest) -> dict[str, Any]:
    """?asset=<id> or ?site=<id>, each only when the scope may see it."""
    from portico.assets.models import Asset
    from portico.customers.models import Site

    initial: dict[str, Any] = {}
    asset_id, site_id = request.GET.get("asset", ""), request.GET.get("site", "")
    if asset_id.isdigit():
        asset = Asset.objects.visible_to(request.portal_scope).filter(pk=asset_id).first()
        if asset is not None:
            initial.update(asset=asset.pk, site=asset.site_id)
            initial["machine"] = asset
    elif site_id.isdigit():
        site = Site.objects.visible_to(request.portal_scope).filter(pk=site_id).first()
        if site is not None:
            initial["site"] = site.pk
    return initial


def add_service_errors(form: Any, error: ValidationError) -> None:
    """Show a service's refusal beside the fields it names, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@portal_view(Function.TICKETS, Right.CREATE)
def request_new(request: PortalRequest) -> HttpResponse:
    initial = _initial_place(request)
    machine = initial.pop("machine", None)
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES, scope=request.portal_scope, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.create_request(
                    scope=request.portal_scope,
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    priority=data["priority"],
                    site=data["site"],
                    asset=data["asset"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    additional_notes=data["additional_notes"],
                    on_behalf_of=data["on_behalf_of"],
                    extra=form.extra_values(),
                    files=request.FILES.getlist("attachments"),
                    submission_key=data["submission_key"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Request {created.number} has been raised.")
                return redirect("service:detail", request_number=created.number)
    else:
        form = RequestForm(scope=request.portal_scope, initial=initial)
    return render(
        request,
        "service/request_form.html",
        {"form": form, "machine": machine},
    )


# --- the request (T3–T7) -------------------------------------------------------------------


def with_relations(pk: int) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(pk=pk).select_related(
        "site",
        "asset",
        "asset__product_model",
        "category",
        "created_by",
        "on_behalf_of",
        "thread",
        "organisation",
    )


@cache
def request_with_relations() -> PreparedQuery[ServiceRequest]:
    """Compiled once: joining eight tables cost the ORM more to write than the database to
    answer (1 ms of the page's 7)."""
    return PreparedQuery(ServiceRequest, with_relations)


@cache
def visible_request_id() -> PreparedQuery[int]:
    """The id of the request a number names, when a scope reaching these organisations
    (and sites) sees it: ``visible_in``, compiled once."""
    return PreparedQuery(
        ServiceRequest,
        lambda organisations, sites, number: (
            ServiceRequest.objects.visible_in(organisations, sites)
            .filter(number=number)
            .values_list("pk", flat=True)[:1]
        ),
    )


def _load(request: PortalRequest, request_number: str) -> ServiceRequest:
    """The request with what every tab shows, or 404 when the scope may not see it.

    The scope decides which request the number names (``visible_in`` its reach); only that
    id is then read with its relations."""
    from django.http import Http404

    ids = visible_request_id()(*request.portal_scope.reach, request_number)
    found = request_with_relations()(ids[0]) if ids else []
    if not found:
        raise Http404("Not found.")
    return found[0]


# What the detail page asks of every request, compiled once each (``core.prepared``).
@cache
def open_recommendations() -> PreparedQuery[Recommendation]:
    """Recommendations still waiting for the customer: pending, or answered by a question."""
    waiting = [Recommendation.Decision.PENDING, Recommendation.Decision.QUESTION]
    return PreparedQuery(
        Recommendation,
        lambda request_id: Recommendation.objects.filter(
            request_id=request_id, decision__in=waiting
        ),
    )


@cache
def watcher_ids() -> PreparedQuery[int]:
    """The user's id when they follow the request."""
    through = ServiceRequest.watchers.through
    return PreparedQuery(
        through,
        lambda request_id, user_id: through.objects.filter(
            servicerequest_id=request_id, user_id=user_id
        ).values_list("user_id", flat=True)[:1],
    )


@cache
def technicians_of() -> PreparedQuery[User]:
    """The technicians assigned to a request, in the users' order."""
    return PreparedQuery(User, lambda request_id: User.objects.filter(assigned_requests=request_id))


# The order a timeline reads its entries in.
NEWEST_FIRST = ("-created_at", "-id")


def thread_entries(service_request: ServiceRequest, *, public_only: bool) -> QuerySet[Entry]:
    """The request's timeline entries a reader may see: customers get public ones only."""
    entries = service_request.thread.entries.all()
    return entries.public() if public_only else entries


def newest_entries(
    service_request: ServiceRequest, *, public_only: bool = True
) -> tuple[list[Entry], bool]:
    """The newest ``TIMELINE_LIMIT`` entries, oldest first, with authors and attachments,
    and whether older ones exist. Customers get public entries and attachments only."""
    attachments = Attachment.objects.all()
    if public_only:
        attachments = attachments.public()
    newest = list(
        thread_entries(service_request, public_only=public_only)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by(*NEWEST_FIRST)[: TIMELINE_LIMIT + 1]
    )
    has_older = len(newest) > TIMELINE_LIMIT
    newest = newest[:TIMELINE_LIMIT]
    newest.reverse()
    return newest, has_older


def timeline_entries(
    service_request: ServiceRequest, *, public_only: bool = True
) -> dict[str, Any]:
    """What ``threads/_timeline.html`` needs for a request, customers' or staff's: the newest
    entries with their recommendations and state badges, and whether older ones exist."""
    newest, has_older = newest_entries(service_request, public_only=public_only)
    recommendations = {
        r.entry_id: r
        for r in service_request.recommendations.filter(entry__in=[e.pk for e in newest])
    }
    for entry in newest:
        entry.recommendation = recommendations.get(entry.pk)  # type: ignore[attr-defined]
        if entry.kind == Entry.Kind.STATE_CHANGE:
            entry.from_badge = state_badge(entry.data.get("from", ""))  # type: ignore[attr-defined]
            entry.to_badge = state_badge(entry.data.get("to", ""))  # type: ignore[attr-defined]
    return {"entries": newest, "has_older_entries": has_older, "timeline_limit": TIMELINE_LIMIT}


def live_timeline(
    request: HttpRequest,
    service_request: ServiceRequest,
    *,
    public_only: bool,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """An open timeline's poll (``threads/_live_timeline.html``): 204 while the newest entry
    it may show is the one it shows, otherwise the timeline again. A customer's timeline
    counts public entries only, so it learns nothing of internal notes."""
    newest = (
        thread_entries(service_request, public_only=public_only)
        .order_by(*NEWEST_FIRST)
        .values_list("pk", flat=True)
        .first()
    )
    if request.GET.get("since") == str(newest or 0):
        return HttpResponse(status=204)
    timeline = timeline_entries(service_request, public_only=public_only)
    return render_varying(request, template, {**context, **timeline_context(timeline)})


def timeline_context(timeline: dict[str, Any]) -> dict[str, Any]:
    """``timeline_entries`` plus what ``threads/_live_timeline.html`` needs to poll."""
    entries = timeline["entries"]
    return {
        **timeline,
        "latest_entry_id": entries[-1].pk if entries else 0,
        "poll_seconds": settings.TIMELINE_POLL_SECONDS,
    }


def extra_facts(service_request: ServiceRequest) -> list[tuple[str, str]]:
    """The provider's extra fields as (label, value), in the order the form shows them."""
    if not service_request.extra:
        return []
    labels = dict(
        ExtraField.objects.filter(key__in=list(service_request.extra))
        .order_by("position")
        .values_list("key", "label")
    )
    return [(labels.get(key, key), str(value)) for key, value in service_request.extra.items()]


def service_levels(service_request: ServiceRequest) -> list[dict[str, Any]]:
    """Response and resolution targets and whether they were met (T6)."""
    now = timezone.now()
    targets = [
        ("Response", service_request.response_due_at, service_request.acknowledged_at),
        ("Resolution", service_request.resolution_due_at, service_request.resolved_at),
    ]
    result = []
    for name, due, done in targets:
        if due is None:
            continue
        if done is not None:
            status, badge = ("Met", "done") if done <= due else ("Breached", "rejected")
        elif service_request.state == ServiceRequest.State.CANCELLED:
            status, badge = "Not applicable", "cancelled"
        elif now > due:
            status, badge = "Breached", "rejected"
        else:
            status, badge = "On track", ""
        result.append({"name": name, "due": due, "done": done, "status": status, "badge": badge})
    return result


RIBBON = [
    ServiceRequest.State.NEW,
    ServiceRequest.State.ACKNOWLEDGED,
    ServiceRequest.State.SCHEDULED,
    ServiceRequest.State.IN_PROGRESS,
    ServiceRequest.State.RESOLVED,
    ServiceRequest.State.CLOSED,
]


def status_ribbon(service_request: ServiceRequest) -> list[dict[str, Any]]:
    state = service_request.state
    position = {
        ServiceRequest.State.AWAITING_CUSTOMER: RIBBON.index(ServiceRequest.State.IN_PROGRESS),
    }.get(
        ServiceRequest.State(state),
        RIBBON.index(ServiceRequest.State(state)) if state in RIBBON else -1,
    )
    return [
        {
            "label": step.label,
            "done": index < position,
            "current": index == position,
        }
        for index, step in enumerate(RIBBON)
    ]


@portal_view(Function.TICKETS, Right.VIEW)
def request_detail(request: PortalRequest, request_number: str) -> HttpResponse:
    service_request = _load(request, request_number)
    tab = request.GET.get("tab", "summary")
    if tab not in TABS:
        tab = "summary"
    scope = request.portal_scope
    if tab == "timeline" and wants_results_only(request):
        return live_timeline(
            request,
            service_request,
            public_only=True,
            template="service/_request_timeline.html",
            context={
                "service_request": service_request,
                "can_respond": scope.can(Function.TICKETS, Right.AMEND),
            },
        )
    pending = open_recommendations()(service_request.pk)
    context: dict[str, Any] = {
        "service_request": service_request,
        "badge": state_badge(service_request.state),
        "tab": tab,
        "tabs": [(key, TAB_LABELS[key]) for key in TABS],
        "pending_recommendations": pending,
        "can_comment": scope.can(Function.TICKETS, Right.CREATE),
        "can_respond": scope.can(Function.TICKETS, Right.AMEND),
        "can_cancel": scope.can(Function.TICKETS, Right.CREATE)
        and service_request.state == ServiceRequest.State.NEW,
        "can_reopen": scope.can(Function.TICKETS, Right.CREATE)
        and services.can_reopen(service_request),
        "is_watching": bool(watcher_ids()(service_request.pk, request.user.pk)),
        "technicians": technicians_of()(service_request.pk),
    }
    if tab == "summary":
        context["ribbon"] = status_ribbon(service_request)
        context["service_levels"] = service_levels(service_request)
        context["reopen_deadline"] = services.reopen_deadline(service_request)
        context["extra_facts"] = extra_facts(service_request)
    elif tab == "timeline":
        context.update(timeline_context(timeline_entries(service_request)))
        context["comment_form"] = CommentForm()
    elif tab == "attachments":
        context["attachments"] = list(
            service_request.thread.attachments.public().select_related("uploaded_by")
        )
        context["upload_form"] = UploadForm()
    elif tab == "invoices":
        context["can_see_invoices"] = scope.can(Function.INVOICES, Right.VIEW)
        context["invoices"] = (
            related_invoices(service_request, scope) if context["can_see_invoices"] else []
        )
    elif tab == "parts":
        lines = list(service_request.work_lines.all())
        context["work_lines"] = lines
        context["work_total"] = sum((line.total for line in lines), start=0)
        context["work_currency"] = lines[0].currency if lines else "GBP"
    return render(request, "service/request_detail.html", context)


def _detail_url(service_request: ServiceRequest, tab: str = "summary") -> str:
    url = reverse("service:detail", args=[service_request.number])
    return f"{url}?{urlencode({'tab': tab})}" if tab != "summary" else url


@portal_view(Function.TICKETS, Right.CREATE)
@require_POST
def request_comment(request: PortalRequest, request_number: str) -> HttpResponse:
    service_request = _load(request, request_number)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.comment_on_request(
                request=service_request,
                actor=request.user,
                body=form.cleaned_data["body"],
                files=request.FILES.getlist("attachments"),
                scope=request.portal_scope,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your comment has been added.")
            return redirect(_detail_url(service_request, "timeline") + "#latest")
    return render(
        request,
        "service/request_detail.html",
        {
            "service_request": service_request,
            "badge": state_badge(service_request.state),
            "tab": "timeline",
            "tabs": [(key, TAB_LABELS[key]) for key in TABS],
            **timeline_entries(service_request),
            "comment_form": form,
            "can_comment": True,
        },
        status=400,
    )


@portal_view(Function.TICKETS, Right.CREATE)
@require_POST
def request_upload(request: PortalRequest, request_number: str) -> HttpResponse:
    service_request = _load(request, request_number)
    try:
        added = services.attach_files(
            request=service_request,
            actor=request.user,
            files=request.FILES.getlist("attachments"),
            scope=request.portal_scope,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        count = len(added)
        messages.success(request, f"{count} file{'s' if count != 1 else ''} added.")
    return redirect(_detail_url(service_request, "attachments"))


@portal_view(Function.TICKETS, Right.VIEW)
def attachment_download(
    request: PortalRequest, request_number: str, attachment_id: int
) -> HttpResponseBase:
    service_request = _load(request, request_number)
    try:
        attachment = service_request.thread.attachments.public().get(pk=attachment_id)
    except Attachment.DoesNotExist as exc:
        from django.http import Http404

        raise Http404("Not found.") from exc
    return attachment_response(attachment)


@portal_view(Function.TICKETS, Right.AMEND)
def recommendation_respond(
    request: PortalRequest, request_number: str, recommendation_id: int
) -> HttpResponse:
    service_request = _load(request, request_number)
    try:
        recommendation = service_request.recommendations.select_related("created_by").get(
            pk=recommendation_id
        )
    except Recommendation.DoesNotExist as exc:
        from django.http import Http404

        raise Http404("Not found.") from exc
    form = RespondForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_recommendation(
                recommendation=recommendation,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                question=form.cleaned_data["question"],
                scope=request.portal_scope,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.AlreadyDecided as error:
            messages.warning(request, str(error))
            return redirect(_detail_url(service_request, "timeline"))
        else:
            messages.success(request, "Your response has been recorded.")
            return redirect(_detail_url(service_request, "timeline") + "#latest")
    is_final = recommendation.decision in (
        Recommendation.Decision.APPROVED,
        Recommendation.Decision.DECLINED,
    )
    return render(
        request,
        "service/respond.html",
        {
            "service_request": service_request,
            "recommendation": recommendation,
            "form": form,
            "is_final": is_final,
        },
        status=400 if form.errors else 200,
    )


def _state_action(
    request: PortalRequest, request_number: str, action: Any, done: str
) -> HttpResponse:
    service_request = _load(request, request_number)
    try:
        action(request=service_request, actor=request.user, scope=request.portal_scope)
    except services.ServiceRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(_detail_url(service_request))


@portal_view(Function.TICKETS, Right.CREATE)
@require_POST
def request_cancel(request: PortalRequest, request_number: str) -> HttpResponse:
    return _state_action(
        request, request_number, services.cancel_request, "The request has been cancelled."
    )


@portal_view(Function.TICKETS, Right.CREATE)
@require_POST
def request_reopen(request: PortalRequest, request_number: str) -> HttpResponse:
    return _state_action(
        request, request_number, services.reopen_request, "The request has been reopened."
    )


@portal_view(Function.TICKETS, Right.VIEW)
@require_POST
def request_watch(request: PortalRequest, request_number: str) -> HttpResponse:
    service_request = _load(request, request_number)
    if request.POST.get("action") == "unwatch":
        services.unwatch(request=service_request, actor=request.user, scope=request.portal_scope)
        messages.success(request, "You no longer follow this request.")
    else:
        services.watch(request=service_request, actor=request.user, scope=request.portal_scope)
        messages.success(request, "You now follow this request and get its updates by e-mail.")
    return redirect(_detail_url(service_request))
