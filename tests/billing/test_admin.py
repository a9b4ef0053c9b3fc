"""The back office: staff create, issue and void invoices and record offline payments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
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
