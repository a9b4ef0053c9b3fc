"""A machine's detail page (E6): facts, warranty, specifications, supplies, one timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.assets.timeline import asset_timeline
from portico.core.access import build_scope
from portico.core.rights import Right
from portico.orders.models import ItemRequest
from portico.orders.services import change_order_status, place_order
from tests.conftest import client_for
from tests.equipment_fixtures import member

pytestmark = pytest.mark.django_db


def order(user, asset, *supplies, key):
    placed, _ = place_order(
        actor=user,
        scope=build_scope(user),
        asset=asset,
        quantities={s.pk: 1 for s in supplies},
        delivery_site=asset.site,
        submission_key=key,
    )
    return placed


def test_detail_shows_facts_and_warranty(bob_client, equipment):
    response = bob_client.get(reverse("assets:detail", args=[equipment.leeds_mono.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Brother HL-5000" in body
    assert "LEEDS-MONO" in body and "AC-0001" in body and "Goods-in office" in body
    assert "In warranty" in body
    assert reverse("orders:new", args=[equipment.leeds_mono.pk]) in body


def test_bob_gets_404_for_a_machine_at_another_acme_site(bob_client, equipment):
    response = bob_client.get(reverse("assets:detail", args=[equipment.head_office_mono.pk]))

    assert response.status_code == 404


def test_carol_gets_404_for_an_acme_machine(carol_client, equipment):
    response = carol_client.get(reverse("assets:detail", args=[equipment.leeds_mono.pk]))

    assert response.status_code == 404


def test_specifications_tab(alice_client, equipment):
    url = reverse("assets:detail", args=[equipment.leeds_mono.pk])

    body = alice_client.get(url, {"tab": "specifications"}).content.decode()

    assert "Print speed" in body and "40 ppm" in body and "A4" in body


def test_supplies_tab_lists_fitting_supplies_with_reorder_estimate(alice_client, alice, equipment):
    cat = equipment.catalogue
    order(alice, equipment.leeds_mono, cat.black, key="k1")
    url = reverse("assets:detail", args=[equipment.leeds_mono.pk])

    body = alice_client.get(url, {"tab": "supplies"}).content.decode()

    assert "Black toner TN-100" in body and "Drum DR-100" in body
    assert "Cyan toner" not in body and "Old toner" not in body
    # 3,000 pages at 3,000 a month (expected volume): about 30 days from today's order.
    assert "Due in about 30 days" in body


def test_supplies_tab_is_hidden_without_the_orders_right(foundation, equipment):
    client = client_for(member(foundation.acme, "eve@acme.example", assets=Right.VIEW))
    url = reverse("assets:detail", args=[equipment.leeds_mono.pk])

    body = client.get(url).content.decode()

    assert "?tab=supplies" not in body
    assert client.get(url, {"tab": "supplies"}).context["tab"] == "timeline"


def test_timeline_shows_registration_orders_and_item_requests(
    alice_client, alice, sam, bob, equipment
):
    cat = equipment.catalogue
    asset = equipment.leeds_mono
    placed = order(alice, asset, cat.black, key="k1")
    change_order_status(order=placed, to_status="confirmed", actor=sam)
    ItemRequest.objects.create(
        organisation=asset.organisation, asset=asset, requested_by=bob, message="A3 tray please"
    )

    body = alice_client.get(reverse("assets:detail", args=[asset.pk])).content.decode()

    assert "Added to your equipment" in body
    assert f"Order {placed.number} placed" in body
    assert f"Order {placed.number} confirmed" in body
    assert reverse("orders:detail", args=[placed.number]) in body
    assert "Item requested" in body and "A3 tray please" in body


def test_timeline_is_newest_first_and_respects_rights(alice, bob, sam, equipment, foundation):
    cat = equipment.catalogue
    asset = equipment.leeds_mono
    placed = order(alice, asset, cat.black, key="k1")
    change_order_status(order=placed, to_status="confirmed", actor=sam)

    events = asset_timeline(asset, build_scope(bob))
    assert [e.kind for e in events][:2] == ["order", "order"]
    assert events == sorted(events, key=lambda e: e.when, reverse=True)

    no_orders = member(foundation.acme, "ed@acme.example", assets=Right.VIEW)
    assert {e.kind for e in asset_timeline(asset, build_scope(no_orders))} == {"registered"}


def test_replenishment_notice_on_automatic_machines(alice_client, equipment):
    asset = equipment.leeds_colour
    asset.replenishment = asset.Replenishment.AUTOMATIC
    asset.save()

    body = alice_client.get(reverse("assets:detail", args=[asset.pk])).content.decode()

    assert "some items may not be listed here" in body


def test_detail_query_count_does_not_grow_with_orders(
    alice_client, alice, sam, equipment, django_assert_max_num_queries
):
    cat = equipment.catalogue
    asset = equipment.leeds_mono
    url = reverse("assets:detail", args=[asset.pk])
    order(alice, asset, cat.black, key="first")
    alice_client.get(url)
    for tab in ["timeline", "specifications", "supplies"]:
        with django_assert_max_num_queries(25) as few:
            alice_client.get(url, {"tab": tab})
        for i in range(15):
            placed = order(alice, asset, cat.black, cat.drum, key=f"{tab}-{i}")
            change_order_status(order=placed, to_status="confirmed", actor=sam)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = alice_client.get(url, {"tab": tab})
        assert response.status_code == 200
