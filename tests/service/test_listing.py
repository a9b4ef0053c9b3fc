"""``RequestListing``: the customer's list counted and paged by queries compiled once per
shape gives exactly the ids and counts the ORM gives for the same filters, for every
filter, sort and page, and never reaches past the scope."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portico.core.access import build_scope
from portico.service.forms import SORTS
from portico.service.listing import RequestListing, bounded_count, page_ids
from portico.service.models import ServiceRequest
from portico.service.services import change_state, watch
from tests.service.factories import category, machine, raise_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_queries():
    """Compiled shapes outlive a test (they belong to the connection): start without."""
    page_ids.cache_clear()
    bounded_count.cache_clear()


@pytest.fixture
def varied(foundation, alice, bob, sam):
    """Requests across both of Acme's sites, three categories, every priority and several
    states; some raised by bob, one on alice's behalf, one she only watches."""
    sites = foundation.acme_sites[:2]
    asset = machine(foundation.acme, sites[1], "SER-1", "TAG-1")
    categories = [category("Jam"), category("Print quality"), None]
    priorities = ["low", "normal", "high", "urgent"]
    made = []
    for index in range(14):
        raiser = bob if index % 5 == 0 else alice
        fields = {
            "title": f"Request {index:02d} {'zeta' if index % 2 else 'alpha'}",
            "priority": priorities[index % 4],
            "category": categories[index % 3],
        }
        if raiser is bob:
            fields["site"] = sites[1]  # bob's one site
        elif index % 3 == 0:
            fields["asset"] = asset
        else:
            fields["site"] = sites[index % 2]
        made.append(raise_request(raiser, **fields))
    for request in made[::3]:
        change_state(request=request, new_state="acknowledged", actor=sam)
    change_state(request=made[1], new_state="cancelled", actor=sam)
    watch(request=made[5], actor=alice)
    # Distinct creation times, so every sort is a total order on the data.
    for index, request in enumerate(made):
        ServiceRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timedelta(hours=index * 7)
        )
    return made


def orm_ids(listing: RequestListing, start: int, stop: int) -> list[int]:
    return list(listing.queryset().values_list("pk", flat=True)[start:stop])


def orm_count(listing: RequestListing, limit: int) -> int:
    return listing.queryset().order_by().values_list("pk")[:limit].count()


def test_every_filter_sort_and_page_gives_the_orms_ids_and_count(varied, foundation, alice):
    scope = build_scope(alice)
    organisations, sites = scope.reach
    jam = category("Jam").pk
    combinations = itertools.product(
        [None, alice.pk],  # company / mine
        [(None, False), ("acknowledged", False), (None, True)],  # state, open only
        [None, "urgent"],
        [None, foundation.acme_sites[1].pk],
        [None, jam],
    )
    checked = 0
    for involving, (state, open_only), priority, site, category_id in combinations:
        for sort in ("-created", "title", "-priority", "site"):
            listing = RequestListing(
                organisations=organisations,
                sites=sites,
                involving=involving,
                state=state,
                open_only=open_only,
                priority=priority,
                site=site,
                category=category_id,
                sort=sort,
            )
            assert listing.is_prepared
            for start, stop in ((0, 3), (3, 6), (0, 25)):
                assert listing[start:stop] == orm_ids(listing, start, stop), listing
            for limit in (2, 1001):
                assert listing.count_upto(limit) == orm_count(listing, limit), listing
            checked += 1
    assert checked == 192
    # Every shape was compiled (none fell back to the ORM), once.
    compiled_ids = page_ids().compiled[connections["default"]]
    compiled_counts = bounded_count().compiled[connections["default"]]
    assert all(compiled_ids.values()) and all(compiled_counts.values())
    assert len(compiled_counts) == 2 * 3 * 2 * 2 * 2 * 2  # the filters' shapes, two limits
    # The filters above find something, so the comparisons above compare rows.
    everything = RequestListing(organisations=organisations, sites=sites)
    assert everything.count_upto(1001) == len(varied)


def test_every_sort_is_compiled_and_orders_as_the_orm(varied, alice):
    organisations, sites = build_scope(alice).reach
    for key in SORTS:
        for sort in (key, f"-{key}"):
            listing = RequestListing(organisations=organisations, sites=sites, sort=sort)
            assert listing[0:25] == orm_ids(listing, 0, 25)
            assert len(listing[0:25]) == len(varied)
    assert all(page_ids().compiled[connections["default"]].values())


def test_bob_sees_his_one_site_only(varied, foundation, bob):
    organisations, sites = build_scope(bob).reach
    assert sites is not None and len(sites) == 1
    listing = RequestListing(organisations=organisations, sites=sites)
    ids = listing[0:25]
    expected = ServiceRequest.objects.filter(site_id__in=sites).order_by("-created_at", "-id")
    assert ids == list(expected.values_list("pk", flat=True))
    assert listing.count_upto(1001) == len(ids) < len(varied)
    # Asking for another site of his organisation finds nothing, not that site's rows.
    other = next(site.pk for site in foundation.acme_sites if site.pk not in sites)
    assert RequestListing(organisations=organisations, sites=sites, site=other)[0:25] == []


def test_my_requests_include_those_raised_for_me_and_those_i_watch(varied, alice, bob):
    organisations, sites = build_scope(alice).reach
    mine = set(RequestListing(organisations=organisations, sites=sites, involving=alice.pk)[0:25])
    raised = {r.pk for r in varied if r.created_by_id == alice.pk}
    assert mine == raised | {varied[5].pk}
    assert varied[5].created_by_id == bob.pk


def test_another_organisations_listing_is_empty(varied, carol):
    organisations, sites = build_scope(carol).reach
    listing = RequestListing(organisations=organisations, sites=sites)
    assert listing[0:25] == [] and listing.count_upto(1001) == 0


def test_search_and_dates_go_through_the_orm_and_still_filter(varied, alice):
    organisations, sites = build_scope(alice).reach
    searched = RequestListing(organisations=organisations, sites=sites, text="zeta")
    assert not searched.is_prepared
    assert len(searched[0:25]) == searched.count_upto(1001) == 7
    since = timezone.localdate() - timedelta(days=1)
    recent = RequestListing(organisations=organisations, sites=sites, created_from=since)
    assert not recent.is_prepared
    assert set(recent[0:25]) == {
        r.pk for r in ServiceRequest.objects.filter(created_at__date__gte=since)
    }


def test_the_list_page_reuses_its_compiled_queries_for_other_values(varied, alice_client):
    url = reverse("service:list")
    alice_client.get(url, {"priority": "low", "sort": "title"})
    shapes = len(page_ids().compiled[connections["default"]])
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(url, {"priority": "urgent", "sort": "title"})
    assert len(page_ids().compiled[connections["default"]]) == shapes
    assert [row["priority"] for row in response.context["rows"]] == ["urgent"] * 3
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*) FROM (")]
    assert len(counts) == 1
