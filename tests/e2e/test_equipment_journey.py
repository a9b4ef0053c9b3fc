"""Issue 3's journey in headless Chromium, by the labels a person sees: bob, a Site user at
Leeds Works, goes Sites → Choose equipment → a machine's "New order", ticks two supplies,
places the order and finds it under Orders.

The other half of issue 3 (Meters: a plausible reading is "Accepted"; an implausible one
gets a caution, is corrected and then accepted) is walked by
``tests/e2e/test_meters_journey.py::test_bob_enters_readings_and_corrects_a_caution``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portico.orders.models import SupplyOrder
from tests.e2e.journeys import log_in
from tests.equipment_fixtures import catalogue, equipment  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

ORDER_NUMBER = re.compile(r"ORD-\d+")


def test_bob_orders_two_supplies_for_a_leeds_machine(page: Page, bob, equipment):  # noqa: F811
    machine = equipment.leeds_colour
    cyan, magenta = equipment.catalogue.cyan, equipment.catalogue.magenta
    main_nav = page.get_by_role("navigation", name="Main")

    log_in(page, "bob@acme.example")
    main_nav.get_by_role("link", name="Sites").click()
    expect(page.get_by_role("heading", name="Sites", level=1)).to_be_visible()
    # Bob sees only his own site.
    expect(page.get_by_role("link", name=re.compile(r"^Choose equipment"))).to_have_count(1)
    page.get_by_role("link", name="Choose equipment at Leeds Works").click()

    expect(page.get_by_role("heading", name="Leeds Works", level=1)).to_be_visible()
    expect(page.get_by_text("2 machines at this site")).to_be_visible()
    page.get_by_role("link", name=f"New order for {machine.serial_number}").click()

    expect(page.get_by_role("heading", name="New order", level=1)).to_be_visible()
    expect(page.get_by_text(f"serial {machine.serial_number}")).to_be_visible()
    supplies = page.get_by_role("group", name="Supplies for this machine")
    # Only what fits this machine is offered: nothing for the mono printer.
    expect(supplies.get_by_role("checkbox")).to_have_count(4)
    expect(supplies).not_to_contain_text(equipment.catalogue.black.item_code)

    supplies.get_by_role("checkbox", name=cyan.description).check()
    supplies.get_by_label(f"Quantity of {cyan.description}").fill("3")
    supplies.get_by_role("checkbox", name=magenta.description).check()
    page.get_by_label("Notes").fill("Leave with goods-in, please.")
    page.get_by_role("button", name="Place order").click()

    # The confirmation, with the order's number.
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"Thank you: your order ORD-\d+ is placed"))
    match = ORDER_NUMBER.search(status.inner_text())
    assert match is not None
    number = match.group()
    expect(page.get_by_role("heading", name=re.compile(f"Order {number}"), level=1)).to_be_visible()
    expect(page.get_by_text(cyan.description)).to_be_visible()
    expect(page.get_by_text(magenta.description)).to_be_visible()

    # Orders: the new order is in the list.
    main_nav.get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Orders", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(machine.serial_number)
    expect(row).to_contain_text("Leeds Works")

    order = SupplyOrder.objects.get()
    assert order.number == number
    assert order.created_by == bob
    assert order.site == machine.site
    assert order.notes == "Leave with goods-in, please."
    lines = {line.supply: line for line in order.lines.all()}
    assert set(lines) == {cyan, magenta}
    assert {line.asset for line in lines.values()} == {machine}
    assert lines[cyan].quantity == 3
    assert lines[magenta].quantity == 1
