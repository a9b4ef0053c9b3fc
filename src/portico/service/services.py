"""Every write a service request allows, as plain functions taking the acting user.

State changes go only through ``change_state``, which also writes the timeline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from portico.threads.services import record_state_change

from .models import ServiceLevel, ServiceRequest


class InvalidTransition(Exception):
    """A state change the transition table does not allow; the message is for the user."""


STATE_TIMESTAMPS = {
    ServiceRequest.State.ACKNOWLEDGED: "acknowledged_at",
    ServiceRequest.State.RESOLVED: "resolved_at",
    ServiceRequest.State.CLOSED: "closed_at",
}


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
    *, request: ServiceRequest, new_state: str, actor: Any, note: str = ""
) -> ServiceRequest:
    """Move a request along the transition table and record who did it and when."""
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
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
    record_state_change(
        locked.thread,
        old_state,
        new_state,
        actor=actor,
        labels=dict(ServiceRequest.State.choices),
        note=note,
    )
    return locked
