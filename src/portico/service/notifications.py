"""E-mails about a service request (T7, H3), sent after commit through the task queue.

- To the customer people involved (creator, on-behalf person, watchers) when an agent
  comments publicly, changes the state or posts a recommendation; only to those who may
  still see the request (a membership removed or narrowed since stops the mails).
- To the assigned agents when a customer comments or responds to a recommendation; with
  nobody assigned, to the provider's support address.

Only public entries are ever e-mailed. Every mail is recorded per recipient with
``record_outbound_mail`` (the e-mail history on the timeline) and carries that recipient's
reply token in its Reply-To address, so a reply can be threaded back in later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from portico.core.access import build_scope
from portico.core.models import Branding
from portico.core.rights import Function, Right
from portico.core.tasks import send_email
from portico.threads.models import Entry, OutboundMail, Visibility
from portico.threads.services import record_outbound_mail

from .models import ServiceRequest


@dataclass(frozen=True)
class Recipient:
    email: str
    user: Any | None


def reply_address(token: str) -> str:
    domain = getattr(settings, "PORTICO_REPLY_DOMAIN", "replies.portico.example")
    return f"reply+{token}@{domain}"


def request_url(request: ServiceRequest) -> str:
    base = getattr(settings, "PORTICO_BASE_URL", "").rstrip("/")
    return base + reverse("service:detail", args=[request.number])


def can_still_see(person: Any, request: ServiceRequest) -> bool:
    """Rights and memberships change after a request is raised: ask again at every mail."""
    scope = build_scope(person, request.organisation_id)
    return (
        scope.can(Function.TICKETS, Right.VIEW)
        and ServiceRequest.objects.visible_to(scope).filter(pk=request.pk).exists()
    )


def customer_recipients(request: ServiceRequest, *, exclude: Any = None) -> list[Recipient]:
    """Creator, on-behalf person and watchers: active customer users who may still see the
    request, each once."""
    people = [request.created_by, request.on_behalf_of, *request.watchers.all()]
    seen: set[int] = set()
    recipients = []
    for person in people:
        if person is None or person.pk in seen or not person.is_active or person.is_staff:
            continue
        if exclude is not None and person.pk == exclude.pk:
            continue
        seen.add(person.pk)
        if can_still_see(person, request):
            recipients.append(Recipient(person.email, person))
    return recipients


def agent_recipients(request: ServiceRequest, *, exclude: Any = None) -> list[Recipient]:
    agents = [
        Recipient(person.email, person)
        for person in request.assigned_to.filter(is_active=True).order_by("pk")
        if exclude is None or person.pk != exclude.pk
    ]
    if agents or request.assigned_to.exists():
        return agents
    support = Branding.current().support_email
    return [Recipient(support, None)] if support else []


def _subject(request: ServiceRequest, entry: Entry) -> str:
    what = {
        Entry.Kind.COMMENT: "New comment",
        Entry.Kind.STATE_CHANGE: f"Now {entry.data.get('to_label', '').lower()}",
        Entry.Kind.RECOMMENDATION: "Recommendation awaiting your response",
        Entry.Kind.DECISION: f"Recommendation: {entry.data.get('decision_label', '').lower()}",
        Entry.Kind.SYSTEM: "Update",
    }.get(Entry.Kind(entry.kind), "Update")
    return f"[{request.number}] {what}: {request.title}"[:300]


def _enqueue(
    *, subject: str, body: str, html: str, to: str, mail: OutboundMail
) -> Callable[[], None]:
    def enqueue() -> None:
        send_email.enqueue(
            subject=subject, body=body, to=[to], html=html, reply_to=reply_address(mail.reply_token)
        )

    return enqueue


def _send(
    *,
    request: ServiceRequest,
    entry: Entry,
    actor: Any,
    recipients: list[Recipient],
    audience: str,
) -> list[OutboundMail]:
    if entry.visibility != Visibility.PUBLIC:  # internal entries are never e-mailed
        return []
    branding = Branding.current()
    subject = _subject(request, entry)
    context = {
        "branding": branding,
        "service_request": request,
        "entry": entry,
        "actor": actor,
        "audience": audience,
        "url": request_url(request),
    }
    body = render_to_string("service/email/update_body.txt", context)
    html = render_to_string("service/email/update_body.html", context)
    mails = []
    for recipient in recipients:
        mail = record_outbound_mail(
            thread=request.thread,
            recipient=recipient.email,
            recipient_user=recipient.user,
            subject=subject,
            body=body,
            # Mails to agents stay in the staff view of the e-mail history.
            visibility=Visibility.PUBLIC if audience == "customer" else Visibility.INTERNAL,
        )
        mails.append(mail)
        transaction.on_commit(
            _enqueue(subject=subject, body=body, html=html, to=recipient.email, mail=mail)
        )
    return mails


def notify_customers(*, request: ServiceRequest, entry: Entry, actor: Any) -> list[OutboundMail]:
    """An agent commented publicly, changed the state or posted a recommendation."""
    recipients = customer_recipients(request, exclude=actor)
    return _send(
        request=request, entry=entry, actor=actor, recipients=recipients, audience="customer"
    )


def notify_agents(*, request: ServiceRequest, entry: Entry, actor: Any) -> list[OutboundMail]:
    """A customer commented or responded to a recommendation."""
    recipients = agent_recipients(request, exclude=actor)
    return _send(request=request, entry=entry, actor=actor, recipients=recipients, audience="agent")
