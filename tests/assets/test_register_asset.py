"""Customers add machines (E3), individuals register products (E4), staff confirm them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portico.assets.models import Asset
from portico.meters.models import Meter
from tests.utils import changed_tables, database_fingerprint

pytestmark = pytest.mark.django_db


def form_data(equipment, site, **extra):
    data = {
        "product_model": equipment.catalogue.colour.pk,
        "serial_number": "NEW-123",
        "site": site.pk,
        "location": "Third floor",
        "asset_tag": "AC-0100",
    }
    data.update(extra)
    return data


def test_alice_adds_a_machine_that_awaits_confirmation(alice_client, alice, equipment):
    response = alice_client.post(reverse("assets:new"), form_data(equipment, equipment.leeds))

    asset = Asset.objects.get(serial_number="NEW-123")
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:detail", args=[asset.pk])
    assert asset.is_customer_registered
    assert asset.registered_by == alice
    assert asset.organisation == equipment.leeds.organisation
    assert (asset.site, asset.location, asset.asset_tag) == (
        equipment.leeds,
        "Third floor",
        "AC-0100",
    )
    # It gets a meter per meter type of its model, ready for readings.
    assert sorted(Meter.objects.filter(asset=asset).values_list("meter_type__name", flat=True)) == [
        "Colour",
        "Mono",
    ]
    listed = alice_client.get(reverse("assets:list"), {"q": "NEW-123"}).content.decode()
    assert "Awaiting confirmation" in listed


def test_staff_confirm_a_customer_registered_machine_in_the_back_office(
    alice_client, sam_client, equipment
):
    alice_client.post(reverse("assets:new"), form_data(equipment, equipment.leeds))
    asset = Asset.objects.get(serial_number="NEW-123")

    response = sam_client.post(
        reverse("admin:assets_asset_changelist"),
        {"action": "confirm_selected", "_selected_action": [asset.pk]},
    )

    asset.refresh_from_db()
    assert response.status_code == 302
    assert not asset.is_customer_registered
    assert asset.confirmed_at is not None
    listed = alice_client.get(reverse("assets:list"), {"q": "NEW-123"}).content.decode()
    assert "Awaiting confirmation" not in listed


def test_view_only_users_cannot_add_equipment(bob_client, equipment):
    before = database_fingerprint()

    assert bob_client.get(reverse("assets:new")).status_code == 403
    response = bob_client.post(reverse("assets:new"), form_data(equipment, equipment.leeds))

    assert response.status_code == 403
    assert changed_tables(before, database_fingerprint()) == []


def test_a_site_of_another_customer_is_refused(alice_client, equipment, foundation):
    before = database_fingerprint()

    response = alice_client.post(
        reverse("assets:new"), form_data(equipment, foundation.globex_sites[0])
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


def test_a_serial_number_already_registered_is_refused(alice_client, equipment):
    before = database_fingerprint()

    response = alice_client.post(
        reverse("assets:new"), form_data(equipment, equipment.leeds, serial_number="gx-mono")
    )

    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


def test_dana_registers_her_product_with_its_purchase_date(
    dana_client, dana, equipment, foundation
):
    form = dana_client.get(reverse("assets:new")).content.decode()
    assert "Register a product" in form and "Purchase date" in form
    assert "Asset tag" not in form

    home = foundation.dana_account.sites.get()
    response = dana_client.post(
        reverse("assets:new"),
        {
            "product_model": equipment.catalogue.mono.pk,  # 12-month warranty
            "serial_number": "DANA-1",
            "purchased_on": "2026-01-31",
            "site": home.pk,
        },
    )

    asset = Asset.objects.get(serial_number="DANA-1")
    assert response.status_code == 302
    assert asset.organisation == foundation.dana_account
    assert asset.purchased_on == date(2026, 1, 31)
    assert asset.warranty_ends_on == date(2027, 1, 30)
    assert asset.is_customer_registered and asset.registered_by == dana


def test_a_purchase_date_in_the_future_is_refused(dana_client, equipment, foundation):
    home = foundation.dana_account.sites.get()
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = dana_client.post(
        reverse("assets:new"),
        {
            "product_model": equipment.catalogue.mono.pk,
            "serial_number": "DANA-2",
            "purchased_on": tomorrow.isoformat(),
            "site": home.pk,
        },
    )

    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Asset.objects.filter(serial_number="DANA-2").exists()


def test_missing_fields_are_explained_and_nothing_is_saved(alice_client, equipment):
    before = database_fingerprint()

    response = alice_client.post(reverse("assets:new"), {"site": equipment.leeds.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Serial number: This field is required." in body
    assert changed_tables(before, database_fingerprint()) == []
