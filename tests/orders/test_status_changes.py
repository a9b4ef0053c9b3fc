"""Staff change an order's status in the back office; every change is in the history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portico.orders.models import OrderStatusChange, SupplyOrder
from portico.orders.services import InvalidTransition, change_order_status
from tests.orders.conftest import order_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(alice, equipment) -> SupplyOrder:
    return order_for(alice, equipment.leeds_mono, {equipment.catalogue.black: 1})


def history(order) -> list[tuple[str, str]]:
    return list(order.history.values_list("from_status", "to_status"))


def test_an_order_goes_from_submitted_to_delivered(order, sam):
    for status in ("confirmed", "dispatched", "delivered"):
        change_order_status(order=order, to_status=status, actor=sam, note="ok")

    order.refresh_from_db()
    assert order.status == "delivered"
    assert history(order) == [
        ("", "submitted"),
        ("submitted", "confirmed"),
        ("confirmed", "dispatched"),
        ("dispatched", "delivered"),
    ]
    assert set(order.history.exclude(from_status="").values_list("changed_by", flat=True)) == {
        sam.pk
    }


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "delivered"),  # submitted cannot skip to delivered
        ([], "dispatched"),
        (["confirmed", "dispatched"], "cancelled"),  # on its way: too late to cancel
        (["cancelled"], "confirmed"),  # cancelled is final
        (["confirmed", "dispatched", "delivered"], "submitted"),
        ([], "lost"),  # not a status at all
    ],
)
def test_refused_transitions_change_nothing(order, sam, path, refused):
    for status in path:
        change_order_status(order=order, to_status=status, actor=sam)
    rows = OrderStatusChange.objects.count()
    status_before = SupplyOrder.objects.get(pk=order.pk).status

    with pytest.raises(InvalidTransition):
        change_order_status(order=order, to_status=refused, actor=sam)

    assert SupplyOrder.objects.get(pk=order.pk).status == status_before
    assert OrderStatusChange.objects.count() == rows


def test_customers_cannot_change_a_status(order, alice):
    with pytest.raises(PermissionDenied):
        change_order_status(order=order, to_status="cancelled", actor=alice)
    assert SupplyOrder.objects.get(pk=order.pk).status == "submitted"


def test_staff_confirm_orders_with_an_admin_action(order, sam_client, alice, equipment):
    delivered = order_for(alice, equipment.leeds_colour, {equipment.catalogue.cyan: 1})
    sam = order.created_by.__class__.objects.get(email="sam@provider.example")
    for status in ("confirmed", "dispatched", "delivered"):
        change_order_status(order=delivered, to_status=status, actor=sam)

    response = sam_client.post(
        reverse("admin:orders_supplyorder_changelist"),
        {"action": "mark_confirmed", "_selected_action": [order.pk, delivered.pk]},
        follow=True,
    )

    order.refresh_from_db()
    delivered.refresh_from_db()
    assert order.status == "confirmed"
    assert delivered.status == "delivered"  # refused, with a message
    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot become confirmed" in m for m in messages)
    assert history(order)[-1] == ("submitted", "confirmed")


def test_staff_change_a_status_with_a_note_on_the_change_form(order, sam_client):
    url = reverse("admin:orders_supplyorder_change", args=[order.pk])
    form = sam_client.get(url).content.decode()
    assert '<option value="confirmed">' in form and '<option value="delivered">' not in form

    response = sam_client.post(
        url,
        {
            "new_status": "cancelled",
            "status_note": "Customer phoned",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-id": order.lines.get().pk,
            "lines-0-order": order.pk,
            "history-TOTAL_FORMS": "1",
            "history-INITIAL_FORMS": "1",
            "history-MIN_NUM_FORMS": "0",
            "history-MAX_NUM_FORMS": "1000",
            "history-0-id": order.history.get().pk,
            "history-0-order": order.pk,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.history.last().note == "Customer phoned"


def test_customers_cannot_reach_the_orders_back_office(order, alice_client):
    assert alice_client.get(reverse("admin:orders_supplyorder_changelist")).status_code == 404
    response = alice_client.post(
        reverse("admin:orders_supplyorder_changelist"),
        {"action": "mark_confirmed", "_selected_action": [order.pk]},
    )
    assert response.status_code == 404
    assert SupplyOrder.objects.get(pk=order.pk).status == "submitted"
