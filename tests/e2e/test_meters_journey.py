"""Bob's meter readings in headless Chromium: a plausible reading gets the green tick, an
implausible one a caution that he corrects (M1, M2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.journeys import log_in

pytestmark = pytest.mark.browser

SERIAL = "LW-E2E-1"
LAST_MONO = 40_000
LAST_COLOUR = 8_000


@pytest.fixture
def leeds_copier(foundation):
    """A copier at Leeds Works (bob's site): Mono and Colour meters last read 40 days ago."""
    from portico.assets.models import Asset, ProductModel
    from portico.meters.models import Meter, MeterReading, MeterType

    model = ProductModel.objects.create(manufacturer="Ricoh", name="IM C3000")
    leeds = foundation.acme_sites[1]
    asset = Asset.objects.create(
        organisation=leeds.organisation,
        site=leeds,
        product_model=model,
        serial_number=SERIAL,
        location="Print room",
    )
    read_at = timezone.now() - timedelta(days=40)  # always before this reading period
    meters = {}
    for name, monthly, last in [("Mono", 3000, LAST_MONO), ("Colour", 1000, LAST_COLOUR)]:
        meter_type = MeterType.objects.create(
            product_model=model, name=name, expected_monthly_volume=monthly
        )
        meters[name] = Meter.objects.create(
            asset=asset, meter_type=meter_type, last_value=last, last_read_at=read_at
        )
        MeterReading.objects.create(meter=meters[name], value=last, read_at=read_at)
    return meters


def test_bob_enters_readings_and_corrects_a_caution(page: Page, bob, leeds_copier):
    mono, colour = leeds_copier["Mono"], leeds_copier["Colour"]
    log_in(page, "bob@acme.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meters").click()
    expect(page.get_by_role("heading", name="Meter readings", level=1)).to_be_visible()
    expect(page.get_by_text("Readings due")).to_be_visible()
    page.get_by_role("link", name="Enter readings for Leeds Works").first.click()
    expect(page.get_by_text("Leeds Works").first).to_be_visible()

    # A plausible Mono reading: saved, green tick.
    page.get_by_label(f"New Mono reading for {SERIAL}").fill("42,500")
    page.get_by_role("button", name="Save readings").click()
    mono_row = page.locator(f"#meter-{mono.pk}")
    expect(mono_row.get_by_text("Accepted")).to_be_visible()
    expect(mono_row).to_contain_text("42,500")
    expect(page.get_by_role("status")).to_contain_text("1 reading saved")

    # An implausible Colour reading: caution, nothing saved until confirmed or corrected.
    page.get_by_label(f"New Colour reading for {SERIAL}").fill("58000")
    page.get_by_role("button", name="Save readings").click()
    colour_row = page.locator(f"#meter-{colour.pk}")
    expect(colour_row.get_by_text("Caution")).to_be_visible()
    expect(colour_row.get_by_label("Confirm this reading")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Please check 1 reading")
    assert not colour.readings.filter(value=58_000).exists()

    # Corrected: accepted.
    page.get_by_label(f"New Colour reading for {SERIAL}").fill("8,900")
    page.get_by_role("button", name="Save readings").click()
    expect(colour_row.get_by_text("Accepted")).to_be_visible()
    expect(colour_row).to_contain_text("8,900")

    assert list(mono.readings.order_by("read_at").values_list("value", flat=True)) == [
        LAST_MONO,
        42_500,
    ]
    assert list(colour.readings.order_by("read_at").values_list("value", "check_result")) == [
        (LAST_COLOUR, "accepted"),
        (8_900, "accepted"),
    ]
