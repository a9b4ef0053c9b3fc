"""The registry of Acme's objects, one per URL keyword argument, for the access sweep.

A route that takes an id joins the sweep when this registry says which of Acme's objects to
put in its URL. Key by the argument's name when the name says what it is ("site_id"), or by
(route name, argument) when it does not: "pk", "id" and "number" mean a different model on
every route, so a global entry would quietly test the wrong object.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from portico.core.access import build_scope
from portico.customers.demo import Foundation
from tests.utils import Route


def bobs_membership(f: Foundation) -> int:
    return f.users["bob"].memberships.get(organisation=f.acme).pk


# Objects the foundation does not hold are made on first use, once per test. Imports are
# local so that one app's unfinished model cannot break the sweep of every other route.


def acme_asset(f: Foundation) -> Any:
    from portico.assets.models import Asset, ProductModel

    model, _ = ProductModel.objects.get_or_create(manufacturer="Sweep", name="S-100")
    asset, _ = Asset.objects.get_or_create(
        serial_number="ACME-SWEEP-1",
        defaults={"organisation": f.acme, "site": f.acme_sites[0], "product_model": model},
    )
    return asset


def acme_meter(f: Foundation) -> Any:
    from portico.meters.models import Meter, MeterType

    asset = acme_asset(f)
    meter_type, _ = MeterType.objects.get_or_create(product_model=asset.product_model, name="Mono")
    meter, _ = Meter.objects.get_or_create(asset=asset, meter_type=meter_type)
    return meter


def acme_request(f: Foundation) -> Any:
    from portico.service.models import ServiceRequest
    from portico.service.services import create_request

    existing = ServiceRequest.objects.filter(organisation=f.acme).first()
    if existing is not None:
        return existing
    alice = f.users["alice"]
    return create_request(
        scope=build_scope(alice),
        actor=alice,
        title="Paper jam on the second floor",
        description="Acme's copier jams on every job.",
        site=f.acme_sites[0],
    )


def acme_attachment(f: Foundation) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portico.threads.services import add_attachment

    request = acme_request(f)
    existing = request.thread.attachments.first()
    if existing is not None:
        return existing
    upload = SimpleUploadedFile("acme-notes.txt", b"Acme's notes\n", content_type="text/plain")
    return add_attachment(thread=request.thread, upload=upload, uploaded_by=f.users["alice"])


def acme_recommendation(f: Foundation) -> Any:
    from portico.service.services import add_recommendation

    request = acme_request(f)
    existing = request.recommendations.first()
    if existing is not None:
        return existing
    return add_recommendation(
        request=request, actor=f.users["sam"], description="Replace the fuser", amount="120.00"
    )


def acme_order(f: Foundation) -> Any:
    from portico.assets.models import Supply
    from portico.orders.models import SupplyOrder
    from portico.orders.services import create_order

    existing = SupplyOrder.objects.filter(organisation=f.acme).first()
    if existing is not None:
        return existing
    toner, _ = Supply.objects.get_or_create(
        item_code="SWEEP-TONER", defaults={"description": "Toner", "price": Decimal("10.00")}
    )
    return create_order(
        actor=f.users["alice"],
        asset=acme_asset(f),
        supplies={toner.pk: toner},
        quantities={toner.pk: 1},
        delivery_site=f.acme_sites[0],
        submission_key="access-sweep",
        notes="",
    )


def acme_invoice(f: Foundation) -> Any:
    from portico.billing.models import Invoice
    from portico.billing.services import LineInput, create_invoice, issue_invoice

    existing = Invoice.objects.filter(organisation=f.acme, number__isnull=False).first()
    if existing is not None:
        return existing
    sam = f.users["sam"]
    line = LineInput(description="Toner for Acme", unit_price=Decimal("40.00"))
    draft = create_invoice(organisation=f.acme, actor=sam, lines=[line])
    return issue_invoice(invoice=draft, actor=sam)


def acme_payment(f: Foundation) -> Any:
    from portico.billing.models import Payment
    from portico.billing.services import record_offline_payment

    existing = Payment.objects.filter(organisation=f.acme).first()
    if existing is not None:
        return existing
    return record_offline_payment(
        organisation=f.acme, amount=Decimal("25.00"), actor=f.users["sam"]
    )


def acme_payment_method(f: Foundation) -> Any:
    from portico.billing.models import Payment, SavedPaymentMethod

    method, _ = SavedPaymentMethod.objects.get_or_create(
        organisation=f.acme,
        token="tok_access_sweep",
        defaults={
            "provider": Payment.Provider.SANDBOX,
            "brand": "Visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": 2035,
        },
    )
    return method


ACME_OBJECTS: dict[str | tuple[str, str], Callable[[Foundation], Any]] = {
    "site_id": lambda f: f.acme_sites[0].pk,
    "asset_id": lambda f: acme_asset(f).pk,
    "meter_id": lambda f: acme_meter(f).pk,
    "request_number": lambda f: acme_request(f).number,
    "attachment_id": lambda f: acme_attachment(f).pk,
    "recommendation_id": lambda f: acme_recommendation(f).pk,
    "invoice_number": lambda f: acme_invoice(f).number,
    "payment_id": lambda f: acme_payment(f).pk,
    "payment_method_id": lambda f: acme_payment_method(f).pk,
    ("orders:detail", "number"): lambda f: acme_order(f).number,
    ("customers:edit_member", "pk"): bobs_membership,
    ("customers:remove_member", "pk"): bobs_membership,
    ("customers:resend_welcome", "pk"): bobs_membership,
    ("workspace:attachment", "pk"): lambda f: acme_attachment(f).pk,
}
# The agents' workspace addresses a request by its number on every route.
WORKSPACE_ROUTES = ["request", "comment", "state", "assign", "schedule", "recommend", "work"]
for _route in [*WORKSPACE_ROUTES, "attachment"]:
    ACME_OBJECTS[(f"workspace:{_route}", "number")] = lambda f: acme_request(f).number

AMBIGUOUS_NAMES = {"pk", "id", "number", "slug", "uuid", "object_id"}


def acme_kwargs(route: Route, foundation: Foundation) -> dict[str, Any]:
    """Acme's value for each URL argument of ``route``; fails the test for unregistered ones."""
    values, missing = {}, []
    for kwarg in route.kwargs:
        finder = ACME_OBJECTS.get((route.name or "", kwarg)) or ACME_OBJECTS.get(kwarg)
        if finder is None:
            missing.append(kwarg)
        else:
            values[kwarg] = finder(foundation)
    if missing:
        keys = " and ".join(
            repr((route.name, k)) if k in AMBIGUOUS_NAMES else f"{k!r} (or {(route.name, k)!r})"
            for k in missing
        )
        pytest.fail(
            f"{route} takes {missing}, but the access sweep does not know Acme's value for "
            f"it. Register it in ACME_OBJECTS in tests/security/acme_objects.py under {keys}, "
            "so this route is swept.",
            pytrace=False,
        )
    return values


def acme_url(route: Route, foundation: Foundation) -> str:
    """The route's URL with Acme's objects in it."""
    if route.name is None:
        pytest.fail(f"{route} has no URL name; name it so the sweep can reverse it.")
    return reverse(route.name, kwargs=acme_kwargs(route, foundation))
