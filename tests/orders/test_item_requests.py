"""'Request an item' (E5): the wanted supply is not listed, so the customer tells us."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.core.rights import Right
from portico.orders.models import ItemRequest
from tests.conftest import client_for
from tests.equipment_fixtures import member
from tests.utils import changed_tables, database_fingerprint

pytestmark = pytest.mark.django_db


def url(asset) -> str:
    return reverse("orders:request_item", args=[asset.pk])


def test_bob_requests_an_item_for_his_machine(bob_client, bob, equipment):
    response = bob_client.post(url(equipment.leeds_mono), {"message": "  A3 paper tray kit  "})

    item = ItemRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:detail", args=[equipment.leeds_mono.pk])
    assert (item.asset, item.organisation, item.requested_by) == (
        equipment.leeds_mono,
        equipment.leeds.organisation,
        bob,
    )
    assert item.message == "A3 paper tray kit"
    assert item.handled_at is None


def test_a_message_is_required(bob_client, equipment):
    response = bob_client.post(url(equipment.leeds_mono), {"message": "   "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ItemRequest.objects.count() == 0


def test_staff_see_and_handle_item_requests(bob_client, sam_client, equipment):
    bob_client.post(url(equipment.leeds_mono), {"message": "Blue staples"})
    item = ItemRequest.objects.get()

    listing = sam_client.get(reverse("admin:orders_itemrequest_changelist")).content.decode()
    assert "Blue staples" in listing
    sam_client.post(
        reverse("admin:orders_itemrequest_changelist"),
        {"action": "mark_handled", "_selected_action": [item.pk]},
    )

    item.refresh_from_db()
    assert item.handled_at is not None and item.handled_by.email == "sam@provider.example"


def test_machine_outside_the_scope_is_a_404(bob_client, carol_client, equipment):
    before = database_fingerprint()

    assert bob_client.post(url(equipment.head_office_mono), {"message": "x"}).status_code == 404
    assert carol_client.post(url(equipment.leeds_mono), {"message": "x"}).status_code == 404
    assert changed_tables(before, database_fingerprint()) == []


def test_without_the_create_right_it_is_403(foundation, equipment):
    viewer = client_for(
        member(foundation.acme, "viv@acme.example", assets=Right.VIEW, orders=Right.VIEW)
    )

    response = viewer.post(url(equipment.leeds_mono), {"message": "Toner"})

    assert response.status_code == 403
    assert ItemRequest.objects.count() == 0
