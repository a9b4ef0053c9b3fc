"""The back office: staff create, issue and void invoices and record offline payments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.billing.models import Invoice, Payment
from portico.billing.summary import account_summary
from tests.billing.helpers import issue, with_balance

pytestmark = pytest.mark.django_db


def test_sam_creates_a_draft_with_lines_and_issues_it(foundation, sam_client):
    response = sam_client.post(
        reverse("admin:billing_invoice_add"),
        {
            "organisation": foundation.acme.pk,
            "account": "",
            "currency": "GBP",
            "buyer_reference": "PO-1",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-position": "1",
            "lines-0-kind": "part",
            "lines-0-description": "Toner",
            "lines-0-quantity": "2",
            "lines-0-unit": "C62",
            "lines-0-unit_price": "50.00",
            "lines-0-tax_rate": "20",
            "lines-1-position": "2",
            "lines-1-kind": "labour",
            "lines-1-description": "Fitting",
            "lines-1-quantity": "1",
            "lines-1-unit": "HUR",
            "lines-1-unit_price": "60.00",
            "lines-1-tax_rate": "20",
            "allocations-TOTAL_FORMS": "0",
            "allocations-INITIAL_FORMS": "0",
            "notes-TOTAL_FORMS": "0",
            "notes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = Invoice.objects.get()
    assert (draft.status, draft.account, draft.gross_total) == (
        "draft",
        foundation.acme,
        Decimal("192.00"),
    )

    sam_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "issue_selected", ACTION_CHECKBOX_NAME: [draft.pk]},
    )

    draft.refresh_from_db()
    assert draft.status == "outstanding"
    assert draft.number and draft.number.startswith("INV-")


def test_sam_voids_with_a_reason(foundation, sam_client):
    invoice = issue(foundation)
    url = reverse("admin:billing_invoice_changelist")

    ask = sam_client.post(url, {"action": "void_selected", ACTION_CHECKBOX_NAME: [invoice.pk]})
    assert ask.status_code == 200 and b"reason" in ask.content.lower()
    invoice.refresh_from_db()
    assert invoice.status == "outstanding"

    sam_client.post(
        url,
        {
            "action": "void_selected",
            "apply": "1",
            "reason": "Billed to the wrong site",
            ACTION_CHECKBOX_NAME: [invoice.pk],
        },
    )

    invoice.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == ("voided", "Billed to the wrong site")


def test_sam_records_an_offline_payment(foundation, sam_client):
    invoice = issue(foundation)

    response = sam_client.post(
        reverse("admin:billing_payment_add"),
        {
            "organisation": foundation.acme.pk,
            "amount": "120.00",
            "currency": "GBP",
            "method": "bank_transfer",
            "provider_reference": "BACS 991",
            "received_on": "2026-01-10",
        },
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.provider, payment.status) == ("offline", "succeeded")
    assert with_balance(invoice).status == "paid"
    assert account_summary(foundation.acme).balance == 0


def test_customers_cannot_reach_billing_admin(foundation, alice_client):
    assert alice_client.get(reverse("admin:billing_invoice_changelist")).status_code == 404


def test_offline_payment_form_lists_only_the_chosen_organisations_open_invoices(
    foundation, sam_client
):
    acme_invoice = issue(foundation)
    globex_invoice = issue(foundation, foundation.globex)
    url = reverse("admin:billing_payment_add")

    blank = sam_client.get(url).content.decode()
    for_acme = sam_client.get(url, {"organisation": foundation.acme.pk}).content.decode()

    assert acme_invoice.number not in blank and globex_invoice.number not in blank
    assert "Show open invoices" in blank
    assert acme_invoice.number in for_acme
    assert globex_invoice.number not in for_acme


def test_show_open_invoices_reloads_the_form_for_the_organisation(foundation, sam_client):
    response = sam_client.post(
        reverse("admin:billing_payment_add"),
        {"organisation": foundation.acme.pk, "amount": "120.00", "_show_invoices": "1"},
    )

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('admin:billing_payment_add')}?organisation={foundation.acme.pk}&amount=120.00"
    )
    assert not Payment.objects.exists()


def test_offline_payment_refuses_another_organisations_invoice(foundation, sam_client):
    issue(foundation)
    globex_invoice = issue(foundation, foundation.globex)

    response = sam_client.post(
        reverse("admin:billing_payment_add"),
        {
            "organisation": foundation.acme.pk,
            "amount": "120.00",
            "currency": "GBP",
            "method": "bank_transfer",
            "received_on": "2026-01-10",
            "invoices": [globex_invoice.pk],
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Payment.objects.exists()
    assert with_balance(globex_invoice).status == "outstanding"


def test_offline_payment_pays_the_invoices_picked(foundation, sam_client):
    older = issue(foundation, days_ago=40)
    picked = issue(foundation, days_ago=5)

    response = sam_client.post(
        reverse("admin:billing_payment_add"),
        {
            "organisation": foundation.acme.pk,
            "amount": "120.00",
            "currency": "GBP",
            "method": "bank_transfer",
            "received_on": "2026-01-10",
            "invoices": [picked.pk],
        },
    )

    assert response.status_code == 302
    assert with_balance(picked).status == "paid"
    assert with_balance(older).status == "outstanding"


def test_usage_changelist_runs_no_distinct_over_the_usage_table(foundation, sam_client):
    with CaptureQueriesContext(connection) as queries:
        response = sam_client.get(reverse("admin:billing_usagerecord_changelist"))

    assert response.status_code == 200
    assert not [
        q["sql"]
        for q in queries.captured_queries
        if "DISTINCT" in q["sql"].upper() and "billing_usagerecord" in q["sql"]
    ]


def test_workspace_and_order_admin_link_to_invoicing_their_work(sam_client, foundation, alice):
    from django.urls import reverse

    from portico.orders.models import SupplyOrder
    from portico.service.services import log_work
    from tests.service.factories import raise_request

    request = raise_request(alice, site=foundation.acme_sites[0], title="Invoice me")
    log_work(
        request=request,
        actor=foundation.users["sam"],
        kind="labour",
        description="Fit fuser",
        quantity=1,
        hours=2,
        unit_price=60,
    )
    invoice_url = reverse("admin:billing_invoice_from_work")
    page = sam_client.get(reverse("workspace:request", args=[request.number]))
    assert f"{invoice_url}?number={request.number}".encode() in page.content

    order = SupplyOrder.objects.create(
        number="ORD-900001",
        organisation=foundation.acme,
        site=foundation.acme_sites[0],
        status=SupplyOrder.Status.DELIVERED,
    )
    change = sam_client.get(reverse("admin:orders_supplyorder_change", args=[order.pk]))
    assert f"{invoice_url}?number=ORD-900001".encode() in change.content
