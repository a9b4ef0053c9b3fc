"""Journeys through the real pages in headless Chromium, by the labels a person sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.journeys import log_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Sturdy-Lantern-2931"


def open_account_menu(page: Page) -> Locator:
    """The cog menu in the header: a <details> whose summary is labelled "Account menu…"."""
    summary = page.get_by_label(re.compile(r"^Account menu"))
    summary.click()
    return page.get_by_role("group").filter(has=summary)


def test_alice_changes_her_password_and_logs_back_in_with_it(page, alice, screenshot):
    log_in(page, "alice@acme.example", PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()

    open_account_menu(page).get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()

    open_account_menu(page).get_by_role("link", name="Change password").click()
    page.get_by_label(re.compile(r"^\s*Current password", re.I)).fill(PASSWORD)
    page.get_by_label(re.compile(r"^\s*New password:?\s*$", re.I)).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^\s*New password \(?again", re.I)).fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("Change password", re.I)).click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"password.*changed", re.I))

    open_account_menu(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    log_in(page, "alice@acme.example", NEW_PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    screenshot()


def test_petra_changes_account_to_initech_north(page, petra, screenshot):
    log_in(page, "petra@initech.example", PASSWORD)
    header = page.get_by_role("banner")
    expect(header).to_contain_text("Initech Group")

    header.get_by_role("link", name="Change account").click()
    page.get_by_role("button", name=re.compile(r"^Initech North")).click()

    expect(header).to_contain_text("Initech North")
    expect(header).not_to_contain_text("Initech Group")
    screenshot()
