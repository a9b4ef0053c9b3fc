"""Demo service requests, loaded by `portico demo` on top of the foundation and equipment.

Every request is made through the real services, so its timeline, numbers, service-level
targets and e-mail history look exactly as in use; then its dates are spread over the past
weeks so the lists and timelines read naturally.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from portico.core.access import build_scope
from portico.customers.demo import Foundation

from . import services
from .models import Category, ExtraField, Priority, ServiceLevel, ServiceRequest, ServiceSettings

State = ServiceRequest.State
SEED = 20260402

CATEGORIES = ["Fault", "Paper jam", "Print quality", "Installation", "Move"]
LEVELS = {
    Priority.LOW: (24, 120),
    Priority.NORMAL: (8, 48),
    Priority.HIGH: (4, 24),
    Priority.URGENT: (2, 8),
}
# (title, category, description, priority, final state)
SCENARIOS: list[tuple[str, str, str, str, str]] = [
    ("Paper jam in tray 2", "Paper jam", "Jams on every job printed from tray 2.", "normal", "new"),
    (
        "Streaks down every page",
        "Print quality",
        "Grey streaks on the left.",
        "normal",
        "acknowledged",
    ),
    ("Error C6000 on the display", "Fault", "Machine shows C6000 and stops.", "high", "scheduled"),
    (
        "Scanner does not send e-mail",
        "Fault",
        "Scan to e-mail fails with an SMTP error.",
        "normal",
        "in_progress",
    ),
    (
        "Fuser noise and smell",
        "Fault",
        "Loud grinding from the back, warm smell.",
        "high",
        "recommendation",
    ),
    (
        "Install finisher unit",
        "Installation",
        "New stapling finisher delivered.",
        "low",
        "resolved",
    ),
    ("Move copier to 2nd floor", "Move", "Finance moves upstairs next week.", "low", "closed"),
    ("Toner not recognised", "Fault", "New black toner shows 'not genuine'.", "normal", "awaiting"),
    (
        "Colour prints too dark",
        "Print quality",
        "Photos print much darker than on screen.",
        "low",
        "cancelled",
    ),
    ("Duplex unit jams", "Paper jam", "Double-sided jobs jam halfway.", "normal", "resolved_work"),
]


def _categories() -> dict[str, Category]:
    found = {}
    for position, name in enumerate(CATEGORIES):
        found[name] = Category.objects.get_or_create(name=name, defaults={"position": position})[0]
    ExtraField.objects.get_or_create(
        category=found["Paper jam"],
        key="tray",
        defaults={
            "label": "Which tray",
            "kind": ExtraField.Kind.CHOICE,
            "choices": "Tray 1\nTray 2\nBypass tray\nDon't know",
            "help_text": "The tray the paper comes from.",
            "is_required": True,
        },
    )
    ExtraField.objects.get_or_create(
        category=None,
        key="error_code",
        defaults={
            "label": "Error code on the display",
            "kind": ExtraField.Kind.TEXT,
            "help_text": "If the machine shows one, e.g. C6000.",
            "position": 1,
        },
    )
    for priority, (response, resolution) in LEVELS.items():
        ServiceLevel.objects.get_or_create(
            priority=priority,
            defaults={"response_hours": response, "resolution_hours": resolution},
        )
    ServiceSettings.objects.get_or_create(pk=1, defaults={"reopen_days": 14})
    return found


def _machines(organisation: Any) -> list[Any]:
    from portico.assets.models import Asset

    return list(
        Asset.objects.filter(organisation=organisation).select_related("site").order_by("pk")
    )


def _play(request: ServiceRequest, final: str, customer: Any, agent: Any, colleague: Any) -> None:
    """Walk a request to its final state the way an agent and a customer would."""
    if final == "new":
        if colleague is not None:
            services.comment_on_request(
                request=request,
                actor=customer,
                body="It happens with every paper type we tried.",
            )
        return
    if final == "cancelled":
        services.cancel_request(request=request, actor=customer, note="Fixed it ourselves.")
        return
    services.assign_technicians(request=request, actor=agent, technicians=[agent])
    services.change_state(request=request, new_state=State.ACKNOWLEDGED, actor=agent)
    if final == "acknowledged":
        return
    if final == "awaiting":
        services.comment_on_request(
            request=request,
            actor=agent,
            body="Could you send a photo of the toner label, so we can check the batch?",
        )
        services.change_state(request=request, new_state=State.AWAITING_CUSTOMER, actor=agent)
        return
    services.add_internal_note(
        request=request,
        actor=agent,
        body="Internal: customer on the premium contract; parts from the Leeds van stock.",
    )
    services.schedule_visit(
        request=request, actor=agent, when=timezone.now() + timedelta(days=2, hours=3)
    )
    if final == "scheduled":
        return
    services.change_state(request=request, new_state=State.IN_PROGRESS, actor=agent)
    services.comment_on_request(
        request=request,
        actor=agent,
        body="Engineer on site. Cleaned the rollers and checked the paper path.",
    )
    services.comment_on_request(
        request=request, actor=customer, body="Thank you, the engineer was very helpful."
    )
    if final == "in_progress":
        return
    if final == "recommendation":
        services.add_recommendation(
            request=request,
            actor=agent,
            description=(
                "Replace the fuser unit: it is worn (312,000 pages) and causes the noise. "
                "Includes fitting and a test run."
            ),
            amount=Decimal("185.00"),
        )
        return
    if final == "resolved_work":
        services.log_work(
            request=request,
            actor=agent,
            kind="part",
            description="Duplex feed roller kit",
            quantity=1,
            unit_price="42.50",
        )
        services.log_work(
            request=request,
            actor=agent,
            kind="labour",
            description="Replace rollers and test",
            hours="1.5",
            unit_price="65.00",
        )
        services.log_work(
            request=request,
            actor=agent,
            kind="travel",
            description="Call-out",
            quantity=1,
            unit_price="25.00",
        )
    services.change_state(
        request=request, new_state=State.RESOLVED, actor=agent, note="Tested with 50 pages."
    )
    if final == "closed":
        services.change_state(request=request, new_state=State.CLOSED, actor=agent)


def _backdate(request: ServiceRequest, start: Any) -> None:
    """Spread the request's history over the past, keeping its order."""
    from portico.threads.models import Entry

    now = timezone.now()
    entries = list(request.thread.entries.order_by("pk"))
    step = timedelta(hours=5)
    stamps: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        when = min(start + step * index, now - timedelta(minutes=len(entries) - index))
        Entry.objects.filter(pk=entry.pk).update(created_at=when)
        if entry.kind == Entry.Kind.STATE_CHANGE:
            field = services.STATE_TIMESTAMPS.get(State(entry.data["to"]))
            if field:
                stamps.setdefault(field, when)
    request.thread.attachments.update(created_at=start)
    request.created_at = start
    services.apply_service_level(request)
    ServiceRequest.objects.filter(pk=request.pk).update(
        created_at=start,
        updated_at=min(start + step * max(len(entries) - 1, 0), now),
        response_due_at=request.response_due_at,
        resolution_due_at=request.resolution_due_at,
        **stamps,
    )
    request.recommendations.update(created_at=start + step * max(len(entries) - 2, 0))
    request.work_lines.update(logged_at=start + step * 2)


