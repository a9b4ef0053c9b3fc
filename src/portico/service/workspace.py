"""The agents' workspace: provider staff work the queue of every organisation's requests.

Staff only: anonymous visitors go to the login page, customers get 404 (like the back office),
so a customer never learns the workspace exists. Every write goes through ``services``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from functools import cache, wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portico.accounts.models import User
from portico.core.dates import TimeHtml, format_date, user_date_format
from portico.core.live import render_list, wants_results_only
from portico.core.prepared import PreparedQuery
from portico.core.rights import Right
from portico.threads.downloads import attachment_response

from . import services
from .hooks import state_badge
from .models import Recommendation, ServiceRequest
from .rows import Row, list_rows, page_reader, queue_rows_html
from .views import (
    add_service_errors,
    live_timeline,
    service_levels,
    timeline_context,
    timeline_entries,
)
from .workspace_forms import (
    ALL,
    MINE,
    OPEN,
    UNASSIGNED,
    AssignForm,
    CommentForm,
    QueueFilterForm,
    RecommendationForm,
    ScheduleForm,
    StateForm,
    WorkLineForm,
)

# The function name staff routes declare instead of a customer function (see ``staff_view``).
STAFF = "staff"
PAGE_SIZE = 25
# The queue is worked from the top; deep pages would read more index rows per state.
MAX_PAGE = 400

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def staff_view(right: Right = Right.VIEW) -> Callable[[V], V]:
    """Declare and enforce provider-staff access: anonymous → login, everyone else → 404."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_active and request.user.is_staff):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.portal_access = (STAFF, right)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


# --- The queue ------------------------------------------------------------------------


def filtered_requests(
    priority: str | None, organisation: str | None, assignee: int | None, text: str | None
) -> QuerySet[ServiceRequest]:
    """Every filter of the bar except the state, which decides how the queue is read (and
    "Unassigned", which is a part's own): a filter that is None is not applied."""
    requests = ServiceRequest.objects.all()
    if priority is not None:
        requests = requests.filter(priority=priority)
    if organisation is not None:
        requests = requests.filter(
            Q(organisation__name__icontains=organisation)
            | Q(organisation__customer_number__icontains=organisation)
        )
    if assignee is not None:
        requests = requests.filter(assigned_to=assignee)
    if text is not None:
        requests = requests.filter(
            Q(number__iexact=text)
            | Q(title__icontains=text)
            | Q(organisation__name__icontains=text)
        )
    return requests


def target_field(state: str) -> str:
    """The service-level target that runs in a state: response while new, resolution after."""
    return "response_due_at" if state == ServiceRequest.State.NEW else "resolution_due_at"


# The parts the queue is read in, in its order (see ``queue_ids``).
IN_STATE, DUE, UNDATED, CLOSED = "in_state", "due", "undated", "closed"


def queue_part(
    *keys: Any, unassigned: bool, part: str, state: str, states: tuple[str, ...], limit: int
) -> QuerySet[ServiceRequest, int]:
    """The first ``limit`` ids of one part of the queue, each read along an index."""
    requests = filtered_requests(*keys)
    if unassigned:
        requests = requests.filter(assigned_to__isnull=True)
    if part == IN_STATE:
        # One state: along its (state, target) index; the target is that state's own.
        field = target_field(state)
        requests = requests.filter(state=state, **{f"{field}__isnull": False}).order_by(field, "pk")
    elif part == DUE:
        requests = requests.filter(queue_due_at__isnull=False).order_by("queue_due_at", "pk")
    elif part == UNDATED:
        requests = requests.filter(state__in=states, queue_due_at__isnull=True).order_by("-pk")
    elif state == ALL:
        requests = requests.exclude(state__in=ServiceRequest.OPEN_STATES).order_by("-pk")
    else:
        requests = requests.filter(state=state).order_by("-pk")
    return requests.values_list("pk", flat=True)[:limit]


@cache
def queue_part_ids() -> PreparedQuery[int]:
    """``queue_part``, compiled once per shape: the filters' values are its keys; the part,
    the state and the limit are part of the shape (a search goes through the ORM)."""
    return PreparedQuery(ServiceRequest, queue_part)


def queue_ids(filters: dict[str, Any], user: Any, limit: int) -> list[int]:
    """The first ``limit`` request ids of the queue, in queue order.

    Open requests come first, ordered by their running target (``queue_due_at``: so
    breached ones, most overdue first, lead, then the soonest due); open requests without a
    target follow, then, when asked for, closed ones, newest first. Every read follows an
    index and stops at ``limit`` rows, so a page costs the same few queries at any table
    size instead of sorting every open row.
    """
    keys = (
        filters["priority"] or None,
        filters["organisation"] or None,
        user.pk if filters["assigned"] == MINE else None,
        filters["q"] or None,
    )
    state = filters["state"]
    open_states = list(ServiceRequest.OPEN_STATES)
    if state in open_states:
        open_states = [state]
    elif state != OPEN and state != ALL:
        open_states = []

    def read(part: str, states: tuple[str, ...] = ()) -> list[int]:
        return queue_part_ids()(
            *keys,
            unassigned=filters["assigned"] == UNASSIGNED,
            part=part,
            state=state,
            states=states,
            limit=limit - len(ids),
        )

    ids: list[int] = []
    if len(open_states) == 1:
        ids += read(IN_STATE)
    elif open_states:
        ids += read(DUE)
    if len(ids) < limit and open_states:
        ids += read(UNDATED, tuple(open_states))
    if len(ids) < limit and state not in open_states and state != OPEN:
        ids += read(CLOSED)
    return ids


