"""Browser journey: a request from a machine, the agent's reply and recommendation, Respond,
and the export of the filtered list — in headless Chromium, by the labels a person sees."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from portico.service.models import Recommendation, ServiceRequest
from portico.service.services import (
    add_recommendation,
    assign_technicians,
    change_state,
    comment_on_request,
)
from tests.e2e.journeys import log_in
from tests.service.factories import PNG, machine

pytestmark = pytest.mark.browser


def test_alice_raises_a_request_sam_recommends_alice_approves_and_exports(
    page, foundation, alice, sam, tmp_path
):
    copier = machine(foundation.acme, foundation.acme_sites[2], "E2E-SN-42", tag="ACME-42")
    photo = tmp_path / "display.png"
    photo.write_bytes(PNG)

    # T1: from the machine, with an attachment.
    log_in(page, "alice@acme.example")
    page.goto(f"/requests/new/?asset={copier.pk}")
    expect(page.get_by_text("E2E-SN-42").first).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Fuser grinding noise")
    page.get_by_label("Fault description").fill("Loud grinding from the back since Monday.")
    page.get_by_label(re.compile(r"^Additional notes")).fill("Reception lets you in.")
    page.get_by_label(re.compile(r"^Attachments")).set_input_files(str(photo))
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", name="Fuser grinding noise")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("has been raised")
    request = ServiceRequest.objects.get(title="Fuser grinding noise")
    assert request.asset == copier
    assert request.thread.attachments.get().original_name == "display.png"

    # The agent replies and recommends (through the same services the workspace uses).
    assign_technicians(request=request, actor=sam, technicians=[sam])
    change_state(request=request, new_state="acknowledged", actor=sam)
    comment_on_request(request=request, actor=sam, body="Engineer found a worn fuser.")
    recommendation = add_recommendation(
        request=request, actor=sam, description="Replace the fuser unit", amount="185.00"
    )

    # T5: alice sees the reply and approves with Respond.
    page.goto(f"/requests/{request.number}/?tab=timeline")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Engineer found a worn fuser.")
    expect(timeline).to_contain_text("Replace the fuser unit")
    page.get_by_role("link", name="Respond").first.click()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send response").click()

    expect(page.get_by_role("status")).to_contain_text("Your response has been recorded")
    expect(page.locator("ol.timeline")).to_contain_text("Approved")
    expect(page.get_by_role("link", name="Respond")).to_have_count(0)
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.APPROVED
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.IN_PROGRESS

    # T2: filter the list and export exactly that list.
    page.goto("/requests/?tab=company")
    page.get_by_label("Search").fill("ACME-42")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.requests-table tbody tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:4] == ["Number", "Title", "Status", "Priority"]
    assert [row[:3] for row in rows[1:]] == [
        [request.number, "Fuser grinding noise", "In progress"]
    ]
    assert rows[1][7] == "E2E-SN-42"