def _raise(
    *,
    rng: random.Random,
    user: Any,
    scenario: tuple[str, str, str, str, str],
    categories: dict[str, Category],
    site: Any,
    asset: Any,
    agent: Any,
    colleague: Any,
    days_ago: float,
) -> ServiceRequest:
    title, category_name, description, priority, final = scenario
    extra = {"tray": rng.choice(["Tray 1", "Tray 2"])} if category_name == "Paper jam" else {}
    if "C6000" in title:
        extra["error_code"] = "C6000"
    request = services.create_request(
        scope=build_scope(user),
        actor=user,
        title=title,
        description=description,
        category=categories[category_name],
        priority=priority,
        site=site if asset is None else None,
        asset=asset,
        contact_name=user.get_full_name(),
        contact_phone="0113 496 0" + str(rng.randint(100, 999)),
        additional_notes="Reception will let the engineer in; parking at the back.",
        extra=extra,
    )
    _play(request, final, user, agent, colleague)
    _backdate(request, timezone.now() - timedelta(days=days_ago))
    return request


def load(foundation: Foundation) -> None:
    rng = random.Random(SEED)
    categories = _categories()
    users = foundation.users
    alice, bob, carol, sam = users["alice"], users["bob"], users["carol"], users["sam"]
    acme_machines = _machines(foundation.acme)
    leeds = foundation.acme_sites[1]
    count = 30
    for index in range(count):
        scenario = SCENARIOS[index % len(SCENARIOS)]
        at_leeds = index % 4 == 1
        raiser = bob if at_leeds and index % 8 == 1 else alice
        site = leeds if at_leeds else foundation.acme_sites[index % len(foundation.acme_sites)]
        site_machines = [m for m in acme_machines if m.site_id == site.pk]
        asset = site_machines[index % len(site_machines)] if site_machines and index % 3 else None
        request = _raise(
            rng=rng,
            user=raiser,
            scenario=scenario,
            categories=categories,
            site=site,
            asset=asset,
            agent=sam,
            colleague=bob if raiser == alice else alice,
            # Newest first in the list: the last ones made are the most recent.
            days_ago=(count - index) * 2.3 + rng.random(),
        )
        if at_leeds and raiser == alice:
            request.watchers.add(bob)
    globex_machines = _machines(foundation.globex)
    for index, scenario in enumerate([SCENARIOS[2], SCENARIOS[5]]):
        _raise(
            rng=rng,
            user=carol,
            scenario=scenario,
            categories=categories,
            site=foundation.globex_sites[0],
            asset=globex_machines[index] if len(globex_machines) > index else None,
            agent=sam,
            colleague=None,
            days_ago=10 - index * 4,
        )
