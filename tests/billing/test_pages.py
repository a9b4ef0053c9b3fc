"""Billing pages through HTTP: figures, filters, exports, notes, isolation, query counts."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portico.billing import services
from portico.billing import views as billing_views
from portico.billing.models import Invoice, InvoiceNote, UsageRecord
from portico.core.access import build_scope
from portico.core.paginators import CappedCountPaginator
from tests.billing.helpers import issue, service_invoice
from tests.utils import changed_tables, database_fingerprint

pytestmark = pytest.mark.django_db


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.fixture
def acme_invoices(foundation):
    paid = issue(foundation, amounts=("50.00",), days_ago=90)
    services.record_offline_payment(
        organisation=foundation.acme, amount=Decimal("60.00"), actor=foundation.users["sam"]
    )
    overdue = issue(foundation, amounts=("100.00",), days_ago=45)
    outstanding = issue(foundation, amounts=("200.00",), days_ago=5)
    voided = issue(foundation, amounts=("10.00",), days_ago=4)
    services.void_invoice(invoice=voided, actor=foundation.users["sam"], reason="Duplicate")
    return {"paid": paid, "overdue": overdue, "outstanding": outstanding, "voided": voided}


def test_overview_shows_current_figures_and_make_payment(alice_client, acme_invoices):
    page = body(alice_client.get(reverse("billing:overview")))

    assert "£360.00" in page  # balance: 120.00 + 240.00
    assert "£120.00 overdue" in page
    assert acme_invoices["voided"].number in page  # the latest invoice
    assert reverse("billing:invoice_pdf", args=[acme_invoices["voided"].number]) in page
    assert "Make payment" in page
    assert "Bill day" in page


def test_overview_is_current_on_every_load(foundation, alice_client, acme_invoices):
    alice_client.get(reverse("billing:overview"))
    services.record_offline_payment(
        organisation=foundation.acme, amount=Decimal("120.00"), actor=foundation.users["sam"]
    )
    assert "£240.00" in body(alice_client.get(reverse("billing:overview")))


def test_invoice_list_filters_by_status_dates_and_number(alice_client, acme_invoices):
    url = reverse("billing:invoices")
    outstanding = body(alice_client.get(url, {"status": "outstanding"}))
    assert acme_invoices["overdue"].number in outstanding
    assert acme_invoices["outstanding"].number in outstanding
    assert acme_invoices["paid"].number not in outstanding
    assert "Overdue" in outstanding

    voided = body(alice_client.get(url, {"status": "voided"}))
    assert acme_invoices["voided"].number in voided
    assert acme_invoices["paid"].number not in voided

    ten_days_ago = timezone.localdate() - timedelta(days=10)
    recent = body(alice_client.get(url, {"issued_from": ten_days_ago.isoformat()}))
    assert acme_invoices["outstanding"].number in recent
    assert acme_invoices["paid"].number not in recent

    searched = body(alice_client.get(url, {"q": acme_invoices["paid"].number[-6:]}))
    assert acme_invoices["paid"].number in searched
    assert acme_invoices["overdue"].number not in searched


def test_invoice_list_sorts_by_total_both_ways(alice_client, acme_invoices):
    url = reverse("billing:invoices")
    ascending = body(alice_client.get(url, {"sort": "total"}))
    descending = body(alice_client.get(url, {"sort": "-total"}))
    small, large = acme_invoices["voided"].number, acme_invoices["outstanding"].number
    assert ascending.index(small) < ascending.index(large)
    assert descending.index(large) < descending.index(small)
    assert 'aria-sort="ascending"' in ascending


def test_exports_follow_the_filters(alice_client, acme_invoices):
    csv_response = alice_client.get(reverse("billing:invoices_csv"), {"status": "outstanding"})
    rows = list(csv.reader(io.StringIO(body(csv_response))))
    assert rows[0][0] == "Number"
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [acme_invoices["overdue"].number, acme_invoices["outstanding"].number]
    )

    xlsx = alice_client.get(reverse("billing:invoices_xlsx"), {"status": "paid"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = list(sheet.values)
    assert values[0][0] == "Number"
    assert [row[0] for row in values[1:]] == [acme_invoices["paid"].number]
    assert Decimal(str(values[1][8])) == Decimal("60.00")


def test_invoice_detail_shows_lines_and_parts_and_labour(foundation, alice_client):
    invoice = service_invoice(foundation)
    url = reverse("billing:invoice", args=[invoice.number])

    lines = body(alice_client.get(url))
    parts = body(alice_client.get(url, {"tab": "parts"}))

    assert "Fuser unit" in lines and "Print plan" in lines and "£394.00" in lines
    assert "Fuser unit" in parts and "Engineer on site" in parts
    assert "Print plan" not in parts
    assert "Labour: <strong>£127.50</strong>" in parts


def test_notes_are_added_and_seen_only_by_the_own_organisation(
    foundation, alice_client, bob_client, carol_client, acme_invoices
):
    invoice = acme_invoices["outstanding"]
    url = reverse("billing:invoice_note", args=[invoice.number])

    alice_client.post(url, {"body": "Approved by finance, pay on Friday"})

    note = InvoiceNote.objects.get()
    assert note.organisation == foundation.acme
    detail = reverse("billing:invoice", args=[invoice.number])
    assert "pay on Friday" in body(alice_client.get(detail, {"tab": "notes"}))
    assert "pay on Friday" in body(bob_client.get(detail, {"tab": "notes"}))  # same organisation
    before = database_fingerprint()
    assert bob_client.post(url, {"body": "bob"}).status_code == 403  # notes need create
    assert carol_client.get(detail, {"tab": "notes"}).status_code == 404
    assert carol_client.post(url, {"body": "carol"}).status_code == 404
    assert changed_tables(before, database_fingerprint()) == []


def test_add_note_refuses_an_invoice_the_scope_cannot_see(foundation, alice):
    globex_invoice = issue(foundation, foundation.globex)
    before = database_fingerprint()

    with pytest.raises(PermissionDenied):
        services.add_note(
            scope=build_scope(alice), actor=alice, invoice=globex_invoice, body="Acme was here"
        )

    assert changed_tables(before, database_fingerprint()) == []
    assert not InvoiceNote.objects.exists()


def test_notes_of_a_parent_are_not_shown_to_the_child_account(foundation, petra_client):
    north = foundation.initech_north
    invoice = issue(foundation, foundation.initech, account=north)
    petra_client.post(
        reverse("billing:invoice_note", args=[invoice.number]), {"body": "Group-only note"}
    )
    petra_client.post(reverse("customers:change_account"), {"organisation": north.pk})

    page = body(
        petra_client.get(reverse("billing:invoice", args=[invoice.number]), {"tab": "notes"})
    )

    assert invoice.number in page
    assert "Group-only note" not in page


def test_carol_gets_404_on_every_acme_invoice_url(foundation, carol_client, acme_invoices):
    before = database_fingerprint()
    for invoice in acme_invoices.values():
        for name in ("invoice", "invoice_pdf", "invoice_ubl"):
            response = carol_client.get(reverse(f"billing:{name}", args=[invoice.number]))
            assert response.status_code == 404, (name, invoice.number)
        note = carol_client.post(
            reverse("billing:invoice_note", args=[invoice.number]), {"body": "x"}
        )
        assert note.status_code == 404
    listing = body(carol_client.get(reverse("billing:invoices")))
    assert all(i.number not in listing for i in acme_invoices.values())
    assert "Acme" not in body(carol_client.get(reverse("billing:overview")))
    assert changed_tables(before, database_fingerprint()) == []


def test_drafts_are_invisible_to_customers(foundation, alice_client):
    draft = services.create_invoice(
        organisation=foundation.acme,
        actor=foundation.users["sam"],
        lines=[services.LineInput("Draft line", Decimal("1.00"))],
    )
    assert draft.number is None
    assert "Draft line" not in body(alice_client.get(reverse("billing:invoices")))


def test_anonymous_visitors_go_to_login(client, acme_invoices):
    for url in (
        reverse("billing:overview"),
        reverse("billing:invoices"),
        reverse("billing:invoice", args=[acme_invoices["paid"].number]),
        reverse("billing:make_payment"),
        reverse("billing:usage"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_invoice_list_query_count_does_not_grow(
    foundation, alice_client, django_assert_max_num_queries
):
    issue(foundation, amounts=("10.00",))
    alice_client.get(reverse("billing:invoices"))
    with django_assert_max_num_queries(25) as small:
        alice_client.get(reverse("billing:invoices"))
    for days in range(60):
        issue(foundation, amounts=("10.00", "5.00"), days_ago=days)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = alice_client.get(reverse("billing:invoices"), {"status": "outstanding"})
    assert response.status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        alice_client.get(reverse("billing:overview"))


def test_usage_shows_the_current_period_and_past_ones(foundation, alice_client):
    today = timezone.localdate().replace(day=1)
    UsageRecord.objects.create(
        organisation=foundation.acme,
        product="Mono print pages",
        usage_identifier="CNB1K40211",
        quantity=Decimal("1200"),
        period_start=today,
    )
    UsageRecord.objects.create(
        organisation=foundation.acme,
        product="Mono print pages",
        usage_identifier="CNB1K40211",
        quantity=Decimal("300"),
        period_start=today,
    )
    UsageRecord.objects.create(
        organisation=foundation.acme,
        product="Colour print pages",
        usage_identifier="OLD-1",
        quantity=Decimal("77"),
        period_start=date(2025, 1, 1),
    )
    UsageRecord.objects.create(
        organisation=foundation.globex,
        product="Globex secret product",
        usage_identifier="GLX",
        quantity=Decimal("5"),
        period_start=today,
    )

    current = body(alice_client.get(reverse("billing:usage")))
    past = body(alice_client.get(reverse("billing:usage"), {"period": "2025-01"}))
    export = body(alice_client.get(reverse("billing:usage_csv"), {"period": "2025-01"}))

    assert "Select period" in current
    assert "CNB1K40211" in current
    assert "1,500" in current  # 1200 + 300 in the current period
    assert "OLD-1" not in current and "Globex" not in current
    assert "OLD-1" in past
    assert "OLD-1" in export and "77" in export


def test_usage_lists_a_period_once_whatever_the_number_of_records(foundation, alice_client):
    for identifier in ("CNB1K40211", "CNB1K40212", "CNB1K40213"):
        UsageRecord.objects.create(
            organisation=foundation.acme,
            product="Mono print pages",
            usage_identifier=identifier,
            quantity=Decimal("10"),
            period_start=date(2025, 3, 1),
        )

    with CaptureQueriesContext(connection) as queries:
        page = body(alice_client.get(reverse("billing:usage")))

    assert page.count('<option value="2025-03"') == 1
    (periods_sql,) = [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]
    # One row per period from the database, not one per record.
    assert "usage_identifier" not in periods_sql and "product" not in periods_sql
    assert "LIMIT" in periods_sql.upper()


def test_invoice_list_counts_a_bounded_number_of_invoices(foundation, alice_client, monkeypatch):
    for days in range(4):
        issue(foundation, amounts=("10.00",), days_ago=days)
    url = reverse("billing:invoices")
    exact = body(alice_client.get(url))
    monkeypatch.setattr(billing_views, "PAGE_SIZE", 1)
    monkeypatch.setattr(CappedCountPaginator, "count_limit", 2)

    with CaptureQueriesContext(connection) as queries:
        first = body(alice_client.get(url))
    (count_sql,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT COUNT(*) FROM (") and "billing_invoice" in q["sql"]
    ]
    third = body(alice_client.get(url, {"page": "3"}))

    assert "4 invoices" in exact
    assert "More than 2 invoices" in first and 'rel="next"' in first
    assert "LIMIT 3)" in count_sql  # COUNT over a bounded subquery, not the table
    # Later pages stay reachable: the counted rows move along with the page.
    assert "4 invoices" in third and "Page 3 of 4" in third


def test_parent_overview_lists_the_child_accounts_it_is_billed_for(foundation, petra_client):
    issue(foundation, foundation.initech, account=foundation.initech_north)
    page = body(petra_client.get(reverse("billing:overview")))
    assert "Initech North" in page and "Initech South" in page
    assert "Change account" in page


def test_a_child_account_sees_its_own_invoices_after_change_account(foundation, petra_client):
    north_invoice = issue(foundation, foundation.initech, account=foundation.initech_north)
    south_invoice = issue(foundation, foundation.initech, account=foundation.initech_south)
    petra_client.post(
        reverse("customers:change_account"), {"organisation": foundation.initech_north.pk}
    )

    listing = body(petra_client.get(reverse("billing:invoices")))

    assert north_invoice.number in listing
    assert south_invoice.number not in listing
    assert Invoice.objects.count() == 2