# What a row of the queue shows (and reads to decide it).
QUEUE_FIELDS = ("id", "number", "title", "priority", "state", "created_at")
QUEUE_RELATED = {
    "next_due": F("queue_due_at"),
    "organisation_name": F("organisation__name"),
    "site_name": F("site__name"),
}


read_queue_page = page_reader(QUEUE_FIELDS, QUEUE_RELATED)


@cache
def queue_technicians() -> PreparedQuery[tuple[int, str, str]]:
    """(request id, full name, e-mail) of the technicians assigned to the requests."""
    through = ServiceRequest.assigned_to.through
    return PreparedQuery(
        through,
        lambda ids: (
            through.objects.filter(servicerequest_id__in=ids)
            .order_by("pk")
            .values_list("servicerequest_id", "user__full_name", "user__email")
        ),
    )


def queue_page(filters: dict[str, Any], user: Any, number: int) -> tuple[list[Row], bool]:
    """One page in a bounded number of queries, without counting the whole table."""
    start = (number - 1) * PAGE_SIZE
    ids = queue_ids(filters, user, start + PAGE_SIZE + 1)
    has_next = len(ids) > start + PAGE_SIZE
    ids = ids[start : start + PAGE_SIZE]
    page = read_queue_page(ids)
    # The technicians' names in one read of the assignment table: a prefetch would build a
    # filtered QuerySet per row (an eighth of the page's time).
    assigned: dict[int, list[str]] = {}
    for request_id, full_name, email in queue_technicians()(ids):
        assigned.setdefault(request_id, []).append(
            User(full_name=full_name, email=email).get_short_name()
        )
    now = timezone.now()
    time_html = TimeHtml(user_date_format(user), now)
    list_rows(page, "workspace:request", time_html)
    for row in page:
        # next_due (queue_due_at) is empty once a request is closed.
        due = row["next_due"]
        row["sla_breached"] = bool(due and due < now)
        row["due_html"] = time_html(due) if due else ""
        row["assigned_names"] = ", ".join(assigned.get(row["id"], ()))
    return page, has_next


def page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), MAX_PAGE))
    except ValueError:
        return 1


@staff_view(Right.VIEW)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    number = page_number(request)
    rows, has_next = queue_page(filters, request.user, number)
    return render_list(
        request,
        "service/workspace/queue.html",
        "service/workspace/_queue_results.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "table_rows": queue_rows_html(rows),
            "page_number": number,
            "has_next": has_next,
            "has_previous": number > 1,
            "is_filtered": any(request.GET.get(k) for k in form.fields),
        },
    )


# --- One request ----------------------------------------------------------------------


def staff_request(number: str) -> ServiceRequest:
    """Staff see every organisation's requests; the number is the only key."""
    return get_object_or_404(
        ServiceRequest.objects.select_related(
            "organisation",
            "site",
            "asset__product_model",
            "category",
            "created_by",
            "on_behalf_of",
            "thread",
        ),
        number=number,
    )


def action_forms(service_request: ServiceRequest, technicians: list[Any]) -> dict[str, forms.Form]:
    """Unbound forms for every action, each with its own prefix so ids never clash."""
    return {
        "comment_form": CommentForm(prefix="comment"),
        "state_form": StateForm(prefix="state", service_request=service_request),
        "assign_form": AssignForm(
            prefix="assign",
            initial={"technicians": technicians},
        ),
        "schedule_form": ScheduleForm(
            prefix="schedule",
            initial={
                "when": timezone.localtime(service_request.scheduled_for)
                if service_request.scheduled_for
                else None
            },
        ),
        "recommendation_form": RecommendationForm(prefix="recommendation"),
        "work_form": WorkLineForm(prefix="work"),
    }


