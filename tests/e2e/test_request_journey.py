"""Issue 4's journey in headless Chromium, every step through the pages by visible labels:
alice raises a request from a machine with a photo; sam, in his own browser, opens it from
the agents' workspace queue, replies, adds an internal note and a recommendation; alice
approves it with Respond and exports her filtered request list as CSV."""

from __future__ import annotations

import csv
import io
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portico.service import services
from portico.service.models import Recommendation, ServiceRequest
from portico.threads.models import Entry, Visibility
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.journeys import log_in
from tests.equipment_fixtures import catalogue, equipment  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

TITLE = "Streaks down every page"
REPLY = "An engineer will call you this afternoon."
INTERNAL = "Toner batch 7741 is faulty; do not tell the customer yet."
RECOMMENDATION = "Replace the drum unit"


def tiny_png() -> bytes:
    """A real 1×1 grey PNG: signature, IHDR, IDAT, IEND, each chunk with its CRC."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x80")  # filter byte 0, one grey pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def agent_page(browser, live_server, transactional_db) -> Iterator[Page]:
    """Sam's own browser context: his session never mixes with alice's."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_request_from_a_machine_to_an_approved_recommendation_and_a_csv(
    page: Page,
    agent_page: Page,
    alice,
    sam,
    equipment,  # noqa: F811
    tmp_path: Path,
):
    machine = equipment.head_office_mono
    photo = tmp_path / "streaks.png"
    photo.write_bytes(tiny_png())
    # Another of alice's requests, which her filter must leave out of the export.
    services.create_request(
        scope=None,
        actor=alice,
        title="Scanner rollers slipping",
        description="Feeds two sheets at once.",
        asset=equipment.bristol_colour,
    )

    # Alice: Sites → Head Office → the machine's menu → New request, with a photo.
    log_in(page, "alice@acme.example")
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Sites").click()
    page.get_by_role("link", name="Choose equipment at Head Office").click()
    expect(page.get_by_role("heading", name="Head Office", level=1)).to_be_visible()
    menu = page.get_by_role("group").filter(has_text=f"More actions for {machine.serial_number}")
    menu.get_by_title("More actions").click()  # the "•••" button
    menu.get_by_role("link", name="New request").click()

    expect(page.get_by_role("heading", name="New service request")).to_be_visible()
    machine_card = page.get_by_role("region", name="Machine")
    expect(machine_card).to_contain_text(machine.serial_number)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Fault description").fill("Grey streaks down the left of every page.")
    page.get_by_label(re.compile(r"^Attachments")).set_input_files(str(photo))
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("has been raised")
    request = ServiceRequest.objects.get(title=TITLE)
    assert request.asset == machine
    attachment = request.thread.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("streaks.png", "image/png")

    # Sam, in his own browser: the queue → the request → reply, internal note, recommendation.
    agent = agent_page
    log_in(agent, "sam@provider.example")
    agent.goto("/backoffice/workspace/")
    expect(agent.get_by_role("heading", name="Request queue")).to_be_visible()
    agent.get_by_role("link", name=re.compile(rf"{request.number}\s+{TITLE}")).click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text(TITLE)
    timeline = agent.locator("#timeline")
    expect(timeline.get_by_role("link", name=re.compile("streaks.png"))).to_be_visible()

    state = agent.get_by_role("region", name="Change state")
    state.get_by_label("New state").select_option(label="Acknowledged")
    state.get_by_role("button", name="Change state").click()
    expect(agent.get_by_role("status")).to_contain_text("is now acknowledged")

    reply = agent.get_by_role("region", name="Reply or add an internal note")
    reply.get_by_label("Message").fill(REPLY)
    reply.get_by_role("button", name="Reply to customer").click()
    expect(agent.get_by_role("status")).to_contain_text("Reply sent")

    reply = agent.get_by_role("region", name="Reply or add an internal note")
    reply.get_by_label("Message").fill(INTERNAL)
    reply.get_by_role("button", name="Add internal note").click()
    expect(agent.get_by_role("status")).to_contain_text("Internal note added")

    recommend = agent.get_by_role("region", name="Add a recommendation")
    recommend.get_by_label("Recommendation").fill(RECOMMENDATION)
    recommend.get_by_label(re.compile("Quoted amount")).fill("249.99")
    recommend.get_by_role("button", name="Add recommendation").click()
    expect(agent.get_by_role("status")).to_contain_text("Recommendation added")
    expect(timeline).to_contain_text(RECOMMENDATION)
    expect(timeline).to_contain_text("GBP 249.99")

    # Alice: her request shows the reply and the recommendation, never the internal note.
    main_nav.get_by_role("link", name="Requests").click()
    page.get_by_role("link", name=request.number, exact=True).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text(RECOMMENDATION)
    page.get_by_role("navigation", name="Request sections").get_by_role(
        "link", name="Timeline"
    ).click()
    alice_timeline = page.locator("ol.timeline")
    expect(alice_timeline).to_contain_text(REPLY)
    expect(alice_timeline).to_contain_text(RECOMMENDATION)
    expect(alice_timeline).not_to_contain_text(INTERNAL)

    # Respond → Approve: the timeline gains the approval and Respond goes away.
    page.get_by_role("link", name="Respond").first.click()
    expect(page.get_by_role("heading", name="Respond to the recommendation")).to_be_visible()
    expect(page.get_by_role("region", name="Recommendation")).to_contain_text("GBP 249.99")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send response").click()

    expect(page.get_by_role("status")).to_contain_text("Your response has been recorded")
    approval = page.locator("ol.timeline > li").filter(has_text="responded to a recommendation")
    expect(approval).to_have_count(1)
    expect(approval).to_contain_text("Approved")
    expect(approval).to_contain_text(RECOMMENDATION)
    expect(page.get_by_role("link", name="Respond")).to_have_count(0)
    recommendation = Recommendation.objects.get(request=request)
    assert recommendation.decision == Recommendation.Decision.APPROVED
    assert recommendation.decided_by == alice
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.IN_PROGRESS

    # Requests → filter by the machine's serial number → Export CSV: only this request.
    main_nav.get_by_role("link", name="Requests").click()
    page.get_by_label("Search").fill(machine.serial_number)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#request-results").get_by_text("Showing 1–1 of 1 request")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:2] == ["Number", "Title"]
    assert [row[:3] for row in rows[1:]] == [[request.number, TITLE, "In progress"]]
    assert machine.serial_number in rows[1]
    assert INTERNAL not in content and "Toner batch" not in content
    assert "Scanner rollers slipping" not in content

    # What sam sent through the workspace was stored as he meant it.
    comments = request.thread.entries.filter(kind=Entry.Kind.COMMENT, author=sam)
    assert {(c.body, c.visibility) for c in comments} == {
        (REPLY, Visibility.PUBLIC),
        (INTERNAL, Visibility.INTERNAL),
    }
