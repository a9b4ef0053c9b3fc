"""Every write a service request allows, as plain functions taking the acting user.

State changes go only through ``change_state`` (agents) or ``_change_state`` (the customer
paths, which check their own rules), both writing the timeline. Functions a customer can
trigger take an optional ``scope``: when given, the right and the request's
visibility are checked again here, whatever the view already checked.

Rights (Function.TICKETS): view a request and watch it = VIEW; raise a request, comment on
it, cancel a New one, reopen a Resolved one = CREATE; respond to a recommendation = AMEND.
Agent actions (assign, schedule, recommend, log work, internal notes) need ``is_staff``.

Decisions on a recommendation (T5): "approve" and "decline" are final and recorded once;
"ask a question" keeps the recommendation open (a comment goes on the timeline) and may be
asked once, after which approve/decline stay possible. A final decision hands the request
back to the agents: Awaiting customer → In progress. Posting a recommendation moves the
request to Awaiting customer when the transition table allows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from portico.accounts.models import User
from portico.core.access import Scope
from portico.core.models import next_number
from portico.core.rights import Function, Right
from portico.threads.models import Entry, Visibility
from portico.threads.services import (
    add_attachment,
    add_comment,
    add_entry,
    create_thread,
    record_state_change,
    validate_upload,
)

from .models import (
    Category,
    ExtraField,
    Priority,
    Recommendation,
    ServiceLevel,
    ServiceRequest,
    ServiceSettings,
    WorkLine,
)


class ServiceRequestError(Exception):
    """Something the user asked for that the request's rules do not allow; the message is
    a sentence for the user."""


class InvalidTransition(ServiceRequestError):
    """A state change the transition table does not allow; the message is for the user."""


class AlreadyDecided(ServiceRequestError):
    """A second (or replayed) decision on a recommendation."""


STATE_TIMESTAMPS = {
    ServiceRequest.State.ACKNOWLEDGED: "acknowledged_at",
    ServiceRequest.State.RESOLVED: "resolved_at",
    ServiceRequest.State.CLOSED: "closed_at",
}
STATE_LABELS = dict(ServiceRequest.State.choices)


# --- checks -------------------------------------------------------------------------


def _is_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_staff", False))


def _require_staff(actor: Any) -> None:
    if not _is_staff(actor):
        raise PermissionDenied("Only provider staff can do this.")


def _check_scope(scope: Scope | None, right: Right, request: ServiceRequest | None = None) -> None:
    """Re-check the right, and that the request is one the scope may see."""
    if scope is None:
        return
    if not scope.can(Function.TICKETS, right):
        raise PermissionDenied("Your access rights do not include this action.")
    if request is not None and not (
        ServiceRequest.objects.visible_to(scope).filter(pk=request.pk).exists()
    ):
        raise PermissionDenied("This request is not visible to you.")


def _lock(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().select_related("thread").get(pk=request.pk)


# --- service levels and state ----------------------------------------------------------


def apply_service_level(request: ServiceRequest) -> None:
    """Set response and resolution targets from the priority's service level (T6)."""
    level = ServiceLevel.objects.filter(priority=request.priority).first()
    start = request.created_at or timezone.now()
    if level is None:
        request.response_due_at = request.resolution_due_at = None
        return
    request.response_due_at = start + timedelta(hours=level.response_hours)
    request.resolution_due_at = start + timedelta(hours=level.resolution_hours)


@transaction.atomic
def change_state(
    *,
    request: ServiceRequest,
    new_state: str,
    actor: Any,
    note: str = "",
    notify: bool = True,
) -> ServiceRequest:
    """An agent moves a request along the transition table; recorded and e-mailed.

    Provider staff only: the customer paths (cancel, reopen, a decision on a recommendation)
    check their own rules and go through ``_change_state``.
    """
    _require_staff(actor)
    return _change_state(
        request=request, new_state=new_state, actor=actor, note=note, notify=notify
    )


