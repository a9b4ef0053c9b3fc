"""Sam works a request in the agents' workspace, in headless Chromium, by visible labels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portico.service import services
from portico.service.models import Recommendation
from portico.threads.models import Entry, Visibility
from tests.conftest import PASSWORD
from tests.e2e.journeys import log_in

pytestmark = pytest.mark.browser


def test_sam_replies_and_recommends_in_the_workspace(page, foundation, alice, sam, screenshot):
    request = services.create_request(
        scope=None,
        actor=alice,
        title="Printer jams on tray 2",
        description="Every third sheet jams.",
        site=foundation.acme_sites[0],
        priority="high",
    )
    log_in(page, "sam@provider.example", PASSWORD)
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)

    page.goto("/backoffice/")
    page.get_by_role("link", name="Open the request queue").click()
    expect(page.get_by_role("heading", name="Request queue")).to_be_visible()
    page.get_by_role("link", name=re.compile(request.number)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Printer jams on tray 2")

    reply = page.locator("#reply")
    reply.get_by_label("Message").fill("An engineer will call you this afternoon.")
    reply.get_by_role("button", name="Reply to customer").click()
    expect(page.get_by_role("status")).to_contain_text("Reply sent")

    recommend = page.locator("#recommend")
    recommend.get_by_label("Recommendation").fill("Replace the fuser unit")
    recommend.get_by_label(re.compile("Quoted amount")).fill("1234.50")
    recommend.get_by_role("button", name="Add recommendation").click()
    expect(page.get_by_role("status")).to_contain_text("Recommendation added")

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("An engineer will call you this afternoon.")
    expect(timeline).to_contain_text("Replace the fuser unit")
    expect(timeline).to_contain_text("GBP 1,234.50")
    screenshot()

    comment = request.thread.entries.get(kind=Entry.Kind.COMMENT)
    assert comment.visibility == Visibility.PUBLIC and comment.author == sam
    assert Recommendation.objects.get(request=request).amount == 1234.50