def render_request(
    request: HttpRequest,
    service_request: ServiceRequest,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    timeline = timeline_entries(service_request, public_only=False)
    work_lines = list(service_request.work_lines.select_related("logged_by"))
    technicians = list(service_request.assigned_to.all())
    context: dict[str, Any] = {
        "sr": service_request,
        **timeline_context(timeline),
        "work_lines": work_lines,
        "work_total": sum((line.total for line in work_lines), start=0),
        "technicians": technicians,
        "service_levels": service_levels(service_request),
        "pending_recommendations": list(
            service_request.recommendations.filter(decision=Recommendation.Decision.PENDING)
        ),
        "badge": state_badge(service_request.state),
        **action_forms(service_request, technicians),
        **(bound or {}),
    }
    context["failed_form"] = next(iter(bound), None) if bound else None
    return render(request, "service/workspace/request.html", context, status=status)


@staff_view(Right.VIEW)
@require_GET
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    service_request = staff_request(number)
    if request.GET.get("tab") == "timeline" and wants_results_only(request):
        return live_timeline(
            request,
            service_request,
            public_only=False,
            template="service/workspace/_timeline.html",
            context={"sr": service_request},
        )
    return render_request(request, service_request)


def request_url(service_request: ServiceRequest, anchor: str = "") -> str:
    url = reverse("workspace:request", args=[service_request.number])
    return f"{url}#{anchor}" if anchor else url


def perform_action(
    request: HttpRequest,
    number: str,
    *,
    name: str,
    make_form: Callable[[ServiceRequest], forms.Form],
    act: Callable[[ServiceRequest, dict[str, Any]], str],
    anchor: str,
) -> HttpResponse:
    """Validate one action's form, call the service, redirect back with a confirmation.

    Bad input re-renders the request with the form's errors and changes nothing.
    """
    service_request = staff_request(number)
    form = make_form(service_request)
    if form.is_valid():
        try:
            confirmation = act(service_request, form.cleaned_data)
        # Refusals the user can fix: shown with the form, nothing written.
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.ServiceRequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, confirmation)
            return redirect(request_url(service_request, anchor))
    return render_request(request, service_request, bound={name: form}, status=400)


@staff_view(Right.AMEND)
@require_POST
def comment(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: ServiceRequest, data: dict[str, Any]) -> str:
        services.comment_on_request(
            request=sr,
            actor=request.user,
            body=data["body"],
            files=data["attachments"],
            internal=data["internal"],
        )
        return "Internal note added." if data["internal"] else "Reply sent to the customer."

    return perform_action(
        request,
        number,
        name="comment_form",
        make_form=lambda sr: CommentForm(request.POST, request.FILES, prefix="comment"),
        act=act,
        anchor="timeline",
    )


@staff_view(Right.AMEND)
@require_POST
def change_state(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: ServiceRequest, data: dict[str, Any]) -> str:
        updated = services.change_state(
            request=sr, new_state=data["new_state"], actor=request.user, note=data["note"]
        )
        return f"{updated.number} is now {updated.get_state_display().lower()}."

    return perform_action(
        request,
        number,
        name="state_form",
        make_form=lambda sr: StateForm(request.POST, prefix="state", service_request=sr),
        act=act,
        anchor="state",
    )


@staff_view(Right.AMEND)
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: ServiceRequest, data: dict[str, Any]) -> str:
        technicians = list(data["technicians"])
        services.assign_technicians(request=sr, actor=request.user, technicians=technicians)
        if not technicians:
            return "No technicians are assigned now."
        return "Assigned to " + ", ".join(t.get_full_name() for t in technicians) + "."

    return perform_action(
        request,
        number,
        name="assign_form",
        make_form=lambda sr: AssignForm(request.POST, prefix="assign"),
        act=act,
        anchor="assign",
    )


@staff_view(Right.AMEND)
@require_POST
def schedule(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: ServiceRequest, data: dict[str, Any]) -> str:
        when: datetime = data["when"]
        services.schedule_visit(request=sr, actor=request.user, when=when)
        shown = format_date(when, user_date_format(request.user) + " H:i")
        return f"Visit scheduled for {shown}."

    return perform_action(
        request,
        number,
        name="schedule_form",
        make_form=lambda sr: ScheduleForm(request.POST, prefix="schedule"),
        act=act,
        anchor="schedule",
    )


@staff_view(Right.AMEND)
@require_POST
def recommend(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: ServiceRequest, data: dict[str, Any]) -> str:
        services.add_recommendation(
            request=sr, actor=request.user, description=data["description"], amount=data["amount"]
        )
        return "Recommendation added; the customer can now respond."

    return perform_action(
        request,
        number,
        name="recommendation_form",
        make_form=lambda sr: RecommendationForm(request.POST, prefix="recommendation"),
        act=act,
        anchor="timeline",
    )


@staff_view(Right.AMEND)
@require_POST
def log_work(request: HttpRequest, number: str) -> HttpResponse:
    def act(sr: ServiceRequest, data: dict[str, Any]) -> str:
        services.log_work(
            request=sr,
            actor=request.user,
            kind=data["kind"],
            description=data["description"],
            quantity=data["quantity"],
            hours=data["hours"],
            unit_price=data["unit_price"],
        )
        return "Work line logged."

    return perform_action(
        request,
        number,
        name="work_form",
        make_form=lambda sr: WorkLineForm(request.POST, prefix="work"),
        act=act,
        anchor="work",
    )


@staff_view(Right.VIEW)
@require_GET
def attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """Staff download any attachment of the request, public or internal; never inline."""
    service_request = staff_request(number)
    return attachment_response(get_object_or_404(service_request.thread.attachments.all(), pk=pk))


# --- Benchmark floor --------------------------------------------------------------------


def bench_enabled() -> bool:
    return os.environ.get("PORTICO_BENCH") == "1"


@require_GET
def bench_hello(request: HttpRequest) -> HttpResponse:
    """The framework floor for ``make bench``: no database, no template. Served only when
    PORTICO_BENCH=1 (see workspace_urls)."""
    return HttpResponse(b"hello", content_type="text/plain")
