"""The assets page (E3): filters, search and sort in the URL, site scope, CSV and Excel."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portico.assets import views as asset_views
from portico.core.paginators import CappedCountPaginator
from tests.equipment_fixtures import make_asset

pytestmark = pytest.mark.django_db


def serials(response) -> list[str]:
    """Serial numbers of the table rows, in order."""
    return re.findall(
        r'class="cell__mono" href="/assets/\d+/">([^<]+)</a>', response.content.decode()
    )


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def xlsx_rows(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_alice_sees_every_acme_machine_and_none_of_globex(alice_client, equipment):
    response = alice_client.get(reverse("assets:list"))

    assert response.status_code == 200
    assert sorted(serials(response)) == ["BRS-COLOUR", "HO-MONO", "LEEDS-COLOUR", "LEEDS-MONO"]


def test_bob_sees_only_leeds_machines(bob_client, equipment):
    response = bob_client.get(reverse("assets:list"))

    assert sorted(serials(response)) == ["LEEDS-COLOUR", "LEEDS-MONO"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"warranty": "in"}, ["BRS-COLOUR", "LEEDS-MONO"]),
        ({"warranty": "expired"}, ["LEEDS-COLOUR"]),
        ({"warranty": "unknown"}, ["HO-MONO"]),
        ({"q": "ac-0003"}, ["HO-MONO"]),  # asset tag, any case
        ({"q": "drawing"}, ["LEEDS-COLOUR"]),  # location
        ({"q": "colour"}, ["BRS-COLOUR", "LEEDS-COLOUR"]),  # serial
    ],
)
def test_filters_and_search_narrow_the_list(alice_client, equipment, query, expected):
    response = alice_client.get(reverse("assets:list"), query)

    assert sorted(serials(response)) == expected


def test_filter_by_site_and_model(alice_client, equipment):
    query = {"site": equipment.leeds.pk, "model": equipment.catalogue.colour.pk}

    response = alice_client.get(reverse("assets:list"), query)

    assert serials(response) == ["LEEDS-COLOUR"]


def test_bob_cannot_filter_his_way_to_another_site(bob_client, equipment):
    response = bob_client.get(reverse("assets:list"), {"site": equipment.head_office.pk})

    # An unknown choice is ignored by the form; the list stays inside his scope.
    assert "HO-MONO" not in serials(response)


def test_sorting_by_serial_both_ways(alice_client, equipment):
    up = serials(alice_client.get(reverse("assets:list"), {"sort": "serial"}))
    down = serials(alice_client.get(reverse("assets:list"), {"sort": "-serial"}))

    assert up == ["BRS-COLOUR", "HO-MONO", "LEEDS-COLOUR", "LEEDS-MONO"]
    assert down == list(reversed(up))


def test_an_unknown_sort_key_falls_back_to_the_default(alice_client, equipment):
    response = alice_client.get(reverse("assets:list"), {"sort": "organisation__name"})

    assert response.status_code == 200
    assert len(serials(response)) == 4


def test_csv_export_holds_the_filtered_rows(alice_client, equipment):
    response = alice_client.get(reverse("assets:export_csv"), {"site": equipment.leeds.pk})

    rows = csv_rows(response)
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:4] == ["Serial number", "Asset tag", "Manufacturer", "Model"]
    assert sorted(r[0] for r in rows[1:]) == ["LEEDS-COLOUR", "LEEDS-MONO"]
    mono = next(r for r in rows if r[0] == "LEEDS-MONO")
    assert mono[1:6] == ["AC-0001", "Brother", "HL-5000", "Leeds Works", "Goods-in office"]


def test_bobs_exports_hold_only_leeds_machines(bob_client, equipment):
    csv_serials = [r[0] for r in csv_rows(bob_client.get(reverse("assets:export_csv")))[1:]]
    xlsx_serials = [r[0] for r in xlsx_rows(bob_client.get(reverse("assets:export_xlsx")))[1:]]

    assert sorted(csv_serials) == sorted(xlsx_serials) == ["LEEDS-COLOUR", "LEEDS-MONO"]


def test_excel_export_keeps_dates_typed(alice_client, equipment):
    response = alice_client.get(reverse("assets:export_xlsx"), {"q": "LEEDS-MONO"})

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    header, row = xlsx_rows(response)
    warranty = row[header.index("Warranty ends")]
    assert warranty.date() == equipment.leeds_mono.warranty_ends_on


def test_exports_neutralise_formulas(alice_client, equipment):
    equipment.leeds_mono.location = '=HYPERLINK("http://evil.example","Click")'
    equipment.leeds_mono.asset_tag = "+1+2"
    equipment.leeds_mono.save()

    rows = csv_rows(alice_client.get(reverse("assets:export_csv"), {"q": "LEEDS-MONO"}))
    assert rows[1][5] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows[1][1] == "'+1+2"

    response = alice_client.get(reverse("assets:export_xlsx"), {"q": "LEEDS-MONO"})
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    location = sheet.cell(row=2, column=6)
    assert location.data_type == "s"
    assert location.value.startswith("'=HYPERLINK")


def test_asset_list_counts_a_bounded_number_of_machines(alice_client, equipment, monkeypatch):
    url = reverse("assets:list")
    exact = alice_client.get(url).content.decode()
    monkeypatch.setattr(asset_views, "PAGE_SIZE", 1)
    monkeypatch.setattr(CappedCountPaginator, "count_limit", 2)

    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(url, {"sort": "serial"})
    counts = [q["sql"] for q in queries.captured_queries if "assets_asset" in q["sql"]]
    counts = [sql for sql in counts if sql.startswith("SELECT COUNT(*)")]
    last = alice_client.get(url, {"sort": "serial", "page": "4"})

    assert "4 machines" in exact
    assert "More than 2 machines" in response.content.decode()
    assert serials(response) == ["BRS-COLOUR"] and 'rel="next"' in response.content.decode()
    assert len(counts) == 1 and "LIMIT 3)" in counts[0]  # a bounded subquery, not the table
    assert serials(last) == ["LEEDS-MONO"] and "4 machines" in last.content.decode()


def test_asset_list_query_count_does_not_grow_with_machines(
    alice_client, equipment, foundation, django_assert_max_num_queries
):
    url = reverse("assets:list")
    alice_client.get(url)
    with django_assert_max_num_queries(25) as few:
        alice_client.get(url)
    for i in range(60):
        model = equipment.catalogue.colour if i % 3 else equipment.catalogue.mono
        make_asset(foundation.acme_sites[i % 6], model, f"BULK-{i:03d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(url)
    assert len(serials(response)) == 25
