"""What the service app gives other apps: last request per machine, asset timeline, invoices,
and the benchmark's data generator."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portico.assets.hooks import attach_last_service_requests, last_service_request
from portico.assets.timeline import asset_timeline
from portico.core.access import build_scope
from portico.service.hooks import last_requests_for_assets, related_invoices
from portico.service.models import ServiceRequest
from portico.threads.models import Entry
from tests.service.factories import machine, raise_request

pytestmark = pytest.mark.django_db


def test_last_request_per_machine_in_one_query(foundation, alice, bob):
    sites = foundation.acme_sites
    machines = [machine(foundation.acme, sites[i % 2], f"SN-{i}") for i in range(4)]
    for index, asset in enumerate(machines[:3]):
        raise_request(alice, asset=asset, title=f"old {index}")
        raise_request(alice, asset=asset, title=f"new {index}")
    scope = build_scope(alice)
    with CaptureQueriesContext(connection) as queries:
        found = last_requests_for_assets([m.pk for m in machines], scope)
    assert len(queries) == 1
    assert {m.serial_number: found[m.pk].title for m in machines if m.pk in found} == {
        "SN-0": "new 0",
        "SN-1": "new 1",
        "SN-2": "new 2",
    }
    # bob sees Leeds Works (sites[1]) only; carol nothing of Acme.
    assert set(last_requests_for_assets([m.pk for m in machines], build_scope(bob))) == {
        machines[1].pk
    }
    assert (
        last_requests_for_assets([m.pk for m in machines], build_scope(foundation.users["carol"]))
        == {}
    )


def test_equipment_hooks_are_registered(foundation, alice):
    asset = machine(foundation.acme, foundation.acme_sites[0], "SN-T")
    request = raise_request(alice, asset=asset, title="Toner smear")
    scope = build_scope(alice)
    attach_last_service_requests([asset], scope)
    summary = last_service_request(asset)
    assert summary is not None and summary.number == request.number
    assert summary.url.endswith(f"/requests/{request.number}/")
    events = [e for e in asset_timeline(asset, scope) if e.kind == "request"]
    assert [e.detail for e in events] == ["Toner smear"]
    carol_scope = build_scope(foundation.users["carol"])
    assert [e for e in asset_timeline(asset, carol_scope) if e.kind == "request"] == []


def test_invoices_tab_lists_issued_invoices_linked_to_the_request(foundation, alice, sam):
    from django.test import Client
    from django.urls import reverse

    from portico.billing.services import draft_invoice_from_service_request, issue_invoice
    from portico.service.services import log_work

    request = raise_request(alice)
    log_work(request=request, actor=sam, kind="part", description="Drum", unit_price="99.00")
    draft = draft_invoice_from_service_request(request=request, actor=sam)
    assert related_invoices(request, build_scope(alice)) == []  # drafts stay hidden
    issued = issue_invoice(invoice=draft, actor=sam)

    assert related_invoices(request, build_scope(alice)) == [issued]
    assert related_invoices(request, build_scope(foundation.users["carol"])) == []
    client = Client()
    client.force_login(alice, backend="allauth.account.auth_backends.AuthenticationBackend")
    page = client.get(reverse("service:detail", args=[request.number]) + "?tab=invoices")
    assert issued.number.encode() in page.content


def test_generate_requests_makes_numbered_requests_with_threads(foundation):
    call_command("generate_requests", count=30, entries=3, organisations=2, sites=2, batch=7)
    generated = ServiceRequest.objects.filter(organisation__customer_number__startswith="B-")
    assert generated.count() == 30
    assert Entry.objects.filter(thread__service_request__in=generated).count() == 90
    assert len(set(generated.values_list("created_at", flat=True))) > 1
    # The sequence continues after the generated numbers.
    from tests.service.factories import raise_request as again

    assert again(foundation.users["alice"]).number == "REQ-000031"