def _change_state(
    *,
    request: ServiceRequest,
    new_state: str,
    actor: Any,
    note: str = "",
    notify: bool = True,
) -> ServiceRequest:
    """Move a request along the transition table and record who did it and when.

    The caller has checked the actor's rights. A change made by provider staff is e-mailed
    to the customer people involved.
    """
    locked = _lock(request)
    old_state = locked.state
    if old_state == new_state:
        return locked
    if not locked.can_become(new_state):
        raise InvalidTransition(
            f"A request that is {locked.get_state_display().lower()} cannot become "
            f"{ServiceRequest.State(new_state).label.lower()}."
        )
    locked.state = new_state
    fields = ["state", "updated_at"]
    stamp = STATE_TIMESTAMPS.get(ServiceRequest.State(new_state))
    # First acknowledgement counts; a request resolved again after reopening gets a new date.
    if stamp is not None and (getattr(locked, stamp) is None or stamp == "resolved_at"):
        setattr(locked, stamp, timezone.now())
        fields.append(stamp)
    locked.save(update_fields=fields)
    entry = record_state_change(
        locked.thread, old_state, new_state, actor=actor, labels=STATE_LABELS, note=note
    )
    if notify and _is_staff(actor):
        from .notifications import notify_customers

        notify_customers(request=locked, entry=entry, actor=actor)
    return locked


# --- T1: raising a request --------------------------------------------------------------


def _clean_extra(category: Category | None, extra: dict[str, Any]) -> dict[str, str]:
    """Validate the provider's extra fields for the category; errors keyed ``extra_<key>``."""
    fields = ExtraField.objects.filter(Q(category__isnull=True) | Q(category=category))
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields:
        value = extra.get(field.key)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        text = "" if value is None else str(value).strip()
        if not text:
            if field.is_required:
                errors[f"extra_{field.key}"] = f"Enter {field.label.lower()}."
            continue
        if field.kind == ExtraField.Kind.CHOICE and text not in field.choice_list():
            errors[f"extra_{field.key}"] = f"Choose one of the options for {field.label.lower()}."
            continue
        if field.kind == ExtraField.Kind.DATE:
            try:
                text = date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                errors[f"extra_{field.key}"] = f"Enter {field.label.lower()} as a date."
                continue
        cleaned[field.key] = text[:500]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _resolve_place(scope: Scope | None, site: Any, asset: Any) -> tuple[Any, Any, Any]:
    """The organisation, site and machine of a new request, each one the scope may see."""
    from portico.assets.models import Asset
    from portico.customers.models import Site

    if asset is not None:
        if scope is not None and not Asset.objects.visible_to(scope).filter(pk=asset.pk).exists():
            raise ValidationError({"asset": "Choose a machine from your equipment."})
        if site is not None and asset.site_id != site.pk:
            raise ValidationError({"asset": "The machine is not at the chosen site."})
        site = asset.site
    if site is not None:
        if scope is not None and not Site.objects.visible_to(scope).filter(pk=site.pk).exists():
            raise ValidationError({"site": "Choose one of your sites."})
        return site.organisation, site, asset
    if scope is None:
        raise ValidationError({"site": "Choose the site."})
    if scope.site_ids is not None:
        # A site-scoped user would not see a request without a site.
        raise ValidationError({"site": "Choose the site the request is about."})
    return scope.organisation, None, None


def on_behalf_choices(organisation: Any, site: Any, *, any_site: bool = False) -> QuerySet[User]:
    """Colleagues a request at ``site`` may be raised for: active members of the organisation
    whose membership may view service requests and covers the site (all sites without one).

    ``any_site`` skips the site condition, for a form shown before the site is chosen.
    """
    from portico.customers.models import Membership

    members = Membership.objects.filter(organisation=organisation, tickets__gte=Right.VIEW)
    if site is not None and not any_site:
        members = members.filter(Q(all_sites=True) | Q(sites=site))
    elif not any_site:
        members = members.filter(all_sites=True)
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True, is_staff=False)


def _check_colleague(organisation: Any, site: Any, person: Any) -> None:
    if person is None:
        return
    if not on_behalf_choices(organisation, site).filter(pk=person.pk).exists():
        raise ValidationError(
            {"on_behalf_of": "Choose a colleague who can see service requests at this site."}
        )


