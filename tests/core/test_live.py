"""Lists that filter in place (``portico.core.live``): the request list, the agents' queue
and the invoice list answer their filter bar's htmx requests with the results only."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.billing.test_pages import acme_invoices  # noqa: F401 - a fixture
from tests.service.factories import raise_request

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CLEAR_OOB = re.compile(
    r'<span id="clear-filters" class="filter-bar__clear" hx-swap-oob="true">'
    r'<a class="button button--link" href="[^"]*">Clear filters</a></span>'
)


def get(client, url: str, **headers: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries]


@pytest.fixture
def two_requests(foundation, alice):
    return (
        raise_request(alice, title="Streaks on every page", site=foundation.acme_sites[0]),
        raise_request(alice, title="Paper jam in tray 2", site=foundation.acme_sites[1]),
    )


def test_the_request_list_answers_its_filter_bar_with_the_results_only(two_requests, alice_client):
    streaks, jam = two_requests
    url = reverse("service:list") + "?tab=company&q=streaks&status="
    page, page_queries = get(alice_client, url)
    results, result_queries = get(alice_client, url, **HTMX)

    html = results.content.decode()
    assert "<html" not in html and 'id="request-results"' not in html
    assert 'id="live-status"' not in html  # the page's region stays; only its text changes
    assert streaks.number in html and jam.number not in html
    assert "Showing 1–1 of 1 request" in html
    assert "data-live-status" in html
    # The export links inside the results follow the new filter.
    assert "export.csv?tab=company&amp;q=streaks&amp;status=" in html
    # "Clear filters" in the filter bar (outside the results) is replaced alongside.
    assert CLEAR_OOB.search(html)
    assert "HX-Request" in results["Vary"]
    # The filter bar is not rendered again: its sites and categories are not read.
    assert len(result_queries) < len(page_queries)

    def site_choices(queries: list[str]) -> list[str]:
        return [sql for sql in queries if sql.startswith('SELECT "customers_site"')]

    assert site_choices(page_queries) and not site_choices(result_queries)

    full = page.content.decode()
    assert 'hx-get="/requests/"' in full and 'hx-target="#request-results"' in full
    assert 'hx-push-url="true"' in full
    assert '<span id="live-status" class="visually-hidden" role="status"' in full
    assert 'id="clear-filters"' in full and "hx-swap-oob" not in full


def test_an_unfiltered_result_clears_the_clear_filters_link(two_requests, alice_client):
    html = alice_client.get(reverse("service:list") + "?tab=company", **HTMX).content.decode()
    assert '<span id="clear-filters" class="filter-bar__clear" hx-swap-oob="true"></span>' in html


def test_going_back_to_a_filtered_list_gets_the_whole_page(two_requests, alice_client):
    """htmx asks again for a page it no longer holds in its history: that needs the page."""
    response = alice_client.get(
        reverse("service:list") + "?q=streaks",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    html = response.content.decode()
    assert html.startswith("<!doctype html>")
    assert 'id="request-results"' in html


def test_a_filtered_result_never_shows_another_organisations_requests(
    two_requests, foundation, carol, carol_client
):
    streaks, _jam = two_requests
    html = carol_client.get(
        reverse("service:list") + f"?tab=company&q={streaks.number}", **HTMX
    ).content.decode()
    assert streaks.number not in html
    assert "No request matches these filters." in html


def test_the_queue_answers_its_filter_bar_with_the_results_only(sam_client, two_requests):
    streaks, jam = two_requests
    url = reverse("workspace:queue") + f"?q={jam.number}"
    results, _ = get(sam_client, url, **HTMX)
    html = results.content.decode()
    assert "<html" not in html
    assert jam.number in html and streaks.number not in html
    assert "Page 1 of the queue, filtered" in html
    assert CLEAR_OOB.search(html)
    assert "HX-Request" in results["Vary"]
    full = sam_client.get(url).content.decode()
    assert 'hx-target="#queue-results"' in full
    assert full.count(f"<strong>{jam.number}</strong>") == 1  # one table, not two


def test_the_invoice_list_answers_its_filter_bar_with_the_results_only(
    alice_client,
    acme_invoices,  # noqa: F811 - the fixture imported above
):
    url = reverse("billing:invoices") + "?status=voided"
    html = alice_client.get(url, **HTMX).content.decode()
    assert "<html" not in html
    assert acme_invoices["voided"].number in html
    assert acme_invoices["paid"].number not in html
    assert CLEAR_OOB.search(html)
    full = alice_client.get(url).content.decode()
    assert 'hx-target="#invoice-results"' in full
