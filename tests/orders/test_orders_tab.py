"""The orders tab: list with filters, search and sort, exports, and an order's detail page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portico.core.paginators import CappedCountPaginator
from portico.orders import views as order_views
from portico.orders.models import SupplyOrder
from portico.orders.services import change_order_status
from tests.orders.conftest import order_for

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return re.findall(
        r'class="cell__mono cell__nowrap" href="/orders/(ORD-\d+)/"', response.content.decode()
    )


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def orders(equipment, alice, bob, sam):
    """ORD-000001 Leeds (bob, delivered), -2 Leeds (bob, submitted),
    -3 Head Office (alice, cancelled), -4 Bristol (alice, confirmed, 40 days ago)."""
    cat = equipment.catalogue
    first = order_for(bob, equipment.leeds_mono, {cat.black: 2, cat.drum: 1})
    for status in ("confirmed", "dispatched", "delivered"):
        change_order_status(order=first, to_status=status, actor=sam, note=f"Now {status}")
    second = order_for(bob, equipment.leeds_colour, {cat.cyan: 1})
    third = order_for(alice, equipment.head_office_mono, {cat.black: 1})
    change_order_status(order=third, to_status="cancelled", actor=sam)
    fourth = order_for(alice, equipment.bristol_colour, {cat.magenta: 3}, notes="=1+1")
    change_order_status(order=fourth, to_status="confirmed", actor=sam)
    SupplyOrder.objects.filter(pk=fourth.pk).update(created_at=timezone.now() - timedelta(days=40))
    return [first, second, third, fourth]


def test_alice_sees_every_acme_order_newest_first(alice_client, orders):
    response = alice_client.get(reverse("orders:list"))

    assert numbers(response) == ["ORD-000003", "ORD-000002", "ORD-000001", "ORD-000004"]
    body = response.content.decode()
    assert "£170.00" in body and "Delivered" in body and "Cancelled" in body


def test_bob_sees_only_leeds_orders(bob_client, orders):
    response = bob_client.get(reverse("orders:list"))

    assert sorted(numbers(response)) == ["ORD-000001", "ORD-000002"]


def test_carol_sees_no_acme_orders(carol_client, orders):
    response = carol_client.get(reverse("orders:list"))

    assert numbers(response) == []
    assert "You have no supply orders yet." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "delivered"}, ["ORD-000001"]),
        ({"status": "confirmed"}, ["ORD-000004"]),
        ({"q": "0003"}, ["ORD-000003"]),
        ({"q": "ord-000002"}, ["ORD-000002"]),
        ({"sort": "number"}, ["ORD-000001", "ORD-000002", "ORD-000003", "ORD-000004"]),
        ({"sort": "-total"}, ["ORD-000004", "ORD-000001", "ORD-000002", "ORD-000003"]),
    ],
)
def test_filters_search_and_sort(alice_client, orders, query, expected):
    assert numbers(alice_client.get(reverse("orders:list"), query)) == expected


def test_filter_by_site_and_date_range(alice_client, orders, equipment):
    today = timezone.localdate()

    by_site = alice_client.get(reverse("orders:list"), {"site": equipment.head_office.pk})
    older = alice_client.get(
        reverse("orders:list"), {"date_to": (today - timedelta(days=30)).isoformat()}
    )
    recent = alice_client.get(reverse("orders:list"), {"date_from": today.isoformat()})

    assert numbers(by_site) == ["ORD-000003"]
    assert numbers(older) == ["ORD-000004"]
    assert sorted(numbers(recent)) == ["ORD-000001", "ORD-000002", "ORD-000003"]


def test_an_end_date_before_the_start_is_explained(alice_client, orders):
    response = alice_client.get(
        reverse("orders:list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )

    assert "The end date must be on or after the start date." in response.content.decode()


def test_orders_of_one_machine(bob_client, orders, equipment):
    response = bob_client.get(reverse("orders:list"), {"asset": equipment.leeds_colour.pk})

    assert numbers(response) == ["ORD-000002"]
    assert "For LEEDS-COLOUR" in response.content.decode()


def test_a_machine_outside_the_scope_is_a_404(bob_client, orders, equipment):
    response = bob_client.get(reverse("orders:list"), {"asset": equipment.head_office_mono.pk})

    assert response.status_code == 404


def test_csv_export_has_the_orders_bob_may_see(bob_client, orders):
    rows = csv_rows(bob_client.get(reverse("orders:export_csv")))

    assert rows[0] == [
        "Order number",
        "Date",
        "Status",
        "Delivery site",
        "Machines",
        "Items",
        "Total",
        "Currency",
        "Notes",
    ]
    by_number = {row[0]: row for row in rows[1:]}
    assert sorted(by_number) == ["ORD-000001", "ORD-000002"]
    first = by_number["ORD-000001"]
    assert first[2:5] == ["Delivered", "Leeds Works", "LEEDS-MONO"]
    assert first[5] == "1 × Drum DR-100; 2 × Black toner TN-100"  # by item code
    assert first[6:8] == ["170.00", "GBP"]


def test_excel_export_and_formula_neutralisation(alice_client, orders):
    response = alice_client.get(reverse("orders:export_xlsx"), {"status": "confirmed"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["ORD-000004"]
    assert rows[1][6] == 300  # a number, not text
    notes = sheet.cell(row=2, column=9)
    assert notes.data_type == "s" and notes.value == "'=1+1"

    csv_notes = csv_rows(alice_client.get(reverse("orders:export_csv"), {"status": "confirmed"}))
    assert csv_notes[1][8] == "'=1+1"


def test_detail_shows_lines_totals_history_and_machine(bob_client, orders, equipment):
    response = bob_client.get(reverse("orders:detail", args=["ORD-000001"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Black toner TN-100" in body and "Drum DR-100" in body
    assert "£120.00" in body and "£170.00" in body  # line total and order total
    assert body.count("Now confirmed") == 1 and "Now delivered" in body
    assert reverse("assets:detail", args=[equipment.leeds_mono.pk]) in body
    # Staff changes are shown as the provider, not the employee's name.
    assert "Northwind Office Services" in body and "Sam Sharma" not in body


def test_bob_gets_404_for_an_order_delivered_elsewhere(bob_client, orders):
    assert bob_client.get(reverse("orders:detail", args=["ORD-000003"])).status_code == 404


def test_carol_gets_404_for_an_acme_order(carol_client, orders):
    assert carol_client.get(reverse("orders:detail", args=["ORD-000001"])).status_code == 404


def test_order_list_query_count_does_not_grow_with_orders(
    alice_client, alice, orders, equipment, django_assert_max_num_queries
):
    url = reverse("orders:list")
    alice_client.get(url)
    with django_assert_max_num_queries(20) as few:
        alice_client.get(url)
    cat = equipment.catalogue
    for i in range(30):
        asset = equipment.leeds_colour if i % 2 else equipment.bristol_colour
        order_for(alice, asset, {cat.cyan: 1, cat.magenta: 1 + i % 3})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(url)
    assert len(numbers(response)) == 25


def test_order_list_counts_a_bounded_number_of_orders(alice_client, orders, monkeypatch):
    url = reverse("orders:list")
    exact = alice_client.get(url).content.decode()
    monkeypatch.setattr(order_views, "PAGE_SIZE", 1)
    monkeypatch.setattr(CappedCountPaginator, "count_limit", 2)

    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(url)
    counts = [q["sql"] for q in queries.captured_queries if "orders_supplyorder" in q["sql"]]
    counts = [sql for sql in counts if sql.startswith("SELECT COUNT(*)")]
    last = alice_client.get(url, {"page": "4"})

    assert "4 orders" in exact
    assert "More than 2 orders" in response.content.decode()
    assert numbers(response) == ["ORD-000003"] and 'rel="next"' in response.content.decode()
    assert len(counts) == 1 and "LIMIT 3)" in counts[0]  # a bounded subquery, not the table
    assert numbers(last) == ["ORD-000004"] and "4 orders" in last.content.decode()


def test_order_detail_query_count_does_not_grow_with_lines_or_history(
    alice_client, alice, sam, equipment, django_assert_max_num_queries
):
    cat = equipment.catalogue
    small = order_for(alice, equipment.leeds_mono, {cat.black: 1})
    big = order_for(alice, equipment.leeds_colour, {cat.cyan: 2, cat.magenta: 1, cat.staples: 4})
    for status in ("confirmed", "dispatched", "delivered"):
        change_order_status(order=big, to_status=status, actor=sam)
    alice_client.get(reverse("orders:detail", args=[small.number]))

    with django_assert_max_num_queries(20) as few:
        alice_client.get(reverse("orders:detail", args=[small.number]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        alice_client.get(reverse("orders:detail", args=[big.number]))