@transaction.atomic
def create_request(
    *,
    scope: Scope | None,
    actor: Any,
    title: str,
    description: str,
    category: Category | None = None,
    priority: str = Priority.NORMAL,
    site: Any = None,
    asset: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    additional_notes: str = "",
    on_behalf_of: Any = None,
    extra: dict[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
    submission_key: str | None = None,
) -> ServiceRequest:
    """Raise a service request (T1) with its thread, number (REQ-000123) and targets (T6).

    The same ``submission_key`` twice (a double click, a replayed POST) returns the request
    the first submission created.
    """
    submission_key = (submission_key or "").strip()[:64] or None
    if submission_key:
        existing = ServiceRequest.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            if existing.created_by_id != getattr(actor, "pk", None):
                raise PermissionDenied("This form was submitted by someone else.")
            return existing
    _check_scope(scope, Right.CREATE)
    title, description = title.strip(), description.strip()
    errors = {}
    if not title:
        errors["title"] = "Enter a short title for the request."
    if not description:
        errors["description"] = "Describe the fault or what you need."
    if priority not in Priority.values:
        errors["priority"] = "Choose a priority."
    if errors:
        raise ValidationError(errors)
    if category is not None and not category.is_active:
        raise ValidationError({"category": "Choose a category from the list."})
    organisation, site, asset = _resolve_place(scope, site, asset)
    _check_colleague(organisation, site, on_behalf_of)
    cleaned_extra = _clean_extra(category, extra or {})
    for upload in files:
        validate_upload(upload)  # before anything is written: nothing half-saved

    try:
        with transaction.atomic():
            request = ServiceRequest(
                number=next_number("REQ"),
                organisation=organisation,
                site=site,
                asset=asset,
                category=category,
                priority=priority,
                title=title[:200],
                description=description,
                contact_name=contact_name.strip(),
                contact_phone=contact_phone.strip(),
                additional_notes=additional_notes.strip(),
                extra=cleaned_extra,
                created_by=actor,
                on_behalf_of=on_behalf_of,
                thread=create_thread(),
                submission_key=submission_key,
            )
            request.save()
            apply_service_level(request)  # counted from created_at, set by the save
            request.save(update_fields=["response_due_at", "resolution_due_at"])
    except IntegrityError:
        # Two submissions raced past the check above: the other one won.
        existing = ServiceRequest.objects.filter(submission_key=submission_key).first()
        if submission_key and existing is not None:
            return existing
        raise
    add_entry(
        thread=request.thread,
        kind=Entry.Kind.SYSTEM,
        author=actor,
        body=f"Request {request.number} raised.",
        data={"event": "created"},
    )
    for upload in files:
        add_attachment(thread=request.thread, upload=upload, uploaded_by=actor)
    return request


# --- customer actions -------------------------------------------------------------------


@transaction.atomic
def cancel_request(
    *, request: ServiceRequest, actor: Any, scope: Scope | None = None, note: str = ""
) -> ServiceRequest:
    """Customers may cancel a New request; staff follow the transition table."""
    _check_scope(scope, Right.CREATE, request)
    locked = _lock(request)
    if not _is_staff(actor) and locked.state != ServiceRequest.State.NEW:
        raise InvalidTransition(
            "Only a new request can be cancelled. Add a comment to ask the service team."
        )
    return _change_state(
        request=locked, new_state=ServiceRequest.State.CANCELLED, actor=actor, note=note
    )


def reopen_deadline(request: ServiceRequest) -> datetime | None:
    """Until when a customer may reopen a resolved request, or None."""
    if request.state != ServiceRequest.State.RESOLVED or request.resolved_at is None:
        return None
    return request.resolved_at + timedelta(days=ServiceSettings.current().reopen_days)


def can_reopen(request: ServiceRequest) -> bool:
    deadline = reopen_deadline(request)
    return deadline is not None and timezone.now() <= deadline


@transaction.atomic
def reopen_request(
    *, request: ServiceRequest, actor: Any, scope: Scope | None = None, note: str = ""
) -> ServiceRequest:
    """Customers may reopen a Resolved request within ServiceSettings.reopen_days."""
    _check_scope(scope, Right.CREATE, request)
    locked = _lock(request)
    if locked.state != ServiceRequest.State.RESOLVED:
        raise InvalidTransition("Only a resolved request can be reopened.")
    if not _is_staff(actor) and not can_reopen(locked):
        days = ServiceSettings.current().reopen_days
        raise InvalidTransition(
            f"A request can be reopened within {days} days of being resolved. "
            "Please raise a new request."
        )
    return _change_state(
        request=locked,
        new_state=ServiceRequest.State.IN_PROGRESS,
        actor=actor,
        note=note or "Reopened.",
    )


@transaction.atomic
def comment_on_request(
    *,
    request: ServiceRequest,
    actor: Any,
    body: str,
    files: Sequence[UploadedFile] = (),
    internal: bool = False,
    scope: Scope | None = None,
) -> Entry:
    """A comment (T4), optionally with attachments; internal notes are for staff only.

    A public comment by staff is e-mailed to the customer people involved; a customer's
    comment to the assigned agents. Internal notes are never e-mailed.
    """
    _check_scope(scope, Right.CREATE, request)
    if internal:
        _require_staff(actor)
    for upload in files:
        validate_upload(upload)
    entry = add_comment(
        thread=request.thread,
        author=actor,
        body=body,
        visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
        files=list(files),
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now())
    if not internal:
        from .notifications import notify_agents, notify_customers

        if _is_staff(actor):
            notify_customers(request=request, entry=entry, actor=actor)
        else:
            notify_agents(request=request, entry=entry, actor=actor)
    return entry


def add_internal_note(
    *, request: ServiceRequest, actor: Any, body: str, files: Sequence[UploadedFile] = ()
) -> Entry:
    return comment_on_request(request=request, actor=actor, body=body, files=files, internal=True)


@transaction.atomic
def attach_files(
    *,
    request: ServiceRequest,
    actor: Any,
    files: Sequence[UploadedFile],
    scope: Scope | None = None,
) -> list[Any]:
    """Upload files to the request's Attachments tab (each gets a timeline entry)."""
    _check_scope(scope, Right.CREATE, request)
    if not files:
        raise ValidationError("Choose at least one file.")
    for upload in files:
        validate_upload(upload)
    return [
        add_attachment(thread=request.thread, upload=upload, uploaded_by=actor) for upload in files
    ]


@transaction.atomic
def watch(*, request: ServiceRequest, actor: Any, scope: Scope | None = None) -> None:
    """Follow a request (T7): the watcher gets the e-mails the creator gets."""
    _check_scope(scope, Right.VIEW, request)
    request.watchers.add(actor)


@transaction.atomic
def unwatch(*, request: ServiceRequest, actor: Any, scope: Scope | None = None) -> None:
    _check_scope(scope, Right.VIEW, request)
    request.watchers.remove(actor)


# --- agent actions ----------------------------------------------------------------------


@transaction.atomic
def assign_technicians(
    *, request: ServiceRequest, actor: Any, technicians: Sequence[Any]
) -> ServiceRequest:
    _require_staff(actor)
    if any(not _is_staff(person) for person in technicians):
        raise ValidationError({"technicians": "Only provider staff can be assigned."})
    locked = _lock(request)
    locked.assigned_to.set(technicians)
    names = ", ".join(person.get_full_name() for person in technicians) or "nobody"
    add_entry(
        thread=locked.thread,
        kind=Entry.Kind.SYSTEM,
        author=actor,
        body=f"Assigned to {names}.",
        data={"event": "assigned", "user_ids": [person.pk for person in technicians]},
    )
    return locked


@transaction.atomic
def schedule_visit(*, request: ServiceRequest, actor: Any, when: datetime) -> ServiceRequest:
    """Book the engineer's visit; the request becomes Scheduled when the table allows it."""
    _require_staff(actor)
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    locked = _lock(request)
    if not locked.is_open:
        raise InvalidTransition("A visit can only be scheduled for an open request.")
    locked.scheduled_for = when
    locked.save(update_fields=["scheduled_for", "updated_at"])
    entry = add_entry(
        thread=locked.thread,
        kind=Entry.Kind.SYSTEM,
        author=actor,
        body=f"Visit scheduled for {timezone.localtime(when):%d %b %Y %H:%M}.",
        data={"event": "scheduled", "when": when.isoformat()},
    )
    if locked.can_become(ServiceRequest.State.SCHEDULED):
        return change_state(request=locked, new_state=ServiceRequest.State.SCHEDULED, actor=actor)
    from .notifications import notify_customers

    notify_customers(request=locked, entry=entry, actor=actor)
    return locked


def _money(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value in (None, "") and allow_none:
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: "Enter a number."}) from exc
    if amount < 0:
        raise ValidationError({field: "Enter zero or more."})
    return amount


