"""Requests to work in the agents' workspace, raised by Acme and Globex people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from portico.service import services
from portico.service.models import ServiceRequest


def raise_request(
    actor: Any,
    site: Any,
    title: str,
    *,
    priority: str = "normal",
    state: str | None = None,
    response_due_in: timedelta | None = None,
    resolution_due_in: timedelta | None = None,
) -> ServiceRequest:
    """A request as a customer raises it, then its targets and state set for the test."""
    request = services.create_request(
        scope=None,
        actor=actor,
        title=title,
        description=f"{title}: details from the customer.",
        site=site,
        priority=priority,
    )
    now = timezone.now()
    changes: dict[str, Any] = {}
    if response_due_in is not None:
        changes["response_due_at"] = now + response_due_in
    if resolution_due_in is not None:
        changes["resolution_due_at"] = now + resolution_due_in
    if state is not None:
        changes["state"] = state
    if changes:
        ServiceRequest.objects.filter(pk=request.pk).update(**changes)
        request.refresh_from_db()
    return request


@pytest.fixture
def acme_request(alice, acme):
    return raise_request(
        alice,
        acme.sites.get(name="Head Office"),
        "Printer jams on tray 2",
        response_due_in=timedelta(hours=4),
        resolution_due_in=timedelta(days=2),
    )


@pytest.fixture
def queue_requests(alice, carol, acme, globex):
    """Four open requests: one breached on response, one on resolution, two on time."""
    head_office = acme.sites.get(name="Head Office")
    tower = globex.sites.get()
    return {
        "due_later": raise_request(
            alice,
            head_office,
            "Toner low on the 3rd floor",
            priority="low",
            state="acknowledged",
            resolution_due_in=timedelta(days=3),
        ),
        "due_soon": raise_request(
            carol,
            tower,
            "Scanner will not send e-mail",
            priority="high",
            state="acknowledged",
            resolution_due_in=timedelta(hours=2),
        ),
        "response_breached": raise_request(
            carol,
            tower,
            "Fax line dead",
            priority="urgent",
            response_due_in=timedelta(hours=-1),
            resolution_due_in=timedelta(hours=20),
        ),
        "resolution_breached": raise_request(
            alice,
            head_office,
            "Streaks on every page",
            state="in_progress",
            response_due_in=timedelta(days=-3),
            resolution_due_in=timedelta(hours=-5),
        ),
        "closed": raise_request(
            alice,
            head_office,
            "Old closed fault",
            state="closed",
            resolution_due_in=timedelta(days=-30),
        ),
    }


def fingerprint() -> dict[str, tuple[int, str]]:
    """Rows of every table the workspace can write (service requests, threads, people)."""
    import hashlib

    from django.apps import apps

    tables = {}
    for label in ("service", "threads", "accounts", "customers", "core"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows = list(model._base_manager.order_by("pk").values_list())
            tables[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return tables


def changed(before: dict[str, tuple[int, str]]) -> list[str]:
    after = fingerprint()
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )
