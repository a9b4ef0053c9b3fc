"""Sites (E1) and a site's equipment list (E2): counts, site scope, actions by right."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portico.core.rights import Right
from tests.conftest import client_for
from tests.equipment_fixtures import make_asset, member
from tests.utils import changed_tables, database_fingerprint

pytestmark = pytest.mark.django_db


def site_counts(html: str) -> dict[str, int]:
    """Site name → machine count, read from the sites page's cards."""
    cards = re.findall(
        r'site-card__name">([^<]+)</h2>.*?site-card__count"><strong>(\d+)</strong>', html, re.S
    )
    return {name: int(count) for name, count in cards}


def test_sites_page_lists_every_acme_site_with_its_equipment_count(alice_client, equipment):
    response = alice_client.get(reverse("assets:sites"))

    assert response.status_code == 200
    assert site_counts(response.content.decode()) == {
        "Bristol Depot": 1,
        "Cardiff Warehouse": 0,
        "Glasgow Office": 0,
        "Head Office": 1,
        "Leeds Works": 2,
        "Manchester Studio": 0,
    }
    assert "Choose equipment" in response.content.decode()
    assert reverse("assets:site", args=[equipment.leeds.pk]) in response.content.decode()


def test_bob_sees_only_leeds_works_on_the_sites_page(bob_client, equipment):
    response = bob_client.get(reverse("assets:sites"))

    assert site_counts(response.content.decode()) == {"Leeds Works": 2}


def test_choose_equipment_uses_the_branded_label(
    alice_client, equipment, django_capture_on_commit_callbacks
):
    from portico.core.models import Branding

    with django_capture_on_commit_callbacks(execute=True):
        branding = Branding.current()
        branding.labels = {"choose_equipment": "Show machines"}
        branding.save()

    response = alice_client.get(reverse("assets:sites"))

    assert "Show machines" in response.content.decode()


def test_site_equipment_lists_the_machines_of_that_site_only(bob_client, equipment):
    response = bob_client.get(reverse("assets:site", args=[equipment.leeds.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "LEEDS-MONO" in body and "LEEDS-COLOUR" in body
    assert "HO-MONO" not in body and "GX-MONO" not in body
    assert "Goods-in office" in body
    # Warranty status badges: one in warranty, one expired.
    assert "In warranty" in body and "Expired" in body


def test_bob_gets_404_for_a_site_outside_his_scope(bob_client, equipment):
    response = bob_client.get(reverse("assets:site", args=[equipment.head_office.pk]))

    assert response.status_code == 404


def test_carol_gets_404_for_an_acme_site(carol_client, equipment):
    response = carol_client.get(reverse("assets:site", args=[equipment.leeds.pk]))

    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, equipment):
    response = client.get(reverse("assets:sites"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_user_without_the_equipment_right_gets_403(foundation, equipment):
    accounts = member(foundation.acme, "ann@acme.example", invoices=Right.VIEW)
    client = client_for(accounts)

    for url in [
        reverse("assets:sites"),
        reverse("assets:site", args=[equipment.leeds.pk]),
        reverse("assets:list"),
        reverse("assets:detail", args=[equipment.leeds_mono.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_row_actions_follow_the_users_rights(foundation, equipment, bob_client):
    leeds_url = reverse("assets:site", args=[equipment.leeds.pk])
    new_order = reverse("orders:new", args=[equipment.leeds_mono.pk])
    view_orders = f"{reverse('orders:list')}?asset={equipment.leeds_mono.pk}"
    meters = reverse("meters:asset", args=[equipment.leeds_mono.pk])

    # bob (Site user) may create orders and meter readings.
    body = bob_client.get(leeds_url).content.decode()
    assert new_order in body and view_orders in body and meters in body
    assert "New order" in body
    assert reverse("meters:site", args=[equipment.leeds.pk]) in body  # readings for the site

    # Someone who may only view orders and equipment sees no "New order" and no meters.
    viewer = client_for(
        member(foundation.acme, "vic@acme.example", assets=Right.VIEW, orders=Right.VIEW)
    )
    body = viewer.get(leeds_url).content.decode()
    assert view_orders in body
    assert new_order not in body and meters not in body


def test_last_service_request_column_shows_a_dash_without_requests(alice_client, equipment):
    body = alice_client.get(reverse("assets:site", args=[equipment.leeds.pk])).content.decode()

    assert 'data-label="Last service request"><span class="cell__muted" aria-label="None">—' in body


def test_customer_registered_machine_shows_a_badge(alice_client, equipment):
    equipment.leeds_mono.is_customer_registered = True
    equipment.leeds_mono.save()

    body = alice_client.get(reverse("assets:site", args=[equipment.leeds.pk])).content.decode()

    assert "Awaiting confirmation" in body


def test_pages_do_not_write(alice_client, bob_client, equipment):
    before = database_fingerprint()
    alice_client.get(reverse("assets:sites"))
    bob_client.get(reverse("assets:site", args=[equipment.leeds.pk]))
    assert changed_tables(before, database_fingerprint()) == []


def test_sites_page_query_count_does_not_grow_with_machines(
    alice_client, equipment, foundation, django_assert_max_num_queries
):
    url = reverse("assets:sites")
    alice_client.get(url)  # warm caches (branding, session)
    with django_assert_max_num_queries(12) as few:
        alice_client.get(url)
    for i in range(40):
        make_asset(foundation.acme_sites[i % 6], equipment.catalogue.mono, f"MORE-{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(url)
    assert site_counts(response.content.decode())["Leeds Works"] == 2 + 7


def test_site_equipment_query_count_does_not_grow_with_machines(
    bob_client, equipment, foundation, django_assert_max_num_queries
):
    url = reverse("assets:site", args=[equipment.leeds.pk])
    bob_client.get(url)
    with django_assert_max_num_queries(20) as few:
        bob_client.get(url)
    for i in range(30):
        model = equipment.catalogue.colour if i % 2 else equipment.catalogue.mono
        make_asset(equipment.leeds, model, f"LEEDS-{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bob_client.get(url)
    assert response.content.decode().count('data-label="Serial number"') == 25  # one page


def test_machine_actions_use_the_branded_labels(
    alice_client, equipment, django_capture_on_commit_callbacks
):
    from portico.core.models import Branding

    with django_capture_on_commit_callbacks(execute=True):
        branding = Branding.current()
        branding.labels = {"new_request": "Report a fault", "new_order": "Order supplies"}
        branding.save()

    listing = alice_client.get(reverse("assets:site", args=[equipment.leeds.pk])).content.decode()
    detail = alice_client.get(
        reverse("assets:detail", args=[equipment.leeds_colour.pk])
    ).content.decode()

    for body in (listing, detail):
        assert "Report a fault" in body
        assert "Order supplies" in body