@transaction.atomic
def add_recommendation(
    *,
    request: ServiceRequest,
    actor: Any,
    description: str,
    amount: Decimal | str | int,
    currency: str = "GBP",
) -> Recommendation:
    """A technician's recommendation with a quoted amount, awaiting the customer (T5)."""
    _require_staff(actor)
    description = description.strip()
    if not description:
        raise ValidationError({"description": "Describe the recommended work."})
    quoted = _money(amount, "amount") or Decimal("0.00")
    locked = _lock(request)
    if not locked.is_open:
        raise InvalidTransition("A recommendation can only be added to an open request.")
    entry = add_entry(
        thread=locked.thread,
        kind=Entry.Kind.RECOMMENDATION,
        author=actor,
        body=description,
        data={"amount": str(quoted), "currency": currency},
    )
    recommendation = Recommendation.objects.create(
        request=locked,
        entry=entry,
        description=description,
        amount=quoted,
        currency=currency,
        created_by=actor,
    )
    entry.data["recommendation_id"] = recommendation.pk
    entry.save(update_fields=["data"])
    if locked.can_become(ServiceRequest.State.AWAITING_CUSTOMER):
        change_state(
            request=locked,
            new_state=ServiceRequest.State.AWAITING_CUSTOMER,
            actor=actor,
            notify=False,  # the recommendation mail below says it all
        )
    from .notifications import notify_customers

    notify_customers(request=locked, entry=entry, actor=actor)
    return recommendation


