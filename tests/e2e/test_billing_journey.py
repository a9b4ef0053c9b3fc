"""Billing journey in headless Chromium: filter, download a PDF, pay the oldest invoice."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portico.billing.models import Invoice, Payment
from portico.billing.providers.sandbox import SUCCESS_CARD
from portico.billing.summary import account_summary
from tests.billing.helpers import issue
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_alice_filters_downloads_and_pays_the_oldest_invoice(page, foundation):
    oldest = issue(foundation, amounts=("100.00",), days_ago=45)  # 120.00, overdue
    newer = issue(foundation, amounts=("200.00",), days_ago=5)  # 240.00
    paid = issue(foundation, amounts=("10.00",), days_ago=80)
    Invoice.objects.filter(pk=paid.pk).update(status=Invoice.Status.VOIDED)

    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^\s*Email")).fill("alice@acme.example")
    page.get_by_label(re.compile(r"^\s*Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    expect(page.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()
    page.get_by_label("Status").select_option("outstanding")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=outstanding"))
    rows = page.locator("#invoice-results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#invoice-results")).not_to_contain_text(paid.number)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download PDF of {oldest.number}").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{oldest.number}.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"

    page.get_by_role("link", name=f"Pay {oldest.number}").click()
    expect(page.get_by_role("heading", name="Make payment")).to_be_visible()
    expect(page.get_by_label("Amount (GBP)")).to_have_value("120.00")
    page.get_by_label("Card number").fill(SUCCESS_CARD)
    page.get_by_label("Expiry date").fill("12/39")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay now").click()

    expect(page.get_by_role("status")).to_contain_text("payment of £120.00 received")
    expect(page.get_by_test_id("balance")).to_have_text("£240.00")  # was £360.00
    applied = page.get_by_role("row").filter(has_text=oldest.number)
    expect(applied).to_contain_text("Paid")

    page.goto("/billing/invoices/?status=paid")
    expect(page.locator("#invoice-results")).to_contain_text(oldest.number)
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert account_summary(foundation.acme).balance == Decimal("240.00")
    newer.refresh_from_db()
    assert newer.status == Invoice.Status.OUTSTANDING
