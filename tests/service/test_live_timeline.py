"""The customer's timeline shows new entries as they arrive: it polls its own tab, and the
answer is 204 until a newer public entry exists."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portico.service.services import add_internal_note, comment_on_request
from tests.service.factories import raise_request

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def request_(foundation, alice):
    return raise_request(alice, title="Streaks on every page")


def poll_url(html: str) -> str:
    found = re.search(r'id="live-timeline" hx-get="([^"]+)" hx-trigger="every (\d+)s"', html)
    assert found, html[:2000]
    return found[1].replace("&amp;", "&")


def test_the_timeline_tab_polls_for_entries_newer_than_its_newest(request_, alice_client):
    url = reverse("service:detail", args=[request_.number])
    page = alice_client.get(url + "?tab=timeline").content.decode()
    newest = request_.thread.entries.order_by("-created_at", "-id").first()
    assert poll_url(page) == f"?tab=timeline&since={newest.pk}"
    assert 'hx-trigger="every 30s"' in page


def test_a_poll_is_204_until_an_agent_writes_then_brings_the_new_entry(request_, alice_client, sam):
    url = reverse("service:detail", args=[request_.number])
    poll = url + poll_url(alice_client.get(url + "?tab=timeline").content.decode())
    quiet = alice_client.get(poll, **HTMX)
    assert quiet.status_code == 204 and quiet.content == b""

    comment_on_request(request=request_, actor=sam, body="An engineer comes at nine.")
    fresh = alice_client.get(poll, **HTMX)
    html = fresh.content.decode()
    assert fresh.status_code == 200
    assert "An engineer comes at nine." in html
    assert "<html" not in html and html.lstrip().startswith('<div id="live-timeline"')
    assert "HX-Request" in fresh["Vary"]
    # The new block polls from the new entry on.
    assert alice_client.get(url + poll_url(html), **HTMX).status_code == 204


def test_internal_notes_neither_show_nor_wake_the_customers_timeline(request_, alice_client, sam):
    url = reverse("service:detail", args=[request_.number])
    poll = url + poll_url(alice_client.get(url + "?tab=timeline").content.decode())
    add_internal_note(request=request_, actor=sam, body="Customer is on the watch list")
    assert alice_client.get(poll, **HTMX).status_code == 204
    everything = alice_client.get(url + "?tab=timeline&since=0", **HTMX).content.decode()
    assert "watch list" not in everything


def test_another_customer_cannot_poll_the_timeline(request_, carol_client):
    url = reverse("service:detail", args=[request_.number]) + "?tab=timeline&since=0"
    assert carol_client.get(url, **HTMX).status_code == 404


def test_the_workspace_timeline_wakes_for_internal_notes_too(request_, sam, sam_client):
    url = reverse("workspace:request", args=[request_.number])
    page = sam_client.get(url).content.decode()
    poll = url + poll_url(page)
    assert sam_client.get(poll, **HTMX).status_code == 204
    add_internal_note(request=request_, actor=sam, body="Customer is on the watch list")
    fresh = sam_client.get(poll, **HTMX)
    assert fresh.status_code == 200
    assert "Customer is on the watch list" in fresh.content.decode()
    assert "Internal note: staff only" in fresh.content.decode()
    assert "<html" not in fresh.content.decode()


def test_a_customer_cannot_poll_the_workspace_timeline(request_, alice_client):
    url = reverse("workspace:request", args=[request_.number]) + "?tab=timeline&since=0"
    response = alice_client.get(url, **HTMX)
    assert response.status_code in (302, 403, 404)
    assert b"Streaks on every page" not in response.content
