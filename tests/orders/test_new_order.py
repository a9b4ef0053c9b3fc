"""'New order' on a machine (E5): only fitting supplies, quantities, one order per submit."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portico.core.access import build_scope
from portico.core.models import NumberSequence
from portico.core.rights import Right
from portico.orders.models import OrderLine, OrderStatusChange, SupplyOrder
from portico.orders.services import OrderError, place_order
from tests.conftest import client_for
from tests.equipment_fixtures import member
from tests.utils import changed_tables, database_fingerprint

pytestmark = pytest.mark.django_db


def new_order_url(asset) -> str:
    return reverse("orders:new", args=[asset.pk])


def form_key(client, asset) -> str:
    body = client.get(new_order_url(asset)).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f]+)"', body).group(1)


def post_order(client, asset, items: dict, **extra):
    data = {
        "supplies": [supply.pk for supply in items],
        "delivery_site": asset.site_id,
        "notes": "Leave at goods-in",
        "submission_key": extra.pop("submission_key", None) or form_key(client, asset),
    }
    for supply, quantity in items.items():
        data[f"quantity_{supply.pk}"] = quantity
    data.update(extra)
    return client.post(new_order_url(asset), data)


def test_form_lists_only_the_active_supplies_that_fit_the_machine(bob_client, equipment):
    body = bob_client.get(new_order_url(equipment.leeds_mono)).content.decode()

    assert "Black toner TN-100" in body and "Drum DR-100" in body
    assert "Cyan toner TK-C" not in body  # fits the colour MFP
    assert "Old toner" not in body  # withdrawn
    assert f'<option value="{equipment.leeds.pk}" selected>Leeds Works</option>' in body
    assert "Request an item" in body


def test_bob_orders_two_supplies(bob_client, bob, equipment):
    cat = equipment.catalogue

    response = post_order(bob_client, equipment.leeds_mono, {cat.black: 2, cat.drum: 1})

    order = SupplyOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=["ORD-000001"])
    assert order.number == "ORD-000001"
    assert order.status == SupplyOrder.Status.SUBMITTED
    assert order.created_by == bob
    assert order.organisation == equipment.leeds.organisation
    assert order.site == equipment.leeds
    assert order.notes == "Leave at goods-in"
    assert order.total == Decimal("170.00")  # 2 × 60 + 1 × 50
    lines = {
        (line.supply, line.quantity, line.unit_price, line.asset) for line in order.lines.all()
    }
    assert lines == {
        (cat.black, 2, Decimal("60.00"), equipment.leeds_mono),
        (cat.drum, 1, Decimal("50.00"), equipment.leeds_mono),
    }
    history = list(order.history.values_list("from_status", "to_status", "changed_by"))
    assert history == [("", "submitted", bob.pk)]


def test_numbers_follow_on(alice_client, equipment):
    cat = equipment.catalogue
    post_order(alice_client, equipment.leeds_mono, {cat.black: 1})
    post_order(alice_client, equipment.leeds_colour, {cat.cyan: 1})

    assert sorted(SupplyOrder.objects.values_list("number", flat=True)) == [
        "ORD-000001",
        "ORD-000002",
    ]


def test_a_crafted_post_with_another_models_supply_is_rejected(bob_client, equipment):
    cat = equipment.catalogue
    before = database_fingerprint()

    response = post_order(bob_client, equipment.leeds_mono, {cat.black: 1, cat.cyan: 1})

    assert response.status_code == 200
    assert "does not fit this machine" in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []
    assert not NumberSequence.objects.filter(kind="ORD").exists()


def test_a_withdrawn_supply_cannot_be_ordered(bob_client, equipment):
    response = post_order(bob_client, equipment.leeds_mono, {equipment.catalogue.withdrawn: 1})

    assert "does not fit this machine" in response.content.decode()
    assert SupplyOrder.objects.count() == 0


def test_nothing_ticked_is_a_clear_error(bob_client, equipment):
    before = database_fingerprint()

    response = post_order(bob_client, equipment.leeds_mono, {})

    assert response.status_code == 200
    assert "Tick at least one item to order." in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


@pytest.mark.parametrize("quantity", [0, 100, -1, "lots"])
def test_a_quantity_outside_1_to_99_is_refused(bob_client, equipment, quantity):
    response = post_order(bob_client, equipment.leeds_mono, {equipment.catalogue.black: quantity})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert SupplyOrder.objects.count() == 0


def test_quantities_of_unticked_items_do_not_matter(bob_client, equipment):
    cat = equipment.catalogue

    response = post_order(
        bob_client,
        equipment.leeds_mono,
        {cat.black: 3},
        **{f"quantity_{cat.drum.pk}": "999"},
    )

    assert response.status_code == 302
    assert list(OrderLine.objects.values_list("supply", "quantity")) == [(cat.black.pk, 3)]


def test_a_double_submit_creates_one_order(bob_client, equipment):
    cat = equipment.catalogue
    key = form_key(bob_client, equipment.leeds_mono)

    first = post_order(bob_client, equipment.leeds_mono, {cat.black: 1}, submission_key=key)
    second = post_order(bob_client, equipment.leeds_mono, {cat.black: 1}, submission_key=key)

    assert SupplyOrder.objects.count() == 1
    assert OrderStatusChange.objects.count() == 1
    assert first["Location"] == second["Location"] == reverse("orders:detail", args=["ORD-000001"])


def test_someone_elses_submission_key_is_refused(alice, bob, equipment):
    cat = equipment.catalogue
    place_order(
        actor=alice,
        scope=build_scope(alice),
        asset=equipment.leeds_mono,
        quantities={cat.black.pk: 1},
        delivery_site=equipment.leeds,
        submission_key="same-key",
    )

    with pytest.raises(OrderError):
        place_order(
            actor=bob,
            scope=build_scope(bob),
            asset=equipment.leeds_mono,
            quantities={cat.black.pk: 1},
            delivery_site=equipment.leeds,
            submission_key="same-key",
        )
    assert SupplyOrder.objects.count() == 1


def test_delivery_to_a_site_outside_bobs_scope_is_refused(bob_client, equipment):
    before = database_fingerprint()

    response = post_order(
        bob_client,
        equipment.leeds_mono,
        {equipment.catalogue.black: 1},
        delivery_site=equipment.head_office.pk,
    )

    assert response.status_code == 200
    assert changed_tables(before, database_fingerprint()) == []


def test_alice_may_deliver_to_another_acme_site(alice_client, equipment):
    post_order(
        alice_client,
        equipment.leeds_mono,
        {equipment.catalogue.black: 1},
        delivery_site=equipment.head_office.pk,
    )

    assert SupplyOrder.objects.get().site == equipment.head_office


def test_bob_gets_404_for_a_machine_at_another_site(bob_client, equipment):
    before = database_fingerprint()
    url = new_order_url(equipment.head_office_mono)

    assert bob_client.get(url).status_code == 404
    response = bob_client.post(
        url,
        {
            "supplies": [equipment.catalogue.black.pk],
            "delivery_site": equipment.leeds.pk,
            "submission_key": "x" * 32,
        },
    )

    assert response.status_code == 404
    assert changed_tables(before, database_fingerprint()) == []


def test_carol_gets_404_and_nothing_is_created(carol_client, equipment):
    before = database_fingerprint()
    url = new_order_url(equipment.leeds_mono)

    assert carol_client.get(url).status_code == 404
    response = carol_client.post(
        url,
        {
            "supplies": [equipment.catalogue.black.pk],
            "delivery_site": equipment.leeds.pk,
            "submission_key": "c" * 32,
        },
    )

    assert response.status_code == 404
    assert changed_tables(before, database_fingerprint()) == []


def test_view_only_orders_right_gets_403_and_nothing_is_created(foundation, equipment):
    viewer = member(foundation.acme, "val@acme.example", assets=Right.VIEW, orders=Right.VIEW)
    client = client_for(viewer)
    before = database_fingerprint()
    url = new_order_url(equipment.leeds_mono)

    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "supplies": [equipment.catalogue.black.pk],
            "delivery_site": equipment.leeds.pk,
            "submission_key": "v" * 32,
        },
    )

    assert response.status_code == 403
    assert changed_tables(before, database_fingerprint()) == []


def test_the_service_checks_rights_again(foundation, equipment):
    viewer = member(foundation.acme, "val@acme.example", assets=Right.VIEW, orders=Right.VIEW)

    with pytest.raises(PermissionDenied):
        place_order(
            actor=viewer,
            scope=build_scope(viewer),
            asset=equipment.leeds_mono,
            quantities={equipment.catalogue.black.pk: 1},
            delivery_site=equipment.leeds,
            submission_key="svc",
        )
    assert SupplyOrder.objects.count() == 0


def test_the_service_refuses_a_machine_outside_the_scope(bob, equipment):
    with pytest.raises(PermissionDenied):
        place_order(
            actor=bob,
            scope=build_scope(bob),
            asset=equipment.head_office_mono,
            quantities={equipment.catalogue.black.pk: 1},
            delivery_site=equipment.leeds,
            submission_key="svc",
        )
    assert SupplyOrder.objects.count() == 0


@pytest.mark.parametrize("mode", ["automatic", "onsite"])
def test_machines_supplied_otherwise_explain_and_still_allow_ordering(bob_client, equipment, mode):
    asset = equipment.leeds_mono
    asset.replenishment = mode
    asset.save()

    body = bob_client.get(new_order_url(asset)).content.decode()
    assert "some items may not be listed here" in body
    assert "Request an item" in body

    response = post_order(bob_client, asset, {equipment.catalogue.black: 1})
    assert response.status_code == 302


def test_form_shows_the_reorder_estimate(bob_client, bob, equipment):
    cat = equipment.catalogue
    post_order(bob_client, equipment.leeds_mono, {cat.black: 1})

    body = bob_client.get(new_order_url(equipment.leeds_mono)).content.decode()

    # 3,000 pages at the expected 3,000 a month: about 30 days after today's order.
    assert "Due in about 30 days" in body
