"""Pages that update in place, in headless Chromium: the request list filters as alice picks
a status and types a search (the address bar keeps up, a screen reader hears the new count,
Back returns to the earlier list), and an open timeline shows sam's reply as it arrives."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.journeys import log_in
from tests.service.factories import raise_request

pytestmark = pytest.mark.browser


def test_alice_filters_her_requests_without_reloading_the_page(
    page, foundation, alice, sam, screenshot
):
    from portico.service.models import ServiceRequest
    from portico.service.services import change_state

    streaks = raise_request(alice, title="Streaks on every page")
    jam = raise_request(alice, title="Paper jam in tray 2")
    fuser = raise_request(alice, title="Fuser grinding noise")
    change_state(request=jam, actor=sam, new_state=ServiceRequest.State.ACKNOWLEDGED)

    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^\s*Email")).fill("alice@acme.example")
    page.get_by_label(re.compile(r"^\s*Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    rows = page.locator("#request-results tbody tr")
    expect(rows).to_have_count(3)
    page.evaluate("window.stillTheSamePage = true")

    # Choosing a status is enough: no button, no reload.
    page.get_by_label("Status").select_option(label="New")
    expect(rows).to_have_count(2)
    expect(page.locator("#request-results")).not_to_contain_text(jam.number)
    expect(page).to_have_url(re.compile(r"status=new"))
    expect(page.get_by_role("status")).to_have_text("Showing 1–2 of 2 requests")
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()

    # Typing a search narrows it after a pause.
    page.get_by_label("Search").press_sequentially("fuser", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(fuser.number)
    expect(page).to_have_url(re.compile(r"q=fuser"))
    expect(page.get_by_role("status")).to_have_text("Showing 1–1 of 1 request")
    assert page.evaluate("window.stillTheSamePage") is True

    # The export follows what is shown.
    export = page.get_by_role("link", name="Export CSV")
    expect(export).to_have_attribute("href", re.compile(r"q=fuser"))
    screenshot()

    # Back returns to the list before the search.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"q=fuser"))
    expect(rows).to_have_count(2)
    expect(page.locator("#request-results")).to_contain_text(streaks.number)

    page.get_by_role("link", name="Clear filters").click()
    expect(rows).to_have_count(3)
    expect(page.get_by_role("link", name="Clear filters")).to_have_count(0)


def test_alice_sees_sams_reply_arrive_on_the_open_timeline(page, foundation, alice, sam, settings):
    from portico.service.services import add_internal_note, comment_on_request

    settings.TIMELINE_POLL_SECONDS = 1
    request = raise_request(alice, title="Streaks on every page")
    log_in(page, "alice@acme.example", PASSWORD)
    page.goto(f"/requests/{request.number}/?tab=timeline")
    timeline = page.locator("#live-timeline")
    expect(timeline).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Add a comment").fill("Half-written question")

    add_internal_note(request=request, actor=sam, body="Customer is on the watch list")
    comment_on_request(request=request, actor=sam, body="An engineer comes at nine.")

    expect(timeline).to_contain_text("An engineer comes at nine.")
    expect(timeline).not_to_contain_text("watch list")
    # The page was not reloaded: what alice was typing is still there.
    expect(page.get_by_label("Add a comment")).to_have_value("Half-written question")
    assert page.evaluate("window.stillTheSamePage") is True


def test_an_email_alice_opened_stays_open_when_the_timeline_refreshes(
    page, foundation, alice, sam, settings
):
    from portico.service.services import comment_on_request
    from portico.threads.services import record_outbound_mail

    settings.TIMELINE_POLL_SECONDS = 1
    request = raise_request(alice, title="Streaks on every page")
    record_outbound_mail(
        thread=request.thread,
        recipient="alice@acme.example",
        recipient_user=alice,
        subject="We have your request",
        body="An engineer will call you within the day.",
    )
    log_in(page, "alice@acme.example", PASSWORD)
    page.goto(f"/requests/{request.number}/?tab=timeline")
    timeline = page.locator("#live-timeline")
    mail_body = timeline.get_by_text("An engineer will call you within the day.")
    expect(mail_body).to_be_hidden()
    timeline.get_by_text("We have your request").click()
    expect(mail_body).to_be_visible()

    comment_on_request(request=request, actor=sam, body="The engineer comes at nine.")

    expect(timeline).to_contain_text("The engineer comes at nine.")
    expect(mail_body).to_be_visible()
    # A newly arrived e-mail is not opened for her.
    newest = timeline.locator("details.timeline__mail").last
    expect(newest).not_to_have_attribute("open", "")