DECISIONS = {
    "approve": Recommendation.Decision.APPROVED,
    "approved": Recommendation.Decision.APPROVED,
    "decline": Recommendation.Decision.DECLINED,
    "declined": Recommendation.Decision.DECLINED,
    "question": Recommendation.Decision.QUESTION,
}


@transaction.atomic
def respond_to_recommendation(
    *,
    recommendation: Recommendation,
    actor: Any,
    decision: str,
    reason: str = "",
    question: str = "",
    scope: Scope | None = None,
) -> Recommendation:
    """Approve, decline (with a reason) or ask a question about a recommendation (T5).

    Approve and decline are recorded once: a second click or a replayed POST raises
    AlreadyDecided and records nothing.
    """
    _check_scope(scope, Right.AMEND, recommendation.request)
    chosen = DECISIONS.get(decision)
    if chosen is None:
        raise ValidationError({"decision": "Choose approve, decline or ask a question."})
    reason, question = reason.strip(), question.strip()
    if chosen == Recommendation.Decision.DECLINED and not reason:
        raise ValidationError({"reason": "Say why you decline the recommendation."})
    if chosen == Recommendation.Decision.QUESTION and not question:
        raise ValidationError({"question": "Write your question."})

    locked = (
        Recommendation.objects.select_for_update()
        .select_related("request", "request__thread")
        .get(pk=recommendation.pk)
    )
    final = (Recommendation.Decision.APPROVED, Recommendation.Decision.DECLINED)
    if locked.decision in final:
        raise AlreadyDecided(
            f"This recommendation was already {locked.get_decision_display().lower()}."
        )
    if (
        chosen == Recommendation.Decision.QUESTION
        and locked.decision == Recommendation.Decision.QUESTION
    ):
        raise AlreadyDecided(
            "You already asked a question about this recommendation; add a comment instead."
        )
    request = locked.request
    text = question if chosen == Recommendation.Decision.QUESTION else reason
    locked.decision = chosen
    locked.response_text = text
    if chosen in final:
        locked.decided_by = actor
        locked.decided_at = timezone.now()
    locked.save(update_fields=["decision", "response_text", "decided_by", "decided_at"])
    entry = add_entry(
        thread=request.thread,
        kind=Entry.Kind.DECISION,
        author=actor,
        body=text,
        data={
            "recommendation_id": locked.pk,
            "decision": chosen.value,
            "decision_label": {
                Recommendation.Decision.APPROVED: "Approved",
                Recommendation.Decision.DECLINED: "Declined",
                Recommendation.Decision.QUESTION: "Asked a question",
            }[chosen],
            "description": locked.description[:200],
            "amount": str(locked.amount),
            "currency": locked.currency,
        },
    )
    if chosen in final and request.state == ServiceRequest.State.AWAITING_CUSTOMER:
        _change_state(request=request, new_state=ServiceRequest.State.IN_PROGRESS, actor=actor)
    from .notifications import notify_agents

    notify_agents(request=request, entry=entry, actor=actor)
    return locked


@transaction.atomic
def log_work(
    *,
    request: ServiceRequest,
    actor: Any,
    kind: str,
    description: str,
    quantity: Decimal | str | int = 1,
    hours: Decimal | str | None = None,
    unit_price: Decimal | str | int = 0,
    currency: str = "GBP",
) -> WorkLine:
    """A line of parts, labour or travel on the Parts & labour tab."""
    _require_staff(actor)
    if kind not in WorkLine.Kind.values:
        raise ValidationError({"kind": "Choose part, labour or travel."})
    description = description.strip()
    if not description:
        raise ValidationError({"description": "Describe the part or the work."})
    line = WorkLine.objects.create(
        request=request,
        kind=kind,
        description=description[:200],
        quantity=_money(quantity, "quantity") or Decimal("0"),
        hours=_money(hours, "hours", allow_none=True),
        unit_price=_money(unit_price, "unit_price") or Decimal("0"),
        currency=currency,
        logged_by=actor,
    )
    return line
